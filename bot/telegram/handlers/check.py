"""/check: "what may I apply for?" as a conversation with buttons, one question at a time.

    /check [words]     private chat: asks the first question the rules need (words that already state
                       facts, "/check 我係護理員", skip those questions; Back undoes them too)
    /start check       private chat: the same, reached through the deep link a group is given
    /check in a group  a button to https://t.me/<bot>?start=check: the questions happen in private

The questions, the answer buttons and the outcomes come from knowledge/rules.yaml through bot.rules:
`next_question(rules, facts, today)` until it returns None, then `render_outcomes(..., ask_missing=False)`
(each outcome, its reason and the next step). The date is the Assistant's clock, `assistant.today()`,
the one the free-text eligibility answers use, so both always agree.

One message is edited as the conversation advances (editMessageText); every button press is answered.
Callback data (at most 64 bytes, none matching the other handlers' ^e: ^p: ^t: ^lang: patterns):

    chk:a:<fact>=<value>   answer the question now asked (a short hash if it would not fit)
    chk:back               forget the last answer and ask that question again
    chk:cancel             end the conversation
    chk:new:<l>            start a new check (under a result); <l> is the language letter, as in render.py
    chk:other              "Other / none of these": the check ends honestly, "not covered — ask a person"
    chk:rb                 Back under a result or a "not covered" ending: the check resumes at its last question
    chk:f:<query>:<value>  under a free-text eligibility answer (the logged question <query>): answer the
                           question it still needs, and continue as a check from what the text stated

Typed answers are understood at every step (bot/telegram/typed.py: numbers of years, yes/no in the four
language forms, a choice by number or label); a text that answers nothing is answered as a question,
and the check stays open. Results and "not covered" endings are logged (kind "check") for /stats.

A conversation is per user and chat (private chats only) and ends after TIMEOUT_SECONDS without an
answer, with a polite note in place of the question.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field
from html import escape

from telegram import InlineKeyboardButton, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.i18n import t
from bot.kb.text import Lang
from bot.rules import (
    Fact,
    Rules,
    evaluate,
    extract_facts,
    in_scope,
    next_question,
    render_outcomes,
)
from bot.rules.render import facts_summary, shown
from bot.rules.schema import Value
from bot.telegram import render
from bot.telegram.context import BotContext, chat_of, message_of, query_of, required
from bot.telegram.render import Reply
from bot.telegram.send import ack, edit, reply_to, send

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS: float = 15 * 60  # without an answer, the conversation ends (tests shorten it)
ASKING = 0
PREFIX = "chk:"
CB_BACK = "chk:back"
CB_CANCEL = "chk:cancel"
CB_OTHER = "chk:other"
CB_RESULT_BACK = "chk:rb"
_DONE = (
    "check_done"  # key in context.user_data: the last finished check, for Back under its result
)
FREETEXT = re.compile(r"^chk:f:(\d+):(.+)$")
_ANSWER = "chk:a:"
_SESSION = "check"  # key in context.user_data
MAX_READ_MORE = 3
RESULT_CHARS = 800  # a result may name every route that fits; a free-text reply keeps to 400

PRIVATE = filters.ChatType.PRIVATE
# "/start check": what Telegram sends when https://t.me/<bot>?start=check is opened.
# "/start check_q<query>": the same from a group's free-text eligibility answer (continues from its facts).
START_CHECK_RE = re.compile(r"^/start(?:@\w+)?\s+check(?:_q(\d+))?\s*$", re.IGNORECASE)
START_CHECK = PRIVATE & filters.Regex(START_CHECK_RE)


@dataclass
class Session:
    """One user's check: what they answered, in the order answered (Back pops the last)."""

    lang: Lang
    chat_id: int
    message_id: int | None = None  # the message that is edited as the conversation advances
    facts: dict[str, Value] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)


# -- what is shown ----------------------------------------------------------------------------------


def cb_answer(fact: Fact, value: str) -> str:
    return _ANSWER + render.ref(f"{fact.id}={value}", _ANSWER)


def cb_new(lang: Lang) -> str:
    return f"chk:new:{render.LANG_LETTER[lang]}"


def _h(text: str) -> str:
    return escape(text, quote=False)


