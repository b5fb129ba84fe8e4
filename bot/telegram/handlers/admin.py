"""Admin verbs: /admin, /reload, /broadcast (preview, Confirm, Cancel), /broadcasts, /subscribers, /stats.

Every verb checks ADMIN_IDS first; anyone else gets a polite refusal and the attempt is logged.
Admin verbs answer only in a private chat or in ADMIN_CHAT_ID, so internal figures never land in a
workers' group.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Coroutine
from html import escape
from typing import Any

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot.i18n import t
from bot.kb.text import Lang
from bot.telegram import admin_render
from bot.telegram.context import BotContext, Services, message_of, query_of, required, user_of
from bot.telegram.render import Reply
from bot.telegram.send import ack, edit, reply_to

logger = logging.getLogger(__name__)
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
COMMAND_PREFIX = re.compile(r"^/broadcast(@\w+)?\s*", re.IGNORECASE)
MAX_STATS_DAYS = 90


def is_admin(context: BotContext, user_id: int | None) -> bool:
    return user_id is not None and int(user_id) in context.services.admin_ids


async def refuse(update: Update, context: BotContext, what: str) -> None:
    """Log an attempt by a non-admin and answer politely."""
    user, chat = update.effective_user, update.effective_chat
    logger.warning(
        "admin verb %s refused: user %s in chat %s is not an admin",
        what,
        user.id if user else "-",
        chat.id if chat else "-",
    )
    lang = context.lang_for(user)
    message = update.effective_message
    if update.callback_query is not None:
        await ack(update.callback_query, t("adm_refused", lang))
    elif message is not None and not _meant_for_another_bot(message):
        await reply_to(context, message, admin_render.plain("adm_refused", lang))


async def admin_press(
    update: Update, context: BotContext, what: str
) -> tuple[CallbackQuery, Services, Lang] | None:
    """An admin's button press: the query, the services and the admin's language; None (after a
    polite refusal) when the presser is no admin."""
    query = query_of(update)
    user = query.from_user
    if not is_admin(context, user.id):
        await refuse(update, context, what)
        return None
    return query, context.services, context.lang_for(user)


def _meant_for_another_bot(message: Message) -> bool:
    """In a group, a bare "/stats" may be another bot's command (Telegram sends commands to every
    bot there): refuse out loud only when it names this bot (/stats@thisbot)."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE or not text.startswith("/"):
        return False
    command = text.split(maxsplit=1)[0]
    return "@" not in command


