"""The state database: migrations, language choice, known chats and their migration, the query log."""
from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import Store
from bot.store import migrations as migrations_module
from bot.store.migrations import MIGRATIONS


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "state.sqlite")
    yield s
    s.close()


def test_fresh_database_is_migrated_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "state.sqlite"
    store = Store.open(path)
    assert store.applied == [v for v, _ in MIGRATIONS] and store.version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"migrations", "meta", "users", "chats", "queries"} <= set(store.db.table_names())
    store.close()
    again = Store.open(path)
    assert again.applied == [] and again.version == len(MIGRATIONS)
    again.close()


def test_a_new_migration_applies_once_on_top(tmp_path):
    path = tmp_path / "state.sqlite"
    Store.open(path).close()

    def m002(db):
        db.table("test_only_notes").create({"id": int, "chat_id": int, "body": str}, pk="id")

    extended = [*MIGRATIONS, (len(MIGRATIONS) + 1, m002)]
    store = Store.open(path, migrations=extended)
    assert store.applied == [len(MIGRATIONS) + 1] and "test_only_notes" in store.db.table_names()
    store.close()
    assert Store.open(path, migrations=extended).applied == []
    with pytest.raises(RuntimeError, match="does not know"):
        Store.open(path)  # older code on a newer database refuses to run


def test_a_failing_migration_changes_nothing(tmp_path):
    path = tmp_path / "state.sqlite"
    Store.open(path).close()

    def broken(db):
        db.table("test_half").create({"id": int}, pk="id")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        Store.open(path, migrations=[*MIGRATIONS, (len(MIGRATIONS) + 1, broken)])
    store = Store.open(path)
    assert "test_half" not in store.db.table_names() and store.version == len(MIGRATIONS)
    store.close()


def test_migration_numbers_must_be_consecutive(tmp_path):
    with pytest.raises(ValueError):
        Store.open(tmp_path / "s.sqlite", migrations=[(1, MIGRATIONS[0][1]), (3, MIGRATIONS[0][1])])


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


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 2**40), st.sampled_from(["zh-Hant", "zh-Hans", "en", None])), max_size=30))
def test_last_language_choice_wins(choices):
    store = Store(":memory:")
    expected: dict[int, str | None] = {}
    for user, lang in choices:
        store.set_language(user, lang)
        expected[user] = lang
    assert all(store.language(u) == lang for u, lang in expected.items())
    store.close()


def test_user_hash_is_salted_stable_and_private(tmp_path):
    a = Store.open(tmp_path / "a.sqlite")
    h = a.hash_user(123456789)
    assert h is not None and h == a.hash_user(123456789) and h != a.hash_user(123456788)
    assert "123456789" not in h and len(h) == 32
    a.close()
    assert Store.open(tmp_path / "a.sqlite").hash_user(123456789) == h  # salt kept in the database
    assert Store.open(tmp_path / "b.sqlite").hash_user(123456789) != h  # another database, another salt


def test_query_log_holds_no_user_id(store):
    store.log_query(987654321, "private", "zh-Hant", "免試期幾時完？" * 100, True, ["a", "b"], 0.91, "answer")
    store.log_query(None, "supergroup", "en", "hi", False)
    rows = store.queries()
    assert [r["answered"] for r in rows] == [False, True]
    first = rows[1]
    assert first["entry_ids"] == ["a", "b"] and first["score"] == pytest.approx(0.91) and first["kind"] == "answer"
    assert len(first["text"]) == 500 and first["user_hash"] == store.hash_user(987654321)
    columns = {c.name for c in store.db.table("queries").columns}
    assert not columns & {"user_id", "chat_id"}
    dump = "\n".join(store.db.conn.iterdump())
    assert "987654321" not in dump
    assert store.query_count() == 2


def test_chats_are_recorded_and_updated(store):
    store.upsert_chat(-100, "supergroup", "Carers", status="member")
    store.upsert_chat(-100, "supergroup", None)  # keeps title and status
    assert store.chat(-100)["title"] == "Carers" and store.chat(-100)["status"] == "member"
    store.upsert_chat(-100, "supergroup", "Carers HK", status="administrator")
    store.upsert_chat(42, "private", "Ka Ming")  # private chats keep no names
    assert store.chat(42)["title"] is None
    store.upsert_chat(-200, "group", "Old", status="kicked")
    assert [c["chat_id"] for c in store.chats()] == [-100]
    store.set_chat_status(42, "blocked")
    store.seen_chat(42, "private")  # a new message from it: present again
    assert store.chat(42)["status"] == "member"
    store.seen_chat(-100, "supergroup", "Carers HK")
    assert store.chat(-100)["status"] == "administrator"  # not downgraded
    assert store.chat(999) is None


def test_chat_migration_moves_rows(tmp_path, monkeypatch):
    def m002(db):
        db.table("topic_follows").create({"chat_id": int, "topic": str}, pk=("chat_id", "topic"))

    store = Store.open(tmp_path / "s.sqlite", migrations=[*MIGRATIONS, (len(MIGRATIONS) + 1, m002)])
    monkeypatch.setattr(migrations_module, "CHAT_ID_COLUMNS", [("topic_follows", "chat_id")])
    store.upsert_chat(-4001, "group", "Workers", status="member")
    store.db.table("topic_follows").insert_all([{"chat_id": -4001, "topic": "rpl"}, {"chat_id": -4001, "topic": "qf"}])
    store.migrate_chat(-4001, -1004001)
    store.migrate_chat(-4001, -1004001)  # both service messages arrive: idempotent
    old, new = store.chat(-4001), store.chat(-1004001)
    assert old is not None and new is not None
    assert old["status"] == "migrated" and old["migrated_to"] == -1004001
    assert new["type"] == "supergroup" and new["title"] == "Workers" and new["status"] == "member"
    assert sorted(r["topic"] for r in store.db.table("topic_follows").rows_where("chat_id = ?", [-1004001])) == ["qf", "rpl"]
    assert store.current_chat_id(-4001) == -1004001 and store.current_chat_id(-1004001) == -1004001
    assert [c["chat_id"] for c in store.chats()] == [-1004001]
    store.close()


def test_migrating_an_unknown_group_creates_the_supergroup(store):
    store.migrate_chat(-5, -1005, "New title")
    assert store.chat(-1005)["title"] == "New title" and store.chat(-5) is None
    assert store.current_chat_id(-5) == -5


def test_one_connection_and_readable_by_others(tmp_path):
    path = tmp_path / "s.sqlite"
    store = Store.open(path)
    store.set_language(7, "en")
    other = sqlite3.connect(path)
    assert other.execute("SELECT lang FROM users WHERE user_id = 7").fetchone() == ("en",)
    other.close()
    store.close()


def test_every_registered_chat_column_exists(store):
    for table, column in migrations_module.CHAT_ID_COLUMNS:
        assert column in {c.name for c in store.db.table(table).columns}, (table, column)
    store.upsert_chat(-7, "group", "G")
    store.migrate_chat(-7, -1007)  # rewrites every registered table without error
    assert store.current_chat_id(-7) == -1007