def question_reply(rules: Rules, session: Session, fact: Fact, lang: Lang) -> Reply:
    lines = [f"<b>{_h(t('chk_title', lang))}</b>"]
    if not session.history:
        lines.append(_h(t("chk_intro", lang)))
    summary = facts_summary(rules, session.facts, lang)
    if summary:
        lines.append(_h(t("chk_so_far", lang, facts=summary)))
    lines += [
        "",
        f"<b>{_h(t('chk_step', lang, n=len(session.history) + 1))}</b>",
        _h(fact.prompt(lang)),
    ]
    buttons = [
        InlineKeyboardButton(render.label(text), callback_data=cb_answer(fact, value))
        for value, text in fact.choices(lang)
    ]
    rows = [buttons] if fact.kind == "bool" else [[b] for b in buttons]
    rows.append([InlineKeyboardButton(t("mx_chk_other", lang), callback_data=CB_OTHER)])
    nav = [InlineKeyboardButton(t("chk_cancel", lang), callback_data=CB_CANCEL)]
    if session.history:
        nav.insert(0, InlineKeyboardButton(t("chk_back", lang), callback_data=CB_BACK))
    rows.append(nav)
    return Reply(["\n".join(lines)], render.keyboard(rows), lang)


def result_reply(context: BotContext, rules: Rules, session: Session, lang: Lang) -> Reply:
    """Each outcome with its reason and next step, the source in italics, 'read more' buttons."""
    assistant = context.assistant
    evaluated = evaluate(rules, session.facts, assistant.today())
    outcomes = in_scope(rules, evaluated) or evaluated
    text = render_outcomes(
        rules, outcomes, session.facts, lang, ask_missing=False, max_chars=RESULT_CHARS
    )
    source_prefix = t("rl_source", lang, title="")
    blocks: list[tuple[str, str]] = [("b", t("chk_result_title", lang))]
    summary = facts_summary(rules, session.facts, lang)
    if summary:
        blocks.append(("", t("chk_so_far", lang, facts=summary)))
    blocks += [
        ("i" if b.startswith(source_prefix) else "", b) for b in text.split("\n\n") if b.strip()
    ]
    kb = assistant.kb
    entries = [o.rule.spec.entry for o in shown(outcomes) if o.status != "not_eligible"]
    choices = [
        assistant.choice(kb.entries[e], lang)
        for e in dict.fromkeys(entries)
        if e and e in kb.entries
    ]
    rows = render.entry_buttons(choices[:MAX_READ_MORE], lang)
    rows.append(
        [
            InlineKeyboardButton(t("chk_back", lang), callback_data=CB_RESULT_BACK),
            InlineKeyboardButton(t("chk_again", lang), callback_data=cb_new(lang)),
        ]
    )
    return Reply(render.html_parts(blocks), render.keyboard(rows), lang)


def not_covered_reply(context: BotContext, lang: Lang, query_id: int) -> Reply:
    """The honest end of "Other / none of these": not covered — ask a person (when there is one)."""
    person = context.services.admin_chat_id is not None
    text = f"<b>{_h(t('chk_title', lang))}</b>\n{_h(t('mx_chk_not_covered' if person else 'mx_chk_not_covered_alone', lang))}"
    rows = []
    if person:
        rows.append(
            [InlineKeyboardButton(t("ib_button", lang), callback_data=f"ip:{int(query_id)}")]
        )
    rows.append(
        [
            InlineKeyboardButton(t("chk_back", lang), callback_data=CB_RESULT_BACK),
            InlineKeyboardButton(t("chk_again", lang), callback_data=cb_new(lang)),
        ]
    )
    return Reply([text], render.keyboard(rows), lang)


def note_reply(key: str, lang: Lang) -> Reply:
    return Reply([f"<b>{_h(t('chk_title', lang))}</b>\n{_h(t(key, lang))}"], None, lang)


# -- state ---------------------------------------------------------------------------------------------


def _rules(context: BotContext) -> Rules | None:
    return context.assistant.kb.rules


def _session(context: BotContext) -> Session | None:
    session = (context.user_data or {}).get(_SESSION)
    return session if isinstance(session, Session) else None


def _lang(context: BotContext, update: Update, session: Session) -> Lang:
    """A /lang choice made during the conversation wins over the language it started in."""
    return context.stored_lang(update.effective_user) or session.lang


def _still_valid(rules: Rules, session: Session) -> None:
    """After a knowledge reload, forget answers the rules no longer know."""
    keep = {
        f: v
        for f, v in session.facts.items()
        if f in rules.facts and rules.facts[f].option(v) is not None
    }
    session.facts = keep
    session.history = [f for f in session.history if f in keep]


def _on_current_message(session: Session, update: Update) -> bool:
    message = update.callback_query.message if update.callback_query else None
    return (
        message is not None
        and message.chat.id == session.chat_id
        and message.message_id == session.message_id
    )


