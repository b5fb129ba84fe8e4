"""The typed handler context: every handler reaches the engine, the store and the flood gate here.

`Services` is put in `application.bot_data["services"]` when the Application is built
(bot/telegram/app.py); `BotContext` (PTB's ContextTypes) exposes it with types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.ext import CallbackContext, ExtBot

from bot.dialogue import Conversation, Conversations
from bot.i18n import lang_from_code
from bot.kb.text import Lang, detect_lang, normalise
from bot.telegram.flood import FloodGate

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.store import Store

DEFAULT_LANG: Lang = "zh-Hant"
T = TypeVar("T")


@dataclass
class Services:
    assistant: Assistant
    store: Store
    flood: FloodGate
    today: Callable[[], date]
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    config: Any = None  # the Config the Application was built from (admin operations read their settings here)
    # Follow-ups: one conversation per private chat, and per user and forum topic in a group.
    conversations: Conversations = field(default_factory=Conversations)


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.bot_data["services"]

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
