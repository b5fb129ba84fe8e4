"""Inline mode: `@bot words` in any chat lists up to ten matching entries in the asker's script."""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update

from bot.i18n import t
from bot.kb import listing
from bot.telegram import guide, render
from bot.telegram.context import BotContext, required


async def inline_query(update: Update, context: BotContext) -> None:
    """Search the knowledge base and offer each match as a ready-to-send answer."""
    query = required(update.inline_query, "inline query in the update")
    words = (
        query.query.split(maxsplit=1)[1]
        if query.query.startswith("#") and " " in query.query.strip()
        else query.query
    )
    lang = context.lang_for(update.effective_user, words if not words.startswith("#") else None)
    # "#<category> words" (the guide's "Search this category" button): that category only.
    ids = guide.topic_search(context.assistant, query.query)
    if ids is None:
        ids = listing.search(context.assistant, query.query)
    results = render.inline_results(context.assistant, ids, lang)
    button = InlineQueryResultsButton(t("tg_inline_private", lang), start_parameter="inline")
    await query.answer(results, cache_time=30, is_personal=True, button=button)
