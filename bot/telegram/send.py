"""Sending: the one path for the texts the bot sends in answer to an update.

PTB does most of it. The Application's Defaults (bot/telegram/app.py) make every text HTML without
link previews; `Message.reply_text` answers in the message's chat and forum topic and, outside
private chats, quotes it (PTB 22: `do_quote` left unset quotes in groups; the topic follows
`is_topic_message`). Retries for Telegram's limits (429) and server errors (5xx) happen below, in
the rate limiter. Here, once for every send: a group that became a supergroup is followed to its new
id (and the store told), and a text Telegram cannot parse as HTML is sent again as plain text (its
tags dropped, the rest escaped) rather than lost.
"""

from __future__ import annotations

import logging
import re
from html import escape, unescape

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.telegram.context import BotContext
from bot.telegram.render import Reply

logger = logging.getLogger(__name__)

_TAG = re.compile(r"<[^>]+>")


async def reply_to(
    ctx: BotContext, message: Message, reply: Reply, *, quote: bool = True
) -> list[Message]:
    """Answer `message` where it was sent: its chat and forum topic; in groups the first part
    quotes it (unless `quote` is False)."""
    sent = []
    for i, (part, markup) in enumerate(_parts(reply)):
        do_quote = None if quote and i == 0 else False  # None: PTB's rule, quote outside private
        sent.append(await _post(ctx, message.chat_id, part, markup, message, do_quote))
    return sent


async def send(
    ctx: BotContext, chat_id: int, reply: Reply, *, quote: int | None = None
) -> list[Message]:
    """Send a reply to a chat, not in answer to a message at hand; the first part quotes message
    `quote` of that chat, if given and still there."""
    return [
        await _post(ctx, chat_id, part, markup, None, False, quote_id=quote if i == 0 else None)
        for i, (part, markup) in enumerate(_parts(reply))
    ]


def _parts(reply: Reply) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The reply's messages, the keyboard under the last one."""
    last = len(reply.parts) - 1
    return [(part, reply.markup if i == last else None) for i, part in enumerate(reply.parts)]


async def _post(
    ctx: BotContext,
    chat_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None,
    answering: Message | None,
    do_quote: bool | None,
    plain: bool = False,
    quote_id: int | None = None,
) -> Message:
    """One message: a reply to `answering` (PTB keeps its topic), else a message to `chat_id`
    (quoting its message `quote_id`)."""
    try:
        if answering is not None:
            return await answering.reply_text(html, reply_markup=markup, do_quote=do_quote)
        return await ctx.bot.send_message(
            chat_id,
            html,
            reply_markup=markup,
            reply_parameters=ReplyParameters(quote_id) if quote_id else None,
        )
    except ChatMigrated as exc:  # the group became a supergroup: the store follows, then the reply
        ctx.store.migrate_chat(chat_id, exc.new_chat_id)
        return await _post(ctx, exc.new_chat_id, html, markup, None, False, plain)
    except BadRequest as exc:
        if not plain and "can't parse entities" in str(exc).lower():
            logger.error("reply was not valid HTML; sending it as plain text: %s", exc)
            text = escape(unescape(_TAG.sub("", html)), quote=False)  # no tags left to parse
            return await _post(ctx, chat_id, text, markup, answering, do_quote, True, quote_id)
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
            await query.edit_message_text(reply.parts[0], reply_markup=reply.markup)
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
        await reply_to(ctx, message, reply, quote=False)
    elif message is not None:  # too old to edit: a new message in the same chat
        await send(ctx, message.chat.id, reply)
