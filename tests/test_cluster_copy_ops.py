"""Several processes on PostgreSQL: "edit everywhere" of an announcement is a durable job run by the
process holding the sender lease, wherever the admin confirmed it (issue 14). Each "process" is a
real Application with its own Store connection, both on one schema of a real server."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.conftest import tg_config
from tests.fakes.waiting import wait_until_sync
from tests.test_shared_state import process

ADMIN = 4242
GROUPS = [-1008400000000 - i for i in range(12)]


async def until(predicate, timeout: float = 20.0, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def counting(helper) -> list[int]:
    """The chats this process's edit/delete job touched (each row it claimed)."""
    touched: list[int] = []
    apply = helper._apply

    async def recorded(op: dict, row: dict):
        touched.append(row["chat_id"])
        return await apply(op, row)

    helper._apply = recorded
    return touched


async def test_an_edit_confirmed_on_one_process_is_done_by_the_sender_lease_holder(
    backend, tg_server, tg_assistant, tmp_path
):
    if backend.kind != "postgresql":
        pytest.skip("several processes are PostgreSQL mode's")
    from bot.telegram.announce import announcements
    from bot.telegram.cluster import cluster

    stores = [backend.open(), backend.open()]
    configs = [
        tg_config(
            tmp_path / name,
            tg_server.base_url,
            ADMIN_IDS=ADMIN,
            LEASE_SECONDS=0.3,
            REMINDER_CHECK_SECONDS=0,
            SCHEDULE_CHECK_SECONDS=0,
            TELEGRAM_MAX_RATE=0,
        )
        for name in ("a", "b")
    ]
    with stores[0].sql.atomic():
        for chat_id in GROUPS:
            stores[0].upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
            stores[0].subscribe(chat_id, "en")
    try:
        async with contextlib.AsyncExitStack() as stack:
            apps = [
                await stack.enter_async_context(
                    process(tg_server, configs[i], tg_assistant, stores[i])
                )
                for i in (0, 1)
            ]
            groups = [cluster(app.bot_data) for app in apps]
            await until(
                lambda: any(g is not None and g.is_sender() for g in groups), what="a sender"
            )
            holder = next(i for i, g in enumerate(groups) if g is not None and g.is_sender())
            other = 1 - holder
            touched = [counting(announcements(app.bot_data)) for app in apps]

            # A broadcast, sent by the holder.
            bid = stores[other].create_broadcast(ADMIN, ADMIN, "en", html="Power cut on 15 March")
            assert stores[other].confirm_broadcast(bid) == len(GROUPS)
            await until(
                lambda: (stores[other].broadcast(bid) or {}).get("status") == "done",
                what="the broadcast",
            )

            # The admin confirms "edit everywhere" on the other process, whose handler starts the job.
            op = stores[other].create_copy_op(
                bid, "edit", ADMIN, ADMIN, html="Power cut on 16 March"
            )
            assert stores[other].confirm_copy_op(op) == len(GROUPS)
            confirming = announcements(apps[other].bot_data)
            assert confirming is not None
            confirming.start()
            await until(
                lambda: (stores[other].copy_op(op) or {}).get("status") == "done",
                what="the edit job",
            )

        assert touched[other] == []  # the confirming process edited nothing itself
        assert sorted(touched[holder]) == sorted(GROUPS)
        edits = [c for c in tg_server.calls_of("editMessageText") if c.chat_id in GROUPS and c.ok]
        assert sorted(c.chat_id for c in edits) == sorted(GROUPS)  # each copy edited once
        assert stores[holder].copy_counts(op)["done"] == len(GROUPS)
    finally:
        for store in stores:
            store.close()


def test_rows_of_an_edit_job_are_claimed_only_under_the_sender_lease(backend):
    """The fence of deliveries holds for edit/delete rows too: a process that does not hold the
    lease claims nothing, and only the one taking the lease over puts rows left mid-call back."""
    if backend.kind != "postgresql":
        pytest.skip("several processes are PostgreSQL mode's")
    from bot.telegram.cluster import Cluster

    a, b = backend.open(), backend.open()
    try:
        first, second = Cluster(a, 5.0), Cluster(b, 5.0)
        assert first.renew() and not second.renew()
        a.upsert_chat(-1, "supergroup", "G")
        a.subscribe(-1, "en")
        bid = a.create_broadcast(ADMIN, ADMIN, "en", html="x")
        a.confirm_broadcast(bid)
        assert a.claim_delivery(bid, -1)
        a.finish_delivery(bid, -1, "sent", message_id=7)
        op = a.create_copy_op(bid, "delete", ADMIN, ADMIN)
        assert a.confirm_copy_op(op) == 1
        assert not b.claim_copy_row(op, -1)  # not the holder
        assert a.claim_copy_row(op, -1)  # the holder; then it "dies" mid-call
        assert b.recover_copy_ops() == 0  # a process starting does not touch it
        a.close()
        wait_until_sync(second.renew, 10, "b to take over once the server freed a's lock")
        assert b.copy_counts(op)["pending"] == 1  # put back, to be done again
        assert b.claim_copy_row(op, -1)
    finally:
        b.close()
        with contextlib.suppress(Exception):
            a.close()
