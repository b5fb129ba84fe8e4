"""Several processes on one state store: one sender at a time, taken over when its holder dies,
claims fenced by the lease, one bot process per DATA_DIR in SQLite mode (issue 14, issue 15 point 5)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from bot.store import StateError
from bot.store.lock import DataDirLock
from bot.telegram.cluster import SENDER, Cluster
from tests.conftest import ROOT
from tests.fakes.waiting import wait_until, wait_until_sync
from tests.helpers import bot_py


def test_one_sender_at_a_time_and_a_dead_one_is_taken_over_at_once(backend):
    a_store, b_store = backend.open(), backend.open()
    a_store.subscribe(-1, "en")
    a_store.subscribe(-2, "en")
    bid = a_store.create_broadcast(9, 9, "en", html="hi")
    a_store.confirm_broadcast(bid)
    # On PostgreSQL a long lease: the takeover must not wait for it to expire.
    lease = 30.0 if backend.kind == "postgresql" else 0.6
    a, b = Cluster(a_store, lease_seconds=lease), Cluster(b_store, lease_seconds=lease)
    assert (
        a_store.recover_interrupted() == 0
    )  # coordinated: start-up leaves rows to the lease's takeover
    assert a.renew() and a.is_sender()
    assert not b.renew() and not b.is_sender()
    assert a_store.claim_delivery(bid, -1)  # a claims a row, then dies before marking it
    assert not b_store.claim_delivery(bid, -2)  # b holds no lease: its claims are refused
    a_store.close()  # a dies: its connection closes
    died = time.monotonic()
    wait_until_sync(b.renew, 10, "b to take the sender's lease")  # b takes over...
    took = time.monotonic() - died
    # ...at once on PostgreSQL (the server frees a dead session's lock), after the lease on SQLite
    assert took < (5.0 if backend.kind == "postgresql" else 3.0), took
    assert (
        b.recovered == [1] and b_store.delivery(bid, -1)["status"] == "uncertain"
    )  # a's row in flight: never resent
    assert b_store.claim_delivery(bid, -2)
    assert b_store.lease(SENDER)["holder"] == b.holder
    assert b.live_processes() >= 1
    b.release()
    assert b_store.lease(SENDER) is None
    b_store.close()


def test_a_stalled_sender_never_sends_beside_its_successor(backend):
    a_store, b_store = backend.open(), backend.open()
    a_store.subscribe(-1, "en")
    bid = a_store.create_broadcast(9, 9, "en", html="hi")
    a_store.confirm_broadcast(bid)
    a, b = Cluster(a_store, lease_seconds=0.6), Cluster(b_store, lease_seconds=0.6)
    assert a.renew()
    # a stalls (no renewal) while its process lives on
    wait_until_sync(
        lambda: not a.is_sender(), 10, "a to stop trusting its lease"
    )  # its own clock stops trusting the lease
    if backend.kind == "postgresql":
        assert not b.renew()  # the session lock stays with the live connection: nobody else sends
        assert not b_store.claim_delivery(bid, -1)
    else:
        wait_until_sync(b.renew, 5, "b to take the expired lease")  # b took over
        assert not a_store.claim_delivery(bid, -1)  # and the stalled a is refused by the database
        assert b_store.claim_delivery(bid, -1)
    a_store.close()
    b_store.close()


def test_reminder_claims_are_fenced_too(backend):
    other_store, store = backend.open(), backend.open()
    other, mine = Cluster(other_store, lease_seconds=30), Cluster(store, lease_seconds=30)
    assert other.renew() and not mine.renew()
    assert not store.claim_reminder("e", "start", "2026-04-01", -1)  # not the sender: refused
    other.release()
    assert mine.renew()
    assert store.claim_reminder("e", "start", "2026-04-01", -1)
    assert not store.claim_reminder("e", "start", "2026-04-01", -1)  # once
    other_store.close()
    store.close()


def test_the_knowledge_digest_reaches_the_other_processes(backend):
    a_store, b_store, c_store = backend.open(), backend.open(), backend.open()
    a, b, c = Cluster(a_store, 5), Cluster(b_store, 5), Cluster(c_store, 5)
    assert (
        a.knowledge_changed_elsewhere("d1") is None and b.knowledge_changed_elsewhere("d1") is None
    )
    assert a.knowledge_changed_elsewhere("d2") is None  # a reloaded: published
    assert b.knowledge_changed_elsewhere("d1") == "d2"  # b learns it and rebuilds
    b.rebuilt("d2")
    assert (
        b.knowledge_changed_elsewhere("d2") is None and a.knowledge_changed_elsewhere("d2") is None
    )
    assert b.knowledge_changed_elsewhere("d2") is None  # once
    # a process starting with older knowledge follows the others instead of overwriting them
    assert (
        c.knowledge_changed_elsewhere("d1") == "d2"
        and c_store.get_meta("knowledge_digest") == "d2"
    )
    c.rebuilt("d2")
    assert c.knowledge_changed_elsewhere("d2") is None
    for s in (a_store, b_store, c_store):
        s.close()


def test_a_second_process_on_one_data_dir_is_refused_with_a_clear_message(tmp_path):
    with DataDirLock(tmp_path):
        code = (
            f"from bot.store.lock import DataDirLock\nDataDirLock({str(tmp_path)!r}).acquire()\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode != 0
        assert "another bot process" in done.stderr and "DATABASE_URL" in done.stderr
        with pytest.raises(StateError, match=r"pid \d+"):
            DataDirLock(tmp_path).acquire()
    DataDirLock(tmp_path).acquire().release()  # free again once the first one stops


def test_the_bot_refuses_to_start_beside_a_running_one(tmp_path):
    data = tmp_path / "data"
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "DATA_DIR": str(data),
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        "PATH": "/usr/bin:/bin",
    }
    with DataDirLock(data):
        done = bot_py("run", env=env)
    assert done.returncode != 0
    assert "another bot process" in done.stderr and "Traceback" not in done.stderr


def test_one_token_bucket_paces_all_processes_together(backend):
    a, b = backend.open(), backend.open()
    assert a.take_token("telegram", rate=20, burst=2) == 0.0
    assert (
        b.take_token("telegram", rate=20, burst=2) == 0.0
    )  # the other process draws on the same bucket
    wait = a.take_token("telegram", rate=20, burst=2)
    assert 0 < wait <= 0.05 + 1e-9  # empty: come back in about 1/rate
    started = time.monotonic()
    wait_until_sync(
        lambda: b.take_token("telegram", rate=20, burst=2) == 0.0, 5, "the bucket to refill"
    )
    assert time.monotonic() - started < 2.0  # refilled at the rate
    taken, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < 0.5:  # two processes together, as fast as they can
        for s in (a, b):
            taken += s.take_token("telegram", rate=20, burst=2) == 0.0
    elapsed = time.monotonic() - t0
    assert taken <= 2 + elapsed * 20 + 2  # burst + rate x time (+ the clock's edge)
    assert taken >= elapsed * 20 * 0.5  # and the rate is there to use
    a.close()
    b.close()


async def test_a_shared_store_replaces_the_per_process_rate_limit(backend, tg_server, tmp_path):
    if backend.kind != "postgresql":
        pytest.skip("the shared bucket is PostgreSQL mode's")
    from bot.telegram.app import build_application
    from bot.telegram.cluster import SharedRate
    from tests.conftest import tg_config
    from tests.helpers import fixture_assistant

    store = backend.open()
    app = build_application(tg_config(tmp_path, tg_server.base_url), fixture_assistant(), store)
    await app.initialize()
    assert app.post_init is not None  # the cluster is wired where the services start
    await app.post_init(app)
    try:
        assert isinstance(app.bot.rate_limiter._base_limiter, SharedRate)
        async with app.bot.rate_limiter._base_limiter:
            pass  # takes a token from the database
        assert store.sql.execute("SELECT COUNT(*) FROM rate_buckets").fetchone()[0] == 1
    finally:
        await app.shutdown()
        store.close()


def test_several_webhook_processes_need_one_shared_secret(tmp_path, backend):
    if backend.kind != "postgresql":
        pytest.skip("PostgreSQL mode's rule")
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": str(backend.target),
        "WEBHOOK_URL": "https://bot.example.org/hook",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
        "PATH": "/usr/bin:/bin",
    }
    done = bot_py("run", env=env)
    assert (
        done.returncode != 0
        and "set the same WEBHOOK_SECRET" in done.stderr
        and "Traceback" not in done.stderr
    )


async def test_the_bot_forgets_old_question_texts_by_itself(tg_server, tmp_path):
    """The retention job runs at start (then every 6 hours): QUERY_TEXT_DAYS old texts are gone."""
    from bot.store import Store, utc_now
    from bot.telegram.app import build_application
    from tests.conftest import tg_config
    from tests.helpers import fixture_assistant

    store = Store.open(tmp_path / "state.sqlite")
    store.now = lambda: "2020-01-01T00:00:00+00:00"
    old = store.log_query(1, "private", "en", "an old question", True)
    store.now = utc_now
    new = store.log_query(1, "private", "en", "a new question", True)
    app = build_application(
        tg_config(tmp_path, tg_server.base_url, QUERY_TEXT_DAYS=30), fixture_assistant(), store
    )
    await app.initialize()
    assert app.post_init is not None  # where the services start and schedule their jobs
    await app.post_init(app)
    await app.start()

    def text(query_id: int) -> str | None:
        row = store.query(query_id)
        assert row is not None
        return row["text"]

    try:
        await wait_until(lambda: text(old) is None, 10, "the retention job to forget the old text")
        assert text(old) is None and text(new) == "a new question"
    finally:
        await app.stop()
        await app.shutdown()
        store.close()
