"""The review log: admins improving the knowledge from Telegram. Mixed into `Store`.

    review_items       what a /review showed (grouped questions, the entries offered as buttons)
    review_marks       what became of a question text: taught, not in the documents (never shown
                       again), skipped (shown again only if asked again afterwards)
    knowledge_changes  every change to a knowledge file: who, when, what, and the bytes before it,
                       so one tap can undo it
    knowledge_uploads  an edited file an admin sent, waiting for Confirm or Cancel

Plain SQL over the tables of migration m003_review, run on SQLite and PostgreSQL alike (file bytes
in BLOB / BYTEA columns); JSON lists are kept as text.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.store.admin import inserted_id
from bot.store.stats import QUESTION

if TYPE_CHECKING:
    from bot.store.backend import Backend

OPEN = "open"
_JSON_ITEM = ("texts", "langs", "kinds", "replied", "candidates")


class ReviewStore:
    sql: Backend
    now: Callable[[], str]

    # -- the questions to review --------------------------------------------------------------

    def review_queries(self, since: str | None, low_score: float, limit: int = 5000) -> list[dict]:
        """Questions the bot declined, answered with a choice, or answered with a score below
        `low_score`, newest last (at most `limit`, the newest)."""
        sql = (
            f"SELECT id, at, lang, text, kind, entry_ids, score FROM queries WHERE {QUESTION} "
            "AND trim(text) != '' AND (answered = 0 OR (kind = 'answer' AND score < ?))"
        )
        args: list[Any] = [float(low_score)]
        if since:
            sql += " AND at >= ?"
            args.append(since)
        rows = list(self.sql.query(sql + " ORDER BY id DESC LIMIT ?", [*args, int(limit)]))
        for row in rows:
            row["entry_ids"] = json.loads(row["entry_ids"] or "[]")
        return rows[::-1]

    def review_marks(self, keys: Iterable[str]) -> dict[str, dict]:
        keys = list(dict.fromkeys(keys))
        marks: dict[str, dict] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            sql = f"SELECT * FROM review_marks WHERE key IN ({','.join('?' * len(chunk))})"
            marks.update({row["key"]: row for row in self.sql.query(sql, chunk)})
        return marks

    def create_review_item(
        self,
        admin_id: int,
        question: str,
        texts: list[str],
        count: int,
        langs: list[str],
        kinds: list[str],
        replied: list[str],
        candidates: list[str],
        last_query_id: int,
    ) -> int:
        cursor = self.sql.execute(
            "INSERT INTO review_items (created_at, admin_id, question, texts, count, langs, kinds, replied, candidates, "
            "last_query_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                self.now(),
                int(admin_id),
                question,
                json.dumps(texts, ensure_ascii=False),
                int(count),
                json.dumps(langs),
                json.dumps(kinds),
                json.dumps(replied),
                json.dumps(candidates),
                int(last_query_id),
                OPEN,
            ),
        )
        return inserted_id(cursor)

    def review_item(self, item_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM review_items WHERE id = ?", (int(item_id),)))
        if not rows:
            return None
        row = rows[0]
        for key in _JSON_ITEM:
            row[key] = json.loads(row[key] or "[]")
        return row

    def resolve_review_item(
        self,
        item_id: int,
        status: str,
        admin_id: int,
        keys: Iterable[str],
        log_id: int | None = None,
    ) -> bool:
        """Close an open item (taught, dismissed or skipped) and remember it for each of its texts' keys;
        False when it was no longer open (another tap got there first)."""
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE review_items SET status = ?, log_id = ? WHERE id = ? AND status = ?",
                (status, log_id, int(item_id), OPEN),
            )
            if cursor.rowcount != 1:
                return False
            item = self.review_item(item_id)
            assert item is not None
            for key in dict.fromkeys(keys):
                self.sql.execute(
                    "INSERT INTO review_marks (key, status, last_query_id, item_id, admin_id, at) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET status = excluded.status, last_query_id = excluded.last_query_id, "
                    "item_id = excluded.item_id, admin_id = excluded.admin_id, at = excluded.at",
                    (
                        key,
                        status,
                        int(item["last_query_id"]),
                        int(item_id),
                        int(admin_id),
                        self.now(),
                    ),
                )
        return True

    def reopen_review_item(self, item_id: int) -> None:
        """An undone teach: the item and its questions come back to /review."""
        with self.sql.atomic():
            self.sql.execute(
                "UPDATE review_items SET status = ?, log_id = NULL WHERE id = ?",
                (OPEN, int(item_id)),
            )
            self.sql.execute("DELETE FROM review_marks WHERE item_id = ?", (int(item_id),))

    # -- changes to the knowledge files -------------------------------------------------------

    def record_change(
        self,
        admin_id: int,
        action: str,
        file: str,
        before: bytes | None,
        after_sha256: str,
        *,
        entry_id: str | None = None,
        form: str | None = None,
        phrasing: str | None = None,
        summary: dict | None = None,
        item_id: int | None = None,
    ) -> int:
        cursor = self.sql.execute(
            "INSERT INTO knowledge_changes (at, admin_id, action, file, entry_id, form, phrasing, summary, before, "
            "after_sha256, item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                self.now(),
                int(admin_id),
                action,
                file,
                entry_id,
                form,
                phrasing,
                json.dumps(summary, ensure_ascii=False) if summary is not None else None,
                before,
                after_sha256,
                item_id,
            ),
        )
        return inserted_id(cursor)

    def knowledge_change(self, change_id: int) -> dict | None:
        rows = list(
            self.sql.query("SELECT * FROM knowledge_changes WHERE id = ?", (int(change_id),))
        )
        if not rows:
            return None
        row = rows[0]
        row["summary"] = json.loads(row["summary"]) if row["summary"] else None
        return row

    def mark_change_undone(self, change_id: int, admin_id: int) -> bool:
        """Record the undo; False when it was already undone."""
        cursor = self.sql.execute(
            "UPDATE knowledge_changes SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
            (self.now(), int(admin_id), int(change_id)),
        )
        return cursor.rowcount == 1

    def recent_changes(self, limit: int = 20) -> list[dict]:
        return list(
            self.sql.query(
                "SELECT id, at, admin_id, action, file, entry_id, form, phrasing, undone_at FROM knowledge_changes "
                "ORDER BY id DESC LIMIT ?",
                (int(limit),),
            )
        )

    # -- uploaded files waiting for Confirm ---------------------------------------------------------

    def create_upload(
        self, admin_id: int, chat_id: int, file: str, content: bytes, base_sha256: str
    ) -> int:
        cursor = self.sql.execute(
            "INSERT INTO knowledge_uploads (created_at, admin_id, chat_id, file, content, base_sha256, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending') RETURNING id",
            (self.now(), int(admin_id), int(chat_id), file, content, base_sha256),
        )
        return inserted_id(cursor)

    def knowledge_upload(self, upload_id: int) -> dict | None:
        rows = list(
            self.sql.query("SELECT * FROM knowledge_uploads WHERE id = ?", (int(upload_id),))
        )
        return rows[0] if rows else None

    def finish_upload(self, upload_id: int, status: str) -> bool:
        """pending → applied or cancelled; False when it was no longer pending."""
        cursor = self.sql.execute(
            "UPDATE knowledge_uploads SET status = ? WHERE id = ? AND status = 'pending'",
            (status, int(upload_id)),
        )
        return cursor.rowcount == 1

    # -- what was answered (the /stats chart's top subjects) ------------------------------------------

    def answered_entries(
        self, first_day: date, last_day: date, utc_offset_minutes: int = 480
    ) -> Counter[str]:
        """How often each entry answered a question in these local days (the first entry of each answer)."""
        local = self.sql.local_day("at", int(utc_offset_minutes))
        counts: Counter[str] = Counter()
        for (ids,) in self.sql.execute(
            f"SELECT entry_ids FROM queries WHERE {QUESTION} AND answered = 1 AND {local} BETWEEN ? AND ?",
            (first_day.isoformat(), last_day.isoformat()),
        ).fetchall():
            entries = json.loads(ids or "[]")
            if entries:
                counts[entries[0]] += 1
        return counts
