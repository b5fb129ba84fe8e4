"""The welcome, the main menu and the /schemes guide (issue 11, points 1 and 5).

/start greets with example questions (current ones: past events are never offered as examples) and the
main menu as buttons, so a worker who never types can still get everywhere:

    ✅ What can I apply for?   -> /check (chk:new:<l>)
    📚 Browse schemes          -> the categories (t:<l>), each a guide page, each answer with a way back
    📅 Events and dates        -> /events (m:ev:<l>)
    🔎 Search                  -> inline search in this chat
    🌐 Language                -> the /lang picker (m:lg:<l>)
    ℹ️ Sources                 -> /about (m:ab:<l>)

Every screen reached from the menu has "« Main menu" (m:<l>), which edits it back into the menu.

The bot's descriptions and command menus are set through the API at start: English for every client
language without its own, and "zh" (Traditional) for Chinese clients. Telegram keys these by two-letter
ISO 639-1 codes only, so Simplified cannot have its own: a user whose client reports a Simplified tag
(zh-hans, zh-cn, zh-sg) or who picks Simplified with /lang gets the Simplified command menu for their
private chat (BotCommandScopeChat), set once per process when they /start or choose it.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import lang_from_code, t
from bot.kb import listing
from bot.kb.dates import timeline
from bot.kb.text import Lang
from bot.telegram import guide, render
from bot.telegram.context import BotContext, message_of, query_of
from bot.telegram.handlers import feedback, handoff
from bot.telegram.render import LETTER_LANG, Reply, cb_entry, cb_topics, keyboard, label
from bot.telegram.send import ack, edit, reply_to, send

logger = logging.getLogger(__name__)
DESCRIPTION_LANGS: tuple[tuple[Lang, str | None], ...] = (("en", None), ("zh-Hant", "zh"))
EXAMPLES = 3


# -- what is shown --------------------------------------------------------------------------------


def examples(context: BotContext, lang: Lang, count: int = EXAMPLES) -> list[tuple[str, str]]:
    """(entry id, sample question) from the first categories, most useful entry first, never a past event."""
    kb, today = context.assistant.kb, context.services.today()
    gone = {ev.entry.id for ev in timeline(kb, today).past}
    out: list[tuple[str, str]] = []
    for topic in listing.topics_with_entries(kb):
        entry = next((e for e in guide.guide_order(kb, topic.id) if e.id not in gone), None)
        if entry is None:
            continue
        out.append((entry.id, entry.questions.first(lang)))
        if len(out) == count:
            break
    return out


def menu_rows(lang: Lang) -> list[list[InlineKeyboardButton]]:
    letter = render.LANG_LETTER[lang]
    return [
        [InlineKeyboardButton(t("mx_menu_check", lang), callback_data=f"chk:new:{letter}")],
        [
            InlineKeyboardButton(t("mx_menu_schemes", lang), callback_data=cb_topics(lang)),
            InlineKeyboardButton(t("mx_menu_events", lang), callback_data=f"m:ev:{letter}"),
        ],
        [
            InlineKeyboardButton(t("mx_menu_search", lang), switch_inline_query_current_chat=""),
            InlineKeyboardButton(t("mx_menu_lang", lang), callback_data=f"m:lg:{letter}"),
            InlineKeyboardButton(t("mx_menu_about", lang), callback_data=f"m:ab:{letter}"),
        ],
    ]


def welcome(context: BotContext, lang: Lang, first_name: str | None) -> Reply:
    intro = t("tg_welcome", lang, name=first_name) if first_name else t("tg_welcome_anon", lang)
    shown = examples(context, lang)
    lines = [escape(intro, quote=False)]
    if shown:
        lines += ["", escape(t("tg_examples", lang), quote=False)]
        lines += [f"• {escape(q, quote=False)}" for _, q in shown]
    lines += ["", escape(t("mx_welcome_tail", lang), quote=False)]
    rows = [
        [InlineKeyboardButton(label(q), callback_data=cb_entry(eid, lang))] for eid, q in shown
    ]
    return Reply(["\n".join(lines)], keyboard([*rows, *menu_rows(lang)]), lang)


def main_menu(lang: Lang) -> Reply:
    text = f"<b>{escape(t('mx_menu_title', lang))}</b>\n{escape(t('mx_menu_prompt', lang))}"
    return Reply([text], keyboard(menu_rows(lang)), lang)


def with_menu(reply: Reply) -> Reply:
    """A screen reached from the menu, with the way back (on its last part)."""
    rows = [list(r) for r in reply.markup.inline_keyboard] if reply.markup is not None else []
    return Reply(reply.parts, keyboard([*rows, guide.menu_row(reply.lang)]), reply.lang)


# -- handlers ------------------------------------------------------------------------------------------


def _group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE


async def start(update: Update, context: BotContext) -> None:
    """/start: the welcome with examples and the main menu (in groups, how to ask there)."""
    user = update.effective_user
    lang = context.lang_for(user)
    message = message_of(update)
    if _group(update):
        await reply_to(
            context,
            message,
            render.welcome(context.assistant, lang, None, True, context.bot.username),
        )
        return
    await reply_to(context, message, welcome(context, lang, user.first_name if user else None))
    await localise_commands(context, user, message.chat.id)


def _lang_of(context: BotContext, update: Update, data: str) -> Lang:
    return (
        context.stored_lang(update.effective_user)
        or LETTER_LANG.get(data.rpartition(":")[2])
        or context.lang_for(update.effective_user)
    )


async def menu_button(update: Update, context: BotContext) -> None:
    """m:<l> the menu; m:ev:<l> events; m:lg:<l> the language picker; m:ab:<l> the sources."""
    query = query_of(update)
    await ack(query)
    data = query.data or ""
    lang = _lang_of(context, update, data)
    if data.startswith("m:ev:"):
        reply = with_menu(render.events(context.assistant, context.services.today(), lang))
    elif data.startswith("m:lg:"):
        reply = with_menu(render.language_picker(lang, context.stored_lang(update.effective_user)))
    elif data.startswith("m:ab:"):
        reply = with_menu(render.about(context.assistant.kb, lang))
    else:
        reply = main_menu(lang)
    await edit(
        context,
        query,
        Reply(reply.parts[:1], reply.markup if len(reply.parts) == 1 else None, lang),
    )
    if len(reply.parts) > 1 and isinstance(query.message, Message):
        await send(context, query.message.chat.id, Reply(reply.parts[1:], reply.markup, lang))


async def schemes(update: Update, context: BotContext) -> None:
    """/schemes: the categories, as buttons."""
    lang = context.lang_for(update.effective_user)
    await reply_to(context, message_of(update), guide.topics(context.assistant.kb, lang))


async def topics_button(update: Update, context: BotContext) -> None:
    """Back to the categories."""
    query = query_of(update)
    await ack(query)
    _, made_in = render.parse_lang_callback(query.data)
    lang = context.stored_lang(update.effective_user) or made_in
    await edit(
        context,
        query,
        handoff.keep_person_button(query.message, guide.topics(context.assistant.kb, lang)),
    )


async def page_button(update: Update, context: BotContext) -> None:
    """A page of a category, in guide order (a decline's 🙋 button stays under it)."""
    query = query_of(update)
    data, made_in = render.parse_lang_callback(query.data)
    lang = context.stored_lang(update.effective_user) or made_in
    topic_id = render.resolve(data.ref, context.assistant.kb.topics)
    if topic_id is None:
        await ack(query, t("tg_expired", lang))
        return
    await ack(query)
    reply = guide.topic_page(context.assistant, topic_id, data.page, lang)
    await edit(context, query, handoff.keep_person_button(query.message, reply))


async def guide_entry_button(update: Update, context: BotContext) -> None:
    """An entry opened from a category page: the page becomes its answer, with a way back to the page."""
    query = query_of(update)
    found = guide.CB_GUIDE.match(query.data or "")
    lang = context.stored_lang(update.effective_user) or (
        LETTER_LANG[found.group(1)] if found else context.lang_for(update.effective_user)
    )
    kb = context.assistant.kb
    entry_id = render.resolve(found.group(3), kb.entries) if found else None
    answer = context.assistant.answer_entry(entry_id, lang) if entry_id else None
    message = query.message
    if answer is None or entry_id is None or found is None or not isinstance(message, Message):
        await ack(query, t("tg_expired", lang))
        return
    await ack(query)
    query_id = feedback.log_opened(
        context, update, message.chat.type, lang, entry_id, answer, "button"
    )
    entry = kb.entries[entry_id]
    reply = render.answer(answer, context.assistant)
    reply = feedback.with_feedback(
        reply, query_id, context.bot.username, entry_id, context.assistant.title(entry, lang)
    )
    reply = handoff.keep_person_button(
        message, guide.with_back(reply, entry.topic, int(found.group(2)))
    )
    first = Reply(reply.parts[:1], reply.markup if len(reply.parts) == 1 else None, lang)
    await edit(context, query, first)
    if len(reply.parts) > 1:
        await send(context, message.chat.id, Reply(reply.parts[1:], reply.markup, lang))


# -- descriptions and command menus ----------------------------------------------------------------------


async def set_descriptions(application: Application) -> None:
    """The bot's description (shown before the first /start) and short description, per language."""
    bot = application.bot
    for lang, code in DESCRIPTION_LANGS:
        try:
            await bot.set_my_description(t("mx_description", lang), language_code=code)
            await bot.set_my_short_description(t("mx_short_description", lang), language_code=code)
        except TelegramError as exc:  # a nicety: never keep the bot from starting
            logger.warning("could not set the %s description: %s", code or "default", exc)


def wants_simplified(context: BotContext, user: User | None) -> bool:
    if user is None:
        return False
    stored = context.stored_lang(user)
    if stored:
        return stored == "zh-Hans"
    return lang_from_code(user.language_code) == "zh-Hans"


async def localise_commands(context: BotContext, user: User | None, chat_id: int) -> None:
    """A Simplified-Chinese user's private chat gets the Simplified command menu; a user who switches
    away from Simplified gets the general menus back. Once per user and process."""
    if user is None:
        return
    done: dict[int, bool] = context.bot_data.setdefault("simplified_menus", {})
    simplified = wants_simplified(context, user)
    if done.get(user.id, False) == simplified:
        return
    scope = BotCommandScopeChat(chat_id)
    try:
        if simplified:
            commands = [BotCommand(c, d) for c, d in render.command_list("zh-Hans", False)]
            await context.bot.set_my_commands(commands, scope=scope)
        else:
            await context.bot.delete_my_commands(scope=scope)
        done[user.id] = simplified
    except TelegramError as exc:
        logger.info("could not set the command menu of a private chat: %s", exc)
