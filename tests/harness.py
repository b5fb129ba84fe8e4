"""The shared harness for the Telegram tests, beside the fixtures in conftest.py: waiting for what
the Application does (its updates handled, its jobs run, its sends held by a slow server) instead of
sleeping, and the small set-ups several test files need (a private copy of the index, a free port).

Reading what the bot sent (buttons, visible text) is in tests/fakes/messages.py; the polling loop
behind every wait is in tests/fakes/waiting.py.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

from tests.fakes.telegram_server import Call, FakeTelegramServer
from tests.fakes.waiting import wait_until


async def app_idle(app: Any, timeout: float = 5.0) -> None:
    """Wait until the Application has no update queued or in hand (three checks in a row)."""
    quiet = [0]

    def settled() -> bool:
        busy = not app.update_queue.empty() or app.update_processor.current_concurrent_updates
        quiet[0] = 0 if busy else quiet[0] + 1
        return quiet[0] >= 3

    await wait_until(settled, timeout, "the bot to become idle", poll=0.01)


async def job_runs(app: Any, name: str, count: int = 1, timeout: float = 5.0) -> None:
    """Wait until the Application's job `name` has finished `count` more runs (APScheduler's
    executed or failed events). A run already under way when this is called counts: to be sure a
    whole run saw a change made just before, ask for one more."""
    from apscheduler.events import (  # type: ignore[import-untyped]
        EVENT_JOB_ERROR,
        EVENT_JOB_EXECUTED,
    )

    queue = app.job_queue
    ids = {job.id for job in queue.get_jobs_by_name(name)}
    assert ids, f"no job named {name!r} among {[job.name for job in queue.jobs()]}"
    done = [0]

    def finished(event: Any) -> None:
        if event.job_id in ids:
            done[0] += 1

    queue.scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    try:
        await wait_until(lambda: done[0] >= count, timeout, f"{count} run(s) of the job {name!r}")
    finally:
        queue.scheduler.remove_listener(finished)


def held_calls(server: FakeTelegramServer, method: str, chat_ids: Collection[int]) -> list[Call]:
    """Calls of `method` to these chats that reached the server and are not answered yet (held by
    `server.latency`)."""
    return [c for c in server.calls_of(method) if c.chat_id in chat_ids and c.status is None]


async def wait_held(
    server: FakeTelegramServer,
    method: str,
    chat_ids: Collection[int],
    count: int,
    timeout: float = 10.0,
) -> None:
    """Wait until `count` calls of `method` to these chats are held by the server: with that many
    workers sending, every send in flight has reached Telegram and none can start."""
    await server.wait_until(
        lambda: len(held_calls(server, method, chat_ids)) >= count,
        timeout,
        f"{count} held {method} call(s)",
    )


def copy_index(index: Path, into: Path) -> Path:
    """Copy a built index (and jieba's cache beside it) into `into`; the copied index's path."""
    into.mkdir(parents=True, exist_ok=True)
    for path in index.parent.iterdir():
        if path.name.startswith(("index", "jieba")) and path.is_file():
            shutil.copy(path, into / path.name)
    return into / index.name


def copy_knowledge(knowledge: Path, index: Path, into: Path) -> tuple[Path, Path]:
    """A private copy of a knowledge folder and its built index under `into` (knowledge/, var/),
    for tests that change the files or swap indexes; (knowledge dir, index path)."""
    kb = into / "knowledge"
    shutil.copytree(knowledge, kb)
    return kb, copy_index(index, into / "var")


async def run_bot_process(env: dict[str, str], *args: str):  # an asyncio Process, pipes set
    """`python bot.py run *args` from the repository root, its output piped."""
    from tests.conftest import ROOT

    return await asyncio.create_subprocess_exec(
        sys.executable,
        "bot.py",
        "run",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a webhook, or a dead server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
