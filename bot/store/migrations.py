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
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["users"].create({"user_id": int, "lang": str, "updated_at": str}, pk="user_id")
    db["chats"].create(
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
    db["chats"].create_index(["type", "status"])
    db["queries"].create(
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
    db["queries"].create_index(["at"])


# (version, function); versions are consecutive from 1.
MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m001_initial),
]

# (table, column) pairs holding a chat id, rewritten by Store.migrate_chat. Extend with new tables.
CHAT_ID_COLUMNS: list[tuple[str, str]] = []
