"""The bot under injected faults (issue 15): what must hold when Telegram, the network, the disk or
the files misbehave. Each test names the fault and states the guarantee README's "Guarantees"
section makes for it: nothing doubled, answers keep coming, the process exits or recovers as stated.

Faults are injected in the fake Bot API server's HTTP layer (tests/fakes/telegram_server.py:
"done_500" — carried out, then answered 500; "drop" — carried out, then the connection closed
without an answer; 401/404 to getUpdates), in the state database (full, read-only) and in the
knowledge files (alias bombs, oversized files, thousands of errors)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import signal
import sys
from datetime import datetime
from itertools import pairwise

import httpx
import pytest
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.telegram.ambiguity import at_most_once, never_left
from bot.telegram.app import POLL_AUTH_RETRIES, RetryingRateLimiter
from tests.conftest import ROOT, TG_TOKEN, running_bot
from tests.fakes.messages import wait_text
from tests.fakes.waiting import wait_until
from tests.harness import copy_index, free_port, job_runs
from tests.harness import run_bot_process as run_bot
from tests.test_telegram_admin import (
    ADMIN,
    ADMIN_CHAT,
    ADMIN_USER,
    HKT,
    admin_bot,
    admin_config,
    fast,
    ops_of,
    own_assistant,
    start_broadcast,
    subscribe_groups,
)

__all__ = ["admin_bot", "own_assistant"]  # fixtures shared with test_telegram_admin.py

QUESTION = "免試期幾時完？"
ANSWER_START = "<b>五年免試期</b>"


def copies(server, chat_id) -> int:
    """Messages Telegram holds in `chat_id` (carried-out calls, whatever the client was told)."""
    return len(server.sent_messages(chat_id))


# -- 1. ambiguous sends: never repeated, counted "uncertain" -----------------------------------------------


def net_error(cause: BaseException, cls: type[NetworkError] = NetworkError) -> NetworkError:
    exc = cls("boom")
    exc.__cause__ = cause
    return exc


def test_only_connect_errors_and_pool_timeouts_prove_a_request_never_left():
    request = httpx.Request("POST", "http://x")
    assert never_left(net_error(httpx.ConnectError("refused", request=request)))
    assert never_left(net_error(httpx.ConnectTimeout("slow", request=request), TimedOut))
    assert never_left(net_error(httpx.PoolTimeout("busy", request=request), TimedOut))
    assert not never_left(NetworkError("Internal Server Error"))  # a 5xx: maybe carried out
    assert not never_left(
        net_error(httpx.RemoteProtocolError("Server disconnected", request=request))
    )
    assert not never_left(net_error(httpx.ReadTimeout("no answer", request=request), TimedOut))
    assert not never_left(net_error(httpx.WriteTimeout("half sent", request=request), TimedOut))


async def test_inside_at_most_once_the_rate_limiter_retries_only_what_never_left():
    limiter = RetryingRateLimiter(overall_max_rate=0, group_max_rate=0, backoff=0.001)
    request = httpx.Request("POST", "http://x")
    for fault, tries_expected in (
        (NetworkError("Bad Gateway"), 1),
        (net_error(httpx.RemoteProtocolError("dropped", request=request)), 1),
        (net_error(httpx.ConnectError("refused", request=request)), 4),
    ):
        tries: list[int] = []

        async def callback(*args, tries=tries, fault=fault, **kwargs):
            tries.append(1)
            raise fault

        with at_most_once(), pytest.raises(NetworkError):
            await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": -1}, None)
        assert len(tries) == tries_expected, fault
    # Outside (answers to workers) a 5xx is still retried: a late answer beats none.
    tries = []

    async def flaky(*args, **kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise NetworkError("Bad Gateway")
        return {"ok": True}

    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None) == {
        "ok": True
    }
    assert len(tries) == 2


@pytest.mark.parametrize("kind", ["done_500", "done_502", "drop", "timeout"])
async def test_a_broadcast_send_carried_out_then_failed_is_uncertain_never_doubled(
    tg_server, tg_assistant, tg_store, tmp_path, kind
):
    server, store = tg_server, tg_store
    groups = [-1007000000000 - i for i in range(12)]
    subscribe_groups(store, groups)
    faulty = groups[3:6]
    async with running_bot(
        server, admin_config(tmp_path, server), tg_assistant, store, read_timeout=0.5, **fast()
    ) as bot:
        for chat_id in faulty:
            server.fail("sendMessage", kind, times=1, chat_id=chat_id, delay=0.5)
        _, question = await start_broadcast(bot, "/broadcast 停電通知")
        server.push_update(
            bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
        )
        report = await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=20)
        # The answers keep coming meanwhile and after.
        answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=1001)
        assert answer.params["text"].startswith(ANSWER_START)
    assert all(copies(server, g) == 1 for g in groups)  # Telegram carried each out exactly once
    assert all(
        len([c for c in server.calls_of("sendMessage") if c.chat_id == g]) == 1 for g in faulty
    )  # no retry
    counts = store.delivery_counts(1)
    assert counts["sent"] == 9 and counts["uncertain"] == 3 and counts["failed"] == 0
    assert all(store.delivery(1, g)["status"] == "uncertain" for g in faulty)
    assert "of 12 groups, 9 sent, 0 failed, 0 skipped, 3 uncertain." in report.params["text"]
    assert "3 groups may or may not have received it" in report.params["text"]


async def test_a_plain_5xx_to_a_broadcast_is_uncertain_too_the_group_may_miss_it(admin_bot):
    """A 5xx cannot say whether Telegram delivered: the group may miss the broadcast, never get it twice."""
    server, store = admin_bot.server, admin_bot.store
    groups = [-1007100000000 - i for i in range(3)]
    subscribe_groups(store, groups)
    server.fail("sendMessage", "500", times=1, chat_id=groups[1])
    _, question = await start_broadcast(admin_bot, "/broadcast 通知")
    server.push_update(
        admin_bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
    )
    await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=10)
    assert [copies(server, g) for g in groups] == [1, 0, 1]
    assert store.delivery(1, groups[1])["status"] == "uncertain"


async def test_a_reminder_carried_out_then_dropped_is_never_sent_again(
    tg_server, tg_assistant, tg_store, tmp_path
):
    server, store = tg_server, tg_store
    config = admin_config(
        tmp_path, server, REMINDER_CHECK_SECONDS=0.05, REMINDER_DAYS=7, REMINDER_HOUR=10
    )
    dropped, done500, fine = -1007200000001, -1007200000002, -1007200000003
    subscribe_groups(store, [dropped, done500, fine])
    server.fail("sendMessage", "drop", times=1, chat_id=dropped)
    server.fail("sendMessage", "done_500", times=1, chat_id=done500)
    async with running_bot(server, config, tg_assistant, store, **fast()) as bot:
        ops = ops_of(bot)
        ops.now = lambda: datetime(2031, 5, 3, 10, 0, tzinfo=HKT)
        await wait_text(server, fine, "資歷架構論壇2031")
        await job_runs(bot.app, "reminders", 4)  # several more runs of the reminder job
    assert copies(server, dropped) == copies(server, done500) == copies(server, fine) == 1
    status = {r["chat_id"]: r["status"] for r in store.reminders_sent()}
    assert status == {dropped: "uncertain", done500: "uncertain", fine: "sent"}


async def test_answers_keep_coming_while_a_broadcast_meets_ambiguous_faults(admin_bot):
    server, store = admin_bot.server, admin_bot.store
    groups = [-1007300000000 - i for i in range(40)]
    subscribe_groups(store, groups)
    for chat_id in groups[::4]:
        server.fail("sendMessage", "drop", times=1, chat_id=chat_id)
    _, question = await start_broadcast(admin_bot, "/broadcast 通知")
    server.push_update(
        admin_bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
    )
    for n in range(5):
        user = 3000 + n
        from tests.fakes.updates import make_user

        answer = await admin_bot.reply_to(
            admin_bot.updates.private_text(QUESTION, user=make_user(user, "W")), chat_id=user
        )
        assert answer.params["text"].startswith(ANSWER_START)
    await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=10)
    assert max(copies(server, g) for g in groups) == 1
    assert store.delivery_counts(1)["uncertain"] == 10


# -- 3. polling that ends for good ends the process --------------------------------------------------------


@pytest.mark.parametrize("kind", ["401", "404"])
async def test_getupdates_refused_for_good_is_retried_with_backoff_then_reported_dead(
    tg_server, tg_assistant, tg_store, tmp_path, kind
):
    from bot.telegram.app import PollingRequest
    from bot.telegram.lifecycle import watch_polling

    config = admin_config(tmp_path, tg_server)
    async with running_bot(
        tg_server,
        config,
        tg_assistant,
        tg_store,
        knowledge_poll=0,
        get_updates_request=PollingRequest(auth_retries=3, auth_backoff=0.05),
    ) as bot:
        dead: list[str] = []
        watchdog = asyncio.create_task(watch_polling(bot.app, dead.append))
        answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=1001)
        assert answer.ok
        before = len(tg_server.calls_of("getUpdates"))
        tg_server.fail(
            "getUpdates", kind, times=2
        )  # a restarting Bot API server: polling recovers
        answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=1001, timeout=10)
        assert answer.ok and not dead

        def recovered() -> (
            bool
        ):  # two refusals, then a poll that was let through (it may still be waiting)
            calls = tg_server.calls_of("getUpdates")[before:]
            return (
                [c.status for c in calls[:2]] == [int(kind)] * 2
                and len(calls) > 2
                and calls[2].injected is None
            )

        await tg_server.wait_until(recovered, 5, "polling to recover from the refusals")
        tg_server.fail("getUpdates", kind, times=100)  # refused for good
        tg_server.push_update(bot.updates.private_text(QUESTION))  # ends the long poll in flight
        await asyncio.wait_for(watchdog, 10)
        refused = [c for c in tg_server.calls_of("getUpdates")[before:] if c.status == int(kind)]
        assert len(refused) == 2 + 4  # the recovered pair, then the first try and 3 retries
        gaps = [b.time - a.time for a, b in pairwise(refused[2:])]
        assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2  # back-off doubles
        assert dead and "InvalidToken" in dead[0]
        with pytest.raises(InvalidToken):  # stopping the dead updater re-raises what ended it
            await bot.app.updater.stop()


async def test_an_orderly_stop_is_not_reported_as_dead_polling(tg_bot):
    from bot.telegram.lifecycle import POLLING_TASK_NAME, watch_polling

    dead: list[str] = []
    # The bot polls: the watchdog has a task to watch from its first step.
    assert any(t.get_name() == POLLING_TASK_NAME for t in asyncio.all_tasks())
    watching = watch_polling(tg_bot.app, dead.append)
    watchdog = asyncio.create_task(watching)
    await wait_until(
        lambda: inspect.getcoroutinestate(watching) == inspect.CORO_SUSPENDED,
        what="the watchdog to wait on the polling task",
    )
    await tg_bot.app.updater.stop()
    await asyncio.wait_for(watchdog, 5)
    assert dead == []


def bot_env(server_url: str, data, knowledge, **extra) -> dict:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_BASE_URL": server_url,
        "KNOWLEDGE_DIR": str(knowledge),
        "DATA_DIR": str(data),
        "LOG_LEVEL": "INFO",
        "WEBHOOK_URL": "",
        **{k: str(v) for k, v in extra.items()},
    }


def data_dir_with_index(tmp_path, tg_index):
    data = tmp_path / "data"
    copy_index(tg_index, data)
    return data


async def test_bot_py_run_exits_non_zero_when_polling_is_refused_for_good(
    tg_server, tg_knowledge, tg_index, tmp_path
):
    env = bot_env(
        tg_server.base_url,
        data_dir_with_index(tmp_path, tg_index),
        tg_knowledge,
        BOT_API_RETRY_SECONDS=0.05,  # tried again after 0.05, 0.1, 0.2 s (0.5, 1, 2 s by default)
    )
    proc = await run_bot(env)
    try:
        tg_server.push_update(tg_server.updates.private_text(QUESTION))
        await tg_server.wait_for("sendMessage", 1, timeout=30)
        tg_server.fail("getUpdates", "401", times=1000)
        tg_server.push_update(
            tg_server.updates.private_text(QUESTION)
        )  # ends the long poll in flight
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
    stderr = (await proc.stderr.read()).decode()
    assert proc.returncode == 3, stderr[-2000:]
    refused = [c for c in tg_server.calls_of("getUpdates") if c.status == 401]
    assert len(refused) == 1 + POLL_AUTH_RETRIES  # tried again a few times before giving up
    assert "polling stopped for good (InvalidToken" in stderr and "exiting with status 3" in stderr
    assert TG_TOKEN not in stderr


# -- 5. start-up failures: one line that says what to do ---------------------------------------------------


def last_lines(text: str) -> list[str]:
    return [line for line in text.strip().splitlines() if line.strip()]


async def test_start_up_with_a_refused_token_prints_one_line(tg_knowledge, tg_index, tmp_path):
    from tests.fakes.telegram_server import running_fake_server

    async with running_fake_server(token="1:other") as server:
        proc = await run_bot(
            bot_env(server.base_url, data_dir_with_index(tmp_path, tg_index), tg_knowledge)
        )
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    err = stderr.decode()
    assert proc.returncode == 1
    assert "Traceback" not in err and TG_TOKEN not in err
    assert (
        last_lines(err)[-1].startswith("Telegram rejected the bot token")
        and "TELEGRAM_BOT_TOKEN" in err
    )


async def test_start_up_with_an_unreachable_api_prints_one_line(tg_knowledge, tg_index, tmp_path):

    url = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    env = bot_env(
        url,
        data_dir_with_index(tmp_path, tg_index),
        tg_knowledge,
        BOT_API_RETRY_SECONDS=0.05,  # its 3 tries 0.05 and 0.1 s apart (0.5 and 1 s by default)
    )
    proc = await run_bot(env)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    err = stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err
    assert last_lines(err)[-1].startswith("cannot reach the Bot API at http://127.0.0.1:")
    assert "TELEGRAM_API_BASE_URL" in last_lines(err)[-1]


async def test_start_up_with_a_bad_setting_prints_one_line(tmp_path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "FLOOD_MAX_MESSAGES": "many",
        "DATA_DIR": str(tmp_path),
    }
    proc = await run_bot(env)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    err = stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err
    assert last_lines(err) == [last_lines(err)[-1]] and "FLOOD_MAX_MESSAGES" in err


async def test_start_up_with_an_unusable_data_dir_prints_one_line(
    tg_server, tg_knowledge, tg_index, tmp_path
):
    data = data_dir_with_index(tmp_path, tg_index)
    (data / "state.sqlite").mkdir()  # a folder where the state database should be
    proc = await run_bot(bot_env(tg_server.base_url, data, tg_knowledge))
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    err = stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err, err[-2000:]
    assert (
        last_lines(err)[-1].startswith("cannot open the state database")
        and "DATA_DIR" in last_lines(err)[-1]
    )


async def test_kill_hup_in_the_first_second_does_not_kill_the_bot(
    tg_server, tg_knowledge, tg_index, tmp_path
):
    env = bot_env(
        tg_server.base_url,
        data_dir_with_index(tmp_path, tg_index),
        tg_knowledge,
        ADMIN_IDS=ADMIN,
        ADMIN_CHAT_ID=ADMIN_CHAT,
    )
    proc = await run_bot(env)
    try:
        await tg_server.wait_for(
            "getMe", 1, timeout=30
        )  # starting: long before the bot's own SIGHUP handler
        proc.send_signal(signal.SIGHUP)
        tg_server.push_update(tg_server.updates.private_text(QUESTION))
        calls = await tg_server.wait_for(
            "sendMessage", 1, timeout=30, predicate=lambda c: c.chat_id == 1001
        )
        assert calls[0].params["text"].startswith(ANSWER_START)
        notice = await wait_text(
            tg_server, ADMIN_CHAT, "知識", timeout=30
        )  # the early SIGHUP's reload, done
        assert notice.params["text"].startswith("已重新載入知識")
        assert proc.returncode is None
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0


# -- 2. a full or read-only state store: answers keep coming ------------------------------------------------


def fill_up(store) -> None:
    """The state database cannot grow any more: SQLite answers SQLITE_FULL, exactly as on a full disk.
    The file may not grow by a page, and the pages of the tables an answer writes to are full."""
    import sqlite3

    from bot.store import utc_now

    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    # Filler questions are dated now: the retention job (QUERY_TEXT_DAYS) would free older ones' texts.
    fillers = {
        "queries": f"INSERT INTO queries (at, kind, text) VALUES ('{utc_now()}', 'filler', ?)",
        "chats": "INSERT INTO chats (chat_id, type, title) VALUES ((SELECT MIN(chat_id) - 1 FROM chats), 'filler', ?)",
    }
    for sql in fillers.values():
        for size in (2000, 200, 20, 1):
            try:
                while True:
                    store.db.execute(sql, ("x" * size,))
            except sqlite3.OperationalError as exc:
                assert "full" in str(exc)


async def flood_of_new_askers(bot, count: int, first_id: int = 5000) -> list:
    from tests.fakes.updates import make_user

    replies = []
    for n in range(count):
        user = first_id + n
        replies.append(
            await bot.reply_to(
                bot.updates.private_text(QUESTION, user=make_user(user, "W")), chat_id=user
            )
        )
    return replies


@pytest.mark.parametrize("fault", ["full", "read-only"])
async def test_answers_keep_coming_when_the_state_store_cannot_be_written(tg_bot, caplog, fault):
    caplog.set_level(logging.DEBUG, logger="bot.telegram.besteffort")
    store = tg_bot.store
    if fault == "full":
        fill_up(store)
    else:
        store.db.execute("PRAGMA query_only = ON")
    before = store.query_count()
    replies = await flood_of_new_askers(
        tg_bot, 60
    )  # new chats and questions: every one a write that fails
    assert all(r.params["text"].startswith(ANSWER_START) for r in replies)
    assert not any(
        "抱歉" in t for t in tg_bot.server.sent_texts()
    )  # no apology instead of an answer
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert {r.getMessage().split(" (")[0] for r in errors} == {
        "could not log a question",
        "could not record a chat",
    }
    assert len(errors) == 2  # logged once per kind, not once per question
    store.db.execute("PRAGMA max_page_count = 1073741823")
    store.db.execute("PRAGMA query_only = OFF")
    await flood_of_new_askers(tg_bot, 1, first_id=7000)
    assert store.query_count() == before + 1  # writes resume by themselves
    assert "accepts writes again" in caplog.text


async def test_a_declined_question_on_a_full_store_is_answered_without_a_dangling_button(
    admin_bot,
):
    fill_up(admin_bot.store)
    reply = await admin_bot.reply_to(
        admin_bot.updates.private_text("今日天氣點呀？"), chat_id=1001
    )
    assert reply.ok and "ip:" not in str(reply.params.get("reply_markup"))


def run_rebuild_with_a_small_disk(knowledge, index_path, limit_bytes: int):
    """`python -m bot.kb.rebuild` with a file-size limit: writes past it fail as on a full disk (EFBIG)."""
    import resource
    import subprocess

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "bot.kb.rebuild", str(knowledge), str(index_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        timeout=120,
    )


def test_an_index_build_on_a_full_disk_leaves_no_temporary_files_and_the_live_index(
    tg_knowledge, tg_index, tmp_path
):
    import json

    var = tmp_path / "var"
    live = copy_index(tg_index, var)
    kept = live.read_bytes()
    listing = sorted(p.name for p in var.iterdir())
    done = run_rebuild_with_a_small_disk(tg_knowledge, live, 64 * 1024)
    result = json.loads(done.stdout)
    assert done.returncode == 1 and not result["ok"]
    assert result["errors"][0]["message"].startswith("could not build the index")
    assert sorted(p.name for p in var.iterdir()) == listing  # nothing left behind
    assert live.read_bytes() == kept  # the live index untouched
    # Space freed: the next build succeeds.
    done = run_rebuild_with_a_small_disk(tg_knowledge, live, 512 * 1024 * 1024)
    assert json.loads(done.stdout)["ok"], done.stderr[-2000:]


def test_temporary_files_of_a_killed_build_are_swept_by_the_next(tg_knowledge, tmp_path):
    from bot.kb.index import build_index
    from bot.kb.loader import load_knowledge

    var = tmp_path / "var"
    var.mkdir()
    dead = 2**22 + 12345  # no such process
    leftovers = [
        var / f"index.sqlite.{dead}-1.tmp",
        var / f"index.{dead}-1.jieba.dict",
        var / f"index.{dead}-1.jieba.tmp",
    ]
    for path in leftovers:
        path.write_text("half a build")
    (var / f"jieba-{dead}-1-abc").mkdir()
    build_index(load_knowledge(tg_knowledge), tg_knowledge, var / "index.sqlite")
    names = sorted(p.name for p in var.iterdir())
    # The index, its dictionary, jieba's most frequent words (for the next build) and jieba's
    # cache of the dictionary (for the first load).
    assert names[:2] == ["index.jieba.dict", "index.sqlite"] and len(names) == 4
    assert names[2].startswith("jieba-top-") and names[2].endswith(".txt")
    assert names[3].startswith("jieba.u") and names[3].endswith(".cache")


# -- 5. crafted callbacks, updates and inputs: a polite reply or nothing, never a traceback ----------------


CRAFTED_CALLBACKS = [
    "bc:ok:" + "9" * 40,
    "bc:no:" + "9" * 400,
    "bc:ok:-1",
    "ip:" + "9" * 40,
    "e:t:",
    "e:t:no-such-entry",
    "e:s:#zzzz",
    "e:x:vpes",
    "p:t:rpl:" + "9" * 40,
    "p:t::1",
    "p:e:no-such-topic:0",
    "t:q",
    "lang:xx",
    "",
    ":",
    "\x00\x01",
    "e:t:\udc80",
    "ck:" + "z" * 60,
    "garbage" * 9,
]


@pytest.mark.parametrize("data", CRAFTED_CALLBACKS)
async def test_a_crafted_button_gets_a_polite_answer_or_nothing_never_an_error(
    admin_bot, caplog, data
):
    caplog.set_level(logging.WARNING)
    bot = admin_bot
    for user in (ADMIN_USER, None):  # an admin and anyone
        kwargs = {"user": user} if user is not None else {}
        await bot.push_and_wait(bot.updates.callback_query(data, **kwargs), "answerCallbackQuery")
        await bot.idle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]
    assert not any("抱歉，出了點問題" in t or "went wrong" in t for t in bot.server.sent_texts())


async def test_a_lone_surrogate_in_a_question_gets_an_answer_not_an_apology(tg_bot, caplog):
    caplog.set_level(logging.WARNING)
    for text in ("免試期幾時完？\ud800", "\udfff", "/ask 免試期\udc80幾時完", "\ud83d"):
        reply = await tg_bot.reply_to(tg_bot.updates.private_text(text), chat_id=1001)
        assert reply.ok
    group = await tg_bot.reply_to(
        tg_bot.updates.group_text("/ask 免試期幾時完\ud800"), chat_id=-1001234567890
    )
    assert group.ok
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]


async def test_a_broadcast_text_link_whose_url_holds_a_quote_is_escaped_and_accepted(admin_bot):
    server, store = admin_bot.server, admin_bot.store
    subscribe_groups(store, [-1007400000001])
    text = "/broadcast 報名 here"
    url = 'https://example.org/form?q="vpes"&lang=<zh>'
    entities = [
        {"type": "bot_command", "offset": 0, "length": 10},
        {"type": "text_link", "offset": 14, "length": 4, "url": url},
    ]
    server.push_update(admin_bot.updates.private_text(text, user=ADMIN_USER, entities=entities))
    question = await wait_text(server, ADMIN, "Above is the preview of broadcast #1")
    preview = [
        c for c in server.sent_messages(ADMIN) if "example.org" in (c.params.get("text") or "")
    ][0]
    assert preview.params["text"] == (
        '報名 <a href="https://example.org/form?q=&quot;vpes&quot;&amp;lang=&lt;zh&gt;">here</a>'
    )
    server.push_update(
        admin_bot.updates.callback_query("bc:ok:1", user=ADMIN_USER, message=question.result)
    )
    await wait_text(server, ADMIN, "Broadcast #1 finished", timeout=10)
    assert copies(server, -1007400000001) == 1 and store.delivery_counts(1)["sent"] == 1


async def test_a_broadcast_telegram_refuses_to_preview_is_reported_to_the_admin_not_sent(
    admin_bot,
):
    server, store = admin_bot.server, admin_bot.store
    subscribe_groups(store, [-1007500000001])
    server.fail(
        "sendMessage",
        "400",
        times=1,
        chat_id=ADMIN,
        description="Bad Request: can't parse entities: boom",
    )
    server.push_update(admin_bot.updates.private_text("/broadcast <b>hi</b>", user=ADMIN_USER))
    notice = await wait_text(server, ADMIN, "Telegram refused the preview of broadcast #1")
    assert (
        "parse entities: boom" in notice.params["text"]
        and "will not be sent" in notice.params["text"]
    )
    assert store.broadcast(1)["status"] == "cancelled"
    assert copies(server, -1007500000001) == 0


async def test_a_reply_to_a_bot_message_starting_with_a_q_tag_outside_the_admin_chat_is_a_question(
    admin_bot,
):
    """Only the admin chat has inbox items; elsewhere "#Q7 …" from the bot is just text, and a reply to it
    is a question like any reply to the bot."""
    bot = admin_bot
    tagged = bot.updates.bot_message(
        {"id": 1001, "type": "private", "first_name": "W"}, "#Q7 某段文字"
    )
    reply = await bot.reply_to(
        bot.updates.private_text(QUESTION, reply_to_message=tagged), chat_id=1001
    )
    assert reply.params["text"].startswith(ANSWER_START)
    group = {"id": -1001234567890, "type": "supergroup", "title": "G"}
    tagged = bot.updates.bot_message(group, "#Q7 某段文字")
    reply = await bot.reply_to(
        bot.updates.group_text(QUESTION, reply_to_message=tagged), chat_id=-1001234567890
    )
    assert reply.params["text"].startswith(ANSWER_START)


async def test_flood_control_counts_messages_when_they_were_sent_not_when_processed(
    tg_server, tg_assistant, tg_store, tmp_path
):
    """A backlog (the bot was down, or busy) of a user's calm questions, 12 s apart, is not a flood."""
    import time

    from tests.conftest import tg_config

    config = tg_config(tmp_path, tg_server.base_url, FLOOD_MAX_MESSAGES=3, FLOOD_WINDOW_SECONDS=30)
    now = int(time.time())
    backlog = [
        tg_server.updates.private_text(QUESTION, date=now - 120 + 12 * i) for i in range(10)
    ]
    tg_server.push_updates(
        backlog
    )  # waiting before the bot starts: all fetched and handled at once
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        await tg_server.wait_for(
            "sendMessage", 10, timeout=10, predicate=lambda c: c.chat_id == 1001
        )
        await bot.idle()
        texts = tg_server.sent_texts(1001)
        assert len(texts) == 10 and all(t.startswith(ANSWER_START) for t in texts), [
            t for t in texts if not t.startswith(ANSWER_START)
        ]
        # A real burst now is still stopped: answers up to the limit in the window, then one notice.
        tg_server.push_updates([bot.updates.private_text(QUESTION) for _ in range(5)])
        await tg_server.wait_for(
            "sendMessage",
            1,
            timeout=10,
            predicate=lambda c: "有點密" in (c.params.get("text") or ""),
        )
        await bot.idle()
        texts = tg_server.sent_texts(1001)[10:]
        assert (
            sum(t.startswith(ANSWER_START) for t in texts) <= 3
            and sum("有點密" in t for t in texts) == 1
        )


