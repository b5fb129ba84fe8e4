"""Announcements: group tags and languages, a broadcast's audience, language versions, schedule and
pin, and the durable "edit everywhere" / "delete everywhere" jobs. Mixed into `Store`; the tables
come from migration 4 (bot/store/migrations.py); the SQL runs on SQLite and PostgreSQL alike.

An announcement is a broadcast (bot/store/admin.py) plus an `announcements` row: which groups
(all subscribed, those with any of some tags, or those of one language), whether to pin, when to
send, and extra language versions (`announcement_versions`; the broadcast's own content is the first
version). On confirmation (now, or when a schedule fires) each target group is given its version in
`announcement_targets`, in the same transaction as its delivery row, so a resumed sending and a later
edit both know what each group got.

A group's language: the one its admins set with /grouplang, else the language most of its askers
last used, else the language it subscribed in.

Scheduling: draft -> scheduled (broadcast status "scheduled") -> sending, one UPDATE guarded by the
status, so a schedule fires once however many jobs or processes look at it; "missed" when the bot
was down longer than the allowed delay; "cancelled" by /scheduled's Cancel.

Edit and delete everywhere (`copy_ops`, one `copy_op_rows` row per delivered copy) follow the
broadcast's protocol: rows committed before anything is done, then pending -> attempting
(committed) -> the Bot API call -> done or failed. Unlike a send, an edit or a delete can be repeated
safely: Telegram answers "message is not modified" to an edit that was already applied and "message
to delete not found" to a delete already done, and both count as done. So a row a crash left
"attempting" goes back to pending (`recover_copy_ops`) and every copy is corrected exactly once.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from bot.store.admin import inserted_id

if TYPE_CHECKING:
    from bot.store.backend import Backend

COPY_DONE = ("done", "failed")
SCHEDULE_STATES = ("none", "scheduled", "fired", "missed", "cancelled")
DEFAULT_GROUP_LANG = "zh-Hant"


class AnnouncementStore:
    sql: Backend
    now: Callable[[], str]
    coordinated: bool

    def hash_user(self, user_id: int | None) -> str | None:  # implemented by Store
        raise NotImplementedError

    def _fence(self) -> tuple[str, tuple]:  # implemented by AdminStore
        raise NotImplementedError

    # -- group tags ------------------------------------------------------------------------------

    def add_tags(self, chat_id: int, tags: Iterable[str]) -> list[str]:
        """Tag a group; the tags it did not have yet."""
        added = []
        now = self.now()
        with self.sql.atomic():
            for tag in dict.fromkeys(tags):
                cursor = self.sql.execute(
                    "INSERT INTO group_tags (chat_id, tag, added_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (int(chat_id), tag, now),
                )
                if cursor.rowcount == 1:
                    added.append(tag)
        return added

    def remove_tags(self, chat_id: int, tags: Iterable[str]) -> list[str]:
        removed = []
        with self.sql.atomic():
            for tag in dict.fromkeys(tags):
                cursor = self.sql.execute(
                    "DELETE FROM group_tags WHERE chat_id = ? AND tag = ?", (int(chat_id), tag)
                )
                if cursor.rowcount == 1:
                    removed.append(tag)
        return removed

    def tags_of(self, chat_id: int) -> list[str]:
        return [
            r[0]
            for r in self.sql.execute(
                "SELECT tag FROM group_tags WHERE chat_id = ? ORDER BY tag", (int(chat_id),)
            ).fetchall()
        ]

    def tags_by_chat(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for chat_id, tag in self.sql.execute(
            "SELECT chat_id, tag FROM group_tags ORDER BY chat_id, tag"
        ).fetchall():
            out.setdefault(int(chat_id), []).append(tag)
        return out

    def tag_counts(self) -> dict[str, int]:
        """Every tag on an active subscribed group, with how many such groups carry it."""
        rows = self.sql.execute(
            "SELECT t.tag, COUNT(*) FROM group_tags t JOIN subscriptions s ON s.chat_id = t.chat_id "
            "WHERE s.active = 1 GROUP BY t.tag ORDER BY t.tag"
        ).fetchall()
        return {tag: int(n) for tag, n in rows}

    # -- group language ----------------------------------------------------------------------------

    def set_group_lang(self, chat_id: int, lang: str | None) -> None:
        """The language a group's admins chose; None: follow its askers again."""
        if lang is None:
            self.sql.execute("DELETE FROM group_settings WHERE chat_id = ?", (int(chat_id),))
            return
        self.sql.execute(
            "INSERT INTO group_settings (chat_id, lang, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at",
            (int(chat_id), lang, self.now()),
        )

    def group_lang_setting(self, chat_id: int) -> str | None:
        row = self.sql.execute(
            "SELECT lang FROM group_settings WHERE chat_id = ?", (int(chat_id),)
        ).fetchone()
        return row[0] if row else None

    def note_asker(self, chat_id: int, user_id: int, lang: str) -> None:
        """The language a group member last asked in (their id kept only as the salted hash)."""
        self.sql.execute(
            "INSERT INTO group_askers (chat_id, user_hash, lang, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(chat_id, user_hash) DO UPDATE SET lang = excluded.lang, at = excluded.at",
            (int(chat_id), self.hash_user(user_id), lang, self.now()),
        )

    def askers_lang(self, chat_id: int) -> str | None:
        """The language most of a group's askers use (ties: the most recent asker's side wins)."""
        rows = self.sql.execute(
            "SELECT lang FROM group_askers WHERE chat_id = ? ORDER BY at DESC", (int(chat_id),)
        ).fetchall()
        if not rows:
            return None
        counts = Counter(r[0] for r in rows)
        best = max(counts.values())
        return next(r[0] for r in rows if counts[r[0]] == best)

    def group_langs(self, chat_ids: Iterable[int] | None = None) -> dict[int, str]:
        """Each group's language: its admins' choice, else its askers' majority, else the subscription's."""
        chosen = dict(self.sql.execute("SELECT chat_id, lang FROM group_settings").fetchall())
        askers: dict[int, list[str]] = {}
        for chat_id, lang in self.sql.execute(
            "SELECT chat_id, lang FROM group_askers ORDER BY chat_id, at DESC"
        ).fetchall():
            askers.setdefault(int(chat_id), []).append(lang)
        subscribed = dict(self.sql.execute("SELECT chat_id, lang FROM subscriptions").fetchall())
        ids = (
            list(chat_ids)
            if chat_ids is not None
            else sorted(set(chosen) | set(askers) | set(subscribed))
        )
        out = {}
        for chat_id in ids:
            chat_id = int(chat_id)
            if chat_id in chosen:
                out[chat_id] = chosen[chat_id]
            elif chat_id in askers:
                counts = Counter(askers[chat_id])
                best = max(counts.values())
                out[chat_id] = next(lang for lang in askers[chat_id] if counts[lang] == best)
            else:
                out[chat_id] = subscribed.get(chat_id) or DEFAULT_GROUP_LANG
        return out

    def group_lang(self, chat_id: int) -> str:
        return self.group_langs([chat_id])[int(chat_id)]

    # -- the draft: audience, versions, pin ----------------------------------------------------------

    def start_announcement(self, broadcast_id: int, first_lang: str, first_media: bool) -> None:
        """The options of a drafted broadcast, at their defaults (every subscribed group, no pin, now)."""
        self.sql.execute(
            "INSERT INTO announcements (broadcast_id, tags, audience_lang, pin, first_lang, first_media, "
            "send_at, schedule) VALUES (?, '[]', NULL, 0, ?, ?, NULL, 'none') ON CONFLICT DO NOTHING",
            (int(broadcast_id), first_lang, int(bool(first_media))),
        )

    def announcement(self, broadcast_id: int) -> dict | None:
        rows = list(
            self.sql.query(
                "SELECT b.*, a.tags, a.audience_lang, a.pin, a.first_lang, a.first_media, a.send_at, a.schedule, "
                "a.panel_message_id FROM broadcasts b JOIN announcements a ON a.broadcast_id = b.id WHERE b.id = ?",
                (int(broadcast_id),),
            )
        )
        if not rows:
            return None
        row = rows[0]
        row["tags"] = json.loads(row["tags"] or "[]")
        return row

    def set_audience(
        self, broadcast_id: int, *, tags: Iterable[str] = (), lang: str | None = None
    ) -> bool:
        """All groups (no tags, no language), groups with any of `tags`, or groups of language `lang`;
        only while a draft."""
        cursor = self.sql.execute(
            "UPDATE announcements SET tags = ?, audience_lang = ? WHERE broadcast_id = ? AND "
            "(SELECT status FROM broadcasts WHERE id = ?) = 'draft'",
            (
                json.dumps(sorted(set(tags)), ensure_ascii=False),
                lang,
                int(broadcast_id),
                int(broadcast_id),
            ),
        )
        return cursor.rowcount == 1

    def set_pin(self, broadcast_id: int, pin: bool) -> bool:
        cursor = self.sql.execute(
            "UPDATE announcements SET pin = ? WHERE broadcast_id = ? AND (SELECT status FROM broadcasts WHERE id = ?) = 'draft'",
            (int(pin), int(broadcast_id), int(broadcast_id)),
        )
        return cursor.rowcount == 1

    def set_panel(self, broadcast_id: int, message_id: int | None) -> None:
        self.sql.execute(
            "UPDATE announcements SET panel_message_id = ? WHERE broadcast_id = ?",
            (message_id, int(broadcast_id)),
        )

    def add_version(
        self,
        broadcast_id: int,
        lang: str,
        *,
        html: str | None = None,
        from_chat_id: int | None = None,
        message_id: int | None = None,
        media: bool = False,
    ) -> bool:
        """Another language's version of a draft (replacing an earlier one in that language); False
        when it is the first version's language or the broadcast is not a draft any more."""
        announcement = self.announcement(broadcast_id)
        if (
            announcement is None
            or announcement["status"] != "draft"
            or announcement["first_lang"] == lang
        ):
            return False
        self.sql.execute(
            "INSERT INTO announcement_versions (broadcast_id, lang, kind, html, from_chat_id, message_id, media) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (broadcast_id, lang) DO UPDATE SET kind = excluded.kind, "
            "html = excluded.html, from_chat_id = excluded.from_chat_id, message_id = excluded.message_id, "
            "media = excluded.media",
            (
                int(broadcast_id),
                lang,
                "text" if html is not None else "copy",
                html,
                from_chat_id,
                message_id,
                int(media),
            ),
        )
        return True

    def versions(self, broadcast_id: int) -> list[dict]:
        """Every version of an announcement, the first (the broadcast's own content) first."""
        announcement = self.announcement(broadcast_id)
        if announcement is None:
            return []
        first = {
            "lang": announcement["first_lang"],
            "kind": announcement["kind"],
            "html": announcement["html"],
            "from_chat_id": announcement["from_chat_id"],
            "message_id": announcement["message_id"],
            "media": announcement["first_media"],
        }
        others = list(
            self.sql.query(
                "SELECT lang, kind, html, from_chat_id, message_id, media FROM announcement_versions "
                "WHERE broadcast_id = ? ORDER BY lang",
                (int(broadcast_id),),
            )
        )
        return [first, *others]

    def audience(self, broadcast_id: int) -> list[int]:
        """The active subscribed groups an announcement is for, as things stand now."""
        announcement = self.announcement(broadcast_id)
        groups = [
            int(r[0])
            for r in self.sql.execute(
                "SELECT chat_id FROM subscriptions WHERE active = 1 ORDER BY chat_id"
            )
        ]
        if announcement is None:
            return groups
        if announcement["tags"]:
            tagged = {
                int(r[0])
                for r in self.sql.execute(
                    f"SELECT DISTINCT chat_id FROM group_tags WHERE tag IN ({','.join('?' * len(announcement['tags']))})",
                    announcement["tags"],
                ).fetchall()
            }
            groups = [g for g in groups if g in tagged]
        if announcement["audience_lang"]:
            langs = self.group_langs(groups)
            groups = [g for g in groups if langs[g] == announcement["audience_lang"]]
        return groups

    # -- confirming and scheduling --------------------------------------------------------------------

    def confirm_announcement(
        self, broadcast_id: int, progress_message_id: int | None = None, *, scheduled: bool = False
    ) -> int | None:
        """Draft (or, when `scheduled`, a due schedule) -> sending: one pending delivery and one target
        row (the version it gets) per audience group, in one transaction. The number of groups, or None
        when it was not in that state any more (a second press, a cancelled schedule)."""
        announcement = self.announcement(broadcast_id)
        if announcement is None:
            return None
        versions = {v["lang"] for v in self.versions(broadcast_id)}
        now = self.now()
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE broadcasts SET status = 'sending', confirmed_at = ?, progress_message_id = ? WHERE id = ? AND status = ?",
                (
                    now,
                    progress_message_id,
                    int(broadcast_id),
                    "scheduled" if scheduled else "draft",
                ),
            )
            if cursor.rowcount != 1:
                return None
            groups = self.audience(broadcast_id)
            langs = self.group_langs(groups)
            for chat_id in groups:
                self.sql.execute(
                    "INSERT INTO deliveries (broadcast_id, chat_id, status, attempts, updated_at) "
                    "VALUES (?, ?, 'pending', 0, ?)",
                    (int(broadcast_id), chat_id, now),
                )
                lang = langs[chat_id] if langs[chat_id] in versions else announcement["first_lang"]
                self.sql.execute(
                    "INSERT INTO announcement_targets (broadcast_id, chat_id, lang) VALUES (?, ?, ?)",
                    (int(broadcast_id), chat_id, lang),
                )
            self.sql.execute(
                "UPDATE broadcasts SET total = ? WHERE id = ?", (len(groups), int(broadcast_id))
            )
            if scheduled:
                self.sql.execute(
                    "UPDATE announcements SET schedule = 'fired' WHERE broadcast_id = ?",
                    (int(broadcast_id),),
                )
        return len(groups)

    def schedule_announcement(self, broadcast_id: int, send_at_utc: str) -> bool:
        """Draft -> scheduled for `send_at_utc` (ISO, UTC); False if it was not a draft any more."""
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE broadcasts SET status = 'scheduled' WHERE id = ? AND status = 'draft'",
                (int(broadcast_id),),
            )
            if cursor.rowcount != 1:
                return False
            self.sql.execute(
                "UPDATE announcements SET send_at = ?, schedule = 'scheduled' WHERE broadcast_id = ?",
                (send_at_utc, int(broadcast_id)),
            )
        return True

    def scheduled_announcements(self) -> list[dict]:
        """Announcements waiting for their time, soonest first."""
        ids = [
            r[0]
            for r in self.sql.execute(
                "SELECT a.broadcast_id FROM announcements a JOIN broadcasts b ON b.id = a.broadcast_id "
                "WHERE b.status = 'scheduled' ORDER BY a.send_at, a.broadcast_id"
            ).fetchall()
        ]
        return [a for a in (self.announcement(i) for i in ids) if a is not None]

    def due_announcements(self, now_utc: str) -> list[dict]:
        return [a for a in self.scheduled_announcements() if (a["send_at"] or "") <= now_utc]

    def cancel_scheduled(self, broadcast_id: int) -> bool:
        """Scheduled -> cancelled; False when it fired, was missed or cancelled already."""
        now = self.now()
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE broadcasts SET status = 'cancelled', finished_at = ? "
                "WHERE id = ? AND status = 'scheduled'",
                (now, int(broadcast_id)),
            )
            if cursor.rowcount != 1:
                return False
            self.sql.execute(
                "UPDATE announcements SET schedule = 'cancelled' WHERE broadcast_id = ?",
                (int(broadcast_id),),
            )
        return True

    def miss_scheduled(self, broadcast_id: int) -> bool:
        """Scheduled -> missed (the bot was down past the allowed delay): never sent."""
        now = self.now()
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE broadcasts SET status = 'missed', finished_at = ? "
                "WHERE id = ? AND status = 'scheduled'",
                (now, int(broadcast_id)),
            )
            if cursor.rowcount != 1:
                return False
            self.sql.execute(
                "UPDATE announcements SET schedule = 'missed' WHERE broadcast_id = ?",
                (int(broadcast_id),),
            )
        return True

    def target_version(self, broadcast_id: int, chat_id: int) -> dict | None:
        """The version a target group gets; None for a plain broadcast (no target row)."""
        row = self.sql.execute(
            "SELECT lang FROM announcement_targets WHERE broadcast_id = ? AND chat_id = ?",
            (int(broadcast_id), int(chat_id)),
        ).fetchone()
        if row is None:
            return None
        return next((v for v in self.versions(broadcast_id) if v["lang"] == row[0]), None)

    # -- pins ----------------------------------------------------------------------------------------

    def record_pin(
        self, broadcast_id: int, chat_id: int, status: str, error: str | None = None
    ) -> None:
        self.sql.execute(
            "INSERT INTO announcement_pins (broadcast_id, chat_id, status, error, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (broadcast_id, chat_id) DO UPDATE SET "
            "status = excluded.status, error = excluded.error, at = excluded.at",
            (int(broadcast_id), int(chat_id), status, (error or None) and error[:300], self.now()),
        )

    def pins(self, broadcast_id: int) -> list[dict]:
        return list(
            self.sql.query(
                "SELECT p.*, c.title AS title FROM announcement_pins p LEFT JOIN chats c ON c.chat_id = p.chat_id "
                "WHERE p.broadcast_id = ? ORDER BY p.chat_id",
                (int(broadcast_id),),
            )
        )

    # -- edit and delete everywhere ----------------------------------------------------------------------

    def copies(self, broadcast_id: int, lang: str | None = None) -> list[dict]:
        """Delivered copies (chat, message id, whether a caption), of one version's language if given."""
        announcement = self.announcement(broadcast_id)
        media = (
            {v["lang"]: v["media"] for v in self.versions(broadcast_id)} if announcement else {}
        )
        rows = list(
            self.sql.query(
                "SELECT d.chat_id, d.message_id, t.lang FROM deliveries d LEFT JOIN announcement_targets t "
                "ON t.broadcast_id = d.broadcast_id AND t.chat_id = d.chat_id "
                "WHERE d.broadcast_id = ? AND d.status = 'sent' AND d.message_id IS NOT NULL ORDER BY d.chat_id",
                (int(broadcast_id),),
            )
        )
        out = []
        for row in rows:
            version = row["lang"] or (announcement or {}).get("first_lang")
            if lang is not None and version != lang:
                continue
            broadcast = announcement or self.broadcast_row(broadcast_id)
            is_media = (
                media.get(version, 0)
                if announcement
                else int((broadcast or {}).get("kind") == "copy")
            )
            out.append(
                {
                    "chat_id": row["chat_id"],
                    "message_id": row["message_id"],
                    "media": int(bool(is_media)),
                }
            )
        return out

    def broadcast_row(self, broadcast_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM broadcasts WHERE id = ?", (int(broadcast_id),)))
        return rows[0] if rows else None

    def create_copy_op(
        self,
        broadcast_id: int,
        kind: str,
        admin_id: int,
        admin_chat_id: int,
        *,
        html: str | None = None,
        lang: str | None = None,
    ) -> int:
        """A draft edit (with the corrected text) or delete of every delivered copy; nothing is done until confirmed."""
        if kind not in ("edit", "delete"):
            raise ValueError(kind)
        cursor = self.sql.execute(
            "INSERT INTO copy_ops (broadcast_id, kind, lang, html, admin_id, admin_chat_id, status, total, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'draft', 0, ?) RETURNING id",
            (int(broadcast_id), kind, lang, html, int(admin_id), int(admin_chat_id), self.now()),
        )
        return inserted_id(cursor)

    def copy_op(self, op_id: int) -> dict | None:
        rows = list(self.sql.query("SELECT * FROM copy_ops WHERE id = ?", (int(op_id),)))
        return rows[0] if rows else None

    def confirm_copy_op(self, op_id: int, progress_message_id: int | None = None) -> int | None:
        """Draft -> sending with one pending row per delivered copy, in one transaction; None when not a draft."""
        op = self.copy_op(op_id)
        if op is None:
            return None
        now = self.now()
        with self.sql.atomic():
            cursor = self.sql.execute(
                "UPDATE copy_ops SET status = 'sending', confirmed_at = ?, progress_message_id = ? "
                "WHERE id = ? AND status = 'draft'",
                (now, progress_message_id, int(op_id)),
            )
            if cursor.rowcount != 1:
                return None
            copies = self.copies(op["broadcast_id"], op["lang"])
            for copy in copies:
                self.sql.execute(
                    "INSERT INTO copy_op_rows (op_id, chat_id, message_id, media, status, attempts, updated_at) "
                    "VALUES (?, ?, ?, ?, 'pending', 0, ?)",
                    (int(op_id), copy["chat_id"], copy["message_id"], copy["media"], now),
                )
            self.sql.execute(
                "UPDATE copy_ops SET total = ? WHERE id = ?", (len(copies), int(op_id))
            )
        return len(copies)

    def cancel_copy_op(self, op_id: int) -> bool:
        cursor = self.sql.execute(
            "UPDATE copy_ops SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'draft'",
            (self.now(), int(op_id)),
        )
        return cursor.rowcount == 1

    def copy_ops_to_run(self) -> list[dict]:
        return list(self.sql.query("SELECT * FROM copy_ops WHERE status = 'sending' ORDER BY id"))

    def recover_copy_ops(self, force: bool = False) -> int:
        """At start-up: rows a crash left "attempting" go back to pending (edits and deletes are safe
        to repeat; see the module docstring). With several processes (`coordinated`), only the one
        taking over the sender lease does it (`force`)."""
        if self.coordinated and not force:
            return 0
        cursor = self.sql.execute(
            "UPDATE copy_op_rows SET status = 'pending', updated_at = ? WHERE status = 'attempting'",
            (self.now(),),
        )
        return cursor.rowcount

    def pending_copy_rows(self, op_id: int) -> list[dict]:
        return list(
            self.sql.query(
                "SELECT * FROM copy_op_rows WHERE op_id = ? AND status = 'pending' ORDER BY chat_id",
                (int(op_id),),
            )
        )

    def claim_copy_row(self, op_id: int, chat_id: int) -> bool:
        """pending -> attempting; False if the row is not pending (or, with several processes, this
        one does not hold the sender lease: the same fence as deliveries)."""
        fence, args = self._fence()
        cursor = self.sql.execute(
            "UPDATE copy_op_rows SET status = 'attempting', attempts = attempts + 1, updated_at = ? "
            "WHERE op_id = ? AND chat_id = ? AND status = 'pending'" + fence,
            (self.now(), int(op_id), int(chat_id), *args),
        )
        return cursor.rowcount == 1

    def finish_copy_row(
        self, op_id: int, chat_id: int, status: str, error: str | None = None
    ) -> None:
        self.sql.execute(
            "UPDATE copy_op_rows SET status = ?, error = ?, updated_at = ? WHERE op_id = ? AND chat_id = ?",
            (status, (error or None) and error[:300], self.now(), int(op_id), int(chat_id)),
        )

    def copy_row(self, op_id: int, chat_id: int) -> dict | None:
        rows = list(
            self.sql.query(
                "SELECT * FROM copy_op_rows WHERE op_id = ? AND chat_id = ?",
                (int(op_id), int(chat_id)),
            )
        )
        return rows[0] if rows else None

    def copy_counts(self, op_id: int) -> dict[str, int]:
        counts = {s: 0 for s in ("pending", "attempting", *COPY_DONE)}
        for status, n in self.sql.execute(
            "SELECT status, COUNT(*) FROM copy_op_rows WHERE op_id = ? GROUP BY status",
            (int(op_id),),
        ).fetchall():
            counts[status] = int(n)
        return counts

    def finish_copy_op(self, op_id: int) -> bool:
        cursor = self.sql.execute(
            "UPDATE copy_ops SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'",
            (self.now(), int(op_id)),
        )
        return cursor.rowcount == 1
