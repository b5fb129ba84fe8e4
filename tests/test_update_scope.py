"""An update's database work in two round trips (issue 14, several processes on PostgreSQL): one
read before the update, one transaction after it; in between, the store answers from what was read
and keeps its writes. SQLite (one process) writes at once, as before."""

from __future__ import annotations

import pytest

from bot.store import update_scope
from bot.store.update_scope import UpdateScope


def within(scope: UpdateScope):
    """Run the body as the update handler would: with `scope` current."""

    class Scoped:
        def __enter__(self):
            self.token = update_scope.CURRENT.set(scope)
            return scope

        def __exit__(self, *exc):
            update_scope.CURRENT.reset(self.token)
            scope.open = False

    return Scoped()


async def test_one_read_before_and_one_write_after_an_update(backend):
    if backend.kind != "postgresql":
        pytest.skip("the update scope is PostgreSQL mode's")
    a, b = backend.open(), backend.open()
    try:
        a.set_language(7, "en")
        a.save_state("user", 7, {"check": {"step": 2}})
        keys = [("user", 7), ("chat", 7), ("conv:7", 7)]
        states, langs = await b.read_update(keys, 7)
        assert states == {("user", 7): {"check": {"step": 2}}} and langs == {7: "en"}

        scope = UpdateScope(langs=langs)
        with within(scope):
            assert b.language(7) == "en"  # from the read, no round trip
            b.set_language(7, "zh-Hans")
            assert b.language(7) == "zh-Hans"  # a change within the update is seen at once
            first = b.log_query(7, "private", "en", "When does it start?", True, ["e1"], 0.9)
            second = b.log_query(7, "private", "en", "Where?", False)
            b.seen_chat(7, "private")
        assert second > first
        assert a.queries() == []  # nothing written yet but the /lang choice (a command, rare)
        assert a.chat(7) is None

        written = await b.write_update([("user", 7, {}), ("chat", 7, {"choices": None})], scope)
        assert written == 5  # two states, two log rows, one chat upsert: one transaction
        logged = {q["id"]: q for q in a.queries()}
        assert logged[first]["text"] == "When does it start?" and logged[first]["entry_ids"] == [
            "e1"
        ]
        assert logged[second]["answered"] is False
        assert a.chat(7) is not None and a.language(7) == "zh-Hans"
        assert a.load_states(keys) == {("chat", 7): {"choices": None}}
        assert b.log_query(7, "private", "en", "after", True) not in (first, second)  # at once
    finally:
        await b.backend.close_side()
        a.close()
        b.close()


async def test_query_ids_are_unique_across_processes(backend):
    if backend.kind != "postgresql":
        pytest.skip("the update scope is PostgreSQL mode's")
    stores = [backend.open(), backend.open()]
    try:
        ids: list[int] = []
        for _ in range(3):
            for store in stores:
                await store.read_update([("user", 1)], 1)  # takes a block when the stock is low
                scope = UpdateScope()
                with within(scope):
                    ids += [store.log_query(1, "private", "en", f"q{n}", True) for n in range(20)]
                await store.write_update([], scope)
        assert len(set(ids)) == len(ids) == 120
        assert stores[0].query_count() == 120
    finally:
        for store in stores:
            await store.backend.close_side()
            store.close()


async def test_a_chat_marked_within_the_update_stays_marked(backend):
    """A chat's first sighting waits for the end of the update, but a later write to the same row
    in that update (the reply bounced: blocked; the group became a supergroup) lands after it."""
    if backend.kind != "postgresql":
        pytest.skip("the update scope is PostgreSQL mode's")
    store = backend.open()
    try:
        scope = UpdateScope()
        with within(scope):
            store.seen_chat(9, "private")
            store.seen_chat(-5, "group", "Old group")
            store.set_chat_status(9, "blocked")
            store.migrate_chat(-5, -1005)
        await store.write_update([], scope)
        assert store.chat(9)["status"] == "blocked"
        assert store.chat(-5)["status"] == "migrated" and store.chat(-1005)["status"] == "member"
    finally:
        await store.backend.close_side()
        store.close()


def test_sqlite_writes_at_once_even_inside_an_update(backend):
    if backend.kind != "sqlite":
        pytest.skip("the SQLite half")
    store = backend.open()
    try:
        scope = UpdateScope(langs={7: "en"})
        with within(scope):
            query_id = store.log_query(7, "private", "en", "hello", True)
            store.seen_chat(7, "private")
            assert store.language(7) is None  # read from the database, not the scope
        assert scope.writes == []
        assert [q["id"] for q in store.queries()] == [query_id]
        assert store.chat(7) is not None
    finally:
        store.close()
