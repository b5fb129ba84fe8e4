"""Inputs beyond a plain text (issue 11, points 7 and 8):

- a photo or document with a caption: the caption is the question (in groups, when the caption
  mentions the bot or the message replies to it);
- an edited question: answered again, editing the earlier reply where it can (bot/telegram/handlers/
  replying.py `deliver`);
- a voice note, audio or video message: told plainly to type;
- the staff chat (ADMIN_CHAT_ID): only replies to #Q items are relayed (inbox.py); other chatter there,
  including replies to the bot's own notices, is neither answered nor logged (`staff_chatter`).
"""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import filters
from telegram.ext.filters import MessageFilter

from bot.telegram import render
from bot.telegram.context import BotContext, message_of
from bot.telegram.filters import mentions_bot, replies_to_bot, without_mention
from bot.telegram.handlers import questions
from bot.telegram.send import reply_to

logger = logging.getLogger(__name__)

SPOKEN = filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE | filters.VIDEO


def caption_mentions_bot(message: Message) -> bool:
    bot = message.get_bot()
    username = (bot.username or "").lower()
    for entity in message.caption_entities or ():
        if (
            entity.type == MessageEntity.MENTION
            and username
            and message.parse_caption_entity(entity).lower() == f"@{username}"
        ):
            return True
        if (
            entity.type == MessageEntity.TEXT_MENTION
            and entity.user is not None
            and entity.user.id == bot.id
        ):
            return True
    return False


class _AddressedMedia(MessageFilter):
    """A private message, or a group message whose caption mentions the bot or that replies to it."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        return caption_mentions_bot(message) or replies_to_bot(message)


class _AddressedText(MessageFilter):
    """Like filters.ADDRESSED, for edited messages too."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return (
            message.chat.type == ChatType.PRIVATE
            or mentions_bot(message)
            or replies_to_bot(message)
        )


ADDRESSED_MEDIA = _AddressedMedia(name="ADDRESSED_MEDIA")
ADDRESSED_TEXT = _AddressedText(name="ADDRESSED_TEXT")


async def caption(update: Update, context: BotContext) -> None:
    """A photo or document with words: the words are the question."""
    message = message_of(update)
    question = without_mention(message.caption or "", context.bot.username)
    if not question:
        await questions.private_other(update, context)
        return
    await questions._answer(update, context, message, question)


async def spoken(update: Update, context: BotContext) -> None:
    """A voice note (or audio, or video): say plainly that words are needed."""
    message = message_of(update)
    await reply_to(
        context, message, render.plain("mx_voice", context.lang_for(update.effective_user))
    )


async def edited(update: Update, context: BotContext) -> None:
    """An edited question: answered again; the earlier reply is edited when it can be. Edited
    commands, group chatter and the staff chat's messages are left alone."""
    message = message_of(update)
    text = message.text or message.caption or ""
    if not text or text.startswith("/"):
        return  # an edited command is not run again
    ops_chat = context.services.admin_chat_id
    if message.chat.id == ops_chat and message.chat.type != ChatType.PRIVATE:
        return
    addressed = (
        ADDRESSED_TEXT.check_update(update)
        if message.text
        else ADDRESSED_MEDIA.check_update(update)
    )
    if not addressed:
        return
    question = (
        without_mention(text, context.bot.username)
        if message.chat.type != ChatType.PRIVATE
        else text
    )
    if not question.strip():
        return
    await questions._answer(update, context, message, question)


async def staff_chatter(update: Update, context: BotContext) -> None:
    """Anything else said in the staff chat: not a worker's question; not answered, not logged."""
    logger.debug("staff chat message ignored")


def staff_chat_filter(admin_chat_id: int | None) -> filters.BaseFilter | None:
    """The staff chat when it is a group; an admin's own private chat (ADMIN_CHAT_ID may be one) stays
    a place where they can ask questions like anyone."""
    return filters.Chat(admin_chat_id) if admin_chat_id is not None and admin_chat_id < 0 else None
