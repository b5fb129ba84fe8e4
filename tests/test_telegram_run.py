"""Starting the bot: settings to polling/webhook options, webhook mode over HTTP with its secret
token, and `python bot.py run` itself as a process against the fake Bot API server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal

import aiohttp
import pytest

from tests.conftest import TG_TOKEN, tg_config
from tests.harness import app_idle, free_port, run_bot_process

QUESTION = "免試期幾時完？"


def test_polling_is_the_default(tmp_path):
    from bot.telegram.app import ALLOWED_UPDATES, start_options

    mode, options = start_options(tg_config(tmp_path))
    assert mode == "polling"
    assert options["allowed_updates"] == ALLOWED_UPDATES and options["timeout"] > 0


def test_webhook_options_from_settings(tmp_path):
    from bot.telegram.app import start_options

    config = tg_config(
        tmp_path,
        WEBHOOK_URL="https://bot.example.org/telegram/hook",
        WEBHOOK_SECRET="abc_DEF-123",
        WEBHOOK_LISTEN="0.0.0.0",
        WEBHOOK_PORT="8443",
    )
    mode, options = start_options(config)
    assert mode == "webhook"
    assert (
        options["url_path"] == "telegram/hook"
        and options["webhook_url"] == "https://bot.example.org/telegram/hook"
    )
    assert (
        options["secret_token"] == "abc_DEF-123"
        and options["listen"] == "0.0.0.0"
        and options["port"] == 8443
    )

    _, generated = start_options(tg_config(tmp_path, WEBHOOK_URL="https://bot.example.org/hook"))
    _, again = start_options(tg_config(tmp_path, WEBHOOK_URL="https://bot.example.org/hook"))
    assert (
        len(generated["secret_token"]) >= 32 and generated["secret_token"] != again["secret_token"]
    )

    with pytest.raises(SystemExit):
        start_options(
            tg_config(tmp_path, WEBHOOK_URL="https://x.org/h", WEBHOOK_SECRET="has spaces!")
        )
    with pytest.raises(SystemExit):
        start_options(tg_config(tmp_path, WEBHOOK_URL="not a url"))


def test_self_hosted_bot_api_urls(tmp_path, tg_assistant, tg_store):
    from bot.telegram.app import build_application, file_url

    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    app = build_application(
        tg_config(tmp_path, "http://127.0.0.1:8081/bot"), tg_assistant, tg_store
    )
    assert app.bot.base_url == f"http://127.0.0.1:8081/bot{TG_TOKEN}"
    assert app.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TG_TOKEN}"
    default = build_application(tg_config(tmp_path), tg_assistant, tg_store)
    assert default.bot.base_url.startswith("https://api.telegram.org/bot")


async def test_webhook_mode_checks_the_secret_and_answers(
    tg_server, tg_assistant, tg_store, tmp_path
):
    from bot.telegram.app import build_application, start_options

    port = free_port()
    config = tg_config(
        tmp_path,
        tg_server.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
        WEBHOOK_SECRET="s3cret_Token-1",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=port,
    )
    mode, options = start_options(config)
    assert mode == "webhook"
    app = build_application(config, tg_assistant, tg_store)
    assert app.updater is not None and app.post_init is not None
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_webhook(**options)
    await app.start()
    try:
        set_hook = (await tg_server.wait_for("setWebhook"))[0]
        assert set_hook.params["url"] == f"http://127.0.0.1:{port}/tg/hook"
        assert set_hook.params["secret_token"] == "s3cret_Token-1"
        assert tg_server.webhook_url

        url = f"http://127.0.0.1:{port}/tg/hook"
        update = tg_server.updates.private_text(QUESTION)
        async with aiohttp.ClientSession() as http:
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as resp:
                assert resp.status == 403
            async with http.post(
                url, data=json.dumps(update), headers={"Content-Type": "application/json"}
            ) as resp:
                assert resp.status == 403
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"}
            ) as resp:
                assert resp.status == 200
        calls = await tg_server.wait_for("sendMessage")
        assert calls[0].params["text"].startswith("<b>五年免試期</b>")
        await app_idle(app)  # nothing else in hand or queued
        assert len(tg_server.calls_of("sendMessage")) == 1  # the refused posts were not handled
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_bot_py_run_serves_and_stops_cleanly(tg_server, tg_knowledge, tg_index, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for path in tg_index.parent.iterdir():
        if path.name.startswith("index"):
            shutil.copy(path, data / path.name)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_BASE_URL": tg_server.base_url,
        "KNOWLEDGE_DIR": str(tg_knowledge),
        "DATA_DIR": str(data),
        "LOG_LEVEL": "DEBUG",
        "WEBHOOK_URL": "",
    }
    proc = await run_bot_process(env)
    try:
        await tg_server.wait_for("getUpdates", timeout=30)
        tg_server.push_update(tg_server.updates.private_text("/lang en"))
        tg_server.push_update(tg_server.updates.private_text(QUESTION))
        calls = await tg_server.wait_for("sendMessage", 2, timeout=10)
        assert calls[1].params["text"].startswith("<b>Five-year exemption period</b>")
        assert len(tg_server.calls_of("setMyCommands")) == 4
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 20)
    log = stderr.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "long polling" in log and "bot ready as @vt_helper_bot" in log
    assert TG_TOKEN not in log and TG_TOKEN not in stdout.decode()
    from bot.store import Store

    store = Store.open(data / "state.sqlite")
    try:
        assert store.language(1001) == "en" and store.query_count() == 1
    finally:
        store.close()
