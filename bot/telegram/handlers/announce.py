"""Announcement verbs and buttons: the preview's panel (audience, versions, test, pin, schedule),
/scheduled with Cancel, edit and delete everywhere, and in groups /tag and /grouplang.

Bot admins only for everything about announcements (every button and reply checks ADMIN_IDS);
/tag and /grouplang for the group's administrators and bot admins, as /subscribe. The runtime side
(sending, pinning, firing schedules, the edit/delete jobs) is bot/telegram/announce.py.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime, timedelta

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext.filters import MessageFilter

from bot.i18n import t
from bot.kb.text import LANGS, Lang, detect_lang
from bot.telegram import announce_render
from bot.telegram.admin_render import LANG_NAMES, plain
from bot.telegram.announce import Announcements, announcements, parse_when, utc_iso
from bot.telegram.context import (
    BotContext,
    Services,
    chat_of,
    message_of,
    query_of,
    required,
    user_of,
)
from bot.telegram.filters import bot_message_replied
from bot.telegram.handlers.admin import admin_only, admin_press, is_admin, refuse
from bot.telegram.handlers.subscriptions import group_checked
from bot.telegram.render import Reply
from bot.telegram.send import ack, edit, reply_to, send

logger = logging.getLogger(__name__)
TAG_RE = re.compile(r"^[^\W_][\w-]{0,23}$")
MAX_TAG_BYTES = 40  # keeps "an:tag:<id>:<tag>" within Telegram's 64 bytes of callback data
LANG_PREFIX = re.compile(r"^\s*\[?(zh-hant|zh-hans|en|繁|简|簡)\]?\s*[:：]\s*", re.IGNORECASE)
LANG_WORDS = {
    "zh-hant": "zh-Hant",
    "zh-hans": "zh-Hans",
    "en": "en",
    "繁": "zh-Hant",
    "简": "zh-Hans",
    "簡": "zh-Hans",
    "english": "en",
    "繁體": "zh-Hant",
    "简体": "zh-Hans",
    "簡體": "zh-Hans",
}
_HTML_TAG = re.compile(r"<[^>]+>")


class _AnnounceReply(MessageFilter):
    """A reply to the bot's announcement panel (📣 #A<id>) or to its request for a corrected text (✏️ #E<id>)."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        replied = bot_message_replied(message)
        if replied is None:
            return False
        text = replied.text or ""
        return bool(
            announce_render.PANEL_TAG.search(text) or announce_render.EDIT_TAG.search(text)
        )


ANNOUNCE_REPLY = _AnnounceReply(name="ANNOUNCE_REPLY")


def helper_of(context: BotContext) -> Announcements:
    return required(announcements(context.bot_data), "announcements")


TIME_WORDS = (
    "tomorrow",
    "today",
    "tonight",
    "am",
    "pm",
    "明天",
    "明日",
    "今天",
    "今日",
    "今晚",
    "上午",
    "下午",
    "晚上",
    "點",
    "点",
)
TIME_CHARS = re.compile(r"[\d\s:：+\-/.]+(m|h|d|min|mins|hours?|days?)?")


def looks_like_time(text: str) -> bool:
    """A short reply with digits that is not a time we read ("tomorrow 9am", "16/3 9:00"): better to say
    so than to take it for another language's version."""
    text = text.strip().lower()
    if len(text) > 24 or LANG_PREFIX.match(text) or not any(ch.isdigit() for ch in text):
        return False
    return bool(TIME_CHARS.fullmatch(text)) or any(word in text for word in TIME_WORDS)


def _version_lang(text: str, fallback: Lang) -> tuple[Lang, bool]:
    """The language a version is written in: a leading "en:" / "zh-Hant:" / "繁:" says it, else its script.
    (language, whether it was said)."""
    match = LANG_PREFIX.match(text)
    if match:
        return LANG_WORDS[match.group(1).lower()], True  # type: ignore[return-value]
    plain_text = _HTML_TAG.sub("", text).strip()
    return (detect_lang(plain_text) if any(ch.isalnum() for ch in plain_text) else fallback), False


