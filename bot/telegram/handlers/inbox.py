"""A person when the bot cannot answer.

1. A decline carries an "ask a person" button (when ADMIN_CHAT_ID is set) naming the logged query.
2. The asker presses it (only the asker: the query log's user hash must match): the question goes
   to ADMIN_CHAT_ID as an inbox item tagged #Q<id>, and the asker is told a reply will come.
3. An admin (ADMIN_IDS) replies to that item in the admin chat: the reply is relayed to the
   worker's chat, quoting their question (text with its formatting; other media copied).

Inbox items live in the state database (`inbox`), so a restart in between loses nothing.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext.filters import MessageFilter

from bot.i18n import t
from bot.kb.text import Lang
from bot.telegram import admin_render
from bot.telegram.context import BotContext, message_of, query_of, required
from bot.telegram.filters import bot_message_replied
from bot.telegram.handlers import handoff
from bot.telegram.handlers.admin import is_admin
from bot.telegram.recent import recent
from bot.telegram.render import MAX_TEXT, Reply
from bot.telegram.send import ack, reply_to, send

logger = logging.getLogger(__name__)


class _InboxReply(MessageFilter):
    """A reply to one of the bot's inbox items (its first line carries the #Q tag)."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        replied = bot_message_replied(message)
        if replied is None:
            return False
        return admin_render.INBOX_TAG.match(replied.text or replied.caption or "") is not None


INBOX_REPLY = _InboxReply(name="INBOX_REPLY")


async def ask_person(update: Update, context: BotContext) -> None:
    """The "ask a person" button: pass the question to the admin chat."""
    query = query_of(update)
    user = update.effective_user
    ops = context.services
    query_id = int(
        required(
            admin_render.CB_PERSON.match(query.data or ""), "question id in the button's data"
        ).group(1)
    )
    row = context.store.query(query_id)
    lang = context.stored_lang(user) or (row["lang"] if row else None) or context.lang_for(user)
    if ops.admin_chat_id is None:
        await ack(query, t("ib_unavailable", lang))
        return
    if row is None:
        await ack(query, t("tg_expired", lang))
        return
    if user is None or row["user_hash"] != context.store.hash_user(user.id):
        await ack(query, t("ib_not_yours", lang))
        return
    message = query.message
    if not isinstance(message, Message):
        await ack(query, t("tg_expired", lang))
        return
    # Where the answer will be quoted: the asker's message in a group, the bot's decline in private.
    anchor = (
        message.reply_to_message.message_id
        if message.reply_to_message is not None
        else message.message_id
    )
    item_id = context.store.open_inbox(
        query_id, message.chat.id, anchor, row["lang"], row["text"], ops.admin_chat_id
    )
    if item_id is None:
        await ack(query, t("ib_already", lang))
        return
    turns = recent(context.bot_data).last_turns(message.chat.id, user.id)
    html = handoff.staff_item(
        item_id,
        row["text"],
        row["lang"],
        user,
        message.chat.type,
        message.chat.title,
        turns,
        ops.admin_lang(),
        context.assistant,
    )
    try:
        sent = await context.bot.send_message(ops.admin_chat_id, html)
    except TelegramError as exc:
        logger.error("could not pass a question to the admin chat %s: %s", ops.admin_chat_id, exc)
        context.store.drop_inbox(item_id)
        await ack(query, t("ib_unavailable", lang))
        return
    context.store.set_inbox_message(item_id, sent.message_id)
    logger.info("question #Q%s passed to the admin chat", item_id)
    await ack(query)
    try:  # used: the 🙋 button goes away (until then it stays, whatever else is tapped)
        await query.edit_message_reply_markup(handoff.without_person_button(message.reply_markup))
    except TelegramError as exc:
        logger.debug("could not remove the person button: %s", exc)
    # Quoting the anchor: the asker's message in a group (never a quote in a private chat).
    await reply_to(
        context, message.reply_to_message or message, admin_render.plain("ib_sent", lang)
    )


async def admin_reply(update: Update, context: BotContext) -> None:
    """An admin's reply to an inbox item: relay it to the worker, in their chat."""
    message = message_of(update)
    user = update.effective_user
    ops = context.services
    if ops.admin_chat_id is None or message.chat_id != ops.admin_chat_id:
        # Inbox items exist only in the admin chat: elsewhere this is a reply to the bot like any other.
        from bot.telegram.filters import ADDRESSED
        from bot.telegram.handlers import questions

        if message.chat.type == ChatType.PRIVATE:
            await (questions.private_text if message.text else questions.private_other)(
                update, context
            )
        elif message.text and ADDRESSED.check_update(update):
            await questions.group_text(update, context)
        return
    if not is_admin(context, user.id if user else None):
        logger.warning("inbox reply refused: user %s is not an admin", user.id if user else "-")
        await reply_to(
            context, message, admin_render.plain("mx_inbox_not_admin", context.lang_for(user))
        )
        return
    admin_lang = context.lang_for(user)
    replied = required(
        message.reply_to_message, "replied-to inbox item"
    )  # the INBOX_REPLY filter saw one
    item = context.store.inbox_by_admin_message(message.chat_id, replied.message_id)
    if item is None:
        tag = admin_render.INBOX_TAG.match(replied.text or replied.caption or "")
        item = context.store.inbox_item(int(tag.group(1))) if tag else None
    if item is None:
        await reply_to(
            context,
            message,
            admin_render.plain("ib_unknown", admin_lang, id=tag.group(1) if tag else "?"),
        )
        return
    try:
        await _relay(context, item, message)
    except TelegramError as exc:
        logger.info("could not relay #Q%s to the worker: %s", item["id"], exc)
        context.store.inbox_answered(item["id"], "undeliverable")
        await reply_to(
            context, message, admin_render.plain("ib_undeliverable", admin_lang, id=item["id"])
        )
        return
    context.store.inbox_answered(item["id"])
    logger.info("answer to #Q%s relayed to the worker", item["id"])
    await reply_to(context, message, admin_render.plain("ib_relayed", admin_lang, id=item["id"]))


async def _relay(context: BotContext, item: dict, message: Message) -> None:
    lang: Lang = item["lang"] or "zh-Hant"
    chat_id = context.store.current_chat_id(item["chat_id"])
    text = admin_render.inbox_answer(
        item["text"], message.text_html if message.text else None, lang
    )
    copy = not message.text
    if len(text) > MAX_TEXT:
        # The header and a reply near Telegram's limit do not fit one message: the reply is copied as it is.
        text, copy = admin_render.inbox_answer(item["text"], None, lang), True
    sent = await send(
        context, chat_id, Reply([text], None, lang), quote=item["question_message_id"]
    )
    chat_id = sent[0].chat_id  # the supergroup, when the group was upgraded meanwhile
    if copy:  # a photo, document, voice note, or a very long text: copied as it is
        await context.bot.copy_message(chat_id, message.chat_id, message.message_id)
