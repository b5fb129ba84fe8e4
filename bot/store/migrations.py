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


def m003_review(db: Database) -> None:
    """Admins improving the knowledge from Telegram (bot/store/review.py): the items a /review showed,
    what became of each question text (taught, not in the documents, skipped), every change made to a
    knowledge file with the bytes needed to undo it, and uploaded files waiting for Confirm."""
    db.table("review_items").create(
        {
            "id": int,
            "created_at": str,
            "admin_id": int,  # the admin who asked for the /review
            "question": str,  # the phrasing shown (the group's most frequent text)
            "texts": str,  # JSON list: every phrasing grouped into this item
            "count": int,  # how many times they were asked
            "langs": str,  # JSON list of the askers' languages
            "kinds": str,  # JSON list: what the bot did (decline, choose, answer)
            "replied": str,  # JSON list of entry ids the bot offered or answered with
            "candidates": str,  # JSON list of entry ids: the "teach as a phrasing of" buttons
            "last_query_id": int,  # the newest query log row the item covers
            "status": str,  # open | taught | dismissed | skipped
            "log_id": int,  # the change a teach made
        },
        pk="id",
    )
    db.table("review_marks").create(
        {
            "key": str,  # a question's folded text
            "status": str,  # taught | dismissed | skipped
            "last_query_id": int,  # questions logged after this come back (except dismissed ones)
            "item_id": int,
            "admin_id": int,
            "at": str,
        },
        pk="key",
    )
    db.table("knowledge_changes").create(
        {
            "id": int,
            "at": str,
            "admin_id": int,
            "action": str,  # teach | upload | undo
            "file": str,  # the knowledge file's name
            "entry_id": str,  # teach: the entry that got the phrasing
            "form": str,  # teach: zh-Hant | yue | zh-Hans | en
            "phrasing": str,  # teach: the sample question added
            "summary": str,  # upload: JSON {added, changed, removed}
            "before": bytes,  # the file's bytes before the change (NULL: the file did not exist)
            "after_sha256": str,  # the file's hash after it: undo only while the file is still so
            "item_id": int,
            "undone_at": str,
            "undone_by": int,
        },
        pk="id",
    )
    db.table("knowledge_uploads").create(
        {
            "id": int,
            "created_at": str,
            "admin_id": int,
            "chat_id": int,
            "file": str,
            "content": bytes,
            "base_sha256": str,  # the live file's hash when validated ('' when new): Confirm checks it
            "status": str,  # pending | applied | cancelled
        },
        pk="id",
    )


def m004_announcements(db: Database) -> None:
    """Announcements (issue 16): group tags and languages, a broadcast's audience, language versions,
    schedule and pin option, the version each group gets, pin outcomes, and durable edit/delete
    everywhere jobs with one row per delivered copy (bot/store/announcements.py)."""
    db.table("group_tags").create({"chat_id": int, "tag": str, "added_at": str}, pk=("chat_id", "tag"))
    db.table("group_tags").create_index(["tag"])
    db.table("group_settings").create({"chat_id": int, "lang": str, "updated_at": str}, pk="chat_id")
    db.table("group_askers").create(  # the language each asker of a group last used (hashed user id)
        {"chat_id": int, "user_hash": str, "lang": str, "at": str}, pk=("chat_id", "user_hash"))
    db.table("announcements").create(
        {
            "broadcast_id": int,
            "tags": str,  # JSON list: groups with any of them; empty: all subscribed groups
            "audience_lang": str,  # or groups whose language is this one
            "pin": int,
            "first_lang": str,  # the language of the broadcast's own content (the first version)
            "first_media": int,  # 1: the first version is a copy of a photo or document (edits change its caption)
            "send_at": str,  # UTC ISO time of a scheduled sending
            "schedule": str,  # none | scheduled | fired | missed | cancelled
            "panel_message_id": int,
        },
        pk="broadcast_id",
        foreign_keys=[("broadcast_id", "broadcasts", "id")],
    )
    db.table("announcements").create_index(["schedule", "send_at"])
    db.table("announcement_versions").create(
        {"broadcast_id": int, "lang": str, "kind": str, "html": str, "from_chat_id": int, "message_id": int,
         "media": int},
        pk=("broadcast_id", "lang"),
    )
    db.table("announcement_targets").create(  # the version (language) each target group gets
        {"broadcast_id": int, "chat_id": int, "lang": str}, pk=("broadcast_id", "chat_id"))
    db.table("announcement_pins").create(
        {"broadcast_id": int, "chat_id": int, "status": str, "error": str, "at": str}, pk=("broadcast_id", "chat_id"))
    db.table("copy_ops").create(
        {
            "id": int,
            "broadcast_id": int,
            "kind": str,  # edit | delete
            "lang": str,  # edit: the version whose copies change (NULL: every copy)
            "html": str,  # edit: the corrected text (Telegram HTML)
            "admin_id": int,
            "admin_chat_id": int,
            "status": str,  # draft | sending | done | cancelled
            "total": int,
            "created_at": str,
            "confirmed_at": str,
            "finished_at": str,
            "progress_message_id": int,
        },
        pk="id",
    )
    db.table("copy_ops").create_index(["status"])
    db.table("copy_op_rows").create(
        {
            "op_id": int,
            "chat_id": int,
            "message_id": int,
            "media": int,
            "status": str,  # pending | attempting | done | failed
            "attempts": int,
            "error": str,
            "updated_at": str,
        },
        pk=("op_id", "chat_id"),
        foreign_keys=[("op_id", "copy_ops", "id")],
    )
    db.table("copy_op_rows").create_index(["op_id", "status"])


def m005_feedback(db: Database) -> None:
    """👍/👎 under answers (issue 11): the asker's vote on a logged question, +1 or -1, changeable."""
    db.execute("ALTER TABLE queries ADD COLUMN feedback INTEGER")


# (version, function); versions are consecutive from 1.
MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m001_initial),
    (2, m002_admin),
    (3, m003_review),
    (4, m004_announcements),
    (5, m005_feedback),
]

# (table, column) pairs holding a chat id, rewritten by Store.migrate_chat. Extend with new tables.
CHAT_ID_COLUMNS: list[tuple[str, str]] = [
    ("subscriptions", "chat_id"),
    ("deliveries", "chat_id"),
    ("reminders_sent", "chat_id"),
    ("inbox", "chat_id"),
    # announcements (m004)
    ("group_tags", "chat_id"),
    ("group_settings", "chat_id"),
    ("group_askers", "chat_id"),
    ("announcement_targets", "chat_id"),
    ("announcement_pins", "chat_id"),
    ("copy_op_rows", "chat_id"),
]
