"""Statistics over the query log, and its CSV export. Mixed into `Store`.

"Questions" are what workers asked: button presses (kind "button"), /check results (kind "check")
and empty messages (kind "empty") are left out of them and counted apart (buttons, checks), with the
askers' 👍/👎 on answers (`feedback`, +1/-1, one per question, changeable). A question is answered when the engine answered it (`answered`); the top
unanswered questions are grouped by their text, case and surrounding spaces ignored. Days are
local days: the caller gives the UTC offset of its time zone (Hong Kong: +480 minutes).
The log never holds a Telegram user id, only a salted hash (see bot/store/__init__.py).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.store.backend import Backend

QUESTION = "COALESCE(kind, '') NOT IN ('button', 'empty', 'check')"
EXPORT_COLUMNS = (
    "id",
    "at",
    "user_hash",
    "chat_type",
    "lang",
    "text",
    "answered",
    "kind",
    "entry_ids",
    "score",
    "feedback",
)


@dataclass(frozen=True)
class Stats:
    first_day: date
    last_day: date
    questions: int
    answered: int
    users: int
    per_day: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # (day, questions, answered), days with any use
    per_lang: list[tuple[str, int, int]] = field(
        default_factory=list
    )  # (lang, questions, answered)
    unanswered: list[tuple[str, int]] = field(default_factory=list)  # (question, times asked)
    buttons: int = 0  # topics opened with a button
    checks: int = 0  # /check conversations that ended (a result, or "not covered")
    helpful: int = 0  # 👍 on answers
    unhelpful: int = 0  # 👎 on answers

    @property
    def answer_rate(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


class StatsStore:
    sql: Backend
    now: Callable[[], str]

    def stats(
        self, last_day: date, days: int = 7, utc_offset_minutes: int = 480, top: int = 10
    ) -> Stats:
        """Figures for the `days` local days ending with `last_day`."""
        days = max(1, int(days))
        first_day = last_day - timedelta(days=days - 1)
        local = self.sql.local_day("at", int(utc_offset_minutes))
        where = f"{QUESTION} AND {local} BETWEEN ? AND ?"
        span = (first_day.isoformat(), last_day.isoformat())
        total, answered, users = self.sql.execute(
            f"SELECT COUNT(*), COALESCE(SUM(answered), 0), COUNT(DISTINCT user_hash) FROM queries WHERE {where}",
            span,
        ).fetchone()
        by_day = {
            d: (int(n), int(a))
            for d, n, a in self.sql.execute(
                f"SELECT {local} AS d, COUNT(*), SUM(answered) FROM queries WHERE {where} GROUP BY d",
                span,
            ).fetchall()
        }
        span_only = f"{local} BETWEEN ? AND ?"
        used_days = {
            d
            for (d,) in self.sql.execute(
                f"SELECT DISTINCT {local} FROM queries WHERE {span_only}", span
            ).fetchall()
        }
        per_day = []
        for i in range(days):  # a day nobody used the bot is left out (issue 11)
            day = (first_day + timedelta(days=i)).isoformat()
            if day in used_days or day in by_day:
                n, a = by_day.get(day, (0, 0))
                per_day.append((day, n, a))
        # CASE rather than SUM(kind = 'button'): PostgreSQL does not add up booleans.
        buttons, checks, helpful, unhelpful = self.sql.execute(
            "SELECT COALESCE(SUM(CASE WHEN kind = 'button' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN kind = 'check' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN feedback > 0 THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN feedback < 0 THEN 1 ELSE 0 END), 0) FROM queries WHERE {span_only}",
            span,
        ).fetchone()
        per_lang = [
            (lang or "-", int(n), int(a))
            for lang, n, a in self.sql.execute(
                f"SELECT lang, COUNT(*), SUM(answered) FROM queries WHERE {where} GROUP BY lang ORDER BY COUNT(*) DESC, lang",
                span,
            ).fetchall()
        ]
        unanswered = [
            (text, int(n))
            for text, n in self.sql.execute(
                f"SELECT MIN(trim(text)), COUNT(*) AS n FROM queries WHERE {where} AND answered = 0 AND trim(text) != '' "
                "GROUP BY lower(trim(text)) ORDER BY n DESC, MIN(id) LIMIT ?",
                (*span, int(top)),
            ).fetchall()
        ]
        return Stats(
            first_day,
            last_day,
            int(total),
            int(answered),
            int(users),
            per_day,
            per_lang,
            unanswered,
            int(buttons),
            int(checks),
            int(helpful),
            int(unhelpful),
        )

    def set_feedback(self, query_id: int, user_hash: str | None, vote: int) -> bool:
        """The asker's 👍 (+1) or 👎 (-1) on a logged answer; False when the question is not theirs."""
        cursor = self.sql.execute(
            "UPDATE queries SET feedback = ? WHERE id = ? AND user_hash = ?",
            (1 if vote > 0 else -1, int(query_id), user_hash),
        )
        return cursor.rowcount > 0

    def export_queries(self, out: TextIO, since: str | None = None) -> int:
        """The query log as CSV (header first; entry ids as a JSON list; user ids only as salted hashes)."""
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        sql = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM queries"
        args: tuple = ()
        if since:
            sql += " WHERE at >= ?"
            args = (since,)
        count = 0
        for row in self.sql.execute(sql + " ORDER BY id", args):
            writer.writerow([_inert(v) for v in row])
            count += 1
        return count


def _inert(value: object) -> object:
    """A worker's text that a spreadsheet would run as a formula (=, +, -, @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
