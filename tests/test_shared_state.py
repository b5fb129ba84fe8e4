"""Two bot processes behind one webhook share each chat's state through PostgreSQL: a /check
started on one continues on the other, step by step, whichever process gets the next button press
(issue 14). Each "process" here is a real Application with its own Store connection; updates go
to the one a proxy would have picked."""

from __future__ import annotations

import contextlib
import shutil

import pytest

from tests.conftest import ROOT, tg_config
from tests.fakes import messages
from tests.fakes.messages import visible
from tests.fakes.updates import DEFAULT_USER_ID


@pytest.fixture(scope="module")
def rules_assistant(tmp_path_factory: pytest.TempPathFactory):
    from datetime import date

    from bot.assistant import Assistant
    from tests.helpers import build_index_cached

    base = tmp_path_factory.mktemp("shared-kb")
    shutil.copytree(ROOT / "knowledge", base / "knowledge")
    build_index_cached("real", base / "knowledge", base / "var" / "index.sqlite")
    return Assistant.open(
        base / "knowledge", base / "var" / "index.sqlite", today=lambda: date(2026, 3, 15)
    )


@contextlib.asynccontextmanager
async def process(server, config, assistant, store):
    from bot.telegram.app import build_application

    app = build_application(config, assistant, store)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()
        await app.shutdown()


def buttons(message: dict) -> dict[str, str]:
    """Label → callback data of the buttons under `message`."""
    return dict(messages.buttons(message))


async def deliver(server, app, update: dict, method: str) -> dict:
    """Hand `update` to `app` (as the proxy would) and return the result of the `method` call it makes."""
    from telegram import Update

    before = len(server.calls_of(method))
    await app.update_queue.put(Update.de_json(server._stamp(update), app.bot))
    calls = await server.wait_for(method, before + 1, 10)
    call = calls[before]
    # The reply is out; the process then writes the chat's state back. A person reads the reply
    # before pressing the next button, so the next update comes after that write.
    await server.wait_until(
        lambda: (
            call.status is not None
            and not app.update_processor.current_concurrent_updates
            and app.update_queue.empty()
        ),
        10,
        "the process to finish handling the update",
    )
    assert call.ok, call.summary()
    return call.result


async def test_a_check_started_on_one_process_goes_on_on_the_other(
    backend, tg_server, rules_assistant, tmp_path
):
    if backend.kind != "postgresql":
        pytest.skip("shared chat state is PostgreSQL mode's (one process per DATA_DIR on SQLite)")
    config = tg_config(tmp_path, tg_server.base_url)
    store_a, store_b = backend.open(), backend.open()
    updates = tg_server.updates
    try:
        async with (
            process(tg_server, config, rules_assistant, store_a) as a,
            process(tg_server, config, rules_assistant, store_b) as b,
        ):
            first = await deliver(tg_server, a, updates.private_text("/check"), "sendMessage")
            assert "第 1 題" in visible(first["text"])
            second = await deliver(
                tg_server,
                b,
                updates.callback_query(buttons(first)["安老服務業"], message=first),
                "editMessageText",
            )
            assert "第 2 題" in visible(second["text"])  # b knew the step a had asked
            third = await deliver(
                tg_server,
                a,
                updates.callback_query(buttons(second)["有正規工作經驗"], message=second),
                "editMessageText",
            )
            assert "第 3 題" in visible(third["text"]) and "安老服務業" in visible(third["text"])
            back = await deliver(
                tg_server, b, updates.callback_query("chk:back", message=third), "editMessageText"
            )
            assert "第 2 題" in visible(back["text"])

            def answers_kept() -> int:
                return len(
                    store_a.load_states([("user", DEFAULT_USER_ID)])[("user", DEFAULT_USER_ID)][
                        "check"
                    ].history
                )

            # b writes the state back right after its reply
            await tg_server.wait_until(lambda: answers_kept() == 1, 5, "one answer kept")
            assert answers_kept() == 1  # one answer kept after Back, in the store both read
    finally:
        store_a.close()
        store_b.close()


async def test_a_reload_on_one_process_reaches_the_other(backend, tg_server, tmp_path):
    """Two machines, each with its own copy of knowledge/ and its own index: an admin's /reload on
    one rebuilds the other within a tick, through the digest in the store."""
    if backend.kind != "postgresql":
        pytest.skip("several processes are PostgreSQL mode's")
    from bot.assistant import Assistant
    from bot.telegram.cluster import cluster
    from bot.telegram.context import services_of
    from tests.conftest import FIXTURE_KB, _entry

    machines = []
    for name in ("a", "b"):
        base = tmp_path / name
        shutil.copytree(FIXTURE_KB, base / "knowledge")
        assistant = Assistant.open(base / "knowledge", base / "var" / "index.sqlite")
        config = tg_config(
            base / "var",
            tg_server.base_url,
            KNOWLEDGE_DIR=base / "knowledge",
            LEASE_SECONDS=0.3,
            REMINDER_CHECK_SECONDS=0,
        )
        machines.append((base, assistant, config, backend.open()))
    new = "\n".join(
        [
            "entries:",
            _entry(
                "reload-test-entry",
                "fact",
                "qf",
                "重新載入測試",
                "Reload test",
                "新答案。",
                "A new answer.",
                (
                    "重新載入測試是甚麼？",
                    "重新載入測試係咩？",
                    "重新载入测试是什么？",
                    "What is the reload test?",
                ),
            ),
        ]
    )
    try:
        async with (
            process(tg_server, machines[0][2], machines[0][1], machines[0][3]) as a,
            process(tg_server, machines[1][2], machines[1][1], machines[1][3]) as b,
        ):
            b_assistant = machines[1][1]
            for base, *_ in machines:  # the new file deployed to both machines
                (base / "knowledge" / "zz_reload_test.yaml").write_text(new, encoding="utf-8")
            ops = services_of(a)
            groups = [cluster(app.bot_data) for app in (a, b)]
            await tg_server.wait_until(  # both have looked at the store once
                lambda: all(g is not None and g._known_digest for g in groups),
                10,
                "both processes to read the knowledge digest",
            )
            report = await ops.reloader.reload()  # the admin's /reload on process a
            assert (
                report is not None
                and report.ok
                and "reload-test-entry" in machines[0][1].kb.entries
            )
            await tg_server.wait_until(
                lambda: "reload-test-entry" in b_assistant.kb.entries, 10, "b to rebuild"
            )
            assert (
                "reload-test-entry" in b_assistant.kb.entries
            )  # process b rebuilt from its own files
    finally:
        for *_, store in machines:
            store.close()
