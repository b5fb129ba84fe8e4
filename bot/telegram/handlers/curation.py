"""Admins improving the knowledge from the chat: /review (teach a question to an entry in one tap,
"not in the documents", skip; undo), /knowledge (the files as documents; an edited .yaml sent back
is checked, summarised, and saved on Confirm), and /stats as a chart.

Every verb goes through admin_only(); every button checks ADMIN_IDS before anything else.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError

from bot.editing.files import MAX_FILE_BYTES, SAFE_NAME, read_bytes, sha256
from bot.editing.review import group, key_of
from bot.i18n import t
from bot.kb.loader import knowledge_files
from bot.kb.matcher import ANSWER_AT
from bot.kb.text import Lang
from bot.telegram import admin_render, chart, curation_render
from bot.telegram.context import BotContext, Services, message_of, query_of, required, user_of
from bot.telegram.curation import Curator, curator_of
from bot.telegram.handlers.admin import Handler, admin_only, is_admin, refuse
from bot.telegram.send import ack, edit, reply_to, send

logger = logging.getLogger(__name__)
REVIEW_SHOWN = 5  # items per /review; the rest come with the next one
REVIEW_DAYS = 30  # questions older than this are not reviewed
LOW_CONFIDENCE = ANSWER_AT + 0.08  # answered, but with a score this low: worth a look


def _curator(context: BotContext, ops: Services) -> Curator:
    return curator_of(context.bot_data, ops, ops.config.data_dir)


def admin_button(what: str):
    """A button handler for admins only: anyone else is refused (and logged) before anything happens."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> Any:
            query = query_of(update)
            if not is_admin(context, query.from_user.id):
                await refuse(update, context, what)
                return None
            return await handler(update, context)

        return guarded

    return wrap


# -- /review ----------------------------------------------------------------------------------------------


@admin_only("/review")
async def review_command(update: Update, context: BotContext) -> None:
    """The unanswered and low-confidence questions not yet dealt with, grouped, most asked first."""
    ops = context.services
    admin = user_of(update)
    lang = context.lang_for(admin)
    message = message_of(update)
    since = (datetime.now(UTC) - timedelta(days=REVIEW_DAYS)).isoformat(timespec="seconds")
    rows = ops.store.review_queries(since, LOW_CONFIDENCE)
    items = group(rows, ops.store.review_marks(key_of(r["text"]) for r in rows))
    if not items:
        await reply_to(context, message, admin_render.plain("rv_none", lang))
        return
    shown = items[:REVIEW_SHOWN]
    await reply_to(context, message, curation_render.review_header(len(items), len(shown), lang))
    assistant = context.assistant
    for item in shown:
        candidates = assistant.search(item.question, limit=3)
        item_id = ops.store.create_review_item(
            admin.id,
            item.question,
            item.texts,
            item.count,
            list(item.langs),
            list(item.kinds),
            item.replied,
            candidates,
            item.last_query_id,
        )
        await send(
            context,
            message.chat_id,
            curation_render.review_item(item_id, item, candidates, assistant.kb, lang),
        )
    logger.info("/review by admin %s: %d item(s), %d shown", admin.id, len(items), len(shown))