# -- the panel -----------------------------------------------------------------------------------------


def panel_reply(ops: Services, broadcast_id: int, lang: Lang, mode: str = "main") -> Reply | None:
    announcement = ops.store.announcement(broadcast_id)
    if announcement is None:
        return None
    active = [s["chat_id"] for s in ops.store.subscriptions(active=True)]
    lang_counts = Counter(ops.store.group_langs(active).values())
    return announce_render.panel(
        announcement,
        ops.store.versions(broadcast_id),
        len(ops.store.audience(broadcast_id)),
        lang,
        mode=mode,
        tag_counts=ops.store.tag_counts(),
        lang_counts=dict(lang_counts),
        presets=announce_render.presets(ops.now(), lang),
    )


async def open_panel(
    context: BotContext,
    ops: Services,
    broadcast_id: int,
    chat_id: int,
    lang: Lang,
    first_text: str,
    media: bool,
) -> None:
    """After the preview of a new /broadcast: its options at their defaults, and the panel to change them."""
    first_lang, _ = _version_lang(first_text, lang)
    ops.store.start_announcement(broadcast_id, first_lang, media)
    reply = required(panel_reply(ops, broadcast_id, lang), "announcement just started")
    sent = await send(context, chat_id, reply)
    ops.store.set_panel(broadcast_id, sent[-1].message_id)


async def _show(
    context: BotContext,
    query: CallbackQuery,
    ops: Services,
    broadcast_id: int,
    lang: Lang,
    mode: str,
) -> None:
    reply = panel_reply(ops, broadcast_id, lang, mode)
    if reply is not None:
        await edit(context, query, reply)


async def _refresh_panel(
    context: BotContext,
    ops: Services,
    broadcast_id: int,
    chat_id: int,
    message_id: int,
    lang: Lang,
) -> None:
    reply = panel_reply(ops, broadcast_id, lang)
    if reply is None:
        return
    try:
        await context.bot.edit_message_text(
            reply.parts[0],
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=reply.markup,
        )
    except TelegramError as exc:
        if "not modified" not in str(exc).lower():
            logger.info("could not refresh the panel of broadcast %s: %s", broadcast_id, exc)


async def announce_button(update: Update, context: BotContext) -> None:
    """Every button of the panel, of /scheduled and of a broadcast's report (admins only)."""
    pressed = await admin_press(update, context, "announcement button")
    if pressed is None:
        return
    query, ops, lang = pressed
    user = query.from_user
    action, number, arg = required(
        announce_render.CB_ANNOUNCE.match(query.data or ""), "announcement button"
    ).groups()
    bid = int(number)
    store = ops.store
    if action in ("e", "d"):
        await _copy_op_start(update, context, ops, bid, action, lang)
        return
    if action == "x":
        done = store.cancel_scheduled(bid)
        logger.info(
            "scheduled broadcast %s %s by admin %s",
            bid,
            "cancelled" if done else "not cancelled",
            user.id,
        )
        await ack(query, t("an_sched_cancelled" if done else "an_sched_not_waiting", lang, id=bid))
        rows = store.scheduled_announcements()
        await edit(
            context,
            query,
            announce_render.scheduled_list(
                rows, ops.tz, lang, {r["id"]: len(store.audience(r["id"])) for r in rows}
            ),
        )
        return
    announcement = store.announcement(bid)
    if announcement is None or announcement["status"] != "draft":
        await ack(query, t("bc_already", lang))
        return
    if action == "test":
        sent = await helper_of(context).test_send(bid, user.id, lang)
        await ack(query, t("an_test_sent" if sent else "an_test_failed", lang))
        return
    mode = "main"
    if action == "aud":
        mode = "audience"
    elif action == "when":
        mode = "when"
    elif action == "pin":
        store.set_pin(bid, not announcement["pin"])
    elif action == "all":
        store.set_audience(bid)
        mode = "audience"
    elif action == "tag" and arg:
        tags = set(announcement["tags"]) ^ {arg}
        store.set_audience(bid, tags=tags)
        mode = "audience"
    elif action == "lang" and arg in LANGS:
        store.set_audience(bid, lang=None if announcement["audience_lang"] == arg else arg)
        mode = "audience"
    elif action == "at" and arg and arg.isdigit():
        moment = datetime.fromtimestamp(int(arg) * 60, ops.tz)
        await _schedule(context, ops, bid, moment, lang, query=query)
        return
    await ack(query)
    await _show(context, query, ops, bid, lang, mode)


