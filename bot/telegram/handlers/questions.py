"""Questions: private texts, group messages addressed to the bot, /ask, and entry buttons."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.i18n import lang_from_code
from bot.kb.text import Lang
from bot.telegram import render
from bot.telegram.besteffort import best_effort
from bot.telegram.context import BotContext, message_of, query_of
from bot.telegram.filters import without_mention
from bot.telegram.handlers import feedback, replying
from bot.telegram.sanitize import scrub_text
from bot.telegram.send import ack, reply_to

logger = logging.getLogger(__name__)


_CHOICES = "choices"  # chat_data: the entry ids last offered as numbered choices


async def _answer(
    update: Update, context: BotContext, message: Message, question: str, lang: Lang | None = None
) -> None:
    question = scrub_text(question)  # a lone surrogate could be neither logged nor sent
    user = update.effective_user
    offered, offered_lang = (context.chat_data or {}).get(_CHOICES) or ([], None)
    pick = question.strip()
    if pick.isdigit() and 1 <= int(pick) <= len(offered):
        # "2" after "which did you mean? 1. … 2. …" picks that option, as its button would.
        picked = context.assistant.answer_entry(
            offered[int(pick) - 1],
            lang or offered_lang or context.lang_for(user),
            context.conversation(message, user),
        )
        if picked is not None:
            if context.chat_data is not None:
                context.chat_data[_CHOICES] = None  # the numbers referred to that one question
            query_id = best_effort(
                "log a question",
                context.store.log_query,
                user_id=user.id if user else None,
                chat_type=message.chat.type,
                lang=picked.lang,
                text=f"[button] {picked.entries[0]}",
                answered=True,
                entry_ids=picked.entries,
                score=1.0,
                kind="button",
            )
            reply = replying.decorate(
                context, message, render.answer(picked, context.assistant), picked, query_id
            )
            sent = await replying.deliver(context, update, message, reply)
            replying.remember(context, update, message, question, picked, sent)
            return
    async with replying.typing(context, message):
        answer = context.assistant.answer(
            question,
            lang=lang or context.stored_lang(user),
            conversation=context.conversation(message, user),
            prefer=lang_from_code(user.language_code if user else None),
        )
        if context.chat_data is not None:
            context.chat_data[_CHOICES] = (
                ([c.id for c in answer.choices], answer.lang) if answer.kind == "choose" else None
            )
        # Logging is best-effort: a full disk never costs the worker the answer.
        query_id = best_effort(
            "log a question",
            context.store.log_query,
            user_id=user.id if user else None,
            chat_type=message.chat.type,
            lang=answer.lang,
            text=answer.query,
            answered=answer.answered,
            entry_ids=answer.entries,
            score=answer.score,
            kind=answer.kind,
        )
        reply = replying.decorate(
            context, message, render.answer(answer, context.assistant), answer, query_id
        )
        sent = await replying.deliver(context, update, message, reply)
    replying.remember(context, update, message, question, answer, sent)


async def private_text(update: Update, context: BotContext) -> None:
    """Answer any text sent in a private chat."""
    message = message_of(update)
    await _answer(update, context, message, message.text or "")


async def private_other(update: Update, context: BotContext) -> None:
    """A sticker, photo or voice note in private: ask for words instead."""
    message = message_of(update)
    await _answer(update, context, message, "", context.lang_for(update.effective_user))


async def group_text(update: Update, context: BotContext) -> None:
    """Answer a group message that mentions the bot or replies to it."""
    message = message_of(update)
    question = without_mention(message.text or "", context.bot.username)
    if not question:
        lang = context.lang_for(update.effective_user)
        await reply_to(
            context, message, render.ask_usage(context.assistant, lang, context.bot.username)
        )
        return
    await _answer(update, context, message, question)


async def ask(update: Update, context: BotContext) -> None:
    """/ask QUESTION, in private chats and groups."""
    message = message_of(update)
    question = " ".join(context.args or [])
    if not question:
        lang = context.lang_for(update.effective_user)
        await reply_to(context, message, render.ask_usage(context.assistant, lang))
        return
    await _answer(update, context, message, question)


async def entry_button(update: Update, context: BotContext) -> None:
    """A pressed entry button (choice, related topic, example, event): answer that entry."""
    query = query_of(update)
    await ack(query)
    try:
        data, made_in = render.parse_lang_callback(query.data)
    except ValueError:  # crafted data the pattern let through: nothing to answer
        logger.info("entry button with unusable data ignored")
        return
    lang = context.stored_lang(update.effective_user) or made_in
    kb = context.assistant.kb
    entry_id = render.resolve(data.ref, kb.entries)
    message = query.message
    conversation = context.conversation(
        message if isinstance(message, Message) else None, update.effective_user
    )
    answer = context.assistant.answer_entry(entry_id, lang, conversation) if entry_id else None
    if message is None:
        return
    if answer is None or entry_id is None:
        reply = render.plain("tg_expired", lang)
    else:
        query_id = feedback.log_opened(
            context, update, message.chat.type, lang, entry_id, answer, "button"
        )
        reply = (
            replying.decorate(
                context, message, render.answer(answer, context.assistant), answer, query_id
            )
            if isinstance(message, Message)
            else render.answer(answer, context.assistant)
        )
    under = message if isinstance(message, Message) else None
    await replying.send_owned(context, update, under, message.chat.id, reply)