@admin_button("review button")
async def review_button(update: Update, context: BotContext) -> None:
    query = query_of(update)
    ops = context.services
    admin = query.from_user
    lang = context.lang_for(admin)
    action, number, n = required(
        curation_render.CB_REVIEW.match(query.data or ""), "review item in the data"
    ).groups()
    item = ops.store.review_item(int(number))
    if item is None or item["status"] != "open":
        await ack(query, t("rv_gone", lang))
        return
    keys = [key_of(text) for text in item["texts"]]
    question = item["question"]
    if action in ("n", "s"):
        status = "dismissed" if action == "n" else "skipped"
        if not ops.store.resolve_review_item(item["id"], status, admin.id, keys):
            await ack(query, t("rv_gone", lang))
            return
        logger.info("admin %s marked review item %s %s", admin.id, item["id"], status)
        await ack(query)
        await edit(context, query, admin_render.plain(f"rv_{status}", lang, question=question))
        return
    candidates = item["candidates"]
    if n is None or int(n) >= len(candidates):
        await ack(query, t("rv_gone", lang))
        return
    await ack(query)
    entry_id = candidates[int(n)]
    outcome = await _curator(context, ops).teach(item, entry_id, admin.id)
    chat_id = _chat_id(query)
    if outcome.status == "ok":
        title = context.assistant.kb.entries[entry_id].title.text(lang)
        await edit(
            context,
            query,
            curation_render.taught(
                question,
                title,
                outcome.file,
                entry_id,
                str(outcome.form),
                outcome.answered,
                outcome.change_id,
                lang,
            ),
        )
    elif outcome.status == "done":
        await send(context, chat_id, admin_render.plain("rv_gone", lang))
    elif outcome.status == "gone":
        await send(context, chat_id, admin_render.plain("rv_entry_gone", lang))
    elif outcome.status == "refused":
        key = "rv_refused_duplicate" if outcome.detail == "duplicate" else "rv_refused_layout"
        await send(
            context, chat_id, admin_render.plain(key, lang, question=question, file=outcome.file)
        )
    else:
        await _report_failure(context, chat_id, outcome, lang)


def _chat_id(query) -> int:
    return required(query.message, "message under the button").chat.id


async def _report_failure(context: BotContext, chat_id: int, outcome, lang: Lang) -> None:
    if outcome.status == "invalid":
        await send(
            context,
            chat_id,
            curation_render.errors_report(
                t("ch_invalid", lang, count=len(outcome.errors)), outcome.errors, lang
            ),
        )
    elif outcome.status == "failed":
        await send(
            context,
            chat_id,
            curation_render.errors_report(t("ch_reload_failed", lang), outcome.errors, lang),
        )
    elif outcome.status == "stale":
        await send(context, chat_id, admin_render.plain("kn_stale", lang, file=outcome.file))
    else:
        await send(context, chat_id, admin_render.plain("ch_busy", lang))


@admin_button("undo button")
async def undo_button(update: Update, context: BotContext) -> None:
    query = query_of(update)
    ops = context.services
    admin = query.from_user
    lang = context.lang_for(admin)
    change_id = int(
        required(curation_render.CB_UNDO.match(query.data or ""), "change in the data").group(1)
    )
    outcome = await _curator(context, ops).undo(change_id, admin.id)
    if outcome.status == "ok":
        await ack(query)
        await edit(
            context, query, admin_render.plain("ch_undone", lang, file=outcome.file, id=change_id)
        )
    elif outcome.status in ("already", "gone"):
        await ack(query, t("ch_undo_already", lang))
    elif outcome.status == "expired":
        from bot.telegram.curation import UNDO_HOURS

        await ack(query, t("ch_undo_expired", lang, hours=UNDO_HOURS))
    elif outcome.status == "stale":
        await ack(query, t("ch_undo_changed", lang, file=outcome.file))
    else:
        await ack(query)
        await _report_failure(context, _chat_id(query), outcome, lang)


# -- /knowledge ----------------------------------------------------------------------------------------------


@admin_only("/knowledge")
async def knowledge_command(update: Update, context: BotContext) -> None:
    """Every knowledge file as a document, after a line saying how to send one back."""
    ops = context.services
    lang = context.lang_for(update.effective_user)
    message = message_of(update)
    paths = knowledge_files(Path(ops.reloader.knowledge_dir))
    await reply_to(context, message, admin_render.plain("kn_intro", lang, count=len(paths)))
    for path in paths:
        content = read_bytes(path)
        if content is not None:
            await context.bot.send_document(message.chat_id, document=content, filename=path.name)


