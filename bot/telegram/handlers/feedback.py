"""👍/👎 under answers, a share button and deep links to an answer (issue 11, point 9).

    fb:<query>:u | fb:<query>:d     the asker's vote on the logged question <query>: one tap, changeable
                                    (the chosen one is marked ✓); stored in the query log (`feedback`)
    https://t.me/<bot>?start=a_<entry>   opens that entry's answer in the reader's own language
                                    (`h_<hash>` when the id is too long for a start parameter)

The share button is a t.me/share link carrying the deep link and the answer's title, so a worker can
forward "the answer" to a friend, who lands on it in a private chat with the bot.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import quote

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import filters

if TYPE_CHECKING:
    from bot.assistant import Answer

from bot.i18n import t
from bot.kb.text import Lang
from bot.telegram import render
from bot.telegram.besteffort import best_effort
from bot.telegram.context import BotContext, message_of, query_of
from bot.telegram.render import Reply
from bot.telegram.send import ack, reply_to

logger = logging.getLogger(__name__)

CB_FEEDBACK = re.compile(r"^fb:(\d+):([ud])$")
START_ANSWER = re.compile(r"^/start(?:@\w+)?\s+([ah])_([A-Za-z0-9_-]{1,60})\s*$")
START = filters.Regex(START_ANSWER)
MAX_START = 64
UP, DOWN = "👍", "👎"
RATED = (UP, DOWN)


def _hash(entry_id: str) -> str:
    return hashlib.sha1(entry_id.encode()).hexdigest()[:12]


def start_parameter(entry_id: str) -> str:
    """The /start parameter that opens `entry_id` (letters, digits, _ and -, at most 64)."""
    if len(entry_id) + 2 <= MAX_START and re.fullmatch(r"[A-Za-z0-9_-]+", entry_id):
        return f"a_{entry_id}"
    return f"h_{_hash(entry_id)}"


def resolve_start(kind: str, value: str, entry_ids) -> str | None:
    if kind == "a":
        return value if value in entry_ids else None
    return next((e for e in entry_ids if _hash(e) == value), None)


def deep_link(bot_username: str, entry_id: str) -> str:
    return f"https://t.me/{bot_username}?start={start_parameter(entry_id)}"


def feedback_row(
    query_id: int,
    lang: Lang,
    bot_username: str | None,
    entry_id: str | None,
    title: str = "",
    vote: int = 0,
) -> list[InlineKeyboardButton]:
    """👍 👎 (the chosen one marked) and, for one entry's answer, ↗ Share."""
    row = [
        InlineKeyboardButton(
            UP + (" ✓" if vote > 0 else ""), callback_data=f"fb:{int(query_id)}:u"
        ),
        InlineKeyboardButton(
            DOWN + (" ✓" if vote < 0 else ""), callback_data=f"fb:{int(query_id)}:d"
        ),
    ]
    if bot_username and entry_id:
        link = deep_link(bot_username, entry_id)
        url = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(render.label(title, 80), safe='')}"
        row.append(InlineKeyboardButton(t("mx_share", lang), url=url))
    return row


def with_feedback(
    reply: Reply,
    query_id: int | None,
    bot_username: str | None,
    entry_id: str | None,
    title: str = "",
) -> Reply:
    """An answer with its 👍/👎 (and share) row under the other buttons; none when the question
    could not be logged (the votes refer to the log)."""
    if query_id is None:
        return reply
    rows = [list(r) for r in reply.markup.inline_keyboard] if reply.markup is not None else []
    rows.append(feedback_row(query_id, reply.lang, bot_username, entry_id, title))
    return Reply(reply.parts, InlineKeyboardMarkup(rows), reply.lang)


def _marked(
    markup: InlineKeyboardMarkup | None, query_id: int, vote: int
) -> InlineKeyboardMarkup | None:
    """The same keyboard with the vote shown on this question's 👍/👎 buttons."""
    if markup is None:
        return None
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            found = (
                CB_FEEDBACK.match(button.callback_data or "")
                if isinstance(button.callback_data, str)
                else None
            )
            if found and int(found.group(1)) == query_id:
                up = found.group(2) == "u"
                chosen = (vote > 0) == up
                button = InlineKeyboardButton(
                    (UP if up else DOWN) + (" ✓" if chosen else ""),
                    callback_data=button.callback_data,
                )
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


async def feedback_button(update: Update, context: BotContext) -> None:
    """👍 or 👎: stored for the asker only; the buttons show the choice, which a later tap changes."""
    query = query_of(update)
    user = update.effective_user
    found = CB_FEEDBACK.match(query.data or "")
    if found is None or user is None:
        await ack(query)
        return
    query_id, vote = int(found.group(1)), (1 if found.group(2) == "u" else -1)
    row = context.store.query(query_id)
    lang = context.stored_lang(user) or (row["lang"] if row else None) or context.lang_for(user)
    if row is None or not context.store.set_feedback(
        query_id, context.store.hash_user(user.id), vote
    ):
        await ack(query, t("mx_fb_not_yours" if row is not None else "tg_expired", lang))
        return
    logger.info("feedback %+d on question %s", vote, query_id)
    await ack(query, t("mx_fb_up" if vote > 0 else "mx_fb_down", lang))
    message = query.message
    if isinstance(message, Message):
        try:
            await query.edit_message_reply_markup(_marked(message.reply_markup, query_id, vote))
        except (
            TelegramError
        ) as exc:  # "not modified" after a repeated tap, or too old: the vote is stored
            logger.debug("could not mark the vote on message %s: %s", message.message_id, exc)


def log_opened(
    context: BotContext,
    update: Update,
    chat_type: str,
    lang: Lang,
    entry_id: str,
    answer: Answer,
    via: str,
) -> int | None:
    """An entry opened from a button or a link, in the query log; a store that cannot write (a full
    disk) never costs the reply, only its log-referring buttons."""
    user = update.effective_user
    return best_effort(
        "log a question",
        context.store.log_query,
        user_id=user.id if user else None,
        chat_type=chat_type,
        lang=lang,
        text=f"[{via}] {entry_id}",
        answered=True,
        entry_ids=answer.entries,
        score=1.0,
        kind="button",
    )


async def start_answer(update: Update, context: BotContext) -> None:
    """/start a_<entry>: the answer a deep link (or a share) points at, in the reader's language."""
    message = message_of(update)
    user = update.effective_user
    lang = context.lang_for(user)
    found = START_ANSWER.match(message.text or "")
    entry_id = (
        resolve_start(found.group(1), found.group(2), context.assistant.kb.entries)
        if found
        else None
    )
    answer = context.assistant.answer_entry(entry_id, lang) if entry_id else None
    if answer is None or entry_id is None:
        await reply_to(context, message, render.plain("tg_expired", lang))
        return
    query_id = log_opened(context, update, message.chat.type, lang, entry_id, answer, "link")
    title = context.assistant.title(context.assistant.kb.entries[entry_id], lang)
    reply = with_feedback(
        render.answer(answer, context.assistant), query_id, context.bot.username, entry_id, title
    )
    await reply_to(context, message, reply)
