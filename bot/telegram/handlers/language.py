"""/lang: the reply language, stored per user in the state database."""

from __future__ import annotations

from typing import Literal

from telegram import Update

from bot.kb.text import Lang, is_lang
from bot.telegram import render
from bot.telegram.context import BotContext, message_of, query_of, required, user_of
from bot.telegram.send import ack, edit, reply_to

ALIASES: dict[str, Lang | Literal["auto"]] = {
    "zh-hant": "zh-Hant",
    "hant": "zh-Hant",
    "tc": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-tw": "zh-Hant",
    "繁": "zh-Hant",
    "繁體": "zh-Hant",
    "繁體中文": "zh-Hant",
    "zh-hans": "zh-Hans",
    "hans": "zh-Hans",
    "sc": "zh-Hans",
    "zh-cn": "zh-Hans",
    "简": "zh-Hans",
    "简体": "zh-Hans",
    "简体中文": "zh-Hans",
    "en": "en",
    "english": "en",
    "英文": "en",
    "auto": "auto",
    "自動": "auto",
    "自动": "auto",
}


async def lang_command(update: Update, context: BotContext) -> None:
    """/lang shows the choices; /lang CODE sets it at once."""
    user = update.effective_user
    arg = " ".join(context.args or []).strip().lower()
    if arg:
        code = ALIASES.get(arg)
        if code is None:
            await reply_to(
                context, message_of(update), render.plain("tg_lang_usage", context.lang_for(user))
            )
            return
        stored = None if code == "auto" else code
        context.store.set_language(user_of(update).id, stored)
        await reply_to(
            context,
            message_of(update),
            render.language_set(stored or context.lang_for(user), stored),
        )
        await _menu_follows(update, context)
        return
    await reply_to(
        context,
        message_of(update),
        render.language_picker(context.lang_for(user), context.stored_lang(user)),
    )


async def lang_button(update: Update, context: BotContext) -> None:
    """A pressed language button: store the choice and confirm in that language."""
    query = query_of(update)
    await ack(query)
    code = required(render.parse_callback(query.data), "language in the button's data").code
    stored = code if is_lang(code) else None
    user = query.from_user
    context.store.set_language(user.id, stored)
    await edit(context, query, render.language_set(stored or context.lang_for(user), stored))
    await _menu_follows(update, context)


async def _menu_follows(update: Update, context: BotContext) -> None:
    """In a private chat, the command menu follows a switch to or from Simplified (issue 11)."""
    from bot.telegram.handlers import menu

    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        await menu.localise_commands(context, update.effective_user, chat.id)
