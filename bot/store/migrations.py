"""Schema migrations of the state database, applied in order and recorded in `migrations`.

The state database is precious (users' choices, known groups, the query log) and is never rebuilt,
so its schema only moves forward: to change it, APPEND a new function to MIGRATIONS with the next
version number. Never edit or reorder a migration that may have been applied somewhere.

A migration gets the database's backend (bot/store/backend.py) and runs SQL both SQLite and
PostgreSQL understand through `db.execute(...)`: BIGINT for Telegram ids (they pass 2^31),
`db.auto_id()` for an auto-numbered id, DOUBLE PRECISION for floats, TEXT for the rest.
`Store` runs each pending migration in its own transaction that excludes other processes
(BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL), so several processes starting at
once apply each migration exactly once.

Numbering: 1-2 are released; 3-5 (review log, announcements, feedback) came from main and 6-7
(several processes, privacy) from the PostgreSQL store, renumbered when the two were merged. Neither
3-7 had been released then, so only databases at version 1 or 2 needed to upgrade, and they do
(tests/test_store.py::test_a_released_version_2_database_upgrades_to_the_current_schema). A database
that a development build of either branch took past version 2 is not supported: start it afresh.
Migrations 3-5 were first written with sqlite-utils calls; they are the same tables in SQL both
databases run (INTEGER columns of Telegram ids became BIGINT, which SQLite stores alike).

Tables whose rows belong to a chat should register their chat-id column in CHAT_ID_COLUMNS, so a
group upgraded to a supergroup (`Store.migrate_chat`) keeps its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store.backend import Backend

Migration = Callable[["Backend"], None]


def m001_initial(db: Backend) -> None:
    """Users' language choice, known chats, the query log, and the salt for hashed user ids."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE users (user_id BIGINT PRIMARY KEY, lang TEXT, updated_at TEXT)")
    db.execute(
        "CREATE TABLE chats ("
        " chat_id BIGINT PRIMARY KEY,"
        " type TEXT,"  # private | group | supergroup | channel
        " title TEXT,"  # groups only: private chats keep no names
        " status TEXT,"  # member | administrator | left | kicked | blocked | migrated
        " migrated_to BIGINT,"
        " first_seen TEXT,"
        " updated_at TEXT)"
    )
    db.execute("CREATE INDEX idx_chats_type_status ON chats (type, status)")
    db.execute(
        f"CREATE TABLE queries (id {db.auto_id()}, at TEXT,"
        " user_hash TEXT,"  # salted hash: the log never holds a Telegram user id
        " chat_type TEXT, lang TEXT, text TEXT, answered INTEGER, kind TEXT,"
        " entry_ids TEXT,"  # JSON list
        " score DOUBLE PRECISION)"
    )
    db.execute("CREATE INDEX idx_queries_at ON queries (at)")


def m002_admin(db: Backend) -> None:
    """Admin operations: group subscriptions, durable broadcasts with one delivery row per group,
    reminders already sent (one row per event date and group), and the human inbox."""
    db.execute(
        "CREATE TABLE subscriptions (chat_id BIGINT PRIMARY KEY,"
        " active INTEGER DEFAULT 1,"  # 0 once the group removed or blocked the bot (a broadcast got 403)
        " reminders INTEGER DEFAULT 1,"  # 1: event reminders on
        " lang TEXT DEFAULT 'zh-Hant',"  # language of reminders and notices in this group
        " subscribed_at TEXT, updated_at TEXT,"
        " note TEXT)"
    )  # why inactive
    db.execute(
        f"CREATE TABLE broadcasts (id {db.auto_id()}, created_at TEXT,"
        " admin_id BIGINT,"  # the admin who wrote it (admins are staff, not the workers of the query log)
        " admin_chat_id BIGINT,"  # where the preview, progress and report go
        " lang TEXT,"
        " kind TEXT,"  # text | copy
        " html TEXT,"  # kind text: the message in Telegram HTML
        " from_chat_id BIGINT,"  # kind copy: the message copied to every group
        " message_id BIGINT,"
        " status TEXT,"  # draft | sending | done | cancelled
        " total INTEGER, confirmed_at TEXT, finished_at TEXT, progress_message_id BIGINT)"
    )
    db.execute("CREATE INDEX idx_broadcasts_status ON broadcasts (status)")
    db.execute(
        "CREATE TABLE deliveries (broadcast_id BIGINT REFERENCES broadcasts (id), chat_id BIGINT,"
        # pending | attempting | sent | failed | skipped | uncertain (interrupted between send and mark)
        " status TEXT,"
        " attempts INTEGER, message_id BIGINT, error TEXT, updated_at TEXT,"
        " PRIMARY KEY (broadcast_id, chat_id))"
    )
    db.execute(
        "CREATE INDEX idx_deliveries_broadcast_id_status ON deliveries (broadcast_id, status)"
    )
    db.execute(
        "CREATE TABLE reminders_sent (entry_id TEXT,"
        " occasion TEXT,"  # start | end
        " on_date TEXT,"  # the event's date the reminder announces (ISO day)
        " chat_id BIGINT,"
        " status TEXT,"  # attempting | sent | failed | uncertain
        " message_id BIGINT, sent_at TEXT,"
        " PRIMARY KEY (entry_id, occasion, on_date, chat_id))"
    )
    db.execute(
        f"CREATE TABLE inbox (id {db.auto_id()}, created_at TEXT,"
        " query_id BIGINT,"  # the query log row of the question
        " chat_id BIGINT,"  # where the worker asked (their private chat, or a group): where the answer goes
        " question_message_id BIGINT, lang TEXT, text TEXT, admin_chat_id BIGINT, admin_message_id BIGINT,"
        " status TEXT,"  # open | answered | undeliverable
        " answers INTEGER DEFAULT 0, answered_at TEXT)"
    )
    db.execute("CREATE UNIQUE INDEX idx_inbox_query_id ON inbox (query_id)")
    db.execute(
        "CREATE INDEX idx_inbox_admin_chat_id_admin_message_id ON inbox (admin_chat_id, admin_message_id)"
    )


