"""The state database: what users chose and what the bot has seen, kept across restarts.

One SQLite file (`config.state_path`) in WAL mode, one connection per Store, small verbs. The schema
moves forward through numbered migrations (bot/store/migrations.py) and is never rebuilt.

Privacy: the query log holds a salted hash of the user id, never the id itself; the salt is made
once per database and kept in it, so hashes are stable for counting distinct users but cannot be
matched against another deployment's log.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlite_utils import Database

from bot.kb.text import LANGS
from bot.store import migrations
from bot.store.admin import AdminStore, inserted_id
from bot.store.announcements import AnnouncementStore
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.review import ReviewStore
from bot.store.stats import Stats, StatsStore

__all__ = ["GROUP_TYPES", "MAX_LOGGED_CHARS", "Stats", "Store", "utc_now"]  # Stats: re-exported for callers

logger = logging.getLogger(__name__)

MAX_LOGGED_CHARS = 500
GROUP_TYPES = ("group", "supergroup")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store(AdminStore, StatsStore, ReviewStore, AnnouncementStore):
    """Small verbs over the state database. Use from one thread (the bot's event loop).

    Admin operations (subscriptions, broadcasts, reminders, inbox) are in bot/store/admin.py, statistics
    and the CSV export in bot/store/stats.py, the review log (/review, knowledge files over Telegram) in
    bot/store/review.py, announcements (tags, versions, schedules, edit/delete everywhere) in
    bot/store/announcements.py."""

    def __init__(self, path: Path | str, *, migrations: Iterable[tuple[int, Migration]] = MIGRATIONS,
                 now: Callable[[], str] = utc_now) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit (isolation_level=None): every verb is its own transaction unless wrapped in atomic().
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
        self.db = Database(conn)
        if self.path is not None:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.now = now
        self.applied = self._migrate(list(migrations))
        self._salt = self._ensure_salt()
        self._known_chats: set[int] = set()

    @classmethod
    def open(cls, path: Path | str, **kwargs: Any) -> "Store":
        return cls(path, **kwargs)

    def close(self) -> None:
        self.db.conn.close()

    # -- schema ------------------------------------------------------------------------------

    def _migrate(self, migrations: list[tuple[int, Migration]]) -> list[int]:
        versions = [v for v, _ in migrations]
        if versions != list(range(1, len(versions) + 1)):
            raise ValueError(f"migration versions must be 1..n in order, got {versions}")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")
        done = {row[0] for row in self.db.execute("SELECT version FROM migrations").fetchall()}
        newer = [v for v in done if v > len(migrations)]
        if newer:
            raise RuntimeError(f"state database {self.path} has migrations {sorted(newer)} this code does not know")
        applied = []
        for version, func in migrations:
            if version in done:
                continue
            with self.db.atomic():
                func(self.db)
                self.db.execute("INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                (version, func.__name__, self.now()))
            logger.info("state database: applied migration %d (%s)", version, func.__name__)
            applied.append(version)
        return applied

    @property
    def version(self) -> int:
        row = self.db.execute("SELECT MAX(version) FROM migrations").fetchone()
        return int(row[0] or 0)

    def _ensure_salt(self) -> bytes:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'user_hash_salt'").fetchone()
        if row:
            return bytes.fromhex(row[0])
        salt = secrets.token_bytes(32)
        self.db.execute("INSERT INTO meta (key, value) VALUES ('user_hash_salt', ?)", (salt.hex(),))
        return salt

    # -- users ---------------------------------------------------------------------------------

    def hash_user(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return hmac.new(self._salt, str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:32]

    def set_language(self, user_id: int, lang: str | None) -> None:
        """Remember a user's language (zh-Hant, zh-Hans, en); None forgets it (follow each message)."""
        if lang is None:
            self.db.execute("DELETE FROM users WHERE user_id = ?", (int(user_id),))
            return
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}")
        self.db.execute(
            "INSERT INTO users (user_id, lang, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
            (int(user_id), lang, self.now()),
        )

    def language(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        row = self.db.execute("SELECT lang FROM users WHERE user_id = ?", (int(user_id),)).fetchone()
        return row[0] if row else None

    # -- chats ---------------------------------------------------------------------------------

    def upsert_chat(self, chat_id: int, chat_type: str, title: str | None = None, status: str | None = None) -> None:
        """Record a chat the bot has seen; the status changes only when given."""
        chat_id = int(chat_id)
        now = self.now()
        title = title if chat_type != "private" else None
        self.db.execute(
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
        now = self.now()
        title = title if chat_type != "private" else None
        # A message from a chat proves the bot is in it (again): absent statuses become "member".
        self.db.execute(
            "INSERT INTO chats (chat_id, type, title, status, first_seen, updated_at) VALUES (?, ?, ?, 'member', ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET type = excluded.type, title = COALESCE(excluded.title, chats.title), "
            "status = CASE WHEN chats.status IN ('blocked', 'left', 'kicked') THEN 'member' ELSE chats.status END, "
            "updated_at = excluded.updated_at",
            (chat_id, chat_type, title, now, now),
        )
        self._known_chats.add(chat_id)

    def set_chat_status(self, chat_id: int, status: str) -> None:
        self._known_chats.discard(int(chat_id))  # the next message from it marks it present again
        self.db.execute("UPDATE chats SET status = ?, updated_at = ? WHERE chat_id = ?",
                        (status, self.now(), int(chat_id)))

    def chat(self, chat_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM chats WHERE chat_id = ?", (int(chat_id),)))
        return rows[0] if rows else None

    def chats(self, types: Iterable[str] = GROUP_TYPES, statuses: Iterable[str] = ("member", "administrator")) -> list[dict]:
        types, statuses = list(types), list(statuses)
        sql = (f"SELECT * FROM chats WHERE type IN ({','.join('?' * len(types))}) "
               f"AND status IN ({','.join('?' * len(statuses))}) ORDER BY chat_id")
        return list(self.db.query(sql, [*types, *statuses]))

    def migrate_chat(self, old_id: int, new_id: int, title: str | None = None) -> None:
        """A group became supergroup `new_id`: it keeps its row (and registered tables' rows) under the new id."""
        old_id, new_id = int(old_id), int(new_id)
        if old_id == new_id:
            return
        now = self.now()
        with self.db.atomic():
            old = self.chat(old_id)
            if old is not None and old.get("migrated_to") == new_id:
                return  # already done (both service messages arrive)
            status = old["status"] if old is not None and old["status"] not in (None, "migrated") else "member"
            self.db.execute(
                "INSERT INTO chats (chat_id, type, title, status, first_seen, updated_at) VALUES (?, 'supergroup', ?, ?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET type = 'supergroup', title = COALESCE(excluded.title, chats.title), "
                "status = excluded.status, updated_at = excluded.updated_at",
                (new_id, title or (old or {}).get("title"), status,
                 (old or {}).get("first_seen") or now, now),
            )
            if old is not None:
                self.db.execute("UPDATE chats SET status = 'migrated', migrated_to = ?, updated_at = ? WHERE chat_id = ?",
                                (new_id, now, old_id))
            for table, column in migrations.CHAT_ID_COLUMNS:
                self.db.execute(f"UPDATE OR REPLACE [{table}] SET [{column}] = ? WHERE [{column}] = ?", (new_id, old_id))
        self._known_chats.add(new_id)
        logger.info("chat %s migrated to supergroup %s", old_id, new_id)

    def current_chat_id(self, chat_id: int) -> int:
        """Follow migrations: the id to send to now."""
        seen = {int(chat_id)}
        current = int(chat_id)
        while True:
            row = self.db.execute("SELECT migrated_to FROM chats WHERE chat_id = ?", (current,)).fetchone()
            if not row or row[0] is None or row[0] in seen:
                return current
            current = int(row[0])
            seen.add(current)

    # -- query log -------------------------------------------------------------------------------

    def log_query(self, user_id: int | None, chat_type: str | None, lang: str, text: str, answered: bool,
                  entry_ids: Iterable[str] = (), score: float = 0.0, kind: str | None = None) -> int:
        """Log one question; returns its row id (the "ask a person" button refers to it)."""
        cursor = self.db.execute(
            "INSERT INTO queries (at, user_hash, chat_type, lang, text, answered, kind, entry_ids, score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.now(), self.hash_user(user_id), chat_type, lang, (text or "")[:MAX_LOGGED_CHARS],
             int(bool(answered)), kind, json.dumps(list(entry_ids)), float(score)),
        )
        return inserted_id(cursor)

    def queries(self, limit: int = 100) -> list[dict]:
        rows = list(self.db.query("SELECT * FROM queries ORDER BY id DESC LIMIT ?", (int(limit),)))
        for row in rows:
            row["entry_ids"] = json.loads(row["entry_ids"] or "[]")
            row["answered"] = bool(row["answered"])
        return rows

    def query_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM queries").fetchone()[0])
