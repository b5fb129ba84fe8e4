"""Chats the bot knows: seen chats, being added or removed (a group that removes the bot is
unsubscribed), groups upgraded to supergroups (subscriptions follow, see Store.migrate_chat)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.telegram import render
from bot.telegram.besteffort import best_effort
from bot.telegram.context import BotContext, message_of, required
from bot.telegram.send import send

logger = logging.getLogger(__name__)
PRESENT = (
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.OWNER,
    ChatMemberStatus.RESTRICTED,
)


async def track_chat(update: Update, context: BotContext) -> None:
    """Remember every chat a message or button press comes from (once per process)."""
    chat = update.effective_chat
    if chat is not None and update.my_chat_member is None:
        best_effort("record a chat", context.store.seen_chat, chat.id, chat.type, chat.title)


async def my_member(update: Update, context: BotContext) -> None:
    """The bot was added to, removed from or blocked in a chat; greet a group it joins."""
    change = required(update.my_chat_member, "chat member update in the update")
    chat = change.chat
    old, new = change.old_chat_member.status, change.new_chat_member.status
    status = "blocked" if chat.type == ChatType.PRIVATE and new == ChatMemberStatus.BANNED else new
    context.store.upsert_chat(chat.id, chat.type, chat.title, status=str(status))
    logger.info("bot membership in %s chat %s: %s -> %s", chat.type, chat.id, old, new)
    if new not in PRESENT and context.store.unsubscribe(chat.id):
        logger.info("group %s removed the bot: unsubscribed", chat.id)
    if (
        chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
        and new in PRESENT
        and old not in PRESENT
    ):
        lang = context.lang_for(change.from_user)
        reply = render.welcome(context.assistant, lang, None, True, context.bot.username)
        await send(context, chat.id, reply)


async def migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: move its state to the new chat id."""
    message = message_of(update)
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
        context.application.migrate_chat_data(message=message)
    else:
        old, new = required(message.migrate_from_chat_id, "migrated-from chat id"), message.chat_id
    context.store.migrate_chat(old, new, message.chat.title)
