"""The typed handler context: every handler and job reaches the engine, the store, flood control
and the admin operations through one object, `Services`.

`build_application` (bot/telegram/app.py) builds the one `Services` and puts it in
`application.bot_data["services"]`; `BotContext.services` (PTB's ContextTypes) hands it to handlers
with its types; jobs and callbacks outside a handler use `services_of(application)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, TypeVar

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot.dialogue import Conversation, Conversations
from bot.i18n import lang_from_code
from bot.kb.text import Lang, detect_lang, normalise
from bot.telegram.flood import FloodGate

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.config import Config
    from bot.store import Store
    from bot.telegram.broadcast import Broadcaster, Pacer
    from bot.telegram.operations import Reloader
    from bot.telegram.reminders import Reminders
    from bot.telegram.render import Reply

logger = logging.getLogger(__name__)
DEFAULT_LANG: Lang = "zh-Hant"
T = TypeVar("T")


@dataclass
class Services:
    """What the bot runs on, built once per Application (bot/telegram/app.py `build_application`),
    started in its post_init and stopped in its post_shutdown (bot/telegram/operations.py)."""

    application: Application
    config: Config
    assistant: Assistant
    store: Store
    flood: FloodGate
    today: Callable[[], date]  # the date of /events and the eligibility rules (the Assistant's)
    now: Callable[[], datetime]  # the workers' local time: reminders, schedules; tests move it
    tz: tzinfo
    pacer: Pacer  # one pace for broadcasts, reminders and announcements (TELEGRAM_MAX_RATE)
    broadcaster: Broadcaster
    reminders: Reminders
    reloader: Reloader
    # Follow-ups: one conversation per private chat, and per user and forum topic in a group.
    conversations: Conversations = field(default_factory=Conversations)

    @property
    def admin_ids(self) -> frozenset[int]:
        return self.config.admin_ids

    @property
    def admin_chat_id(self) -> int | None:
        return self.config.admin_chat_id

    def admin_lang(self) -> Lang:
        """The language of notices to ADMIN_CHAT_ID: the first admin's /lang choice, else Traditional Chinese."""
        for admin in sorted(self.admin_ids):
            lang = self.store.language(admin)
            if lang:
                return lang  # type: ignore[return-value]
        return DEFAULT_LANG

    async def send(self, chat_id: int, reply: Reply) -> list[Message]:
        """Send a reply's parts to a chat outside any update (notices, reports); errors logged, never raised."""
        sent = []
        last = len(reply.parts) - 1
        for i, part in enumerate(reply.parts):
            try:
                sent.append(
                    await self.application.bot.send_message(
                        chat_id, part, reply_markup=reply.markup if i == last else None
                    )
                )
            except TelegramError as exc:
                logger.warning("could not send an admin notice to chat %s: %s", chat_id, exc)
                break
        return sent

    async def notify_admins(self, reply: Reply) -> None:
        if self.admin_chat_id is not None:
            await self.send(self.admin_chat_id, reply)


def services_of(application: Application) -> Services:
    """The Services of an Application built by `build_application`."""
    return application.bot_data["services"]


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return services_of(self.application)

    @property
    def assistant(self) -> Assistant:
        return self.services.assistant

    @property
    def store(self) -> Store:
        return self.services.store

    def conversation(self, message: Message | None, user: User | None) -> Conversation | None:
        """The conversation a message belongs to: its chat, its sender and its forum topic."""
        if message is None:
            return None
        thread = message.message_thread_id if message.is_topic_message else None
        return self.services.conversations.get(
            (message.chat.id, user.id if user else None, thread)
        )

    def stored_lang(self, user: User | None) -> Lang | None:
        """The language the user chose with /lang, if any."""
        return self.store.language(user.id) if user is not None else None  # type: ignore[return-value]

    def lang_for(self, user: User | None, text: str | None = None) -> Lang:
        """The reply language: the user's /lang choice, else the script of `text`, else their Telegram language."""
        stored = self.stored_lang(user)
        if stored:
            return stored
        if text and any(ch.isalnum() for ch in normalise(text)):
            return detect_lang(text)
        return lang_from_code(user.language_code if user else None) or DEFAULT_LANG


# -- the parts of an update a handler's registration guarantees ------------------------------------------
# PTB types them all as optional (an Update carries one kind of thing). A handler registered for
# messages always has a message, a CallbackQueryHandler a callback query, and so on: these return
# it, or raise (to the error handler, as any bug does) if the registration and the handler disagree.


class MissingPart(LookupError):
    """An update, or a value derived from it, lacks what its handler's registration promised."""


def required(value: T | None, what: str) -> T:
    """`value`, which the handler's filters or pattern guarantee; MissingPart if it is None after all."""
    if value is None:
        raise MissingPart(f"no {what}")
    return value


def message_of(update: Update) -> Message:
    """The message (or edited message) a message or command handler was called for."""
    return required(update.effective_message, "message in the update")


def query_of(update: Update) -> CallbackQuery:
    """The button press a CallbackQueryHandler was called for."""
    return required(update.callback_query, "callback query in the update")


def chat_of(update: Update) -> Chat:
    """The chat of a message or of a pressed button's message."""
    return required(update.effective_chat, "chat in the update")


def user_of(update: Update) -> User:
    """The sender of a message or the presser of a button."""
    return required(update.effective_user, "user in the update")
