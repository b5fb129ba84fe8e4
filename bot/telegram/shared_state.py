"""Per-chat state from the store, for several processes behind one webhook (PostgreSQL mode).

With one process, PTB keeps `context.user_data`, `context.chat_data` and each ConversationHandler's
step in memory. Behind a proxy, the next update of a chat may reach another process, so in shared
mode `SharedStateUpdateProcessor` (the per-chat processor of bot/telegram/app.py) wraps every update:

    before   the user's and the chat's data, the conversation steps for (chat, user) and the user's
             language are read from the store (one round trip on a pooled asynchronous
             connection) into PTB's dictionaries;
    after    whatever changed is written back, with the update's query-log rows and chat upserts
             (one round trip; nothing is written when nothing changed). See
             bot/store/update_scope.py: the event loop never waits on the server for an answer.

Updates of one chat run one at a time within a process (the per-chat lock); two processes
handling the same chat at the very same moment would keep the later write. A conversation's
timeout fires in the process that handled its last step. SQLite mode does not use this.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.store import update_scope
from bot.store.update_scope import UpdateScope
from bot.telegram.app import PerChatUpdateProcessor

if TYPE_CHECKING:
    from bot.store import Store

logger = logging.getLogger(__name__)


class SharedStateUpdateProcessor(PerChatUpdateProcessor):
    def __init__(self, store: Store, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.application: Application | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.application is None or not isinstance(update, Update):
            await super().do_process_update(update, coroutine)
            return
        await super().do_process_update(update, self._with_state(update, coroutine))

    async def _with_state(self, update: Update, coroutine: Awaitable[Any]) -> None:
        keys = self._keys(update)
        user = update.effective_user
        try:
            # One round trip on an asynchronous connection: the event loop serves others meanwhile.
            found, langs = await self.store.read_update(
                list(keys.values()), user.id if user else None
            )
        except Exception:  # noqa: BLE001 - the store is away: answer from this process's memory
            logger.warning("could not read shared chat state; using this process's", exc_info=True)
            await coroutine
            return
        before = self._apply(update, keys, found)
        scope = UpdateScope(langs=langs)
        token = update_scope.CURRENT.set(scope)
        try:
            await coroutine
        finally:
            update_scope.CURRENT.reset(token)
            scope.open = False  # anything later (a task the handler left running) writes at once
            try:
                changed = self._changed(update, keys, before)
                if changed or scope.writes:
                    await self.store.write_update(changed, scope)
            except Exception:  # noqa: BLE001 - best effort, as the answer has gone out
                logger.warning("could not write shared chat state", exc_info=True)

    async def shutdown(self) -> None:
        # The pooled connections of bot/store/update_scope.py (PostgreSQL).
        close = getattr(self.store.backend, "close_side", None)
        if close is not None:
            await close()

    def _conversations(self) -> list[ConversationHandler]:
        assert self.application is not None
        return [
            h
            for group in self.application.handlers.values()
            for h in group
            if isinstance(h, ConversationHandler) and h.name
        ]

    def _keys(self, update: Update) -> dict[str, tuple[str, int]]:
        keys: dict[str, tuple[str, int]] = {}
        user, chat = update.effective_user, update.effective_chat
        if user is not None:
            keys["user"] = ("user", user.id)
        if chat is not None:
            keys["chat"] = ("chat", chat.id)
        if user is not None and chat is not None:
            keys["conv"] = (f"conv:{chat.id}", user.id)
        return keys

    def _apply(
        self, update: Update, keys: dict[str, tuple[str, int]], found: dict[tuple[str, int], Any]
    ) -> dict[str, bytes]:
        """Put what the store holds into PTB's dictionaries; their pickles, to see changes later."""
        app = self.application
        assert app is not None
        before: dict[str, bytes] = {}
        if "user" in keys:
            data = found.get(keys["user"]) or {}
            app._user_data[keys["user"][1]] = data  # noqa: SLF001 - PTB's store behind context.user_data
            before["user"] = pickle.dumps(data)
        if "chat" in keys:
            data = found.get(keys["chat"]) or {}
            app._chat_data[keys["chat"][1]] = data  # noqa: SLF001
            before["chat"] = pickle.dumps(data)
        if "conv" in keys:
            steps = found.get(keys["conv"]) or {}
            for handler in self._conversations():
                key = handler._get_key(update)  # noqa: SLF001
                if handler.name in steps:
                    handler._conversations[key] = steps[handler.name]  # noqa: SLF001
                else:
                    handler._conversations.pop(key, None)  # noqa: SLF001
            before["conv"] = pickle.dumps(steps)
        return before

    def _changed(
        self, update: Update, keys: dict[str, tuple[str, int]], before: dict[str, bytes]
    ) -> list[tuple[str, int, Any]]:
        """The (scope, key, value) pieces of state the update changed."""
        app = self.application
        assert app is not None
        now: dict[str, Any] = {}
        if "user" in keys:
            now["user"] = app._user_data.get(keys["user"][1]) or {}  # noqa: SLF001
        if "chat" in keys:
            now["chat"] = app._chat_data.get(keys["chat"][1]) or {}  # noqa: SLF001
        if "conv" in keys:
            steps = {}
            for handler in self._conversations():
                state = handler._conversations.get(handler._get_key(update))  # noqa: SLF001
                if isinstance(
                    state, (int, str)
                ):  # a step (pending non-blocking ones are not shared)
                    steps[handler.name] = state
            now["conv"] = steps
        return [
            (*keys[part], value)
            for part, value in now.items()
            if pickle.dumps(value) != before.get(part)
        ]


def processor_for(store: Store) -> PerChatUpdateProcessor:
    """The update processor: shared state on a shared store, PTB's memory otherwise."""
    if getattr(store, "shared", False):
        return SharedStateUpdateProcessor(store)
    return PerChatUpdateProcessor()