@admin_only("knowledge upload")
async def knowledge_upload(update: Update, context: BotContext) -> None:
    """An edited .yaml sent back: every error with file, entry and field; or the changes and Confirm/Cancel."""
    ops = context.services
    admin = user_of(update)
    lang = context.lang_for(admin)
    message = message_of(update)
    document = required(message.document, "document in the message")
    name = document.file_name or ""
    if not SAFE_NAME.match(name):
        await reply_to(context, message, admin_render.plain("kn_bad_name", lang, name=name))
        return
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await reply_to(
            context,
            message,
            admin_render.plain(
                "kn_too_big", lang, size=document.file_size // 1024, limit=MAX_FILE_BYTES // 1024
            ),
        )
        return
    try:
        file = await document.get_file()
        content = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        logger.warning("could not download an uploaded knowledge file: %s", exc)
        await reply_to(context, message, admin_render.plain("kn_download_failed", lang))
        return
    if len(content) > MAX_FILE_BYTES:
        await reply_to(
            context,
            message,
            admin_render.plain(
                "kn_too_big", lang, size=len(content) // 1024, limit=MAX_FILE_BYTES // 1024
            ),
        )
        return
    curator = _curator(context, ops)
    outcome = await asyncio.to_thread(curator.check_upload, name, content)
    if outcome.status == "unchanged":
        await reply_to(context, message, admin_render.plain("kn_unchanged", lang, file=name))
        return
    if outcome.status == "invalid":
        logger.info(
            "knowledge upload %s by admin %s refused: %d error(s)",
            name,
            admin.id,
            len(outcome.errors),
        )
        await reply_to(
            context,
            message,
            curation_render.errors_report(
                t("kn_refused", lang, file=name, count=len(outcome.errors)), outcome.errors, lang
            ),
        )
        return
    base = sha256(read_bytes(Path(ops.reloader.knowledge_dir) / name))
    upload_id = ops.store.create_upload(admin.id, message.chat_id, name, content, base)
    assert outcome.summary is not None
    await reply_to(
        context,
        message,
        curation_render.upload_question(
            upload_id, name, outcome.summary, outcome.detail == "new", lang
        ),
    )


@admin_button("knowledge upload confirmation")
async def upload_button(update: Update, context: BotContext) -> None:
    query = query_of(update)
    ops = context.services
    admin = query.from_user
    lang = context.lang_for(admin)
    action, number = required(
        curation_render.CB_UPLOAD.match(query.data or ""), "upload in the data"
    ).groups()
    upload = ops.store.knowledge_upload(int(number))
    if upload is None or upload["status"] != "pending":
        await ack(query, t("kn_already", lang))
        return
    if action == "no":
        ops.store.finish_upload(upload["id"], "cancelled")
        await ack(query)
        await edit(context, query, admin_render.plain("kn_cancelled", lang, file=upload["file"]))
        return
    await ack(query)
    outcome = await _curator(context, ops).confirm_upload(upload, admin.id)
    if outcome.status == "ok":
        ops.store.finish_upload(upload["id"], "applied")
        reply = admin_render.plain("kn_applied", lang, file=outcome.file, entries=outcome.entries)
        await edit(
            context,
            query,
            curation_render.Reply(
                reply.parts, curation_render.undo_markup(outcome.change_id, lang), lang
            ),
        )
        return
    if outcome.status == "stale":
        ops.store.finish_upload(upload["id"], "cancelled")
    await _report_failure(context, _chat_id(query), outcome, lang)


# -- /stats as a chart ----------------------------------------------------------------------------------------


async def send_stats_chart(
    context: BotContext,
    message: Message,
    ops: Services,
    figures: Any,
    utc_offset_minutes: int,
    lang: Lang,
) -> None:
    """The chart as a photo, the figures in its caption; without questions, the text report alone."""
    if not figures.questions:
        await reply_to(context, message, admin_render.stats(figures, lang))
        return
    kb = context.assistant.kb
    by_topic: dict[str, int] = {}
    for entry_id, n in ops.store.answered_entries(
        figures.first_day, figures.last_day, utc_offset_minutes
    ).items():
        entry = kb.entries.get(entry_id)
        if entry is not None:
            by_topic[entry.topic] = by_topic.get(entry.topic, 0) + n
    ranked = sorted(by_topic.items(), key=lambda kv: (-kv[1], kv[0]))

    def name(topic: str, in_lang: Lang) -> str:
        found = kb.topics.get(topic)
        return found.title.text(in_lang) if found is not None else topic

    png = await asyncio.to_thread(
        chart.render_stats, figures, [(name(tp, "en"), n) for tp, n in ranked]
    )
    caption = curation_render.stats_caption(
        figures, [(name(tp, lang), n) for tp, n in ranked], lang
    )
    await context.bot.send_photo(
        message.chat_id,
        photo=png,
        caption=caption,
        filename="stats.png",
    )
