"""State for admin operations: group subscriptions, durable broadcasts, reminders sent, the human inbox.

Mixed into `Store` (bot/store/__init__.py); the tables come from migration 2 (bot/store/migrations.py).

Broadcast delivery is durable and never sends one group the same broadcast twice:

    confirm:  the broadcast and one `deliveries` row per target group (status "pending") are
              committed in one transaction before anything is sent;
    send:     a row goes pending -> attempting (committed) -> the Bot API call -> sent (committed
              with the message id right after Telegram confirms);
    errors:   429 and failures that prove the request never left (no connection) put the row back
              to pending; a 5xx, a dropped connection or a timeout after the send make it "uncertain"
              (Telegram may have delivered it: bot/telegram/ambiguity.py), never sent again; a
              group that removed or blocked the bot ends "failed" and its subscription inactive;
    restart:  rows still "attempting" were interrupted between the send and its mark; Telegram may
              or may not have delivered them, and there is no way to ask, so they become
              "uncertain" and are NOT sent again.

So delivery is exactly-once for every row except the ambiguous ones and those interrupted in that
window (at most one per delivery worker at the moment of a crash), which are at-most-once: a group may miss that
broadcast, but never gets it twice. Reminders follow the same rule (`reminders_sent`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.store.privacy import mask_numbers

if TYPE_CHECKING:
    from bot.store.backend import Backend

DONE_STATUSES = ("sent", "failed", "skipped", "uncertain")


def inserted_id(cursor: Any) -> int:
    """The id the `INSERT ... RETURNING id` run on `cursor` gave (all rows read, so the statement ends)."""
    rows = cursor.fetchall()
    if not rows:
        raise LookupError("no row was inserted")
    return int(rows[0][0])


class AdminStore:
    sql: Backend
    fence: tuple[str, str] | None
    coordinated: bool
    lock_key: Callable[[str], int]
    now: Callable[[], str]
    _known_chats: set[int]

    # -- group subscriptions -------------------------------------------------------------------

    def subscribe(self, chat_id: int, lang: str) -> bool:
        """Subscribe a group (or reactivate it); False if it was already an active subscriber."""
        now = self.now()
        before = self.subscription(chat_id)
        self.sql.execute(
            "INSERT INTO subscriptions (chat_id, active, reminders, lang, subscribed_at, updated_at, note) "
            "VALUES (?, 1, 1, ?, ?, ?, NULL) ON CONFLICT(chat_id) DO UPDATE SET active = 1, lang = excluded.lang, "
            "updated_at = excluded.updated_at, note = NULL",
            (int(chat_id), lang, now, now),
        )
        return before is None or not before["active"]

    def unsubscribe(self, chat_id: int) -> bool:
        """Forget a group's subscription; False if it had none."""
        cursor = self.sql.execute("DELETE FROM subscriptions WHERE chat_id = ?", (int(chat_id),))
        return cursor.rowcount > 0

    def subscription(self, chat_id: int) -> dict | None:
        rows = list(
            self.sql.query("SELECT * FROM subscriptions WHERE chat_id = ?", (int(chat_id),))
        )
        return rows[0] if rows else None

    def subscriptions(
        self, *, active: bool | None = True, reminders: bool | None = None
    ) -> list[dict]:
        """Subscribed groups with their titles, by chat id."""
        where, args = [], []
        if active is not None:
            where.append("s.active = ?")
            args.append(int(active))
        if reminders is not None:
            where.append("s.reminders = ?")
            args.append(int(reminders))
        sql = (
            "SELECT s.*, c.title AS title, c.type AS type FROM subscriptions s "
            "LEFT JOIN chats c ON c.chat_id = s.chat_id"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        return list(self.sql.query(sql + " ORDER BY s.chat_id", args))

    def set_reminders(self, chat_id: int, on: bool) -> bool:
        """Turn a subscribed group's reminders on or off; False if it is not subscribed."""
        cursor = self.sql.execute(
            "UPDATE subscriptions SET reminders = ?, updated_at = ? WHERE chat_id = ?",
            (int(on), self.now(), int(chat_id)),
        )
        return cursor.rowcount > 0

    def deactivate_group(self, chat_id: int, note: str) -> None:
        """The group removed or blocked the bot: no more broadcasts or reminders until /subscribe."""
        now = self.now()
        with self.sql.atomic():
            self.sql.execute(
                "UPDATE subscriptions SET active = 0, note = ?, updated_at = ? WHERE chat_id = ?",
                (note[:200], now, int(chat_id)),
            )
            self.sql.execute(
                "UPDATE chats SET status = 'kicked', updated_at = ? WHERE chat_id = ?",
                (now, int(chat_id)),
            )
        self._known_chats.discard(int(chat_id))

    # -- broadcasts ------------------------------------------------------------------------------

    def create_broadcast(
        self,
        admin_id: int,
        admin_chat_id: int,
        lang: str,
        *,
        html: str | None = None,
        from_chat_id: int | None = None,
        message_id: int | None = None,
    ) -> int:
        """A draft: nothing is sent until it is confirmed."""
        kind = "text" if html is not None else "copy"
        cursor = self.sql.execute(
            "INSERT INTO broadcasts (created_at, admin_id, admin_chat_id, lang, kind, html, from_chat_id, message_id, "
            "status, total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', 0) RETURNING id",
            (
                self.now(),
                int(admin_id),
                int(admin_chat_id),
                lang,
                kind,
                html,
                from_chat_id,
                message_id,
            ),
        )
        return inserted_id(cursor)

    def broadcast(self, broadcast_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM broadcasts WHERE id = ?", (int(broadcast_id),)))
        return rows[0] if rows else None

    def confirm_broadcast(
        self, broadcast_id: int, progress_message_id: int | None = None
    ) -> int | None:
        """Draft -> sending, with one pending delivery per active subscribed group, in one transaction.
        The number of groups, or None when it was not a draft any more (a second press of Confirm)."""
        now = self.now()
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE broadcasts SET status = 'sending', confirmed_at = ?, progress_message_id = ? "
                "WHERE id = ? AND status = 'draft'",
                (now, progress_message_id, int(broadcast_id)),
            )
            if cursor.rowcount != 1:
                return None
            self.sql.execute(
                "INSERT INTO deliveries (broadcast_id, chat_id, status, attempts, updated_at) "
                "SELECT ?, chat_id, 'pending', 0, ? FROM subscriptions WHERE active = 1",
                (int(broadcast_id), now),
            )
            total = self.sql.execute(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (int(broadcast_id),)
            ).fetchone()[0]
            self.sql.execute(
                "UPDATE broadcasts SET total = ? WHERE id = ?", (total, int(broadcast_id))
            )
        return int(total)

    def cancel_broadcast(self, broadcast_id: int) -> bool:
        cursor = self.sql.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? "
            "WHERE id = ? AND status = 'draft'",
            (self.now(), int(broadcast_id)),
        )
        return cursor.rowcount == 1

    def set_progress_message(self, broadcast_id: int, message_id: int | None) -> None:
        self.sql.execute(
            "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
            (message_id, int(broadcast_id)),
        )

    def broadcasts_to_send(self) -> list[dict]:
        """Confirmed broadcasts not finished yet, oldest first."""
        return list(
            self.sql.query("SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id")
        )

    def recover_interrupted(self, force: bool = False) -> int:
        """At start-up, before sending anything: deliveries and reminders left "attempting" by a crash
        become "uncertain" and are never sent again (see the module docstring). With several
        processes (`coordinated`), only the one taking over the sender lease does it (`force`)."""
        if self.coordinated and not force:
            return 0
        now = self.now()
        with self.sql.atomic():
            a = self.sql.execute(
                "UPDATE deliveries SET status = 'uncertain', updated_at = ?, "
                "error = 'interrupted between send and confirmation' WHERE status = 'attempting'",
                (now,),
            )
            b = self.sql.execute(
                "UPDATE reminders_sent SET status = 'uncertain', sent_at = ? WHERE status = 'attempting'",
                (now,),
            )
        return a.rowcount + b.rowcount

    def pending_deliveries(self, broadcast_id: int) -> list[int]:
        return [
            row[0]
            for row in self.sql.execute(
                "SELECT chat_id FROM deliveries WHERE broadcast_id = ? AND status = 'pending' ORDER BY chat_id",
                (int(broadcast_id),),
            ).fetchall()
        ]

    def claim_delivery(self, broadcast_id: int, chat_id: int) -> bool:
        """pending -> attempting, committed before the send; False if the row is not pending."""
        fence, args = self._fence()
        cursor = self.sql.execute(
            "UPDATE deliveries SET status = 'attempting', attempts = attempts + 1, updated_at = ? "
            "WHERE broadcast_id = ? AND chat_id = ? AND status = 'pending'" + fence,
            (self.now(), int(broadcast_id), int(chat_id), *args),
        )
        return cursor.rowcount == 1

    def _fence(self) -> tuple[str, tuple]:
        """SQL that holds only while this process's lease (`fence`) is unexpired in the database."""
        if self.fence is None:
            return "", ()
        name, holder = self.fence
        if (
            self.sql.dialect == "postgresql"
        ):  # the claim runs on the connection that must hold the session lock
            from bot.store import _HELD

            return " AND EXISTS (" + _HELD + ")", (self.lock_key(name),)
        return (
            " AND EXISTS (SELECT 1 FROM leases WHERE name = ? AND holder = ? AND expires_at > ?)",
            (name, holder, time.time()),
        )

    def finish_delivery(
        self,
        broadcast_id: int,
        chat_id: int,
        status: str,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record the outcome: sent | failed | skipped | uncertain, or pending again for a retry."""
        self.sql.execute(
            "UPDATE deliveries SET status = ?, message_id = COALESCE(?, message_id), error = ?, updated_at = ? "
            "WHERE broadcast_id = ? AND chat_id = ?",
            (
                status,
                message_id,
                (error or None) and error[:300],
                self.now(),
                int(broadcast_id),
                int(chat_id),
            ),
        )

    def delivery(self, broadcast_id: int, chat_id: int) -> dict | None:
        rows = list(
            self.sql.query(
                "SELECT * FROM deliveries WHERE broadcast_id = ? AND chat_id = ?",
                (int(broadcast_id), int(chat_id)),
            )
        )
        return rows[0] if rows else None

    def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        counts = {s: 0 for s in ("pending", "attempting", *DONE_STATUSES)}
        for status, n in self.sql.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status",
            (int(broadcast_id),),
        ).fetchall():
            counts[status] = int(n)
        return counts

    def groups_lost(self, broadcast_id: int) -> int:
        """Groups this broadcast failed to reach that are now inactive (they removed or blocked the bot)."""
        return int(
            self.sql.execute(
                "SELECT COUNT(*) FROM deliveries d JOIN subscriptions s ON s.chat_id = d.chat_id "
                "WHERE d.broadcast_id = ? AND d.status = 'failed' AND s.active = 0",
                (int(broadcast_id),),
            ).fetchone()[0]
        )

    def finish_broadcast(self, broadcast_id: int) -> bool:
        cursor = self.sql.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'",
            (self.now(), int(broadcast_id)),
        )
        return cursor.rowcount == 1

    def recent_broadcasts(self, limit: int = 10) -> list[dict]:
        rows = list(
            self.sql.query(
                "SELECT * FROM broadcasts WHERE status != 'draft' ORDER BY id DESC LIMIT ?",
                (int(limit),),
            )
        )
        for row in rows:
            row["counts"] = self.delivery_counts(row["id"])
        return rows

    # -- reminders ---------------------------------------------------------------------------------

    def claim_reminder(self, entry_id: str, occasion: str, on_date: str, chat_id: int) -> bool:
        """Record a reminder as being sent (committed before the send); False if it ever was."""
        fence, args = self._fence()
        cursor = self.sql.execute(
            "INSERT INTO reminders_sent (entry_id, occasion, on_date, chat_id, status, sent_at) "
            "SELECT ?, ?, ?, ?, 'attempting', ? WHERE 1 = 1" + fence + " ON CONFLICT DO NOTHING",
            (entry_id, occasion, on_date, int(chat_id), self.now(), *args),
        )
        return cursor.rowcount == 1

    def finish_reminder(
        self,
        entry_id: str,
        occasion: str,
        on_date: str,
        chat_id: int,
        status: str,
        message_id: int | None = None,
    ) -> None:
        self.sql.execute(
            "UPDATE reminders_sent SET status = ?, message_id = ?, sent_at = ? "
            "WHERE entry_id = ? AND occasion = ? AND on_date = ? AND chat_id = ?",
            (status, message_id, self.now(), entry_id, occasion, on_date, int(chat_id)),
        )

    def release_reminder(self, entry_id: str, occasion: str, on_date: str, chat_id: int) -> None:
        """Forget a claim whose send certainly failed (429, 5xx): the next run tries again."""
        self.sql.execute(
            "DELETE FROM reminders_sent WHERE entry_id = ? AND occasion = ? AND on_date = ? AND chat_id = ? "
            "AND status = 'attempting'",
            (entry_id, occasion, on_date, int(chat_id)),
        )

    def reminders_sent(self) -> list[dict]:
        return list(
            self.sql.query("SELECT * FROM reminders_sent ORDER BY sent_at, entry_id, chat_id")
        )

    # -- human inbox ---------------------------------------------------------------------------------

    def query(self, query_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM queries WHERE id = ?", (int(query_id),)))
        return rows[0] if rows else None

    def open_inbox(
        self,
        query_id: int,
        chat_id: int,
        question_message_id: int | None,
        lang: str,
        text: str,
        admin_chat_id: int,
    ) -> int | None:
        """A question for a person; None if this question was already passed on."""
        rows = self.sql.execute(
            "INSERT INTO inbox (created_at, query_id, chat_id, question_message_id, lang, text, admin_chat_id, "
            "status, answers) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 0) ON CONFLICT DO NOTHING RETURNING id",
            (
                self.now(),
                int(query_id),
                int(chat_id),
                question_message_id,
                lang,
                mask_numbers(text),
                int(admin_chat_id),
            ),
        ).fetchall()
        return int(rows[0][0]) if rows else None

    def drop_inbox(self, item_id: int) -> None:
        """Forget an item that could not reach the admin chat (the asker may try again)."""
        self.sql.execute("DELETE FROM inbox WHERE id = ?", (int(item_id),))

    def set_inbox_message(self, item_id: int, admin_message_id: int) -> None:
        self.sql.execute(
            "UPDATE inbox SET admin_message_id = ? WHERE id = ?",
            (int(admin_message_id), int(item_id)),
        )

    def inbox_item(self, item_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM inbox WHERE id = ?", (int(item_id),)))
        return rows[0] if rows else None

    def inbox_by_admin_message(self, admin_chat_id: int, admin_message_id: int) -> dict | None:
        rows = list(
            self.sql.query(
                "SELECT * FROM inbox WHERE admin_chat_id = ? AND admin_message_id = ?",
                (int(admin_chat_id), int(admin_message_id)),
            )
        )
        return rows[0] if rows else None

    def inbox_answered(self, item_id: int, status: str = "answered") -> None:
        self.sql.execute(
            "UPDATE inbox SET status = ?, answers = answers + CASE WHEN ? = 'answered' THEN 1 ELSE 0 END, "
            "answered_at = ? WHERE id = ?",
            (status, status, self.now(), int(item_id)),
        )
