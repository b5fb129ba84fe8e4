"""The state database, on SQLite and on PostgreSQL alike: migrations (once, even with several
processes starting together), language choice, known chats and their migration, the query log and
its privacy, the database's identity, leases and shared conversation state."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import StateError, Store
from bot.store import migrations as migrations_module
from bot.store.migrations import MIGRATIONS


def everything(store: Store) -> str:
    """Every value in every table, as text: what a copy of the database gives away."""
    out = []
    for table in sorted(store.backend.table_names()):
        for row in store.sql.query(f'SELECT * FROM "{table}"'):
            out.append(repr(sorted(row.items())))
    return "\n".join(out)


def test_fresh_database_is_migrated(backend):
    store = backend.open()
    assert store.applied == [v for v, _ in MIGRATIONS] and store.version == len(MIGRATIONS)
    assert {
        "migrations",
        "meta",
        "users",
        "chats",
        "queries",
        "leases",
        "conversations",
    } <= store.backend.table_names()
    store.close()
    again = backend.open()
    assert (
        again.applied == []
        and again.version == len(MIGRATIONS)
        and again.pending_migrations() == []
    )
    again.close()


def test_sqlite_file_in_wal_mode_and_readable_by_others(tmp_path):
    path = tmp_path / "deep" / "state.sqlite"
    store = Store.open(path)
    assert store.sql.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.set_language(7, "en")
    other = sqlite3.connect(path)
    assert other.execute("SELECT lang FROM users WHERE user_id = 7").fetchone() == ("en",)
    other.close()
    store.close()


def test_a_new_migration_applies_once_on_top(backend):
    backend.open().close()

    def m_notes(db):
        db.execute(f"CREATE TABLE test_only_notes (id {db.auto_id()}, chat_id BIGINT, body TEXT)")

    extended = [*MIGRATIONS, (len(MIGRATIONS) + 1, m_notes)]
    store = backend.open(migrations=extended)
    assert (
        store.applied == [len(MIGRATIONS) + 1] and "test_only_notes" in store.backend.table_names()
    )
    store.close()
    backend.open(migrations=extended).close()
    with pytest.raises(StateError, match="does not know"):
        backend.open()  # older code on a newer database refuses to run


def test_a_failing_migration_changes_nothing(backend):
    backend.open().close()

    def broken(db):
        db.execute("CREATE TABLE test_half (id BIGINT PRIMARY KEY)")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        backend.open(migrations=[*MIGRATIONS, (len(MIGRATIONS) + 1, broken)])
    store = backend.open()
    assert "test_half" not in store.backend.table_names() and store.version == len(MIGRATIONS)
    store.close()


def test_migration_numbers_must_be_consecutive(backend):
    with pytest.raises(ValueError):
        backend.open(migrations=[(1, MIGRATIONS[0][1]), (3, MIGRATIONS[0][1])])


def test_a_released_version_2_database_upgrades_to_the_current_schema(backend):
    """Versions 1-2 are what was released; 3-7 (review log, announcements, feedback, several
    processes, privacy) arrived together and apply on top of it, keeping its rows."""
    at = "2026-03-01T08:30:15+00:00"
    old = backend.open(migrations=MIGRATIONS[:2], now=lambda: at)
    old.sql.execute(
        "INSERT INTO chats (chat_id, type, status, first_seen, updated_at) "
        "VALUES (5, 'private', 'member', ?, ?)",
        (at, at),
    )
    asked = old.log_query(5, "private", "en", "What is VPES?", True, ["vpes"], 0.9, "answer")
    old.close()
    store = backend.open()
    assert store.applied == [3, 4, 5, 6, 7] and store.version == len(MIGRATIONS)
    assert store.chat(5)["first_seen"] == "2026-03-01"  # privacy: the day only
    assert store.set_feedback(asked, store.hash_user(5), 1)  # the feedback column (5)
    assert store.add_tags(-100, ["care"]) == ["care"]  # announcements (4)
    assert (
        store.create_upload(9, 9, "entries.yaml", b"\x00raw", "") > 0
    )  # the review log (3), bytes included
    assert store.acquire_lease("sender", 5)  # leases (6)
    store.close()


def test_a_database_with_other_migrations_under_the_same_numbers_is_refused(backend):
    def m003_shared(db):  # a development build's numbering, before a merge renumbered it
        db.execute("CREATE TABLE leases (name TEXT PRIMARY KEY)")

    backend.open(migrations=[*MIGRATIONS[:2], (3, m003_shared)]).close()
    with pytest.raises(StateError, match=r"\[3\] \(m003_shared\)"):
        backend.open()


def _open_and_report(target, data_dir, queue) -> None:  # runs in a child process
    try:
        store = Store.open(target, data_dir=data_dir)
        queue.put(("ok", store.applied))
        store.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(exc)))


def test_processes_starting_together_apply_each_migration_once(backend):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_open_and_report, args=(backend.target, backend.data_dir, queue))
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert all(kind == "ok" for kind, _ in results), results
    applied = sorted(v for _, versions in results for v in versions)
    assert applied == [v for v, _ in MIGRATIONS]  # every migration by exactly one of them
    store = backend.open()
    rows = store.sql.execute("SELECT version FROM migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [v for v, _ in MIGRATIONS]
    store.close()


def test_language_choice(store):
    assert store.language(1) is None and store.language(None) is None
    store.set_language(1, "en")
    store.set_language(2, "zh-Hans")
    store.set_language(1, "zh-Hant")
    assert store.language(1) == "zh-Hant" and store.language(2) == "zh-Hans"
    store.set_language(1, None)
    assert store.language(1) is None
    with pytest.raises(ValueError):
        store.set_language(3, "fr")
    store.set_language(2**52, "en")  # Telegram ids pass 32 bits
    assert store.language(2**52) == "en"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 2**40), st.sampled_from(["zh-Hant", "zh-Hans", "en", None])),
        max_size=30,
    )
)
def test_last_language_choice_wins(choices):
    store = Store(":memory:")
    expected: dict[int, str | None] = {}
    for user, lang in choices:
        store.set_language(user, lang)
        expected[user] = lang
    assert all(store.language(u) == lang for u, lang in expected.items())
    store.close()


def test_user_hash_is_salted_stable_and_its_salt_kept_outside_the_database(backend, tmp_path):
    a = backend.open()
    h = a.hash_user(123456789)
    assert h is not None and h == a.hash_user(123456789) and h != a.hash_user(123456788)
    assert "123456789" not in h and len(h) == 32
    salt_file = backend.data_dir / "user_hash.salt"
    assert stat.S_IMODE(os.stat(salt_file).st_mode) == 0o600
    salt = salt_file.read_text().strip()
    assert salt not in everything(a)  # a copy of the database alone cannot recompute the hashes
    a.close()
    assert backend.open().hash_user(123456789) == h  # the same salt after a restart
    assert (
        Store.open(tmp_path / "b" / "state.sqlite").hash_user(123456789) != h
    )  # another deployment, another salt
    given = backend.open(salt="from-the-setting")
    assert given.hash_user(123456789) != h  # USER_HASH_SALT replaces the file
    given.close()


def test_an_older_database_s_salt_moves_out_and_hashes_stay(tmp_path):
    path = tmp_path / "state.sqlite"
    store = Store.open(path)
    store.close()
    (tmp_path / "user_hash.salt").unlink()
    raw = sqlite3.connect(path)  # as the previous version left it: the salt inside
    raw.execute("INSERT INTO meta (key, value) VALUES ('user_hash_salt', ?)", ("ab" * 32,))
    raw.commit()
    raw.close()
    store = Store.open(path)
    assert (tmp_path / "user_hash.salt").read_text().strip() == "ab" * 32
    assert store.get_meta("user_hash_salt") is None
    import hashlib
    import hmac

    assert (
        store.hash_user(5)
        == hmac.new(bytes.fromhex("ab" * 32), b"5", hashlib.sha256).hexdigest()[:32]
    )
    store.close()


def test_query_log_holds_no_user_id_nor_phone_or_id_numbers(store):
    store.log_query(
        987654321, "private", "zh-Hant", "免試期幾時完？" * 100, True, ["a", "b"], 0.91, "answer"
    )
    store.log_query(None, "supergroup", "en", "hi", False)
    qid = store.log_query(
        42, "private", "yue", "我A123456(7)，電話 9123 4567，可唔可以報2024年嘅課程？", False
    )
    rows = store.queries()
    assert [r["answered"] for r in rows] == [False, False, True]
    first = rows[2]
    assert (
        first["entry_ids"] == ["a", "b"]
        and first["score"] == pytest.approx(0.91)
        and first["kind"] == "answer"
    )
    assert len(first["text"]) == 500 and first["user_hash"] == store.hash_user(987654321)
    assert store.query(qid)["text"] == "我[身份證]，電話 [電話]，可唔可以報2024年嘅課程？"
    columns = set(store.backend.columns("queries"))
    assert not columns & {"user_id", "chat_id"}
    dump = everything(store)
    assert "987654321" not in dump and "A123456" not in dump and "9123" not in dump
    assert store.query_count() == 3


def test_question_texts_are_forgotten_after_the_retention_days(store):
    clock = ["2026-01-01T08:00:00+00:00"]
    store.now = lambda: clock[0]
    old = store.log_query(1, "private", "en", "old question", False)
    store.open_inbox(old, 1, 10, "en", "old question", -100)
    clock[0] = "2026-03-20T08:00:00+00:00"
    new = store.log_query(1, "private", "en", "new question", True)
    item = store.open_inbox(new, 1, 11, "en", "new question", -100)
    assert store.forget_question_texts(90, now=datetime(2026, 4, 5, tzinfo=UTC)) == 1
    assert store.query(old)["text"] is None and store.query(new)["text"] == "new question"
    assert store.inbox_item(item)["text"] == "new question"
    assert store.query_count() == 2  # the counts stay
    stats = store.stats(date_of(clock[0]), days=120)
    assert stats.questions == 2 and stats.unanswered == []
    assert store.forget_question_texts(0) == 0  # 0: kept for ever


def date_of(iso: str):
    return datetime.fromisoformat(iso).date()


def test_chats_are_recorded_and_updated_with_days_not_times(store):
    store.upsert_chat(-100, "supergroup", "Carers", status="member")
    store.upsert_chat(-100, "supergroup", None)  # keeps title and status
    assert store.chat(-100)["title"] == "Carers" and store.chat(-100)["status"] == "member"
    store.upsert_chat(-100, "supergroup", "Carers HK", status="administrator")
    store.upsert_chat(42, "private", "Ka Ming")  # private chats keep no names
    assert store.chat(42)["title"] is None
    assert len(store.chat(42)["first_seen"]) == 10  # a day: no time to link with the query log
    store.upsert_chat(-200, "group", "Old", status="kicked")
    assert [c["chat_id"] for c in store.chats()] == [-100]
    store.set_chat_status(42, "blocked")
    store.seen_chat(42, "private")  # a new message from it: present again
    assert store.chat(42)["status"] == "member"
    store.seen_chat(-100, "supergroup", "Carers HK")
    assert store.chat(-100)["status"] == "administrator"  # not downgraded
    assert store.chat(999) is None
    store.set_language(42, "en")
    assert all(
        len(v) == 10
        for v in [r["updated_at"] for r in store.sql.query("SELECT updated_at FROM users")]
    )


def test_chat_migration_moves_rows(backend, monkeypatch):
    def m_follows(db):
        db.execute(
            "CREATE TABLE topic_follows (chat_id BIGINT, topic TEXT, PRIMARY KEY (chat_id, topic))"
        )

    store = backend.open(migrations=[*MIGRATIONS, (len(MIGRATIONS) + 1, m_follows)])
    monkeypatch.setattr(migrations_module, "CHAT_ID_COLUMNS", [("topic_follows", "chat_id")])
    store.upsert_chat(-4001, "group", "Workers", status="member")
    for chat, topic in ((-4001, "rpl"), (-4001, "qf"), (-1004001, "qf")):
        store.sql.execute(
            "INSERT INTO topic_follows (chat_id, topic) VALUES (?, ?)", (chat, topic)
        )
    store.migrate_chat(-4001, -1004001)
    store.migrate_chat(-4001, -1004001)  # both service messages arrive: idempotent
    old, new = store.chat(-4001), store.chat(-1004001)
    assert old is not None and new is not None
    assert old["status"] == "migrated" and old["migrated_to"] == -1004001
    assert new["type"] == "supergroup" and new["title"] == "Workers" and new["status"] == "member"
    rows = store.sql.query(
        "SELECT topic FROM topic_follows WHERE chat_id = ? ORDER BY topic", (-1004001,)
    )
    assert [r["topic"] for r in rows] == ["qf", "rpl"]
    assert store.sql.query("SELECT * FROM topic_follows WHERE chat_id = ?", (-4001,)) == []
    assert store.current_chat_id(-4001) == -1004001 and store.current_chat_id(-1004001) == -1004001
    assert [c["chat_id"] for c in store.chats()] == [-1004001]
    store.close()


def test_migrating_an_unknown_group_creates_the_supergroup(store):
    store.migrate_chat(-5, -1005, "New title")
    assert store.chat(-1005)["title"] == "New title" and store.chat(-5) is None
    assert store.current_chat_id(-5) == -5


def test_every_registered_chat_column_exists(store):
    for table, column in migrations_module.CHAT_ID_COLUMNS:
        assert column in store.backend.columns(table), (table, column)
    store.upsert_chat(-7, "group", "G")
    store.subscribe(-7, "en")
    store.subscribe(-1007, "en")  # both ids subscribed: the moved row wins
    store.migrate_chat(-7, -1007)  # rewrites every registered table without error
    assert store.current_chat_id(-7) == -1007
    assert [s["chat_id"] for s in store.subscriptions()] == [-1007]


# -- the database's identity (issue 15): never silently a new one ---------------------------------------


def test_an_emptied_database_is_refused_where_the_data_folder_shows_earlier_use(backend):
    store = backend.open()
    store.subscribe(-1, "en")
    store.close()
    assert (backend.data_dir / "state.id").is_file()
    if backend.kind == "sqlite":
        backend.target.write_bytes(b"")  # a 0-byte state file
        for suffix in ("-wal", "-shm"):
            (backend.target.parent / (backend.target.name + suffix)).unlink(missing_ok=True)
    else:
        wipe = backend.open()
        for table in wipe.backend.table_names():
            wipe.sql.execute(f'DROP TABLE "{table}" CASCADE')
        wipe.close()
    with pytest.raises(StateError, match="is empty.*STATE_START_FRESH"):
        backend.open()
    store = backend.open(fresh=True)  # told to start afresh
    assert store.subscriptions() == []
    store.close()
    backend.open().close()  # and from then on the new one is the database


def test_a_different_database_is_refused(backend, tmp_path):
    backend.open().close()
    other_dir = tmp_path / "other"
    other = Store.open(other_dir / "state.sqlite")  # another deployment's database...
    other.close()
    (other_dir / "state.id").write_text(
        (backend.data_dir / "state.id").read_text()
    )  # ...where this one ran
    with pytest.raises(StateError, match="not the one"):
        Store.open(other_dir / "state.sqlite")
    Store.open(other_dir / "state.sqlite", fresh=True).close()


# -- several processes: leases, shared settings, conversation state --------------------------------------


def test_a_lease_has_one_holder_until_it_expires(store):
    clock = [1000.0]
    now = lambda: clock[0]  # noqa: E731
    assert store.acquire_lease("broadcast", 5, holder="a", clock=now)
    assert not store.acquire_lease("broadcast", 5, holder="b", clock=now)
    clock[0] += 3
    assert store.acquire_lease("broadcast", 5, holder="a", clock=now)  # renewed
    clock[0] += 4
    assert not store.acquire_lease(
        "broadcast", 5, holder="b", clock=now
    )  # still a's (renewed at 1003)
    clock[0] += 2
    assert store.acquire_lease(
        "broadcast", 5, holder="b", clock=now
    )  # a stopped renewing: b takes over
    assert not store.acquire_lease("broadcast", 5, holder="a", clock=now)
    assert store.lease("broadcast")["holder"] == "b"
    store.release_lease("broadcast", holder="b")
    assert store.acquire_lease("broadcast", 5, holder="a", clock=now)
    assert store.acquire_lease("process:a", 5, holder="a", clock=now)
    assert store.acquire_lease("process:c", 5, holder="c", clock=now)
    assert store.live_holders("process:", clock=now) == ["a", "c"]
    clock[0] += 6
    assert store.live_holders("process:", clock=now) == []


def test_meta_and_handler_state_are_shared_between_stores(backend):
    a, b = backend.open(), backend.open()
    a.set_meta("knowledge_digest", "abc")
    assert b.get_meta("knowledge_digest") == "abc" and b.get_meta("nothing") is None
    a.save_state("user", 7, {"check": {"step": 2, "answers": ["是"]}})
    a.save_state("chat", -7, {"choices": (["a", "b"], "en")})
    assert b.load_states([("user", 7), ("chat", -7), ("user", 8)]) == {
        ("user", 7): {"check": {"step": 2, "answers": ["是"]}},
        ("chat", -7): {"choices": (["a", "b"], "en")},
    }
    b.save_state("user", 7, {})
    assert a.load_states([("user", 7)]) == {}
    a.close()
    b.close()


def test_handler_state_is_signed_so_the_database_alone_cannot_forge_it(backend):
    store = backend.open()
    store.save_state("user", 1, {"x": 1})
    import base64
    import pickle

    forged = "p1:" + base64.b64encode(b"\0" * 32 + pickle.dumps({"x": 2})).decode()
    store.sql.execute("UPDATE conversations SET data = ? WHERE key = 1", (forged,))
    assert store.load_states([("user", 1)]) == {}  # refused, never unpickled
    other = backend.open(salt="another-salt")
    other.save_state("user", 2, {"y": 1})
    assert store.load_states([("user", 2)]) == {}
    other.close()
    store.close()


def test_an_interrupted_connection_is_opened_again(backend):
    if backend.kind != "postgresql":
        pytest.skip("PostgreSQL only: an SQLite file has no connection to lose")
    store = backend.open()
    store.set_language(1, "en")
    pid = store.sql.execute("SELECT pg_backend_pid()").fetchone()[0]
    killer = backend.open()
    killer.sql.execute("SELECT pg_terminate_backend(?)", (pid,))
    killer.close()
    import psycopg

    with pytest.raises(psycopg.OperationalError):
        store.language(1)  # the statement in flight when the server dropped it fails...
    assert store.language(1) == "en"  # ...and the next one reconnects
    store.close()


def test_times_are_utc_iso_seconds(store):
    at = datetime.fromisoformat(store.now())
    assert at.tzinfo is not None and abs(at - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_different_salt_on_the_same_database_is_reported(backend, caplog):
    backend.open(salt="first").close()
    with caplog.at_level("WARNING", logger="bot.store"):
        backend.open(salt="second").close()
    assert (
        "salt differs" in caplog.text
        and "first" not in caplog.text
        and "second" not in caplog.text
    )


def test_one_sql_text_runs_on_both_backends_literals_included(store):
    row = store.sql.execute("SELECT 'a%b', 'x?y', ? || '%'", ("z",)).fetchone()
    assert tuple(row) == ("a%b", "x?y", "z%")
