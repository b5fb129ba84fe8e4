"""Every handler and its order, in one place.

PTB runs, for each update, the first matching handler of each group, groups in ascending order:

    group -2  bookkeeping that sees everything (chats the bot knows)
    group -1  flood control: may stop the update here (ApplicationHandlerStop)
    group  0  features, first match wins:
                1. chat membership and migration service messages
                2. commands (private chats and groups)
                3. FEATURE HANDLERS added by later features (conversations such as /check, admin
                   verbs): insert them in `feature_handlers` below, before the catch-alls
                4. buttons (callback queries) and inline queries
                5. catch-alls: private texts, group messages addressed to the bot, unknown commands

Handlers are thin (parse, call the Assistant or the store, render, reply); chat scoping is decided
by the filters here, not inside handlers.
"""
from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.filters import ADDRESSED
from bot.telegram.handlers import chats, commands, errors, guard, inline, language, questions
from bot.telegram.handlers import admin, check, inbox, subscriptions

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
# Updates that carry a user's words; service messages (joins, pins, topics...) are not questions.
WORDS = filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL & ~filters.VIA_BOT


def feature_handlers() -> list[BaseHandler]:
    """Handlers of later features, tried after the commands and before the catch-alls."""
    return [
        *admin_handlers(),  # admin verbs, group subscriptions, the human inbox (before /check: all specific)
        *check.handlers(),  # /check: the eligibility conversation (and its /start check deep link)
    ]


def admin_handlers() -> list[BaseHandler]:
    """Admin verbs (ADMIN_IDS checked inside), group subscriptions (group admins), the human inbox."""
    return [
        CommandHandler("admin", admin.admin_help),
        CommandHandler("reload", admin.reload_command),
        CommandHandler("broadcast", admin.broadcast_command),
        CommandHandler("broadcasts", admin.broadcasts_command),
        CommandHandler("subscribers", admin.subscribers_command),
        CommandHandler("stats", admin.stats_command),
        CommandHandler("subscribe", subscriptions.subscribe),
        CommandHandler("unsubscribe", subscriptions.unsubscribe),
        CommandHandler("reminders", subscriptions.reminders),
        CallbackQueryHandler(admin.broadcast_button, pattern=r"^bc:(ok|no):\d{1,18}$"),  # ids fit SQLite's INTEGER
        CallbackQueryHandler(inbox.ask_person, pattern=r"^ip:\d{1,18}$"),
        MessageHandler(filters.UpdateType.MESSAGE & filters.REPLY & inbox.INBOX_REPLY & ~filters.COMMAND, inbox.admin_reply),
    ]


def register(application: Application) -> None:
    """Add every handler, in order, and the error handler."""
    application.add_handler(TypeHandler(Update, chats.track_chat), group=-2)
    application.add_handler(TypeHandler(Update, guard.flood_guard), group=-1)

    handlers: list[BaseHandler] = [
        # A button press with empty data matches EVERY patterned CallbackQueryHandler in PTB; this pattern
        # matches no non-empty data, so it takes exactly those presses (and just stops the spinner).
        CallbackQueryHandler(commands.noop_button, pattern=r"(?!)"),
        ChatMemberHandler(chats.my_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, chats.migrate),
        # "/start check" (the deep link /check gives in groups) is left to the /check conversation below.
        CommandHandler("start", commands.start, filters=filters.UpdateType.MESSAGES & ~check.START_CHECK),
        CommandHandler("help", commands.help_command),
        CommandHandler("lang", language.lang_command),
        CommandHandler("schemes", commands.schemes),
        CommandHandler("events", commands.events),
        CommandHandler("ask", questions.ask),
        CommandHandler("about", commands.about),
        *feature_handlers(),
        CallbackQueryHandler(questions.entry_button, pattern=r"^e:[tse]:."),
        CallbackQueryHandler(commands.page_button, pattern=r"^p:[tse]:[^:]+:\d{1,9}$"),
        CallbackQueryHandler(commands.topics_button, pattern=r"^t:[tse]$"),
        CallbackQueryHandler(language.lang_button, pattern=r"^lang:(zh-Hant|zh-Hans|en|auto)$"),
        CallbackQueryHandler(commands.noop_button),  # anything else: still answered
        InlineQueryHandler(inline.inline_query),
        MessageHandler(WORDS & PRIVATE & filters.COMMAND, commands.unknown_command),
        MessageHandler(WORDS & PRIVATE & filters.TEXT, questions.private_text),
        MessageHandler(WORDS & PRIVATE, questions.private_other),
        MessageHandler(WORDS & GROUPS & filters.TEXT & ~filters.COMMAND & ADDRESSED, questions.group_text),
    ]
    application.add_handlers(handlers, group=0)
    application.add_error_handler(errors.on_error)
