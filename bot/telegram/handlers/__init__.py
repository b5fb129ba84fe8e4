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

from bot.telegram.context import services_of
from bot.telegram.filters import ADDRESSED
from bot.telegram.handlers import (
    admin,
    announce,
    chats,
    check,
    commands,
    curation,
    errors,
    feedback,
    guard,
    handoff,
    inbox,
    inline,
    inputs,
    language,
    menu,
    questions,
    subscriptions,
)

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
        CallbackQueryHandler(admin.broadcast_button, pattern=r"^bc:(ok|no):\d{1,18}$"),
        *announcement_handlers(),
        CallbackQueryHandler(inbox.ask_person, pattern=r"^ip:\d{1,18}$"),
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.REPLY & inbox.INBOX_REPLY & ~filters.COMMAND,
            inbox.admin_reply,
        ),
        *curation_handlers(),
    ]


def curation_handlers() -> list[BaseHandler]:
    """/review and its buttons, /knowledge and edited files sent back (private chats), undo."""
    yaml_file = filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")
    return [
        CommandHandler("review", curation.review_command),
        CommandHandler("knowledge", curation.knowledge_command),
        CallbackQueryHandler(curation.review_button, pattern=r"^rv:(t|n|s):\d+(:\d)?$"),
        CallbackQueryHandler(curation.undo_button, pattern=r"^kc:u:\d+$"),
        CallbackQueryHandler(curation.upload_button, pattern=r"^ku:(ok|no):\d+$"),
        MessageHandler(
            filters.UpdateType.MESSAGE & PRIVATE & yaml_file, curation.knowledge_upload
        ),
    ]


def announcement_handlers() -> list[BaseHandler]:
    """Announcements: /scheduled (bot admins), /tag and /grouplang (group admins), the panel's buttons
    and replies, edit and delete everywhere (handlers/announce.py)."""
    return [
        CommandHandler("scheduled", announce.scheduled_command),
        CommandHandler("tag", announce.tag_command),
        CommandHandler("grouplang", announce.grouplang_command),
        CallbackQueryHandler(announce.announce_button, pattern=r"^an:[a-z]+:\d+(:.+)?$"),
        CallbackQueryHandler(announce.op_button, pattern=r"^op:(ok|no):\d+$"),
        MessageHandler(
            filters.UpdateType.MESSAGE
            & filters.REPLY
            & announce.ANNOUNCE_REPLY
            & ~filters.COMMAND,
            announce.announce_reply,
        ),
    ]


def register(application: Application) -> None:
    """Add every handler, in order, and the error handler."""
    staff_chat = inputs.staff_chat_filter(services_of(application).admin_chat_id)
    handlers: list[BaseHandler] = [
        # A button press with empty data matches EVERY patterned CallbackQueryHandler in PTB; this pattern
        # matches no non-empty data, so it takes exactly those presses (and just stops the spinner).
        CallbackQueryHandler(commands.noop_button, pattern=r"(?!)"),
        # Every edited message stops here: an edited question is answered again; an edited command is
        # never run twice (CommandHandlers would otherwise take edits too).
        MessageHandler(filters.UpdateType.EDITED_MESSAGE, inputs.edited),
        ChatMemberHandler(chats.my_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, chats.migrate),
        # "/start a_<entry>": a deep link to an answer (a shared answer lands here).
        CommandHandler(
            "start", feedback.start_answer, filters=filters.UpdateType.MESSAGES & feedback.START
        ),
        # "/start check" (the deep link /check gives in groups) is left to the /check conversation below.
        CommandHandler(
            "start", menu.start, filters=filters.UpdateType.MESSAGES & ~check.START_CHECK
        ),
        CommandHandler("help", commands.help_command),
        CommandHandler("lang", language.lang_command),
        CommandHandler("schemes", menu.schemes),
        CommandHandler("events", commands.events),
        CommandHandler("ask", questions.ask),
        CommandHandler("about", commands.about),
        *feature_handlers(),
        # The staff chat: replies to #Q items were relayed above; nothing else there is a worker's question.
        *(
            [MessageHandler(staff_chat & ~filters.COMMAND, inputs.staff_chatter)]
            if staff_chat is not None
            else []
        ),
        CallbackQueryHandler(questions.entry_button, pattern=r"^e:[tse]:."),
        CallbackQueryHandler(menu.page_button, pattern=r"^p:[tse]:[^:]+:\d{1,9}$"),
        CallbackQueryHandler(menu.topics_button, pattern=r"^t:[tse]$"),
        CallbackQueryHandler(menu.guide_entry_button, pattern=r"^g:[tse]:\d+:"),
        CallbackQueryHandler(menu.menu_button, pattern=r"^m:(?:(?:ev|lg|ab):)?[tse]$"),
        CallbackQueryHandler(feedback.feedback_button, pattern=r"^fb:\d+:[ud]$"),
        CallbackQueryHandler(commands.events_button, pattern=r"^ev:[tse]:(?:m|\d+)$"),
        CallbackQueryHandler(language.lang_button, pattern=r"^lang:(zh-Hant|zh-Hans|en|auto)$"),
        CallbackQueryHandler(commands.noop_button),  # anything else: still answered
        InlineQueryHandler(inline.inline_query),
        MessageHandler(WORDS & PRIVATE & filters.COMMAND, commands.unknown_command),
        MessageHandler(WORDS & PRIVATE & filters.TEXT, questions.private_text),
        MessageHandler(WORDS & inputs.SPOKEN & inputs.ADDRESSED_MEDIA, inputs.spoken),
        MessageHandler(WORDS & filters.CAPTION & inputs.ADDRESSED_MEDIA, inputs.caption),
        MessageHandler(WORDS & PRIVATE, questions.private_other),
        MessageHandler(
            WORDS & GROUPS & filters.TEXT & ~filters.COMMAND & ADDRESSED, questions.group_text
        ),
    ]
    application.add_handlers(
        {
            -2: [TypeHandler(Update, chats.track_chat)],
            # Button presses first meet the owner check (in groups, only the asker may use a reply's
            # buttons); they never reach flood control, which counts messages only.
            -1: [
                CallbackQueryHandler(handoff.owner_guard),
                TypeHandler(Update, guard.flood_guard),
            ],
            0: handlers,
            # After the answer: a group's askers' language, the default language of its announcements.
            1: [
                MessageHandler(
                    WORDS & GROUPS & filters.TEXT & ~filters.COMMAND & ADDRESSED,
                    announce.note_asker,
                )
            ],
        }
    )
    application.add_error_handler(errors.on_error)
