"""The one error handler: log with context, tell the user a short apology, never a traceback."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.telegram import render
from bot.telegram.besteffort import best_effort
from bot.telegram.context import BotContext
from bot.telegram.send import ack, reply_to, send

logger = logging.getLogger("bot.telegram.errors")


def describe(update: object) -> str:
    """Where an error happened, without message texts or names."""
    if not isinstance(update, Update):
        return "no update" if update is None else type(update).__name__
    kind = next(
        (
            k
            for k in (
                "message",
                "callback_query",
                "inline_query",
                "my_chat_member",
                "edited_message",
            )
            if getattr(update, k, None) is not None
        ),
        "update",
    )
    chat = update.effective_chat
    user = update.effective_user
    return (
        f"update {update.update_id} ({kind}) chat={chat.id if chat else '-'}"
        f"/{chat.type if chat else '-'} user={user.id if user else '-'}"
    )


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with its update; apologise to the user when it was our fault."""
    error = context.error
    where = describe(update)
    if isinstance(error, Forbidden):
        logger.info("cannot write to the chat (%s): %s", error.message, where)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is not None:
            best_effort(
                "record a chat's status",
                context.store.set_chat_status,
                chat.id,
                "blocked" if chat.type == ChatType.PRIVATE else "kicked",
            )
        return
    if isinstance(error, (BadRequest, RetryAfter)):
        logger.warning("Telegram refused a request (%s): %s", error, where)
        return
    if isinstance(error, NetworkError):  # includes TimedOut; retried already where that is safe
        logger.warning("Telegram could not be reached (%s): %s", error, where)
        return
    if isinstance(error, TelegramError):
        logger.error("Telegram error (%s): %s", error, where)
        return
    logger.error("error while handling %s", where, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        message = update.effective_message
        lang = context.lang_for(
            update.effective_user, message.text if message is not None and update.message else None
        )
        if update.callback_query is not None:
            try:
                await ack(update.callback_query)
            except TelegramError:
                pass  # already answered
        apology = render.plain("tg_error", lang)
        if isinstance(message, Message):  # in its topic; quoting a new message in a group
            await reply_to(context, message, apology, quote=update.message is not None)
        else:
            await send(context, update.effective_chat.id, apology)
    except Exception:  # noqa: BLE001 - the apology is best effort
        logger.warning("could not send the apology for %s", where, exc_info=True)
