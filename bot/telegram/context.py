"""The typed handler context: every handler reaches the engine, the store and the flood gate here.

`Services` is put in `application.bot_data["services"]` when the Application is built
(bot/telegram/app.py); `BotContext` (PTB's ContextTypes) exposes it with types.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from telegram import User
from telegram.ext import CallbackContext, ExtBot

from bot.kb.text import Lang, detect_lang, normalise
from bot.telegram.flood import FloodGate
from bot.telegram.listing import lang_from_code

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.store import Store

DEFAULT_LANG: Lang = "zh-Hant"


@dataclass
class Services:
    assistant: "Assistant"
    store: "Store"
    flood: FloodGate
    today: Callable[[], date]
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    config: Any = None  # the Config the Application was built from (admin operations read their settings here)


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.bot_data["services"]

    @property
    def assistant(self) -> "Assistant":
        return self.services.assistant

    @property
    def store(self) -> "Store":
        return self.services.store

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