async def _schedule(
    context: BotContext,
    ops: Services,
    bid: int,
    moment: datetime,
    lang: Lang,
    *,
    query: CallbackQuery | None = None,
    message: Message | None = None,
) -> None:
    """Schedule a draft for `moment` (from a preset button or a typed reply)."""
    now = ops.now()
    problem = (
        "an_when_past"
        if moment <= now
        else "an_when_far"
        if moment - now > timedelta(days=366)
        else None
    )
    if problem is not None:
        if query is not None:
            await ack(query, t(problem, lang))
        elif message is not None:
            await reply_to(context, message, plain(problem, lang))
        return
    count = len(ops.store.audience(bid))
    if not ops.store.schedule_announcement(bid, utc_iso(moment)):
        if query is not None:
            await ack(query, t("bc_already", lang))
        elif message is not None:
            await reply_to(context, message, plain("bc_already", lang))
        return
    announcement = required(ops.store.announcement(bid), "scheduled announcement")
    logger.info("broadcast %s scheduled for %s (%d groups now)", bid, utc_iso(moment), count)
    done = announce_render.scheduled_done(
        bid,
        moment.astimezone(ops.tz),
        count,
        announce_render.audience_text(announcement, lang),
        lang,
    )
    if query is not None:
        await ack(query)
        await edit(context, query, done)
        return
    if message is not None:
        panel_id = announcement["panel_message_id"]
        if panel_id:
            try:  # the panel's buttons would only say "already confirmed" now
                await context.bot.edit_message_text(
                    done.parts[0],
                    chat_id=message.chat_id,
                    message_id=panel_id,
                )
            except TelegramError as exc:
                logger.info("could not close the panel of broadcast %s: %s", bid, exc)
        await reply_to(context, message, done)


# -- replies to the panel and to the request for a corrected text -----------------------------------------


async def announce_reply(update: Update, context: BotContext) -> None:
    """A version in another language or a time (replying to the panel), or a corrected text (✏️ #E)."""
    message = message_of(update)
    user = user_of(update)
    if not is_admin(context, user.id):
        await refuse(update, context, "announcement reply")
        return
    ops = context.services
    lang = context.lang_for(user)
    replied = required(message.reply_to_message, "replied-to panel")
    if tag := announce_render.EDIT_TAG.search(replied.text or ""):
        await _edit_text_received(context, ops, int(tag.group(1)), message, lang)
        return
    bid = int(required(announce_render.PANEL_TAG.search(replied.text or ""), "panel tag").group(1))
    announcement = ops.store.announcement(bid)
    if announcement is None or announcement["status"] != "draft":
        await reply_to(context, message, plain("bc_already", lang))
        return
    moment = parse_when(message.text or "", ops.now()) if message.text else None
    if moment is not None:
        await _schedule(context, ops, bid, moment, lang, message=message)
        return
    if message.text and looks_like_time(message.text):
        await reply_to(context, message, plain("an_when_unreadable", lang))
        return
    if message.text:
        version_lang, said = _version_lang(message.text, lang)
        html = message.text_html or ""
        if said:
            html = LANG_PREFIX.sub("", html, count=1)
        added = ops.store.add_version(bid, version_lang, html=html.strip())
    else:  # a photo or document with a caption in another language: copied as it is
        version_lang, _ = _version_lang(message.caption or "", lang)
        added = ops.store.add_version(
            bid,
            version_lang,
            from_chat_id=message.chat_id,
            message_id=message.message_id,
            media=True,
        )
    name = LANG_NAMES.get(version_lang, version_lang)
    if not added:
        await reply_to(context, message, plain("an_version_same", lang, language=name))
        return
    logger.info("broadcast %s: %s version added by admin %s", bid, version_lang, user.id)
    await reply_to(context, message, plain("an_version_added", lang, language=name, id=bid))
    await _refresh_panel(context, ops, bid, message.chat_id, replied.message_id, lang)