async def _drop_keyboard(context: BotContext, chat_id: int, message_id: int | None) -> None:
    """Buttons of a message that no longer drives a conversation are taken away (best effort)."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as exc:
        logger.debug("could not remove the keyboard of message %s: %s", message_id, exc)


async def _show(context: BotContext, update: Update, session: Session, reply: Reply) -> None:
    """Edit the conversation's message into `reply` (further parts, if any, follow as new messages)."""
    query = update.callback_query
    first = Reply(reply.parts[:1], reply.markup if len(reply.parts) == 1 else None, reply.lang)
    if query is not None and _on_current_message(session, update):
        await edit(context, query, first)
    else:
        await _edit_by_id(context, session, first)
    if len(reply.parts) > 1:
        await send(context, session.chat_id, Reply(reply.parts[1:], reply.markup, reply.lang))


async def _edit_by_id(context: BotContext, session: Session, reply: Reply) -> None:
    if session.message_id is not None:
        try:
            await context.bot.edit_message_text(
                reply.parts[0],
                chat_id=session.chat_id,
                message_id=session.message_id,
                reply_markup=reply.markup,
            )
            return
        except TelegramError as exc:
            if "not modified" in str(exc).lower():
                return
            logger.info(
                "could not edit the /check message %s (%s); sending a new one",
                session.message_id,
                exc,
            )
    sent = await send(context, session.chat_id, reply)
    session.message_id = sent[-1].message_id if sent else None


async def _advance(context: BotContext, update: Update, session: Session) -> int:
    """Ask the next question the rules need, or show the outcomes and end."""
    rules = _rules(context)
    lang = _lang(context, update, session)
    if rules is None:
        await _show(context, update, session, note_reply("chk_unavailable", lang))
        return _end(context)
    _still_valid(rules, session)
    fact = next_question(rules, session.facts, context.assistant.today())
    if fact is None:
        reply = result_reply(context, rules, session, lang)
        _log_ending(
            context, update, session, lang, True, facts_summary(rules, session.facts, lang)
        )
        await _show(context, update, session, reply)
        return _finish(context, session)
    await _show(context, update, session, question_reply(rules, session, fact, lang))
    return ASKING


def _log_ending(
    context: BotContext, update: Update, session: Session, lang: Lang, answered: bool, text: str
) -> int:
    """A check's end in the query log (kind "check", counted apart from questions in /stats)."""
    user = update.effective_user
    rules = _rules(context)
    entries: list[str] = []
    if answered and rules is not None:
        evaluated = evaluate(rules, session.facts, context.assistant.today())
        outcomes = in_scope(rules, evaluated) or evaluated
        entries = [
            o.rule.spec.entry
            for o in shown(outcomes)
            if o.status != "not_eligible" and o.rule.spec.entry
        ]
    return context.store.log_query(
        user_id=user.id if user else None,
        chat_type="private",
        lang=lang,
        text=text,
        answered=answered,
        entry_ids=list(dict.fromkeys(entries)),
        score=1.0 if answered else 0.0,
        kind="check",
    )


def _finish(context: BotContext, session: Session) -> int:
    """The check has ended, but Back under its result can still take it up again."""
    if context.user_data is not None:
        context.user_data[_DONE] = session
    return _end(context)


def _end(context: BotContext) -> int:
    _forget(context)
    return ConversationHandler.END


