"""The hand-off to a person, made hard to lose (issue 11, point 2).

- "🙋 Ask a person" comes under every decline and every "which did you mean" (replying.decorate),
  survives browsing (a topic page opened from a decline keeps it: `keep_person_button`) and goes
  away only once the asker has used it (inbox.ask_person removes it).
- In groups, the buttons of a reply act only for the person it answers; anyone else gets a toast
  (`owner_guard`, run before every other handler of a button press). The owner is the user whose
  question the reply answers (remembered when it is sent), else the author of the message it quotes.
- Staff see who asked (name and @username, the group's title, the language in words) and the last
  turns of the conversation (`staff_item`).
"""

from __future__ import annotations

import logging
from html import escape
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.i18n import t
from bot.kb.text import Lang
from bot.telegram import admin_render
from bot.telegram.context import BotContext
from bot.telegram.recent import Turn, recent
from bot.telegram.render import Reply, label
from bot.telegram.send import ack

if TYPE_CHECKING:
    from bot.assistant import Answer, Assistant

logger = logging.getLogger(__name__)
MAX_TURN_CHARS = 120


# -- who owns a reply's buttons ---------------------------------------------------------------------


def remember_owner(context: BotContext, sent: list[Message], user: User | None) -> None:
    """The messages of a reply in a group belong to the user it answers."""
    if user is None:
        return
    owners = recent(context.bot_data).owners
    for message in sent:
        if message.chat.type != ChatType.PRIVATE:
            owners.put((message.chat.id, message.message_id), user.id)


def owner_of(context: BotContext, message: Message) -> int | None:
    known = recent(context.bot_data).owners.get((message.chat.id, message.message_id))
    if known is not None:
        return known
    quoted = message.reply_to_message
    if quoted is not None and quoted.from_user is not None and not quoted.from_user.is_bot:
        return quoted.from_user.id
    return None


async def owner_guard(update: Update, context: BotContext) -> None:
    """A button under someone else's reply in a group: a toast for the presser, and nothing else."""
    query = update.callback_query
    if (
        query is None
        or not isinstance(query.message, Message)
        or query.message.chat.type == ChatType.PRIVATE
    ):
        return
    owner = owner_of(context, query.message)
    if owner is None or owner == query.from_user.id:
        return
    await ack(query, t("mx_not_your_buttons", context.lang_for(query.from_user)))
    raise ApplicationHandlerStop


# -- the 🙋 button kept while browsing ----------------------------------------------------------------


def person_row(markup: InlineKeyboardMarkup | None) -> list | None:
    for row in markup.inline_keyboard if markup is not None else ():
        if any(
            isinstance(b.callback_data, str) and admin_render.CB_PERSON.match(b.callback_data)
            for b in row
        ):
            return list(row)
    return None


def keep_person_button(message: object, reply: Reply) -> Reply:
    """A reply that replaces a message (a topic page opened from a decline) keeps its 🙋 button."""
    row = person_row(message.reply_markup) if isinstance(message, Message) else None
    if row is None or person_row(reply.markup) is not None:
        return reply
    rows = [list(r) for r in reply.markup.inline_keyboard] if reply.markup is not None else []
    return Reply(reply.parts, InlineKeyboardMarkup([*rows, row]), reply.lang)


def without_person_button(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [
        list(r)
        for r in markup.inline_keyboard
        if not any(
            isinstance(b.callback_data, str) and admin_render.CB_PERSON.match(b.callback_data)
            for b in r
        )
    ]
    return InlineKeyboardMarkup(rows) if rows else None


# -- turns and the staff's item ------------------------------------------------------------------------


def said(answer: Answer, assistant: Assistant) -> str:
    """What the bot replied, in a few words, for the staff."""
    kb, lang = assistant.kb, answer.lang
    if (
        answer.kind in ("answer", "eligibility")
        and answer.entries
        and answer.entries[0] in kb.entries
    ):
        return "→ " + assistant.title(kb.entries[answer.entries[0]], lang)
    if answer.kind == "choose":
        return t("mx_turn_choices", lang, titles="; ".join(c.title for c in answer.choices[:3]))
    if answer.kind == "decline":
        return t("mx_turn_declined", lang)
    return t("mx_turn_other", lang)


def remember_turn(
    context: BotContext, chat_id: int, user: User | None, question: str, answer: Answer
) -> None:
    if user is not None:
        recent(context.bot_data).add_turn(chat_id, user.id, question, answer)


def who(user: User | None, lang: Lang) -> str:
    if user is None:
        return t("mx_inbox_someone", lang)
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or t(
        "mx_inbox_someone", lang
    )
    return f"{name} (@{user.username})" if user.username else name


def lang_in_words(code: str | None, lang: Lang) -> str:
    key = f"mx_lang_{code}"
    return t(key, lang) if code in ("zh-Hant", "zh-Hans", "en") else (code or "?")


def staff_item(
    item_id: int,
    question: str,
    asker_lang: str | None,
    user: User | None,
    chat_type: str,
    chat_title: str | None,
    turns: list[Turn],
    lang: Lang,
    assistant: Assistant,
) -> str:
    """The question as the admin chat sees it: starts with the #Q tag replies are matched by."""
    if chat_type == ChatType.PRIVATE:
        where = t("ib_where_private", lang)
    else:
        where = t("mx_inbox_group", lang, title=label(chat_title or "?", 60))
    head = t(
        "mx_inbox_item",
        lang,
        id=item_id,
        who=label(who(user, lang), 80),
        lang=lang_in_words(asker_lang, lang),
        where=where,
    )
    parts = [
        escape(head, quote=False),
        f"<blockquote>{escape(question, quote=False)}</blockquote>",
    ]
    earlier = [turn for turn in turns if turn.question != question][-3:]
    if earlier:
        lines = [escape(t("mx_inbox_turns", lang), quote=False)]
        lines += [
            f"• {escape(label(turn.question, MAX_TURN_CHARS), quote=False)} "
            f"<i>{escape(label(said(turn.answer, assistant), MAX_TURN_CHARS), quote=False)}</i>"
            for turn in earlier
        ]
        parts.append("\n".join(lines))
    parts.append(f"<i>{escape(t('ib_admin_hint', lang))}</i>")
    return "\n\n".join(parts)