# -- edit and delete everywhere ----------------------------------------------------------------------------


async def _copy_op_start(
    update: Update, context: BotContext, ops: Services, bid: int, action: str, lang: Lang
) -> None:
    query = query_of(update)
    broadcast = ops.store.broadcast(bid)
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    copies = ops.store.copies(bid) if broadcast is not None else []
    if not copies:
        await ack(query, t("an_no_copies", lang, id=bid))
        return
    await ack(query)
    if action == "e":
        versions = ops.store.versions(bid) or [{"lang": (broadcast or {}).get("lang") or lang}]
        await send(
            context, chat_id, announce_render.edit_request(bid, len(copies), versions, lang)
        )
        return
    op_id = ops.store.create_copy_op(bid, "delete", query.from_user.id, chat_id)
    op = required(ops.store.copy_op(op_id), "delete job just made")
    await send(context, chat_id, announce_render.op_question(op, len(copies), lang))


async def _edit_text_received(
    context: BotContext, ops: Services, bid: int, message: Message, lang: Lang
) -> None:
    html = (message.text_html or message.caption_html or "").strip()
    if not html:
        await reply_to(context, message, plain("an_edit_text_only", lang))
        return
    versions = ops.store.versions(bid)
    version_lang: str | None = None
    if len(versions) > 1:
        version_lang, said = _version_lang(message.text or message.caption or "", lang)
        if said:
            html = LANG_PREFIX.sub("", html, count=1).strip()
    copies = ops.store.copies(bid, version_lang)
    if not copies:
        await reply_to(context, message, plain("an_no_copies", lang, id=bid))
        return
    user = user_of_message(message)
    op_id = ops.store.create_copy_op(
        bid, "edit", user, message.chat_id, html=html, lang=version_lang
    )
    op = required(ops.store.copy_op(op_id), "edit job just made")
    logger.info("edit of broadcast %s drafted (%d copies)", bid, len(copies))
    await reply_to(context, message, announce_render.op_question(op, len(copies), lang))


def user_of_message(message: Message) -> int:
    return required(message.from_user, "sender of the corrected text").id


async def op_button(update: Update, context: BotContext) -> None:
    """Confirm or Cancel an edit or delete everywhere (admins only)."""
    pressed = await admin_press(update, context, "edit/delete confirmation")
    if pressed is None:
        return
    query, ops, lang = pressed
    user = query.from_user
    action, number = required(
        announce_render.CB_OP.match(query.data or ""), "job in the button's data"
    ).groups()
    op_id = int(number)
    op = ops.store.copy_op(op_id)
    if op is None:
        await ack(query, t("bc_already", lang))
        return
    if action == "no":
        if ops.store.cancel_copy_op(op_id):
            await ack(query)
            await edit(context, query, plain("an_op_cancelled", lang, id=op["broadcast_id"]))
        else:
            await ack(query, t("bc_already", lang))
        return
    message = query.message
    total = ops.store.confirm_copy_op(
        op_id, message.message_id if isinstance(message, Message) else None
    )
    if total is None:
        await ack(query, t("bc_already", lang))
        return
    helper_of(context).start()  # before anything else is said, as for a broadcast
    logger.info(
        "%s of broadcast %s confirmed by admin %s: %d copies",
        op["kind"],
        op["broadcast_id"],
        user.id,
        total,
    )
    await ack(query)
    key = "an_op_edit_started" if op["kind"] == "edit" else "an_op_delete_started"
    await edit(context, query, plain(key, lang, id=op["broadcast_id"], total=total))


