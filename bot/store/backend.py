"""The two database servers the state store runs on, behind one small interface.

The store writes its SQL once, in the subset SQLite (3.35+) and PostgreSQL (12+) share: `?`
placeholders, `INSERT ... ON CONFLICT`, `RETURNING`, double-quoted names. A backend runs it:

    SqliteBackend    the default: one file under DATA_DIR, Python's sqlite3, WAL mode, as before
    PostgresBackend  DATABASE_URL=postgresql://...: psycopg 3, one connection per Store, autocommit
                     (the one session locks live on), and a small pool of asynchronous connections
                     (psycopg_pool) for each update's read and write in the event loop (`side_query`)

and supplies the few things that differ: the DDL of an auto-numbered id and of raw bytes, a local day from a stored
UTC time, table introspection, how migrations exclude each other (BEGIN IMMEDIATE on SQLite, an
advisory lock on PostgreSQL), and a lease's clock. psycopg is imported only in PostgreSQL mode, so
the SQLite default starts exactly as before.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# The advisory-lock key migrations take on PostgreSQL (any constant; "VTAS" in ASCII).
MIGRATION_LOCK_KEY = 0x56544153
# Asynchronous connections beside the main one, for each update's state and query-log rows
# (bot/store/update_scope.py): at most this many of a process's updates talk to the server at once.
SIDE_POOL_SIZE = 4


def is_database_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(
        ("postgresql://", "postgres://", "postgresql+psycopg://")
    )


class Backend:
    """What the store needs from a database; `execute` mirrors sqlite3's cursor interface."""

    dialect: str
    description: str  # where the data lives, for messages (never a password)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the result has fetchone(), fetchall(), rowcount and is iterable."""
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        """Rows as dicts."""
        raise NotImplementedError

    def atomic(self) -> contextlib.AbstractContextManager[Any]:
        """One transaction (a savepoint when nested)."""
        raise NotImplementedError

    def exclusive(self) -> contextlib.AbstractContextManager[Any]:
        """A transaction that no other process's `exclusive()` runs beside (migrations)."""
        raise NotImplementedError

    def table_names(self) -> set[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        raise NotImplementedError

    def primary_key(self, table: str) -> list[str]:
        raise NotImplementedError

    def auto_id(self) -> str:
        """Column DDL for an auto-numbered integer primary key."""
        raise NotImplementedError

    def blob(self) -> str:
        """Column type of raw bytes (BLOB on SQLite, BYTEA on PostgreSQL); both return Python bytes."""
        raise NotImplementedError

    def local_day(self, column: str, offset_minutes: int) -> str:
        """SQL for the ISO day (YYYY-MM-DD) of a stored UTC ISO time shifted by `offset_minutes`."""
        raise NotImplementedError

    def epoch_now(self) -> str:
        """SQL for the database's clock as Unix seconds (one value per statement)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteBackend(Backend):
    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        from sqlite_utils import Database

        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.description = str(path)
        # Autocommit (isolation_level=None): every statement is its own transaction unless in atomic().
        self.conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=10
        )
        self.db = Database(self.conn)  # sqlite-utils, for callers that used `store.db` on SQLite
        if self.path is not None:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        cursor = self.conn.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def atomic(self) -> contextlib.AbstractContextManager[Any]:
        return self.db.atomic()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock at once: a second process waits (busy timeout) and
        # then sees what the first one did.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def table_names(self) -> set[str]:
        return {
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f'PRAGMA table_info("{table}")')]

    def primary_key(self, table: str) -> list[str]:
        rows = [(r[5], r[1]) for r in self.conn.execute(f'PRAGMA table_info("{table}")') if r[5]]
        return [name for _, name in sorted(rows)]

    def auto_id(self) -> str:
        return "INTEGER PRIMARY KEY"

    def blob(self) -> str:
        return "BLOB"

    def local_day(self, column: str, offset_minutes: int) -> str:
        return f"date({column}, '{int(offset_minutes):+d} minutes')"

    def epoch_now(self) -> str:
        return "((julianday('now') - 2440587.5) * 86400.0)"

    def close(self) -> None:
        self.conn.close()


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|%")


def to_pyformat(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (and a literal % doubled), string literals left alone."""

    def swap(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return token.replace("%", "%%")

    return _PLACEHOLDER.sub(swap, sql)


class PostgresBackend(Backend):
    dialect = "postgresql"

    def __init__(self, url: str, *, connect_timeout: float = 10.0) -> None:
        import psycopg

        self._psycopg = psycopg
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.description = redact_url(self.url)
        self.connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._sql_cache: dict[str, str] = {}
        self._depth = 0
        self._side: Any = None
        self._side_open = False
        self.conn = self._connect()

    def _connect(self) -> Any:
        return self._psycopg.connect(
            self.url,
            autocommit=True,
            connect_timeout=int(self.connect_timeout),
            application_name="vtas-bot",
        )

    def _ready(self) -> Any:
        """The connection, opened again if the server dropped it (only between transactions)."""
        if self.conn.closed or self.conn.broken:
            if self._depth:
                raise self._psycopg.OperationalError(
                    "the connection to PostgreSQL was lost inside a transaction"
                )
            self.conn = self._connect()
        return self.conn

    def _sql(self, sql: str) -> str:
        out = self._sql_cache.get(sql)
        if out is None:
            out = self._sql_cache[sql] = to_pyformat(sql)
        return out

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            return self._ready().execute(self._sql(sql), tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        from psycopg.rows import dict_row

        with self._lock:
            with self._ready().cursor(row_factory=dict_row) as cursor:
                cursor.execute(self._sql(sql), tuple(params))
                return list(cursor.fetchall())

    @contextlib.contextmanager
    def atomic(self) -> Iterator[PostgresBackend]:
        with self._lock:
            conn = self._ready()
            self._depth += 1
            try:
                with conn.transaction():
                    yield self
            finally:
                self._depth -= 1

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self.atomic():
            self.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK_KEY,))
            yield

    def table_names(self) -> set[str]:
        return {
            r[0]
            for r in self.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            ).fetchall()
        }

    def columns(self, table: str) -> list[str]:
        return [
            r[0]
            for r in self.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = ? ORDER BY ordinal_position",
                (table,),
            ).fetchall()
        ]

    def primary_key(self, table: str) -> list[str]:
        return [
            r[0]
            for r in self.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident(?))::regclass AND i.indisprimary "
                "ORDER BY array_position(i.indkey, a.attnum)",
                (table,),
            ).fetchall()
        ]

    def auto_id(self) -> str:
        return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def blob(self) -> str:
        return "BYTEA"

    def local_day(self, column: str, offset_minutes: int) -> str:
        return (
            f"to_char(({column})::timestamptz AT TIME ZONE 'UTC' + interval '{int(offset_minutes)} minutes', "
            "'YYYY-MM-DD')"
        )

    def epoch_now(self) -> str:
        return "EXTRACT(EPOCH FROM statement_timestamp())::float8"

    async def side_query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one statement on a pooled asynchronous connection (not the main one, which the
        session locks live on); its rows. The event loop's per-update read and write go here, so it
        never blocks on the server (bot/store/update_scope.py)."""
        pool = await self._side_pool()
        async with pool.connection() as conn:
            cursor = await conn.execute(self._sql(sql), tuple(params))
            return list(await cursor.fetchall()) if cursor.description is not None else []

    async def _side_pool(self) -> Any:
        if self._side is None:
            from psycopg_pool import AsyncConnectionPool

            pool = AsyncConnectionPool(
                self.url,
                min_size=1,
                max_size=SIDE_POOL_SIZE,
                kwargs={
                    "autocommit": True,
                    "connect_timeout": int(self.connect_timeout),
                    "application_name": "vtas-bot",
                },
                timeout=self.connect_timeout,
                name="vtas-side",
                open=False,
            )
            if self._side is None:  # no await between the look and the claim
                self._side = pool
        side = self._side
        if not self._side_open:
            await side.open()  # safe to call again while another coroutine opens it
            self._side_open = True
        return side

    async def close_side(self) -> None:
        """Close the pooled connections (in the event loop that used them)."""
        if self._side is not None:
            pool, self._side, self._side_open = self._side, None, False
            await pool.close()

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def redact_url(url: str) -> str:
    """A database URL fit for logs: the password replaced."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def open_backend(target: Path | str) -> Backend:
    """A PostgreSQL URL or an SQLite path (":memory:" for a throw-away database)."""
    if is_database_url(target):
        return PostgresBackend(str(target))
    return SqliteBackend(target)
