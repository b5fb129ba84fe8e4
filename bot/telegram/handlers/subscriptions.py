"""Group subscriptions: /subscribe, /unsubscribe and /reminders on|off, in a group.

Allowed for that group's administrators (asked of Telegram with getChatMember; an anonymous admin
posting as the group counts) and for the bot's admins. Removal of the bot from a group unsubscribes
it (handlers/chats.py); a group upgraded to a supergroup keeps its subscription (Store.migrate_chat).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.i18n import t
from bot.telegram import admin_render
from bot.telegram.context import BotContext, chat_of, message_of
from bot.telegram.handlers.admin import is_admin
from bot.telegram.send import reply_to

logger = logging.getLogger(__name__)
GROUP_ADMIN = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def may_manage(update: Update, context: BotContext) -> bool:
    """A bot admin, an admin of this group, or an anonymous admin writing as the group."""
    user, chat, message = update.effective_user, chat_of(update), update.effective_message
    if user is not None and is_admin(context, user.id):
        return True
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        logger.info("could not check a member's status in group %s: %s", chat.id, exc)
        return False
    return member.status in GROUP_ADMIN


async def group_checked(
    update: Update,
    context: BotContext,
    what: str,
    group_only: str = "sub_group_only",
    not_allowed: str = "sub_not_allowed",
) -> bool:
    """In a group, by someone allowed to manage it; otherwise say why not (the catalog keys name the
    two refusals) and log a refused attempt."""
    chat, user = update.effective_chat, update.effective_user
    lang = context.lang_for(user)
    if chat is None or chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await reply_to(context, message_of(update), admin_render.plain(group_only, lang))
        return False
    if not await may_manage(update, context):
        logger.warning(
            "%s refused in group %s: user %s is not an admin of it",
            what,
            chat.id,
            user.id if user else "-",
        )
        await reply_to(context, message_of(update), admin_render.plain(not_allowed, lang))
        return False
    return True


async def subscribe(update: Update, context: BotContext) -> None:
    if not await group_checked(update, context, "/subscribe"):
        return
    chat = chat_of(update)  # a group: group_checked() made sure
    lang = context.lang_for(update.effective_user)
    context.store.upsert_chat(chat.id, chat.type, chat.title)
    new = context.store.subscribe(chat.id, lang)
    logger.info("group %s %s", chat.id, "subscribed" if new else "was already subscribed")
    await reply_to(
        context, message_of(update), admin_render.plain("sub_done" if new else "sub_already", lang)
    )


async def unsubscribe(update: Update, context: BotContext) -> None:
    if not await group_checked(update, context, "/unsubscribe"):
        return
    chat = chat_of(update)  # a group: group_checked() made sure
    lang = context.lang_for(update.effective_user)
    gone = context.store.unsubscribe(chat.id)
    logger.info("group %s %s", chat.id, "unsubscribed" if gone else "was not subscribed")
    await reply_to(
        context,
        message_of(update),
        admin_render.plain("unsub_done" if gone else "unsub_not", lang),
    )


async def reminders(update: Update, context: BotContext) -> None:
    """/reminders on|off: event reminders for this group (announcements are not affected)."""
    if not await group_checked(update, context, "/reminders"):
        return
    chat = chat_of(update)  # a group: group_checked() made sure
    lang = context.lang_for(update.effective_user)
    subscription = context.store.subscription(chat.id)
    if subscription is None:
        await reply_to(context, message_of(update), admin_render.plain("rem_not_subscribed", lang))
        return
    arg = " ".join(context.args or []).strip().lower()
    if arg in ("on", "off", "開", "关", "關", "开"):
        on = arg in ("on", "開", "开")
        context.store.set_reminders(chat.id, on)
        await reply_to(
            context, message_of(update), admin_render.plain("rem_on" if on else "rem_off", lang)
        )
        return
    state = t("rem_state_on" if subscription["reminders"] else "rem_state_off", lang)
    await reply_to(context, message_of(update), admin_render.plain("rem_usage", lang, state=state))
