"""Sending replies: into the right chat and forum topic, quoting the asker in groups.

Retries for Telegram's limits (429) and server errors (5xx) happen below this, in the rate limiter
(bot/telegram/app.py). Here: a group that became a supergroup is followed to its new id, and a text
Telegram cannot parse as HTML is sent again as plain text rather than lost.
"""

from __future__ import annotations

import logging
import re
from html import unescape

from telegram import CallbackQuery, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.telegram.context import BotContext
from bot.telegram.render import Reply

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_TAG = re.compile(r"<[^>]+>")


def thread_of(message: Message | None) -> int | None:
    """The forum topic a message belongs to (replies stay in it), else None."""
    if message is not None and message.is_topic_message and message.message_thread_id:
        return message.message_thread_id
    return None


async def reply_to(ctx: BotContext, message: Message, reply: Reply) -> list[Message]:
    """Answer `message` where it was sent: same chat, same topic; in groups quoting the asker."""
    quote = message.message_id if message.chat.type != ChatType.PRIVATE else None
    return await send(ctx, message.chat_id, reply, thread_id=thread_of(message), quote=quote)


async def send(
    ctx: BotContext,
    chat_id: int,
    reply: Reply,
    *,
    thread_id: int | None = None,
    quote: int | None = None,
) -> list[Message]:
    sent = []
    last = len(reply.parts) - 1
    for i, part in enumerate(reply.parts):
        markup = reply.markup if i == last else None
        sent.append(
            await _send_part(ctx, chat_id, part, markup, thread_id, quote if i == 0 else None)
        )
    return sent


async def _send_part(
    ctx: BotContext,
    chat_id: int,
    html: str,
    markup,
    thread_id: int | None,
    quote: int | None,
    parse_mode: str | None = ParseMode.HTML,
) -> Message:
    try:
        return await ctx.bot.send_message(
            chat_id,
            html,
            parse_mode=parse_mode,
            reply_markup=markup,
            message_thread_id=thread_id,
            reply_parameters=ReplyParameters(quote, allow_sending_without_reply=True)
            if quote
            else None,
            link_preview_options=NO_PREVIEW,
        )
    except ChatMigrated as exc:
        ctx.store.migrate_chat(chat_id, exc.new_chat_id)
        return await _send_part(ctx, exc.new_chat_id, html, markup, thread_id, None, parse_mode)
    except BadRequest as exc:
        if parse_mode and "can't parse entities" in str(exc).lower():
            logger.error("reply was not valid HTML; sending it as plain text: %s", exc)
            return await _send_part(
                ctx, chat_id, unescape(_TAG.sub("", html)), markup, thread_id, quote, None
            )
        raise


async def ack(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query (stops the button's spinner); a failure here never stops the reply."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        logger.info("could not answer a callback query: %s", exc)


async def edit(ctx: BotContext, query: CallbackQuery, reply: Reply) -> None:
    """Replace the message under a pressed button (pages, language); send anew if it cannot be edited."""
    message = query.message
    if isinstance(message, Message):
        try:
            await query.edit_message_text(
                reply.parts[0],
                parse_mode=ParseMode.HTML,
                reply_markup=reply.markup,
                link_preview_options=NO_PREVIEW,
            )
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            logger.info(
                "could not edit message %s in chat %s (%s); sending a new one",
                message.message_id,
                message.chat_id,
                exc,
            )
        await send(ctx, message.chat_id, reply, thread_id=thread_of(message))
    elif message is not None:  # too old to edit: a new message in the same chat
        await send(ctx, message.chat.id, reply)
