"""One update's database work in two round trips, beside the event loop (PostgreSQL, several processes).

With DATABASE_URL, any process may get any update, so each update reads its chat's shared state from
the store before it is handled and writes back what changed afterwards (bot/telegram/shared_state.py).
Done naively, an answer cost four or five synchronous round trips on the event loop (the state, the
user's /lang choice, the query log's INSERT ... RETURNING, a chat's first sighting, the state again),
and under load every one of them held up every other update of the process.

An `UpdateScope` (a context variable, set for the length of one update) gathers that work instead:

    before   one statement on a pooled asynchronous connection (`PostgresBackend.side_query`,
             psycopg's async API: the event loop serves other updates while it waits): the user's
             and the chat's data, the conversation steps, and the user's language; when this
             process's stock of query-log ids runs low, a new block of ids from the table's
             sequence rides along (UNION ALL).
    during   `Store.language` answers from what was read; `Store.log_query` takes an id from the
             stock and keeps the row; `Store.seen_chat` keeps its upsert. Nothing waits on the server.
    after    one statement, likewise: the changed state, the query-log rows and the chat upserts,
             each a data-modifying WITH clause (applied together or not at all). The reply has gone out by then; the chat's next update
             in this process waits for it (the per-chat lock), so its state is never read stale here.

A later write to a chat's row within the same update (marked blocked, migrated) first writes the
deferred sighting (`settle_chat`), so the two keep their order.

A query's id is known before its row is written (the buttons under an answer carry it); ids come in
blocks per process, so across processes ids are unique but only roughly in time order (`at` is
exact). A process killed between the reply and the write loses that update's log row and state
change, as a crash before the write always did. SQLite (one process) does not use any of this.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

ID_BLOCK = 32  # query-log ids taken from the sequence at a time, per process
ID_LOW = 8  # a new block is fetched with the next update's read when fewer remain


@dataclass
class UpdateScope:
    """What one update read from the store and what it will write back."""

    langs: dict[int, str | None] = field(default_factory=dict)
    writes: list[tuple[str, tuple]] = field(default_factory=list)
    open: bool = True


CURRENT: ContextVar[UpdateScope | None] = ContextVar("vtas_update_scope", default=None)


def current() -> UpdateScope | None:
    """The scope of the update being handled, while it can still take writes."""
    scope = CURRENT.get()
    return scope if scope is not None and scope.open else None


class IdStock:
    """Query-log ids handed out by this process, taken from the table's sequence in blocks."""

    def __init__(self, block: int = ID_BLOCK, low: int = ID_LOW) -> None:
        self.block = block
        self.low = low
        self._ids: deque[int] = deque()
        self._lock = threading.Lock()

    def wants_more(self) -> bool:
        return len(self._ids) < self.low

    def add(self, ids: list[int]) -> None:
        with self._lock:
            self._ids.extend(sorted(ids))

    def take(self, fetch: Callable[[int], list[int]]) -> int:
        """The next id; `fetch(n)` (a round trip) only when the stock is empty."""
        with self._lock:
            if self._ids:
                return self._ids.popleft()
        ids = sorted(fetch(self.block))
        with self._lock:
            self._ids.extend(ids[1:])
        return ids[0]


def conversations_where(keys: list[tuple[str, int]]) -> tuple[str, list[Any]]:
    """The WHERE clause and arguments for (scope, key) pairs of the conversations table."""
    where = " OR ".join("(scope = ? AND key = ?)" for _ in keys) or "FALSE"
    return where, [v for scope, key in keys for v in (scope, int(key))]


class UpdateStore:
    """The store's side of an update scope (mixed into bot.store.Store)."""

    backend: Any
    sql: Any
    _seal: Callable[[Any], str]
    _unseal: Callable[[str | None], Any]
    today: Callable[[], str]

    @property
    def shared(self) -> bool:  # Store's: True on PostgreSQL
        raise NotImplementedError

    @property
    def query_ids(self) -> IdStock:
        stock = self.__dict__.get("_query_ids")
        if stock is None:
            stock = self.__dict__["_query_ids"] = IdStock()
        return stock

    async def read_update(
        self, keys: list[tuple[str, int]], user_id: int | None
    ) -> tuple[dict[tuple[str, int], Any], dict[int, str | None]]:
        """An update's shared state and its user's language, in one statement on a pooled
        asynchronous connection; a block of query-log ids rides along when the stock runs low."""
        where, args = conversations_where(keys)
        parts = [f"SELECT 's', scope, key, data FROM conversations WHERE {where}"]
        if user_id is not None:
            parts.append("SELECT 'l', NULL, user_id, lang FROM users WHERE user_id = ?")
            args.append(int(user_id))
        stock = self.query_ids
        if stock.wants_more():
            parts.append(f"SELECT 'i', NULL, {NEXT_ID}, NULL FROM generate_series(1, ?)")
            args.append(stock.block)
        rows = await self.backend.side_query(" UNION ALL ".join(parts), args)
        states: dict[tuple[str, int], Any] = {}
        langs: dict[int, str | None] = {} if user_id is None else {int(user_id): None}
        ids: list[int] = []
        for kind, scope, key, data in rows:
            if kind == "s":
                value = self._unseal(data)
                if value is not None:
                    states[(scope, int(key))] = value
            elif kind == "l":
                langs[int(key)] = data
            else:
                ids.append(int(key))
        if ids:
            stock.add(ids)
        return states, langs

    async def write_update(self, changed: list[tuple[str, int, Any]], scope: UpdateScope) -> int:
        """The changed state and what the update kept for later (query-log rows, chat upserts): one
        statement (each write a data-modifying WITH clause, so all or none are applied) on a pooled
        asynchronous connection; the number of writes."""
        writes = [self.state_statement(s, k, v) for s, k, v in changed] + scope.writes
        scope.writes = []
        if writes:
            sql = "WITH " + ", ".join(f"w{n} AS ({stmt})" for n, (stmt, _) in enumerate(writes))
            await self.backend.side_query(
                sql + " SELECT 1", [arg for _, args in writes for arg in args]
            )
        return len(writes)

    def state_statement(self, scope: str, key: int, value: Any) -> tuple[str, tuple]:
        """SQL keeping (or, for None or an empty dict, forgetting) one piece of shared handler state."""
        if value is None or value == {}:
            return "DELETE FROM conversations WHERE scope = ? AND key = ?", (scope, int(key))
        return (
            "INSERT INTO conversations (scope, key, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (scope, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (scope, int(key), self._seal(value), self.today()),
        )

    def deferred(self) -> UpdateScope | None:
        """The update scope a write may be left to (shared store only), else None: write now."""
        return current() if self.shared else None

    def settle_chat(self, chat_id: int) -> None:
        """Before any other write to a chat's row inside an update: its deferred first sighting is
        written now, so the two land in the order they were made (a chat marked blocked or
        migrated by the update stays so)."""
        scope = self.deferred()
        if scope is None:
            return
        mine = [
            w for w in scope.writes if w[0].startswith(CHAT_UPSERT) and w[1][0] == int(chat_id)
        ]
        for write in mine:
            scope.writes.remove(write)
            self.sql.execute(*write)

    def next_query_id(self) -> int:
        return self.query_ids.take(self._fetch_query_ids)

    def _fetch_query_ids(self, n: int) -> list[int]:
        sql = f"SELECT {NEXT_ID} FROM generate_series(1, ?)"
        return [int(r[0]) for r in self.sql.execute(sql, (int(n),)).fetchall()]


NEXT_ID = "nextval(pg_get_serial_sequence('queries', 'id'))"
CHAT_UPSERT = "INSERT INTO chats "
