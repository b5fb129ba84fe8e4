"""Inline mode: `@bot words` in any chat lists up to ten matching entries in the asker's script."""
from __future__ import annotations

from telegram import InlineQueryResultsButton, Update

from bot.i18n import t
from bot.telegram import listing, render
from bot.telegram.context import BotContext, required


async def inline_query(update: Update, context: BotContext) -> None:
    """Search the knowledge base and offer each match as a ready-to-send answer."""
    query = required(update.inline_query, "inline query in the update")
    lang = context.lang_for(update.effective_user, query.query)
    ids = listing.search(context.assistant, query.query)
    results = render.inline_results(context.assistant, ids, lang)
    button = InlineQueryResultsButton(t("tg_inline_private", lang), start_parameter="inline")
    await query.answer(results, cache_time=30, is_personal=True, button=button)