def admin_only(what: str) -> Callable[[Handler], Handler]:
    """Run the handler for admins, in a private chat or the admin chat; refuse everyone else."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> Any:
            user, chat = update.effective_user, update.effective_chat
            if not is_admin(context, user.id if user else None):
                await refuse(update, context, what)
                return None
            in_admin_chat = chat is not None and chat.id == context.services.admin_chat_id
            if chat is not None and chat.type != ChatType.PRIVATE and not in_admin_chat:
                logger.info(
                    "admin verb %s used in group %s: asked to use a private chat", what, chat.id
                )
                await reply_to(
                    context,
                    message_of(update),
                    admin_render.plain("adm_private_only", context.lang_for(user)),
                )
                return None
            return await handler(update, context)

        return guarded

    return wrap


@admin_only("/admin")
async def admin_help(update: Update, context: BotContext) -> None:
    lang = context.lang_for(update.effective_user)
    help_text = "\n\n".join(
        admin_render.plain(key, lang).parts[0] for key in ("adm_help", "an_help")
    )  # + announcements
    await reply_to(context, message_of(update), Reply([help_text], None, lang))


# -- /reload ---------------------------------------------------------------------------------------------


@admin_only("/reload")
async def reload_command(update: Update, context: BotContext) -> None:
    """Validate, build beside, swap; report what changed or every error. Answers keep flowing meanwhile."""
    ops = context.services
    lang = context.lang_for(update.effective_user)
    message = message_of(update)
    if ops.reloader.busy:
        await reply_to(context, message, admin_render.plain("adm_reload_busy", lang))
        return
    checking = await reply_to(context, message, admin_render.plain("adm_reload_start", lang))
    report = await ops.reloader.reload()
    if report is None:
        # Taken meanwhile, most likely by the knowledge watcher picking up an index (a moment's work):
        # wait for it, then reload as asked.
        async with ops.reloader.lock:
            pass
        report = await ops.reloader.reload()
    if report is None:
        await reply_to(context, message, admin_render.plain("adm_reload_busy", lang))
        return
    logger.info(
        "/reload by an admin: %s", "ok" if report.ok else f"refused, {len(report.errors)} error(s)"
    )
    declared = None
    if not report.ok:
        from bot.telegram.reload_report import declared_ids

        declared = declared_ids(ops.reloader.knowledge_dir, (e.file for e in report.errors))
    result = admin_render.reload_report(report, lang, declared=declared)
    # The "checking…" message becomes the result (issue 11); further parts follow it.
    try:
        await context.bot.edit_message_text(
            result.parts[0], chat_id=message.chat_id, message_id=checking[0].message_id
        )
        rest = result.parts[1:]
    except TelegramError as exc:
        logger.info("could not edit the reload message (%s); sending the result", exc)
        rest = result.parts
    if rest:
        await reply_to(context, message, type(result)(rest, None, lang), quote=False)


# -- /broadcast ------------------------------------------------------------------------------------------


def text_html(message: Message) -> str:
    """The message's text as HTML, like PTB's `text_html` but with text-link URLs escaped: PTB writes
    them into href="…" as they are, and a URL holding `"`, `<` or `&` makes HTML Telegram refuses."""
    entities = {}
    for entity, part in message.parse_entities().items():
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            entity = MessageEntity(
                entity.type, entity.offset, entity.length, url=escape(entity.url, quote=True)
            )
        entities[entity] = part
    return Message._parse_html(message.text, entities) or ""


@admin_only("/broadcast")
async def broadcast_command(update: Update, context: BotContext) -> None:
    """Reply /broadcast to a message, or /broadcast TEXT: a preview with Confirm and Cancel."""
    ops = context.services
    message = message_of(update)
    user = user_of(update)
    lang = context.lang_for(user)
    source = message.reply_to_message
    html = COMMAND_PREFIX.sub("", text_html(message), count=1).strip()
    if source is None and not html:
        await reply_to(context, message, admin_render.plain("bc_usage", lang))
        return
    count = len(ops.store.subscriptions(active=True))
    if not count:
        await reply_to(context, message, admin_render.plain("bc_no_groups", lang))
        return
    chat_id = message.chat_id
    try:
        if source is not None and not html:
            broadcast_id = ops.store.create_broadcast(
                user.id, chat_id, lang, from_chat_id=chat_id, message_id=source.message_id
            )
            await context.bot.copy_message(
                chat_id, chat_id, source.message_id
            )  # the preview: exactly what groups get
        else:
            broadcast_id = ops.store.create_broadcast(user.id, chat_id, lang, html=html)
            await context.bot.send_message(chat_id, html)
    except BadRequest as exc:
        # Telegram refused the preview, so it would refuse every group's copy too: drop the draft, say why.
        ops.store.cancel_broadcast(broadcast_id)
        logger.warning(
            "broadcast %s: Telegram refused the preview (%s); draft cancelled", broadcast_id, exc
        )
        await reply_to(
            context,
            message,
            admin_render.plain("bc_refused", lang, id=broadcast_id, reason=str(exc)[:300]),
        )
        return
    logger.info("broadcast %s drafted by admin %s for %d groups", broadcast_id, user.id, count)
    from bot.telegram.handlers.announce import (
        open_panel,
    )  # the question with audience, versions, test, pin, schedule

    media = source is not None and not html and source.text is None
    first_text = (
        (source.text or source.caption or "")
        if source is not None and not html
        else (message.text or "")
    )
    await open_panel(
        context,
        ops,
        broadcast_id,
        chat_id,
        lang,
        COMMAND_PREFIX.sub("", first_text, count=1),
        media,
    )


async def broadcast_button(update: Update, context: BotContext) -> None:
    """Confirm or Cancel under a broadcast preview (admins only)."""
    pressed = await admin_press(update, context, "broadcast confirmation")
    if pressed is None:
        return
    query, ops, lang = pressed
    user = query.from_user
    action, number = required(
        admin_render.CB_CONFIRM.match(query.data or ""), "broadcast in the button's data"
    ).groups()
    broadcast_id = int(number)
    message = query.message
    if action == "no":
        if ops.store.cancel_broadcast(broadcast_id):
            await ack(query)
            await edit(context, query, admin_render.plain("bc_cancelled", lang, id=broadcast_id))
        else:
            await ack(query, t("bc_already", lang))
        return
    progress_id = message.message_id if isinstance(message, Message) else None
    from bot.telegram.announce import confirm  # to the announcement's audience

    total = confirm(ops.store, broadcast_id, progress_id)
    if total is None:
        still_draft = (ops.store.broadcast(broadcast_id) or {}).get(
            "status"
        ) == "draft"  # its audience matches no group
        await ack(query, t("an_no_audience" if still_draft else "bc_already", lang))
        return
    # Delivery starts before anything else is said: a failed acknowledgement must not hold it up.
    ops.broadcaster.start()
    logger.info("broadcast %s confirmed by admin %s: %d groups", broadcast_id, user.id, total)
    await ack(query)
    await edit(
        context, query, admin_render.plain("bc_started", lang, id=broadcast_id, total=total)
    )


@admin_only("/broadcasts")
async def broadcasts_command(update: Update, context: BotContext) -> None:
    ops = context.services
    lang = context.lang_for(update.effective_user)
    await reply_to(
        context, message_of(update), admin_render.broadcasts(ops.store.recent_broadcasts(10), lang)
    )


# -- /subscribers and /stats ---------------------------------------------------------------------------


@admin_only("/subscribers")
async def subscribers_command(update: Update, context: BotContext) -> None:
    ops = context.services
    lang = context.lang_for(update.effective_user)
    rows = ops.store.subscriptions(active=None)
    tags, langs = (
        ops.store.tags_by_chat(),
        ops.store.group_langs([r["chat_id"] for r in rows]),
    )  # announcements
    rows = [
        {**row, "tags": tags.get(row["chat_id"], []), "lang": langs[row["chat_id"]]}
        for row in rows
    ]
    await reply_to(context, message_of(update), admin_render.subscribers(rows, lang))


@admin_only("/stats")
async def stats_command(update: Update, context: BotContext) -> None:
    """/stats [DAYS]: a chart (questions per day, answered or not, by language, top subjects) with the
    figures in its caption: answer rate, per language, top unanswered questions."""
    ops = context.services
    lang = context.lang_for(update.effective_user)
    args = context.args or []
    days = 7
    if args:
        if not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_STATS_DAYS:
            await reply_to(context, message_of(update), admin_render.plain("st_usage", lang))
            return
        days = int(args[0])
    now = ops.now()
    offset = now.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    figures = ops.store.stats(now.date(), days, minutes)
    from bot.telegram.handlers.curation import (
        send_stats_chart,
    )  # the chart (issue 12); imports this module

    await send_stats_chart(context, message_of(update), ops, figures, minutes, lang)