def m003_review(db: Backend) -> None:
    """Admins improving the knowledge from Telegram (bot/store/review.py): the items a /review showed,
    what became of each question text (taught, not in the documents, skipped), every change made to a
    knowledge file with the bytes needed to undo it, and uploaded files waiting for Confirm."""
    db.execute(
        f"CREATE TABLE review_items (id {db.auto_id()}, created_at TEXT,"
        " admin_id BIGINT,"  # the admin who asked for the /review
        " question TEXT,"  # the phrasing shown (the group's most frequent text)
        " texts TEXT,"  # JSON list: every phrasing grouped into this item
        " count INTEGER,"  # how many times they were asked
        " langs TEXT,"  # JSON list of the askers' languages
        " kinds TEXT,"  # JSON list: what the bot did (decline, choose, answer)
        " replied TEXT,"  # JSON list of entry ids the bot offered or answered with
        " candidates TEXT,"  # JSON list of entry ids: the "teach as a phrasing of" buttons
        " last_query_id BIGINT,"  # the newest query log row the item covers
        " status TEXT,"  # open | taught | dismissed | skipped
        " log_id BIGINT)"
    )  # the change a teach made
    db.execute(
        "CREATE TABLE review_marks (key TEXT PRIMARY KEY,"  # a question's folded text
        " status TEXT,"  # taught | dismissed | skipped
        " last_query_id BIGINT,"  # questions logged after this come back (except dismissed ones)
        " item_id BIGINT, admin_id BIGINT, at TEXT)"
    )
    db.execute(
        f"CREATE TABLE knowledge_changes (id {db.auto_id()}, at TEXT, admin_id BIGINT,"
        " action TEXT,"  # teach | upload | undo
        " file TEXT,"  # the knowledge file's name
        " entry_id TEXT,"  # teach: the entry that got the phrasing
        " form TEXT,"  # teach: zh-Hant | yue | zh-Hans | en
        " phrasing TEXT,"  # teach: the sample question added
        " summary TEXT,"  # upload: JSON {added, changed, removed}
        f" before {db.blob()},"  # the file's bytes before the change (NULL: the file did not exist)
        " after_sha256 TEXT,"  # the file's hash after it: undo only while the file is still so
        " item_id BIGINT, undone_at TEXT, undone_by BIGINT)"
    )
    db.execute(
        f"CREATE TABLE knowledge_uploads (id {db.auto_id()}, created_at TEXT, admin_id BIGINT, chat_id BIGINT,"
        f" file TEXT, content {db.blob()},"
        " base_sha256 TEXT,"  # the live file's hash when validated ('' when new): Confirm checks it
        " status TEXT)"
    )  # pending | applied | cancelled