# -- /scheduled --------------------------------------------------------------------------------------------


@admin_only("/scheduled")
async def scheduled_command(update: Update, context: BotContext) -> None:
    """Scheduled announcements, soonest first, each with a Cancel button."""
    ops = context.services
    lang = context.lang_for(update.effective_user)
    rows = ops.store.scheduled_announcements()
    counts = {r["id"]: len(ops.store.audience(r["id"])) for r in rows}
    await reply_to(
        context, message_of(update), announce_render.scheduled_list(rows, ops.tz, lang, counts)
    )


# -- in groups: /tag and /grouplang ---------------------------------------------------------------------------


def _tag(word: str) -> str | None:
    tag = word.strip().lstrip("#").lower()
    return tag if TAG_RE.match(tag) and len(tag.encode()) <= MAX_TAG_BYTES else None


async def tag_command(update: Update, context: BotContext) -> None:
    """/tag [NAME ...] [-NAME ...]: this group's tags, for targeting announcements."""
    if not await group_checked(update, context, "/tag", "an_group_only", "an_not_allowed"):
        return
    chat = chat_of(update)
    lang = context.lang_for(update.effective_user)
    message = message_of(update)
    store = context.store
    add, remove, bad = [], [], []
    for word in context.args or []:
        name = _tag(word[1:] if word.startswith("-") else word)
        if name is None:
            bad.append(word)
        elif word.startswith("-"):
            remove.append(name)
        else:
            add.append(name)
    if bad:
        await reply_to(context, message, plain("an_tag_usage", lang, bad=" ".join(bad)))
        return
    store.upsert_chat(chat.id, chat.type, chat.title)
    added = store.add_tags(chat.id, add)
    removed = store.remove_tags(chat.id, remove)
    if added or removed:
        logger.info("group %s tags: +%s -%s", chat.id, added, removed)
    lines = [announce_render.tags_reply(store.tags_of(chat.id), lang).parts[0]]
    if not add and not remove:
        lines.append(plain("an_tag_hint", lang).parts[0])
    if store.subscription(chat.id) is None:
        lines.append(plain("an_tag_not_subscribed", lang).parts[0])
    await reply_to(context, message, Reply(["\n".join(lines)], None, lang))


async def grouplang_command(update: Update, context: BotContext) -> None:
    """/grouplang [zh-Hant|zh-Hans|en|auto]: the language announcements come in here."""
    if not await group_checked(update, context, "/grouplang", "an_group_only", "an_not_allowed"):
        return
    chat = chat_of(update)
    lang = context.lang_for(update.effective_user)
    message = message_of(update)
    store = context.store
    arg = " ".join(context.args or []).strip().lower()
    if arg:
        if arg == "auto":
            store.set_group_lang(chat.id, None)
        elif arg in LANG_WORDS:
            store.set_group_lang(chat.id, LANG_WORDS[arg])
        else:
            await reply_to(context, message, plain("an_glang_usage", lang))
            return
        logger.info("group %s language set to %s", chat.id, arg)
    setting = store.group_lang_setting(chat.id)
    current = store.group_lang(chat.id)
    source = (
        "an_glang_set"
        if setting
        else "an_glang_askers"
        if store.askers_lang(chat.id)
        else "an_glang_default"
    )
    await reply_to(
        context,
        message,
        plain(
            "an_glang_now", lang, language=LANG_NAMES.get(current, current), source=t(source, lang)
        ),
    )


async def note_asker(update: Update, context: BotContext) -> None:
    """A question addressed to the bot in a group: remember the asker's language (the group's default)."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None or not message.text:
        return
    context.store.note_asker(chat.id, user.id, context.lang_for(user, message.text))
