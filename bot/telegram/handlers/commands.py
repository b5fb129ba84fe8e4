"""Information commands: /help, /about, /events, /schemes and its pages (/start: handlers/menu.py)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.telegram import render
from bot.telegram.context import BotContext, message_of, query_of
from bot.telegram.send import ack, edit, reply_to


def _group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE


async def help_command(update: Update, context: BotContext) -> None:
    """How to ask, the commands, groups and inline mode."""
    lang = context.lang_for(update.effective_user)
    await reply_to(
        context, message_of(update), render.help_text(lang, context.bot.username, _group(update))
    )


async def about(update: Update, context: BotContext) -> None:
    """The source documents and their dates."""
    lang = context.lang_for(update.effective_user)
    await reply_to(context, message_of(update), render.about(context.assistant.kb, lang))


async def events(update: Update, context: BotContext) -> None:
    """Events and deadlines against today: open deadlines first, then upcoming and ongoing events,
    then the latest past ones in the past tense, older ones behind a button."""
    lang = context.lang_for(update.effective_user)
    reply = render.events(context.assistant, context.services.today(), lang)
    await reply_to(context, message_of(update), reply)


async def events_button(update: Update, context: BotContext) -> None:
    """/events again, or a page of its older events (the "Earlier events" button), with today's date."""
    query = query_of(update)
    parsed = render.parse_events_callback(query.data)
    if parsed is None:
        await ack(query)
        return
    made_in, page = parsed
    lang = context.stored_lang(update.effective_user) or made_in
    await ack(query)
    today = context.services.today()
    if page is None:
        await edit(context, query, render.events(context.assistant, today, lang))
    else:
        await edit(context, query, render.older_events(context.assistant, today, lang, page))


async def schemes(update: Update, context: BotContext) -> None:
    """The categories to browse, as buttons."""
    lang = context.lang_for(update.effective_user)
    await reply_to(context, message_of(update), render.topics(context.assistant.kb, lang))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have (private chats only)."""
    lang = context.lang_for(update.effective_user)
    await reply_to(context, message_of(update), render.plain("tg_unknown_command", lang))


async def noop_button(update: Update, context: BotContext) -> None:
    """A label button (page counter) or stale data: just stop the spinner."""
    await ack(query_of(update))
