"""Per-user flood control, before any other handler: one polite notice, then silence for the window."""

from __future__ import annotations

import logging
import math
import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.i18n import t
from bot.telegram import render
from bot.telegram.context import BotContext, message_of
from bot.telegram.filters import ADDRESSED
from bot.telegram.send import ack, reply_to

logger = logging.getLogger(__name__)


def counts(update: Update) -> bool:
    """Messages the bot would answer count; button presses, inline typing and group chatter do not."""
    if update.callback_query is not None:
        return False  # a tap is not typing: browsing pages must never earn a "slow down"
    message = update.message
    if message is None or message.from_user is None:
        return False
    if (
        message.migrate_to_chat_id
        or message.migrate_from_chat_id
        or message.new_chat_members
        or message.left_chat_member
    ):
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    text = message.text or ""
    if text.startswith("/"):  # a command, unless it names another bot (/start@other_bot)
        _, at, name = text.split(maxsplit=1)[0].partition("@")
        return not at or name.lower() == (message.get_bot().username or "").lower()
    return ADDRESSED.check_update(update) is True


async def flood_guard(update: Update, context: BotContext) -> None:
    """Stop the update here when its sender is over their per-user limit."""
    user = update.effective_user
    if user is None or not counts(update) or user.id in context.services.admin_ids:
        return  # the bot's admins are never held back (a run of /subscribe, then /broadcast)
    gate = context.services.flood
    message = update.message
    age = (
        max(0.0, time.time() - message.date.timestamp())
        if message is not None and message.date
        else 0.0
    )
    verdict = gate.check(user.id, age)
    if verdict == "ok":
        return
    lang = context.lang_for(user, update.message.text if update.message else None)
    seconds = max(1, math.ceil(gate.retry_in(user.id)))
    logger.info(
        "flood control: %s for a user (%s)",
        verdict,
        update.effective_chat.type if update.effective_chat else "-",
    )
    if update.callback_query is not None:
        await ack(
            update.callback_query,
            t("tg_flood", lang, seconds=seconds) if verdict == "notice" else None,
        )
    elif verdict == "notice":
        await reply_to(
            context, message_of(update), render.plain("tg_flood", lang, seconds=seconds)
        )
    raise ApplicationHandlerStop