def m004_announcements(db: Backend) -> None:
    """Announcements (issue 16): group tags and languages, a broadcast's audience, language versions,
    schedule and pin option, the version each group gets, pin outcomes, and durable edit/delete
    everywhere jobs with one row per delivered copy (bot/store/announcements.py)."""
    db.execute(
        "CREATE TABLE group_tags (chat_id BIGINT, tag TEXT, added_at TEXT, PRIMARY KEY (chat_id, tag))"
    )
    db.execute("CREATE INDEX idx_group_tags_tag ON group_tags (tag)")
    db.execute(
        "CREATE TABLE group_settings (chat_id BIGINT PRIMARY KEY, lang TEXT, updated_at TEXT)"
    )
    db.execute(  # the language each asker of a group last used (hashed user id)
        "CREATE TABLE group_askers (chat_id BIGINT, user_hash TEXT, lang TEXT, at TEXT,"
        " PRIMARY KEY (chat_id, user_hash))"
    )
    db.execute(
        "CREATE TABLE announcements (broadcast_id BIGINT PRIMARY KEY REFERENCES broadcasts (id),"
        " tags TEXT,"  # JSON list: groups with any of them; empty: all subscribed groups
        " audience_lang TEXT,"  # or groups whose language is this one
        " pin INTEGER,"
        " first_lang TEXT,"  # the language of the broadcast's own content (the first version)
        " first_media INTEGER,"  # 1: the first version is a copy of a photo or document (edits change its caption)
        " send_at TEXT,"  # UTC ISO time of a scheduled sending
        " schedule TEXT,"  # none | scheduled | fired | missed | cancelled
        " panel_message_id BIGINT)"
    )
    db.execute(
        "CREATE INDEX idx_announcements_schedule_send_at ON announcements (schedule, send_at)"
    )
    db.execute(
        "CREATE TABLE announcement_versions (broadcast_id BIGINT, lang TEXT, kind TEXT, html TEXT,"
        " from_chat_id BIGINT, message_id BIGINT, media INTEGER, PRIMARY KEY (broadcast_id, lang))"
    )
    db.execute(  # the version (language) each target group gets
        "CREATE TABLE announcement_targets (broadcast_id BIGINT, chat_id BIGINT, lang TEXT,"
        " PRIMARY KEY (broadcast_id, chat_id))"
    )
    db.execute(
        "CREATE TABLE announcement_pins (broadcast_id BIGINT, chat_id BIGINT, status TEXT, error TEXT, at TEXT,"
        " PRIMARY KEY (broadcast_id, chat_id))"
    )
    db.execute(
        f"CREATE TABLE copy_ops (id {db.auto_id()}, broadcast_id BIGINT,"
        " kind TEXT,"  # edit | delete
        " lang TEXT,"  # edit: the version whose copies change (NULL: every copy)
        " html TEXT,"  # edit: the corrected text (Telegram HTML)
        " admin_id BIGINT, admin_chat_id BIGINT,"
        " status TEXT,"  # draft | sending | done | cancelled
        " total INTEGER, created_at TEXT, confirmed_at TEXT, finished_at TEXT, progress_message_id BIGINT)"
    )
    db.execute("CREATE INDEX idx_copy_ops_status ON copy_ops (status)")
    db.execute(
        "CREATE TABLE copy_op_rows (op_id BIGINT REFERENCES copy_ops (id), chat_id BIGINT, message_id BIGINT,"
        " media INTEGER,"
        " status TEXT,"  # pending | attempting | done | failed
        " attempts INTEGER, error TEXT, updated_at TEXT, PRIMARY KEY (op_id, chat_id))"
    )
    db.execute("CREATE INDEX idx_copy_op_rows_op_id_status ON copy_op_rows (op_id, status)")


def m005_feedback(db: Backend) -> None:
    """👍/👎 under answers (issue 11): the asker's vote on a logged question, +1 or -1, changeable."""
    db.execute("ALTER TABLE queries ADD COLUMN feedback INTEGER")


def m006_shared(db: Backend) -> None:
    """Several processes on one database: leases (one broadcast sender, one reminder job at a time,
    and each live process's heartbeat), per-chat conversation state any process can read, and the
    token bucket that keeps all processes together within Telegram's overall rate."""
    db.execute(
        "CREATE TABLE leases (name TEXT PRIMARY KEY,"
        " holder TEXT,"  # process id (host:pid:random) holding it
        " expires_at DOUBLE PRECISION,"  # Unix time; a lease past it is free
        " acquired_at DOUBLE PRECISION)"
    )
    db.execute(
        "CREATE TABLE conversations (scope TEXT, key BIGINT,"  # scope: user | chat | conv:<chat id>
        " data TEXT,"  # signed pickle (bot/store Store.save_state)
        " updated_at TEXT, PRIMARY KEY (scope, key))"
    )
    db.execute(
        "CREATE TABLE rate_buckets (name TEXT PRIMARY KEY,"  # token buckets shared by processes
        " tokens DOUBLE PRECISION,"
        " updated DOUBLE PRECISION)"
    )  # the database's clock, Unix time


def m007_privacy(db: Backend) -> None:
    """Privacy (issue 15): no times to the second beside private chat ids or user ids (the day is
    enough), the salt leaves the database (Store moves it to a 0600 file first)."""
    db.execute(
        "UPDATE chats SET first_seen = substr(first_seen, 1, 10), updated_at = substr(updated_at, 1, 10)"
    )
    db.execute("UPDATE users SET updated_at = substr(updated_at, 1, 10)")


# (version, function); versions are consecutive from 1.
MIGRATIONS: list[tuple[int, Migration]] = [
    (1, m001_initial),
    (2, m002_admin),
    (3, m003_review),
    (4, m004_announcements),
    (5, m005_feedback),
    (6, m006_shared),
    (7, m007_privacy),
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
