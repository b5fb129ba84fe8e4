"""When the bot is addressed in a group: a mention of it, or a reply to one of its messages.

Commands addressed to it (/ask, /ask@bot) are matched by PTB's CommandHandler. Anything else in a
group is left alone, so the group is never spammed.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.constants import ChatType
from telegram.ext.filters import MessageFilter


def mentions_bot(message: Message) -> bool:
    bot = message.get_bot()
    username = (bot.username or "").lower()
    for entity in message.entities or ():
        if (
            entity.type == MessageEntity.MENTION
            and username
            and message.parse_entity(entity).lower() == f"@{username}"
        ):
            return True
        if (
            entity.type == MessageEntity.TEXT_MENTION
            and entity.user is not None
            and entity.user.id == bot.id
        ):
            return True
    return False


def bot_message_replied(message: Message) -> Message | None:
    """The bot's own message that `message` replies to; None for a reply to anyone else, or none."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None:
        return None
    return replied if replied.from_user.id == message.get_bot().id else None


def replies_to_bot(message: Message) -> bool:
    replied = bot_message_replied(message)
    if replied is None:
        return False
    # In a forum every topic message "replies" to the topic's first (service) message.
    if message.is_topic_message and (
        replied.forum_topic_created is not None or replied.message_id == message.message_thread_id
    ):
        return False
    return True


class _Addressed(MessageFilter):
    """Private messages, and group messages that mention the bot or reply to it."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        return mentions_bot(message) or replies_to_bot(message)


ADDRESSED = _Addressed(name="ADDRESSED")


def without_mention(text: str, username: str | None) -> str:
    """The question with the bot's @username taken out."""
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())
