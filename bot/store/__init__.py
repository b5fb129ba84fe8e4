"""The state database: what users chose and what the bot has seen, kept across restarts.

One database behind small verbs: an SQLite file (`config.state_path`, WAL mode, the default) or a
PostgreSQL server (DATABASE_URL) shared by several bot processes; bot/store/backend.py runs the
same SQL on both. The schema moves forward through numbered migrations (bot/store/migrations.py),
applied once even when several processes start together, and is never rebuilt.

The database is never silently replaced: DATA_DIR keeps a marker (`state.id`) naming the database
it was used with, and a Store refuses to open an empty or different database while the marker is
there, unless told to start afresh (STATE_START_FRESH=1 or `bot.py migrate --fresh`).

Privacy: the query log holds a salted hash of the user id, never the id itself. The salt lives
outside the database (USER_HASH_SALT, or a 0600 file `user_hash.salt` in DATA_DIR), so a copy of
the database alone cannot link hashes back to the private chat ids beside them; chats and users
keep dates to the day, not times; phone and ID numbers are masked in stored question texts, and
question texts are dropped after QUERY_TEXT_DAYS (the counts stay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import pickle
import secrets
import socket
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.kb.text import LANGS
from bot.store import migrations
from bot.store.admin import AdminStore, inserted_id
from bot.store.announcements import AnnouncementStore
from bot.store.backend import Backend, SqliteBackend, open_backend
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.privacy import mask_numbers
from bot.store.review import ReviewStore
from bot.store.stats import Stats, StatsStore
from bot.store.update_scope import UpdateStore

if TYPE_CHECKING:
    from bot.config import Config

__all__ = [
    "GROUP_TYPES",
    "MAX_LOGGED_CHARS",
    "StateError",
    "Stats",
    "Store",
    "utc_now",
]  # Stats: re-exported for callers

logger = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500
GROUP_TYPES = ("group", "supergroup")
MARKER_FILE = "state.id"
SALT_FILE = "user_hash.salt"


class StateError(RuntimeError):
    """The state store cannot be used as it is; the message says what to do."""


_HELD = (
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 0 "
    "AND objid::bigint = ? AND objsubid = 1 AND granted"
)


def lock_key(name: str, namespace: str = "") -> int:
    """A PostgreSQL advisory-lock key for a lease name in a schema (advisory locks are per database,
    so two bots in two schemas of one database need distinct keys); 31 bits, so pg_locks shows it
    in objid."""
    return zlib.crc32(f"vtas:{namespace}:{name}".encode()) & 0x7FFFFFFF


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def process_id() -> str:
    """This process, as lease holders and heartbeats name it."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Store(AdminStore, StatsStore, ReviewStore, AnnouncementStore, UpdateStore):
    """Small verbs over the state database. Use from one thread (the bot's event loop).

    Admin operations (subscriptions, broadcasts, reminders, inbox) are in bot/store/admin.py, statistics
    and the CSV export in bot/store/stats.py, the review log (/review, knowledge files over Telegram) in
    bot/store/review.py, announcements (tags, versions, schedules, edit/delete everywhere) in
    bot/store/announcements.py.

    `target` is an SQLite path (":memory:" for a throw-away one) or a postgresql:// URL. `data_dir`
    (default: the SQLite file's folder) holds the marker and the salt file; `salt` (USER_HASH_SALT)
    replaces the file; `fresh` accepts an empty or different database where the marker shows an
    earlier one."""

    def __init__(
        self,
        path: Path | str,
        *,
        migrations: Iterable[tuple[int, Migration]] = MIGRATIONS,
        now: Callable[[], str] = utc_now,
        data_dir: Path | str | None = None,
        salt: str | bytes | None = None,
        fresh: bool = False,
    ) -> None:
        self.backend: Backend = open_backend(path)
        self.sql = self.backend
        # `db`: sqlite-utils' Database on SQLite (as before), the backend itself on PostgreSQL.
        self.db: Any = self.backend.db if isinstance(self.backend, SqliteBackend) else self.backend
        self.path = self.backend.path if isinstance(self.backend, SqliteBackend) else None
        if data_dir is None and self.path is not None:
            data_dir = self.path.parent
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.now = now
        self.holder = process_id()
        # Several processes (bot/telegram/cluster.py): claims need this lease, unexpired, in the database;
        # and start-up recovery waits for a takeover of the sender lease.
        self.fence: tuple[str, str] | None = None
        self.coordinated = False
        self._schema: str | None = None
        try:
            self._check_marker_before(fresh)
            self.applied = self._migrate(list(migrations))
            self._salt = self._ensure_salt(salt)
            self.instance_id = self._check_marker_after(fresh)
        except BaseException:
            self.backend.close()
            raise
        self._known_chats: set[int] = set()

    @classmethod
    def open(cls, path: Path | str, **kwargs: Any) -> Store:
        return cls(path, **kwargs)

    @classmethod
    def from_config(cls, config: Config, **kwargs: Any) -> Store:
        """The store the settings name: DATABASE_URL if set, else DATA_DIR/state.sqlite."""
        target = config.database_url.get_secret_value() or config.state_path
        kwargs.setdefault("data_dir", config.data_dir)
        kwargs.setdefault("salt", config.user_hash_salt.get_secret_value() or None)
        kwargs.setdefault("fresh", bool(config.state_start_fresh))
        return cls(target, **kwargs)

    @property
    def shared(self) -> bool:
        """True on a database server several processes share (PostgreSQL)."""
        return self.backend.dialect != "sqlite"

    def close(self) -> None:
        self.backend.close()

    # -- schema ------------------------------------------------------------------------------

    def _migrate(self, migrations: list[tuple[int, Migration]]) -> list[int]:
        versions = [v for v, _ in migrations]
        if versions != list(range(1, len(versions) + 1)):
            raise ValueError(f"migration versions must be 1..n in order, got {versions}")
        if "migrations" in self.backend.table_names():
            done = {
                row[0] for row in self.sql.execute("SELECT version FROM migrations").fetchall()
            }
            if done == set(versions):
                return []  # the usual start: nothing to do, no write lock taken
        with self.backend.exclusive():
            self.sql.execute(
                "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
            )
        applied = []
        for version, func in migrations:
            # Each migration in its own transaction that excludes other processes: the second of two
            # processes starting together waits, then finds it done.
            with self.backend.exclusive():
                recorded = dict(
                    self.sql.execute("SELECT version, name FROM migrations").fetchall()
                )
                done = set(recorded)
                newer = [v for v in done if v > len(migrations)]
                if newer:
                    raise StateError(
                        f"state database {self.backend.description} has migrations {sorted(newer)} "
                        "this code does not know: run the newer version of the bot"
                    )
                names = dict(migrations)
                foreign = sorted(
                    v
                    for v, name in recorded.items()
                    if v in names and name and name != names[v].__name__
                )
                if foreign:  # e.g. a development build's numbering before a merge renumbered it
                    raise StateError(
                        f"state database {self.backend.description} applied other migrations under the numbers "
                        f"{foreign} ({', '.join(str(recorded[v]) for v in foreign)}) than this code has: it came "
                        "from a development build; start afresh with an empty database"
                    )
                if version in done:
                    continue
                func(self.backend)
                self.sql.execute(
                    "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, func.__name__, self.now()),
                )
            logger.info("state database: applied migration %d (%s)", version, func.__name__)
            applied.append(version)
        return applied

    @property
    def version(self) -> int:
        row = self.sql.execute("SELECT MAX(version) FROM migrations").fetchone()
        return int(row[0] or 0)

    def pending_migrations(
        self, migrations: Iterable[tuple[int, Migration]] = MIGRATIONS
    ) -> list[int]:
        done = {row[0] for row in self.sql.execute("SELECT version FROM migrations").fetchall()}
        return [v for v, _ in migrations if v not in done]

    # -- the database's identity and the salt ------------------------------------------------------

    def _marker(self) -> Path | None:
        return (
            self.data_dir / MARKER_FILE
            if self.data_dir is not None and self.path != Path(":memory:")
            else None
        )

    def _check_marker_before(self, fresh: bool) -> None:
        marker = self._marker()
        # The marker first, then the database: a process starting beside us writes the marker only
        # after migrating, so a marker seen before an empty database means the database was emptied.
        seen = marker is not None and marker.is_file()
        if seen and not fresh and "migrations" not in self.backend.table_names():
            raise StateError(
                f"the state database {self.backend.description} is empty, but {marker} shows this bot kept its "
                "state there before (subscriptions, broadcasts, the inbox would be lost): restore the database "
                "from a backup, or start afresh with STATE_START_FRESH=1 (or `python bot.py migrate --fresh`)"
            )

    def _check_marker_after(self, fresh: bool) -> str:
        """The database's id (made once, by whichever of several starting processes comes first),
        checked against DATA_DIR's marker, which is then written."""
        row = self.sql.execute("SELECT value FROM meta WHERE key = 'instance_id'").fetchone()
        if row is None:
            self.sql.execute(
                "INSERT INTO meta (key, value) VALUES ('instance_id', ?) ON CONFLICT (key) DO NOTHING",
                (uuid.uuid4().hex,),
            )
            row = self.sql.execute("SELECT value FROM meta WHERE key = 'instance_id'").fetchone()
        instance = str(row[0])
        marker = self._marker()
        recorded = (
            marker.read_text(encoding="utf-8").strip()
            if marker is not None and marker.is_file()
            else None
        )
        if recorded and recorded != instance and not fresh:
            raise StateError(
                f"the state database {self.backend.description} is not the one {marker} names (another "
                "deployment's, or a different copy): point DATA_DIR or DATABASE_URL at the right one, or "
                "start afresh with STATE_START_FRESH=1 (or `python bot.py migrate --fresh`)"
            )
        if marker is not None and recorded != instance:
            marker.parent.mkdir(parents=True, exist_ok=True)
            tmp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
            tmp.write_text(instance + "\n", encoding="utf-8")
            tmp.replace(marker)  # whole or not at all: a reader never sees half an id
        return instance

    def _ensure_salt(self, given: str | bytes | None) -> bytes:
        """The salt of user hashes, from the setting, else the file in DATA_DIR (made once, 0600).
        An older database kept it inside: it moves to the file (hashes stay the same) and leaves."""
        row = self.sql.execute("SELECT value FROM meta WHERE key = 'user_hash_salt'").fetchone()
        legacy = bytes.fromhex(row[0]) if row else None
        if given:
            salt = given.encode("utf-8") if isinstance(given, str) else bytes(given)
        elif self.data_dir is None or self.path == Path(":memory:"):
            salt = legacy or secrets.token_bytes(32)
        else:
            salt = _salt_file(self.data_dir / SALT_FILE, legacy)
        if legacy is not None:
            self.sql.execute("DELETE FROM meta WHERE key = 'user_hash_salt'")
        check = hashlib.sha256(b"user-hash-salt-check:" + salt).hexdigest()[:16]
        stored = self.get_meta("user_hash_salt_check")
        if stored is None:
            self.sql.execute(
                "INSERT INTO meta (key, value) VALUES ('user_hash_salt_check', ?) "
                "ON CONFLICT (key) DO NOTHING",
                (check,),
            )
            stored = self.get_meta("user_hash_salt_check")
        if stored != check:
            logger.warning(
                "the user-hash salt differs from the one this database was used with: user hashes in "
                "the query log will not match earlier ones (set the same USER_HASH_SALT everywhere)"
            )
        return salt

    # -- settings shared by processes -----------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.sql.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.sql.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- leases: one holder at a time across processes ------------------------------------------------

    def acquire_lease(
        self,
        name: str,
        seconds: float,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
        take: bool = False,
    ) -> bool:
        """Take or renew lease `name` for `seconds`; True while this holder has it. A lease its holder
        stopped renewing (a dead process) is free once it expires. `take`: overwrite it whatever it
        says (the caller holds the session lock of the same name, which proves the old holder gone)."""
        holder = holder or self.holder
        now = clock()
        cursor = self.sql.execute(
            "INSERT INTO leases (name, holder, expires_at, acquired_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
            "acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END "
            "WHERE leases.holder = excluded.holder OR leases.expires_at < ? OR ?",
            (name, holder, now + float(seconds), now, now, bool(take)),
        )
        return cursor.rowcount == 1

    def hold_session_lock(self, name: str) -> bool:
        """PostgreSQL: hold the advisory lock `name` on this store's connection (True if held now). The
        server frees it the moment the process dies (its connection closes), so a survivor takes over
        at its next try, not after an expiry. SQLite: always True (one process per DATA_DIR)."""
        if not self.shared:
            return True
        key = self.lock_key(name)
        if self.sql.execute(_HELD, (key,)).fetchone() is not None:
            return True
        return bool(self.sql.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()[0])

    def sender_tick(
        self,
        name: str,
        heartbeat: str,
        seconds: float,
        digest_key: str,
        holder: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> dict[str, Any]:
        """PostgreSQL: a cluster tick in one statement (bot/telegram/cluster.py) instead of five or six:
        this process's `heartbeat` lease; the session lock `name` kept or tried and, while held, its
        lease row taken (as `acquire_lease(..., take=True)`); whether broadcasts or edit/delete jobs
        are waiting; and the meta value `digest_key`. Keys: held, sending, copying, digest."""
        holder = holder or self.holder
        now = clock()
        until = now + float(seconds)
        key = self.lock_key(name)
        upsert = (
            "INSERT INTO leases (name, holder, expires_at, acquired_at) {rows} "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
            "acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at "
            "ELSE excluded.acquired_at END"
        )
        row = self.sql.execute(
            "WITH lk AS MATERIALIZED (SELECT CASE WHEN EXISTS (" + _HELD + ") THEN TRUE "
            "ELSE pg_try_advisory_lock(?) END AS held), "
            "hb AS (" + upsert.format(rows="VALUES (?, ?, ?, ?)") + " "
            "WHERE leases.holder = excluded.holder OR leases.expires_at < ?), "
            "sl AS (" + upsert.format(rows="SELECT ?, ?, ?, ? FROM lk WHERE lk.held") + ") "
            "SELECT lk.held, EXISTS (SELECT 1 FROM broadcasts WHERE status = 'sending'), "
            "EXISTS (SELECT 1 FROM copy_ops WHERE status = 'sending'), "
            "(SELECT value FROM meta WHERE key = ?) FROM lk",
            (key, key, heartbeat, holder, until, now, now, name, holder, until, now, digest_key),
        ).fetchone()
        return {
            "held": bool(row[0]),
            "sending": bool(row[1]),
            "copying": bool(row[2]),
            "digest": row[3],
        }

    def release_session_lock(self, name: str) -> None:
        if self.shared and self.sql.execute(_HELD, (self.lock_key(name),)).fetchone() is not None:
            self.sql.execute("SELECT pg_advisory_unlock(?)", (self.lock_key(name),))

    def lock_key(self, name: str) -> int:
        if self._schema is None:
            self._schema = (
                str(self.sql.execute("SELECT current_schema()").fetchone()[0])
                if self.shared
                else ""
            )
        return lock_key(name, self._schema)

    def release_lease(self, name: str, holder: str | None = None) -> None:
        self.sql.execute(
            "DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder or self.holder)
        )

    def lease(self, name: str) -> dict | None:
        rows = self.sql.query("SELECT * FROM leases WHERE name = ?", (name,))
        return rows[0] if rows else None

    def live_holders(self, prefix: str, clock: Callable[[], float] = time.time) -> list[str]:
        """Holders of unexpired leases whose name starts with `prefix` (process heartbeats)."""
        return [
            r[0]
            for r in self.sql.execute(
                "SELECT holder FROM leases WHERE substr(name, 1, ?) = ? AND expires_at >= ? ORDER BY name",
                (len(prefix), prefix, clock()),
            ).fetchall()
        ]

    # -- one rate for all processes ---------------------------------------------------------------

    def take_token(self, name: str, rate: float, burst: float | None = None) -> float:
        """Take one token from the shared bucket `name` (refilled at `rate` a second on the database's
        clock, holding at most `burst`); 0.0 when taken, else the seconds to wait before trying again."""
        burst = max(1.0, float(burst if burst is not None else rate))
        now = self.backend.epoch_now()
        level = f"(CASE WHEN tokens + ({now} - updated) * ? > ? THEN ? ELSE tokens + ({now} - updated) * ? END)"
        args = (float(rate), burst, burst, float(rate))
        cursor = self.sql.execute(
            f"UPDATE rate_buckets SET tokens = {level} - 1, updated = {now} "
            f"WHERE name = ? AND {level} >= 1",
            (*args, name, *args),
        )
        if cursor.rowcount == 1:
            return 0.0
        if (
            self.sql.execute("SELECT 1 FROM rate_buckets WHERE name = ?", (name,)).fetchone()
            is None
        ):
            self.sql.execute(
                f"INSERT INTO rate_buckets (name, tokens, updated) VALUES (?, ?, {now}) "
                "ON CONFLICT (name) DO NOTHING",
                (name, burst),
            )
            return self.take_token(name, rate, burst)
        return 1.0 / max(float(rate), 0.001)

    # -- handler state shared by processes ----------------------------------------------------------

    def load_states(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Any]:
        """Several processes' shared handler state (user_data, chat_data, conversation steps), in one
        round trip. Pickled by this bot and signed with a key derived from the salt (kept outside
        the database), so a write to the database alone cannot make a process unpickle anything."""
        keys = list(keys)
        if not keys:
            return {}
        where = " OR ".join("(scope = ? AND key = ?)" for _ in keys)
        args = [v for scope, key in keys for v in (scope, int(key))]
        out: dict[tuple[str, int], Any] = {}
        for scope, key, data in self.sql.execute(
            f"SELECT scope, key, data FROM conversations WHERE {where}", args
        ).fetchall():
            value = self._unseal(data)
            if value is not None:
                out[(scope, int(key))] = value
        return out

    def save_state(self, scope: str, key: int, value: Any) -> None:
        """Keep (or, for None or an empty dict, forget) one piece of shared handler state."""
        if value is None or value == {}:
            self.sql.execute(
                "DELETE FROM conversations WHERE scope = ? AND key = ?", (scope, int(key))
            )
            return
        self.sql.execute(
            "INSERT INTO conversations (scope, key, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (scope, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (scope, int(key), self._seal(value), self.today()),
        )

    def _state_key(self) -> bytes:
        return hashlib.sha256(b"shared-state:" + self._salt).digest()

    def _seal(self, value: Any) -> str:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        mac = hmac.new(self._state_key(), blob, hashlib.sha256).digest()
        return "p1:" + base64.b64encode(mac + blob).decode("ascii")

    def _unseal(self, data: str | None) -> Any:
        if not data or not data.startswith("p1:"):
            return None
        raw = base64.b64decode(data[3:])
        mac, blob = raw[:32], raw[32:]
        if not hmac.compare_digest(
            mac, hmac.new(self._state_key(), blob, hashlib.sha256).digest()
        ):
            logger.warning(
                "shared state with a bad signature ignored (another salt, or tampering)"
            )
            return None
        return pickle.loads(blob)  # noqa: S301 - signed by this deployment (see load_states)

    # -- users ---------------------------------------------------------------------------------

    def hash_user(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return hmac.new(self._salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:32]

    def set_language(self, user_id: int, lang: str | None) -> None:
        """Remember a user's language (zh-Hant, zh-Hans, en); None forgets it (follow each message)."""
        if lang is None:
            if (scope := self.deferred()) is not None:
                scope.langs[int(user_id)] = None
            self.sql.execute("DELETE FROM users WHERE user_id = ?", (int(user_id),))
            return
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}")
        if (scope := self.deferred()) is not None:
            scope.langs[int(user_id)] = lang  # what the rest of this update reads
        self.sql.execute(
            "INSERT INTO users (user_id, lang, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
            (int(user_id), lang, self.today()),
        )

    def language(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        # Several processes: read with the update's state (bot/store/update_scope.py).
        if (scope := self.deferred()) is not None and int(user_id) in scope.langs:
            return scope.langs[int(user_id)]
        row = self.sql.execute(
            "SELECT lang FROM users WHERE user_id = ?", (int(user_id),)
        ).fetchone()
        return row[0] if row else None

    # -- chats ---------------------------------------------------------------------------------

    def upsert_chat(
        self, chat_id: int, chat_type: str, title: str | None = None, status: str | None = None
    ) -> None:
        """Record a chat the bot has seen; the status changes only when given."""
        chat_id = int(chat_id)
        now = self.today()
        title = title if chat_type != "private" else None
        self.settle_chat(chat_id)
        self.sql.execute(
            "INSERT INTO chats (chat_id, type, title, status, first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET type = excluded.type, title = COALESCE(excluded.title, chats.title), "
            "status = COALESCE(?, chats.status), updated_at = excluded.updated_at",
            (chat_id, chat_type, title, status or "member", now, now, status),
        )
        self._known_chats.add(chat_id)

    def seen_chat(self, chat_id: int, chat_type: str, title: str | None = None) -> None:
        """upsert_chat once per process for a chat (cheap to call on every message)."""
        chat_id = int(chat_id)
        if chat_id in self._known_chats:
            return
        now = self.today()
        title = title if chat_type != "private" else None
        # A message from a chat proves the bot is in it (again): absent statuses become "member".
        upsert = (
            "INSERT INTO chats (chat_id, type, title, status, first_seen, updated_at) VALUES (?, ?, ?, 'member', ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET type = excluded.type, title = COALESCE(excluded.title, chats.title), "
            "status = CASE WHEN chats.status IN ('blocked', 'left', 'kicked') THEN 'member' ELSE chats.status END, "
            "updated_at = excluded.updated_at",
            (chat_id, chat_type, title, now, now),
        )
        if (scope := self.deferred()) is not None:
            scope.writes.append(upsert)  # written with the update's state, after the reply
        else:
            self.sql.execute(*upsert)
        self._known_chats.add(chat_id)

    def set_chat_status(self, chat_id: int, status: str) -> None:
        self._known_chats.discard(int(chat_id))  # the next message from it marks it present again
        self.settle_chat(chat_id)
        self.sql.execute(
            "UPDATE chats SET status = ?, updated_at = ? WHERE chat_id = ?",
            (status, self.today(), int(chat_id)),
        )

    def chat(self, chat_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM chats WHERE chat_id = ?", (int(chat_id),)))
        return rows[0] if rows else None

    def chats(
        self,
        types: Iterable[str] = GROUP_TYPES,
        statuses: Iterable[str] = ("member", "administrator"),
    ) -> list[dict]:
        types, statuses = list(types), list(statuses)
        sql = (
            f"SELECT * FROM chats WHERE type IN ({','.join('?' * len(types))}) "
            f"AND status IN ({','.join('?' * len(statuses))}) ORDER BY chat_id"
        )
        return list(self.sql.query(sql, [*types, *statuses]))

    def migrate_chat(self, old_id: int, new_id: int, title: str | None = None) -> None:
        """A group became supergroup `new_id`: it keeps its row (and registered tables' rows) under the new id."""
        old_id, new_id = int(old_id), int(new_id)
        if old_id == new_id:
            return
        self.settle_chat(old_id)
        self.settle_chat(new_id)
        now = self.today()
        with self.sql.atomic():
            old = self.chat(old_id)
            if old is not None and old.get("migrated_to") == new_id:
                return  # already done (both service messages arrive)
            status = (
                old["status"]
                if old is not None and old["status"] not in (None, "migrated")
                else "member"
            )
            self.sql.execute(
                "INSERT INTO chats (chat_id, type, title, status, first_seen, updated_at) VALUES (?, 'supergroup', ?, ?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET type = 'supergroup', title = COALESCE(excluded.title, chats.title), "
                "status = excluded.status, updated_at = excluded.updated_at",
                (
                    new_id,
                    title or (old or {}).get("title"),
                    status,
                    (old or {}).get("first_seen") or now,
                    now,
                ),
            )
            if old is not None:
                self.sql.execute(
                    "UPDATE chats SET status = 'migrated', migrated_to = ?, updated_at = ? WHERE chat_id = ?",
                    (new_id, now, old_id),
                )
            for table, column in migrations.CHAT_ID_COLUMNS:
                self._move_rows(table, column, old_id, new_id)
        self._known_chats.add(new_id)
        logger.info("chat %s migrated to supergroup %s", old_id, new_id)

    def _move_rows(self, table: str, column: str, old_id: int, new_id: int) -> None:
        """Rewrite `column` from old_id to new_id; a row already at new_id with the same key is replaced
        by the moved one (SQLite's UPDATE OR REPLACE, in SQL both databases run)."""
        key = self.backend.primary_key(table)
        if column in key:
            same = "".join(f' AND o."{k}" = "{table}"."{k}"' for k in key if k != column)
            self.sql.execute(
                f'DELETE FROM "{table}" WHERE "{column}" = ? AND EXISTS '
                f'(SELECT 1 FROM "{table}" AS o WHERE o."{column}" = ?{same})',
                (new_id, old_id),
            )
        self.sql.execute(
            f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?', (new_id, old_id)
        )

    def current_chat_id(self, chat_id: int) -> int:
        """Follow migrations: the id to send to now."""
        seen = {int(chat_id)}
        current = int(chat_id)
        while True:
            row = self.sql.execute(
                "SELECT migrated_to FROM chats WHERE chat_id = ?", (current,)
            ).fetchone()
            if not row or row[0] is None or row[0] in seen:
                return current
            current = int(row[0])
            seen.add(current)

    # -- query log -------------------------------------------------------------------------------

    def log_query(
        self,
        user_id: int | None,
        chat_type: str | None,
        lang: str,
        text: str,
        answered: bool,
        entry_ids: Iterable[str] = (),
        score: float = 0.0,
        kind: str | None = None,
    ) -> int:
        """Log one question; returns its row id (the "ask a person" button refers to it)."""
        row = (
            self.now(),
            self.hash_user(user_id),
            chat_type,
            lang,
            mask_numbers((text or "")[:MAX_LOGGED_CHARS]),
            int(bool(answered)),
            kind,
            json.dumps(list(entry_ids)),
            float(score),
        )
        if (scope := self.deferred()) is not None:
            # Several processes: an id from this process's stock now, the row with the update's state.
            query_id = self.next_query_id()
            scope.writes.append(
                (
                    "INSERT INTO queries (id, at, user_hash, chat_type, lang, text, answered, kind, "
                    "entry_ids, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (query_id, *row),
                )
            )
            return query_id
        cursor = self.sql.execute(
            "INSERT INTO queries (at, user_hash, chat_type, lang, text, answered, kind, entry_ids, score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            row,
        )
        return inserted_id(cursor)

    def queries(self, limit: int = 100) -> list[dict]:
        rows = list(
            self.sql.query("SELECT * FROM queries ORDER BY id DESC LIMIT ?", (int(limit),))
        )
        for row in rows:
            row["entry_ids"] = json.loads(row["entry_ids"] or "[]")
            row["answered"] = bool(row["answered"])
        return rows

    def query_count(self) -> int:
        return int(self.sql.execute("SELECT COUNT(*) FROM queries").fetchone()[0])

    def forget_question_texts(self, days: int, now: datetime | None = None) -> int:
        """Drop the texts of questions (query log and answered inbox items) older than `days` days;
        their counts, languages and outcomes stay. The number of texts dropped."""
        if days <= 0:
            return 0
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=int(days))).isoformat(
            timespec="seconds"
        )
        with self.sql.atomic():
            a = self.sql.execute(
                "UPDATE queries SET text = NULL WHERE at < ? AND text IS NOT NULL", (cutoff,)
            )
            b = self.sql.execute(
                "UPDATE inbox SET text = NULL WHERE created_at < ? AND text IS NOT NULL "
                "AND status != 'open'",
                (cutoff,),
            )
        return int(a.rowcount) + int(b.rowcount)

    def today(self) -> str:
        """The UTC day, which is as precise as times kept beside user and chat ids get."""
        return self.now()[:10]


def _salt_file(path: Path, legacy: bytes | None) -> bytes:
    """The salt in `path` (hex), created with mode 0600 (from `legacy` when an older database held it)."""
    if path.is_file():
        text = path.read_text(encoding="ascii").strip()
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise StateError(
                f"{path} does not hold a hex salt: restore it from a backup, or remove it to start "
                "new user hashes"
            ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = legacy or secrets.token_bytes(32)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(salt.hex() + "\n")
    try:
        os.link(tmp, path)  # never replaces a salt another process made meanwhile
    except FileExistsError:
        tmp.unlink()
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    tmp.unlink()
    return salt
