"""`bot.py migrate` and `bot.py doctor`: the state store and the setup checked in one line each,
the token never printed."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import TG_TOKEN
from tests.helpers import bot_main


def run_bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`bot.py *args` in this process (bot.cli.main), with only `env` and PATH set."""
    return bot_main(*args, env=with_path(env))


def with_path(env: dict[str, str]) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LOG_LEVEL": "WARNING", **env}


def store_env(backend) -> dict[str, str]:
    env = {"DATA_DIR": str(backend.data_dir)}
    if backend.kind == "postgresql":
        env["DATABASE_URL"] = str(backend.target)
    return env


def test_migrate_applies_once_and_refuses_an_emptied_database_unless_fresh(backend):
    env = store_env(backend)
    first = run_bot("migrate", env=env)
    assert first.returncode == 0 and "applied 1," in first.stdout, first.stderr
    again = run_bot("migrate", env=env)
    assert again.returncode == 0 and "up to date" in again.stdout
    if backend.kind == "sqlite":
        backend.target.write_bytes(b"")
        for suffix in ("-wal", "-shm"):
            (backend.target.parent / (backend.target.name + suffix)).unlink(missing_ok=True)
        refused = run_bot("migrate", env=env)
        assert (
            refused.returncode == 1
            and "STATE_START_FRESH" in refused.stderr
            and "Traceback" not in refused.stderr
        )
        assert run_bot("migrate", "--fresh", env=env).returncode == 0


async def test_doctor_checks_the_database_token_and_webhook_without_printing_the_token(
    backend, tg_server
):
    """`bot.py doctor` and `migrate` run in a thread (bot.cli.main, as in a new process: its own
    environment, output and event loop) while this test's loop serves the fake Bot API; four new
    processes took 3 s of CPU."""
    import asyncio

    env = {
        **store_env(backend),
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_BASE_URL": tg_server.base_url,
        "WEBHOOK_URL": "https://bot.example.org/hook",
    }
    empty = await asyncio.to_thread(run_bot, "doctor", env=env)
    assert (
        empty.returncode == 1 and "bot.py migrate" in empty.stdout
    )  # an empty database: what to do
    assert (await asyncio.to_thread(run_bot, "migrate", env=env)).returncode == 0
    tg_server.webhook_url = "https://bot.example.org/hook"
    done = await asyncio.to_thread(run_bot, "doctor", env=env)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "[ok  ] state database" in out and "[ok  ] bot token: accepted: the bot is @" in out
    assert "[ok  ] webhook: set to WEBHOOK_URL" in out
    assert (
        "[ok  ] processes: no bot process is running" in out
        if backend.kind == "sqlite"
        else "[ok  ] processes: 0 live; broadcasts and reminders sent by nobody yet" in out
    )
    assert TG_TOKEN not in out and TG_TOKEN.split(":")[1] not in out
    tg_server.token = "9:another"  # the server now refuses our token
    refused = await asyncio.to_thread(run_bot, "doctor", env=env)
    assert (
        refused.returncode == 1
        and "[FAIL] bot token" in refused.stdout
        and TG_TOKEN not in refused.stdout
    )


@pytest.mark.parametrize("url", ["postgresql://bot:s3cret-pw@127.0.0.1:9/none"])
def test_doctor_names_an_unreachable_database_without_its_password(url, tmp_path):
    done = run_bot("doctor", env={"DATABASE_URL": url, "DATA_DIR": str(tmp_path)})
    assert done.returncode == 1 and "[FAIL] state database" in done.stdout
    assert "s3cret-pw" not in done.stdout + done.stderr and "bot:***@127.0.0.1" in done.stdout