def _forget(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(_SESSION, None)


# -- handlers ----------------------------------------------------------------------------------------------


async def group_check(update: Update, context: BotContext) -> None:
    """/check in a group: the questions are personal, so a button opens the private chat."""
    lang = context.lang_for(update.effective_user, " ".join(context.args or []))
    url = f"https://t.me/{context.bot.username}?start=check"
    markup = render.keyboard([[InlineKeyboardButton(t("chk_group_button", lang), url=url)]])
    await reply_to(context, message_of(update), Reply([_h(t("chk_group", lang))], markup, lang))


async def _begin(
    update: Update,
    context: BotContext,
    lang: Lang,
    said: str = "",
    preset: dict[str, Value] | None = None,
) -> int:
    """A new check in this private chat, replacing any earlier one (its buttons are taken away)."""
    message = update.effective_message
    chat_id = chat_of(update).id
    old = _session(context)
    if old is not None and old.chat_id == chat_id:
        await _drop_keyboard(context, old.chat_id, old.message_id)
    rules = _rules(context)
    if rules is None:
        reply = note_reply("chk_unavailable", lang)
        if isinstance(message, Message) and update.callback_query is None:
            await reply_to(context, message, reply)
        else:
            await send(context, chat_id, reply)
        return _end(context)
    session = Session(lang=lang, chat_id=chat_id)
    if said.strip():
        # "/check 我係護理員，冇中五": what the words state is taken as answered, in ask order.
        stated = extract_facts(rules, said)
        session.facts = {f: stated[f] for f in rules.facts if f in stated}
        session.history = list(session.facts)
        _still_valid(rules, session)
    if preset:
        # Continued from a free-text answer: what it stated, then the answer just tapped.
        session.facts = {f: preset[f] for f in rules.facts if f in preset}
        session.history = list(session.facts)
        _still_valid(rules, session)
    data = required(context.user_data, "user data (a check is per user)")
    data[_SESSION] = session
    data.pop(_DONE, None)  # a new check: Back under an older result no longer takes that one up
    return await _advance(context, update, session)


async def check_command(update: Update, context: BotContext) -> int:
    """/check in a private chat."""
    said = " ".join(context.args or [])
    return await _begin(update, context, context.lang_for(update.effective_user, said), said)


async def start_deep_link(update: Update, context: BotContext) -> int:
    """/start check: the user came from a group's deep link (check_q<query>: from a free-text answer
    there, which the check continues from when it was theirs)."""
    found = START_CHECK_RE.match(message_of(update).text or "")
    preset = None
    if found and found.group(1):
        preset = _stated(context, update, int(found.group(1)))
    return await _begin(update, context, context.lang_for(update.effective_user), preset=preset)


def _stated(context: BotContext, update: Update, query_id: int) -> dict[str, Value] | None:
    """What the logged question `query_id` stated, if the user asked it (None otherwise)."""
    rules = _rules(context)
    row = context.store.query(query_id)
    user = update.effective_user
    if (
        rules is None
        or row is None
        or user is None
        or row["user_hash"] != context.store.hash_user(user.id)
    ):
        return None
    return extract_facts(rules, row["text"] or "")


async def new_button(update: Update, context: BotContext) -> int:
    """'Check again' under a result: a new check in a new message (the result stays readable)."""
    query = query_of(update)
    await ack(query)
    letter = (query.data or "").rpartition(":")[2]
    lang = (
        context.stored_lang(update.effective_user)
        or render.LETTER_LANG.get(letter)
        or context.lang_for(update.effective_user)
    )
    return await _begin(update, context, lang)


async def answer_button(update: Update, context: BotContext) -> int | None:
    """An answer button: remember the answer and move on."""
    query = query_of(update)
    session = _session(context)
    rules = _rules(context)
    if session is None or rules is None:
        await ack(query, t("chk_ended", context.lang_for(update.effective_user)))
        return _end(context)
    lang = _lang(context, update, session)
    if not _on_current_message(session, update):
        await ack(query, t("chk_stale", lang))
        if query.message is not None:
            await _drop_keyboard(context, query.message.chat.id, query.message.message_id)
        return None
    _still_valid(rules, session)
    fact = next_question(rules, session.facts, context.assistant.today())
    pressed = (query.data or "")[len(_ANSWER) :]
    options = {f"{fact.id}={value}": value for value, _ in fact.choices(lang)} if fact else {}
    chosen = render.resolve(pressed, options)
    if fact is None or chosen is None:
        # A button of a question asked before (the rules or the date changed): ask what is needed now.
        await ack(query, t("chk_stale", lang))
        return await _advance(context, update, session)
    await ack(query)
    session.facts[fact.id] = fact.parse(options[chosen])
    session.history.append(fact.id)
    return await _advance(context, update, session)


async def back_button(update: Update, context: BotContext) -> int | None:
    """Back: forget the last answer, ask that question again."""
    query = query_of(update)
    session = _session(context)
    if session is None:
        await ack(query, t("chk_ended", context.lang_for(update.effective_user)))
        return _end(context)
    if not _on_current_message(session, update):
        await ack(query, t("chk_stale", _lang(context, update, session)))
        return None
    await ack(query)
    if session.history:
        session.facts.pop(session.history.pop(), None)
    return await _advance(context, update, session)


async def other_button(update: Update, context: BotContext) -> int | None:
    """Other / none of these: the documents do not cover this person; say so, and offer a person."""
    query = query_of(update)
    session = _session(context)
    rules = _rules(context)
    if session is None or rules is None:
        await ack(query, t("chk_ended", context.lang_for(update.effective_user)))
        return _end(context)
    lang = _lang(context, update, session)
    if not _on_current_message(session, update):
        await ack(query, t("chk_stale", lang))
        return None
    await ack(query)
    fact = next_question(rules, session.facts, context.assistant.today())
    asked = fact.prompt(lang) if fact is not None else ""
    text = t(
        "mx_chk_other_log",
        lang,
        facts=facts_summary(rules, session.facts, lang) or "-",
        question=asked,
    )
    query_id = _log_ending(context, update, session, lang, False, text)
    await _show(context, update, session, not_covered_reply(context, lang, query_id))
    return _finish(context, session)


async def result_back(update: Update, context: BotContext) -> int | None:
    """Back under a result (or a "not covered" ending): the check resumes at its last question."""
    query = query_of(update)
    done = (context.user_data or {}).get(_DONE)
    message = query.message
    if not isinstance(done, Session) or message is None or message.message_id != done.message_id:
        await stale_button(update, context)
        return None  # a check running meanwhile goes on
    await ack(query)
    rules = _rules(context)
    if (
        rules is not None
        and done.history
        and next_question(rules, done.facts, context.assistant.today()) is None
    ):
        done.facts.pop(done.history.pop(), None)  # a result: undo the answer that ended it
    required(context.user_data, "user data (a check is per user)")[_SESSION] = done
    context.user_data.pop(_DONE, None)  # type: ignore[union-attr]
    return await _advance(context, update, done)


async def typed_answer(update: Update, context: BotContext) -> int | None:
    """Words typed while a question is asked: its answer when they give one, else an ordinary question."""
    from bot.telegram import typed
    from bot.telegram.handlers import questions

    session = _session(context)
    rules = _rules(context)
    message = message_of(update)
    fact = (
        next_question(rules, session.facts, context.assistant.today())
        if session and rules
        else None
    )
    value = (
        typed.understand(rules, fact, message.text or "")
        if fact is not None and rules is not None
        else None
    )
    if session is None or fact is None or value is None:
        await questions.private_text(update, context)
        return None
    session.facts[fact.id] = value
    session.history.append(fact.id)
    # The question above is answered: its buttons go, and the conversation continues below the answer.
    await _drop_keyboard(context, session.chat_id, session.message_id)
    session.message_id = None
    return await _advance(context, update, session)


def offer_next_question(
    context: BotContext, message: Message, reply: Reply, answer: object, query_id: int
) -> Reply:
    """Under a free-text eligibility answer, the first question it still needs, as buttons that
    continue in /check (in a group: a button to continue in private)."""
    rules = _rules(context)
    text = getattr(answer, "query", "") or ""
    lang: Lang = getattr(answer, "lang", "zh-Hant")
    if rules is None:
        return reply
    stated = extract_facts(rules, text)
    fact = next_question(rules, stated, context.assistant.today())
    if fact is None:
        return reply
    rows = [list(r) for r in reply.markup.inline_keyboard] if reply.markup is not None else []
    if message.chat.type == "private":
        buttons = [
            InlineKeyboardButton(render.label(label), callback_data=_cb_freetext(query_id, value))
            for value, label in fact.choices(lang)
        ]
        new_rows = [buttons] if fact.kind == "bool" else [[b] for b in buttons]
    else:
        url = f"https://t.me/{context.bot.username}?start=check_q{int(query_id)}"
        new_rows = [[InlineKeyboardButton(t("mx_chk_continue_private", lang), url=url)]]
    if any(
        len(b.callback_data or "") > 64
        for r in new_rows
        for b in r
        if isinstance(b.callback_data, str)
    ):
        return reply
    parts = list(reply.parts)
    parts[-1] += f"\n\n{_h(t('mx_chk_continue', lang))}\n<b>{_h(fact.prompt(lang))}</b>"
    return Reply(parts, render.keyboard([*new_rows, *rows]), reply.lang)


def _cb_freetext(query_id: int, value: str) -> str:
    return f"chk:f:{int(query_id)}:{value}"


async def freetext_button(update: Update, context: BotContext) -> int | None:
    """An answer tapped under a free-text eligibility answer: a check continues from what it stated."""
    query = query_of(update)
    rules = _rules(context)
    found = FREETEXT.match(query.data or "")
    lang = context.stored_lang(update.effective_user) or context.lang_for(update.effective_user)
    stated = _stated(context, update, int(found.group(1))) if found else None
    if rules is None or found is None or stated is None:
        await ack(
            query,
            t(
                "mx_not_your_buttons"
                if found and context.store.query(int(found.group(1)))
                else "chk_ended",
                lang,
            ),
        )
        return None  # a check running meanwhile goes on
    row = context.store.query(int(found.group(1)))
    lang = context.stored_lang(update.effective_user) or (row["lang"] if row else None) or lang
    fact = next_question(rules, stated, context.assistant.today())
    try:
        value = fact.parse(found.group(2)) if fact is not None else None
    except ValueError:
        value = None
    if fact is None or value is None:
        await ack(query, t("chk_stale", lang))
        return None
    await ack(query)
    return await _begin(update, context, lang, preset={**stated, fact.id: value})


async def cancel_button(update: Update, context: BotContext) -> int:
    query = query_of(update)
    session = _session(context)
    await ack(query)
    lang = _lang(context, update, session) if session else context.lang_for(update.effective_user)
    if session is not None and not _on_current_message(session, update):
        await _drop_keyboard(context, session.chat_id, session.message_id)
    await edit(context, query, note_reply("chk_cancelled", lang))
    return _end(context)


async def cancel_command(update: Update, context: BotContext) -> int:
    """/cancel typed during a check: the question's buttons go, and a polite goodbye."""
    session = _session(context)
    lang = _lang(context, update, session) if session else context.lang_for(update.effective_user)
    if session is not None:
        await _drop_keyboard(context, session.chat_id, session.message_id)
    await reply_to(context, message_of(update), note_reply("chk_cancelled", lang))
    return _end(context)


async def timed_out(update: Update, context: BotContext) -> None:
    """No answer for TIMEOUT_SECONDS: the question becomes a note saying how to start again."""
    session = _session(context)
    if session is None:
        return
    lang = context.stored_lang(update.effective_user) or session.lang
    _forget(context)
    await _edit_by_id(context, session, note_reply("chk_timeout", lang))


async def stale_button(update: Update, context: BotContext) -> None:
    """A check button when no check is running (ended, timed out, or the bot restarted)."""
    query = query_of(update)
    await ack(
        query,
        t(
            "chk_ended",
            context.stored_lang(update.effective_user) or context.lang_for(update.effective_user),
        ),
    )
    if query.message is not None:
        await _drop_keyboard(context, query.message.chat.id, query.message.message_id)


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """/cancel with no check running."""
    lang = context.lang_for(update.effective_user)
    await reply_to(context, message_of(update), render.plain("chk_nothing_to_cancel", lang))


# -- registration ----------------------------------------------------------------------------------------


def conversation() -> ConversationHandler:
    """A new ConversationHandler (its state lives in the instance: one per Application)."""
    with warnings.catch_warnings():
        # Buttons are tracked per user and chat, not per message, on purpose: a check is one
        # message, and a button of an older one is recognised as stale by its message id.
        warnings.filterwarnings("ignore", message=".*per_message=False.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler("check", check_command, filters=PRIVATE),
                CommandHandler("start", start_deep_link, filters=START_CHECK),
                CallbackQueryHandler(new_button, pattern=r"^chk:new(?::[tse])?$"),
                CallbackQueryHandler(result_back, pattern=r"^chk:rb$"),
                CallbackQueryHandler(freetext_button, pattern=r"^chk:f:\d+:"),
            ],
            states={
                ASKING: [
                    CallbackQueryHandler(answer_button, pattern=r"^chk:a:"),
                    CallbackQueryHandler(back_button, pattern=r"^chk:back$"),
                    CallbackQueryHandler(cancel_button, pattern=r"^chk:cancel$"),
                    CallbackQueryHandler(other_button, pattern=r"^chk:other$"),
                    MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, typed_answer),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", cancel_command, filters=PRIVATE),
                CallbackQueryHandler(stale_button, pattern=r"^chk:"),
            ],
            allow_reentry=True,
            per_user=True,
            per_chat=True,
            per_message=False,
            conversation_timeout=TIMEOUT_SECONDS,
            name="check",
        )


def handlers() -> list[BaseHandler]:
    """The /check handlers, in order, for `feature_handlers()` (bot/telegram/handlers/__init__.py)."""
    return [
        CommandHandler("check", group_check, filters=filters.ChatType.GROUPS),
        conversation(),
        CallbackQueryHandler(stale_button, pattern=r"^chk:"),  # no check running for this user
        CommandHandler("cancel", nothing_to_cancel, filters=PRIVATE),
    ]
