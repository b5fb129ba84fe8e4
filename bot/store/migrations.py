"""Schema migrations of the state database, applied in order and recorded in `migrations`.

The state database is precious (users' choices, known groups, the query log) and is never rebuilt,
so its schema only moves forward: to change it, APPEND a new function to MIGRATIONS with the next
version number. Never edit or reorder a migration that may have been applied somewhere.

Tables whose rows belong to a chat should register their chat-id column in CHAT_ID_COLUMNS, so a
group upgraded to a supergroup (`Store.migrate_chat`) keeps its rows.
"""
from __future__ import annotations

from typing import Callable

from sqlite_utils import Database

Migration = Callable[[Database], None]


def m001_initial(db: Database) -> None:
    """Users' language choice, known chats, the query log, and the salt for hashed user ids."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("users").create({"user_id": int, "lang": str, "updated_at": str}, pk="user_id")
    db.table("chats").create(
        {
            "chat_id": int,
            "type": str,  # private | group | supergroup | channel
            "title": str,  # groups only: private chats keep no names
            "status": str,  # member | administrator | left | kicked | blocked | migrated
            "migrated_to": int,
            "first_seen": str,
            "updated_at": str,
        },
        pk="chat_id",
    )
    db.table("chats").create_index(["type", "status"])
    db.table("queries").create(
        {
            "id": int,
            "at": str,
            "user_hash": str,  # salted hash: the log never holds a Telegram user id
            "chat_type": str,
            "lang": str,
            "text": str,
            "answered": int,
            "kind": str,
            "entry_ids": str,  # JSON list
            "score": float,
        },
        pk="id",
    )
    db.table("queries").create_index(["at"])



def m002_admin(db: Database) -> None:
    """Admin operations: group subscriptions, durable broadcasts with one delivery row per group,
    reminders already sent (one row per event date and group), and the human inbox."""
    db.table("subscriptions").create(
        {
            "chat_id": int,
            "active": int,  # 0 once the group removed or blocked the bot (a broadcast got 403)
            "reminders": int,  # 1: event reminders on
            "lang": str,  # language of reminders and notices in this group
            "subscribed_at": str,
            "updated_at": str,
            "note": str,  # why inactive
        },
        pk="chat_id",
        defaults={"active": 1, "reminders": 1, "lang": "zh-Hant"},
    )
    db.table("broadcasts").create(
        {
            "id": int,
            "created_at": str,
            "admin_id": int,  # the admin who wrote it (admins are staff, not the workers of the query log)
            "admin_chat_id": int,  # where the preview, progress and report go
            "lang": str,
            "kind": str,  # text | copy
            "html": str,  # kind text: the message in Telegram HTML
            "from_chat_id": int,  # kind copy: the message copied to every group
            "message_id": int,
            "status": str,  # draft | sending | done | cancelled
            "total": int,
            "confirmed_at": str,
            "finished_at": str,
            "progress_message_id": int,
        },
        pk="id",
    )
    db.table("broadcasts").create_index(["status"])
    db.table("deliveries").create(
        {
            "broadcast_id": int,
            "chat_id": int,
            # pending | attempting | sent | failed | skipped | uncertain (interrupted between send and mark)
            "status": str,
            "attempts": int,
            "message_id": int,
            "error": str,
            "updated_at": str,
        },
        pk=("broadcast_id", "chat_id"),
        foreign_keys=[("broadcast_id", "broadcasts", "id")],
    )
    db.table("deliveries").create_index(["broadcast_id", "status"])
    db.table("reminders_sent").create(
        {
            "entry_id": str,
            "occasion": str,  # start | end
            "on_date": str,  # the event's date the reminder announces (ISO day)
            "chat_id": int,
            "status": str,  # attempting | sent | failed | uncertain
            "message_id": int,
            "sent_at": str,
        },
        pk=("entry_id", "occasion", "on_date", "chat_id"),
    )
    db.table("inbox").create(
        {
            "id": int,
            "created_at": str,
            "query_id": int,  # the query log row of the question
            "chat_id": int,  # where the worker asked (their private chat, or a group): where the answer goes
            "question_message_id": int,
            "lang": str,
            "text": str,
            "admin_chat_id": int,
            "admin_message_id": int,
            "status": str,  # open | answered | undeliverable
            "answers": int,
            "answered_at": str,
        },
        pk="id",
        defaults={"answers": 0},
    )
    db.table("inbox").create_index(["query_id"], unique=True)
    db.table("inbox").create_index(["admin_chat_id", "admin_message_id"])


def m003_feedback(db: Database) -> None:
    """👍/👎 under answers (issue 11): the asker's vote on a logged question, +1 or -1, changeable."""
    db.execute("ALTER TABLE queries ADD COLUMN feedback INTEGER")


# (version, function); versions are consecutive from 1.
MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m001_initial),
    (2, m002_admin),
    (3, m003_feedback),
]

# (table, column) pairs holding a chat id, rewritten by Store.migrate_chat. Extend with new tables.
CHAT_ID_COLUMNS: list[tuple[str, str]] = [
    ("subscriptions", "chat_id"),
    ("deliveries", "chat_id"),
    ("reminders_sent", "chat_id"),
    ("inbox", "chat_id"),
]