async def test_the_webhook_secret_is_never_logged_at_any_level(
    tg_server, tg_assistant, tg_store, tmp_path, caplog
):
    import aiohttp

    from bot.telegram.app import build_application, start_options
    from tests.conftest import tg_config

    caplog.set_level(logging.DEBUG)
    secret = "Webhook_Secret-4f9c2a7e51"
    port = free_port()
    config = tg_config(
        tmp_path,
        tg_server.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
        WEBHOOK_SECRET=secret,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=port,
    )
    _, options = start_options(config)
    app = build_application(config, tg_assistant, tg_store)
    assert app.updater is not None
    await app.initialize()
    await app.updater.start_webhook(**options)
    await app.start()
    try:
        set_hook = (await tg_server.wait_for("setWebhook"))[0]
        assert set_hook.params["secret_token"] == secret  # it did go to Telegram
        async with aiohttp.ClientSession() as http:
            update = tg_server.updates.private_text(QUESTION)
            async with http.post(
                f"http://127.0.0.1:{port}/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            ) as resp:
                assert resp.status == 200
        await tg_server.wait_for("sendMessage")
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert any("setWebhook" in r.getMessage() for r in caplog.records)  # DEBUG logging was on
    assert secret not in caplog.text and TG_TOKEN not in caplog.text


# -- 4. knowledge files: bombs, oversized files, unknown sections, endless error lists ----------------------


def alias_bomb(levels: int = 9) -> str:
    """The YAML "billion laughs": each level is 9 aliases of the one before (9**9 = 387 million strings)."""
    lines = ['  - a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for i in range(1, levels):
        lines.append(f"    {names[i]}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * 9) + "]")
    return "entries:\n" + "\n".join(lines) + "\n"


def knowledge_copy(tg_knowledge, tmp_path):
    import shutil

    kb = tmp_path / "knowledge"
    shutil.copytree(tg_knowledge, kb)
    return kb


@pytest.mark.parametrize("levels", [9, 12])
def test_an_alias_bomb_is_refused_in_under_a_second_with_bounded_memory(
    tg_knowledge, tmp_path, levels
):
    import time
    import tracemalloc

    from bot.kb.loader import KnowledgeInvalid, load_knowledge

    kb = knowledge_copy(tg_knowledge, tmp_path)
    bomb = alias_bomb(levels)
    assert len(bomb.encode()) < 600
    (kb / "bomb.yaml").write_text(bomb, encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(KnowledgeInvalid) as refused:
            load_knowledge(kb)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 64 * 1024 * 1024  # the bomb would need gigabytes
    (error,) = [e for e in refused.value.errors if e.file == "bomb.yaml"]
    assert "expands to more than 1,000,000 YAML nodes" in error.message


def test_aliases_within_the_cap_still_work_and_self_references_are_refused(tmp_path):
    from bot.kb.loader import _read_yaml

    shared = tmp_path / "rules.yaml"
    shared.write_text("documents: &d [{id: x}]\nfacts: *d\nrules: []\n", encoding="utf-8")
    data, errors = _read_yaml(shared)
    assert errors == [] and data["facts"] == [
        {"id": "x"}
    ]  # knowledge/rules.yaml shares texts this way
    loop = tmp_path / "loop.yaml"
    loop.write_text("entries: &e [*e]\n", encoding="utf-8")
    assert "refers to itself" in _read_yaml(loop)[1][0].message


def test_an_unknown_section_and_an_oversized_file_are_refused_with_a_clear_message(
    tmp_path, monkeypatch
):
    from bot.kb import loader

    unknown = tmp_path / "extra.yaml"
    unknown.write_text("entries: []\nentires: [oops]\n", encoding="utf-8")
    (error,) = loader._read_yaml(unknown)[1]
    assert (
        error.field == "entires" and "unknown section (line 2); expected entries" in error.message
    )
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text("entries: []\n" + "# padding\n" * 200, encoding="utf-8")
    (error,) = loader._read_yaml(big)[1]
    assert (
        error.message
        == "the file has 2,012 bytes; the limit is 1,000: split it into several files"
    )


def test_a_reload_report_with_twenty_thousand_errors_is_one_message(tmp_path):
    from bot.assistant import ReloadReport
    from bot.kb.loader import KnowledgeError
    from bot.telegram.admin_render import reload_report
    from bot.telegram.operations import ChildReloadReport
    from bot.telegram.render import MAX_TEXT

    errors = [
        KnowledgeError("entries.yaml", f"e{i}", f"bad_key_{i}", "Extra inputs are not permitted")
        for i in range(100)
    ]
    many = [
        KnowledgeError("entries.yaml", f"e{i}", f"bad_key_{i}", "Extra inputs are not permitted")
        for i in range(20_000)
    ]
    for report in (
        ChildReloadReport(False, errors, total_errors=20_000),
        ReloadReport(False, many),
    ):
        reply = reload_report(report, "en")
        assert len(reply.parts) == 1 and len(reply.parts[0]) <= MAX_TEXT
        text = reply.parts[0]
        assert text.startswith("Reload refused: 20000 error(s)")
        shown = text.count("• ")
        assert 1 <= shown <= 15
        assert text.endswith(f"… and {20_000 - shown} more (run `bot.py check-knowledge`)")


async def test_a_reload_of_an_alias_bomb_from_telegram_is_refused_fast_and_answers_keep_coming(
    tg_server, own_assistant, tg_store, tmp_path
):
    """/reload of a knowledge folder holding a bomb and 3,000 bad keys: refused within seconds, in one
    message, while the old knowledge keeps answering."""
    assistant = own_assistant
    kb_dir = assistant.index.path.parent.parent / "knowledge"
    (kb_dir / "bomb.yaml").write_text(alias_bomb(12), encoding="utf-8")
    bad = ["entries:"] + [f"  - {{id: bad-{i}, nonsense_{i}: 1}}" for i in range(3000)]
    (kb_dir / "zz_bad.yaml").write_text("\n".join(bad) + "\n", encoding="utf-8")
    config = admin_config(tmp_path, tg_server, KNOWLEDGE_DIR=kb_dir)
    async with running_bot(tg_server, config, assistant, tg_store, **fast()) as bot:
        loop = asyncio.get_running_loop()
        started = loop.time()
        tg_server.push_update(bot.updates.private_text("/reload", user=ADMIN_USER))
        answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=1001)
        assert answer.params["text"].startswith(ANSWER_START)
        # "Checking…" is edited into the result.
        [report] = await tg_server.wait_for(
            "editMessageText",
            1,
            30,
            lambda c: (
                str(c.chat_id) == str(ADMIN) and "Reload refused" in (c.params.get("text") or "")
            ),
        )
        assert loop.time() - started < 20
        await bot.idle()
    text = report.params["text"]
    assert "bomb.yaml: expands to more than 1,000,000 YAML nodes" in text
    assert "more (run `bot.py check-knowledge`)" in text
    assert not [
        c for c in tg_server.sent_messages(ADMIN) if "•" in c.params["text"]
    ]  # nothing more to scroll


def crafted_updates(u) -> list[dict]:
    """Odd but possible updates: no sender, no message, inline buttons, empty texts, huge texts, and
    one PTB cannot parse (a poll without a field PTB requires), which used to block polling for ever."""
    group = {"id": -1001234567890, "type": "supergroup", "title": "G"}
    anonymous = u.message(group, None, "@vt_helper_bot 免試期幾時完？", sender_chat=group)
    inline_press = u.callback_query("e:t:vpes")
    del inline_press["callback_query"]["message"]
    inline_press["callback_query"]["inline_message_id"] = "AAAA"
    page_press = u.callback_query("p:t:rpl:3")
    del page_press["callback_query"]["message"]
    page_press["callback_query"]["inline_message_id"] = "BBBB"
    return [
        u.wrap("message", anonymous),
        inline_press,
        page_press,
        u.private_text(" "),
        u.private_text("問" * 20_000),
        u.private_text("/ask"),
        u.private_text("/start " + "x" * 500),
        u.private_text("/stats 99999999999999999999999", user=ADMIN_USER),
        u.private_text("/reminders maybe"),
        u.group_text("/subscribe@other_bot"),
        u.inline_query("免試期" * 100),
        u.inline_query(""),
        {
            "update_id": 10**9,
            "poll": {
                "id": "1",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            },
        },
    ]


async def test_odd_updates_get_a_polite_reply_or_nothing_never_an_error(admin_bot, caplog):
    caplog.set_level(logging.WARNING)
    bot = admin_bot
    for update in crafted_updates(bot.updates):
        bot.server.push_update(update)
        await bot.idle(timeout=10)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text[-3000:]
    assert not any("出了點問題" in t or "went wrong" in t for t in bot.server.sent_texts())
    answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=1001)
    assert answer.params["text"].startswith(
        ANSWER_START
    )  # still serving: the unreadable poll did not stop polling
    assert "cannot be read (TypeError" in caplog.text  # PTB could not parse it: skipped, once


async def test_start_up_with_the_webhook_port_taken_prints_one_line(
    tg_server, tg_knowledge, tg_index, tmp_path
):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(
            tg_server.base_url,
            data_dir_with_index(tmp_path, tg_index),
            tg_knowledge,
            WEBHOOK_URL="https://bot.example.org/hook",
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=port,
        )
        proc = await run_bot(env)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    err = stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err, err[-3000:]
    assert last_lines(err)[-1].startswith(f"cannot serve the webhook on 127.0.0.1:{port}")
