"""The CLI contract other tools rely on: `ask`, `ask --json`, `ask --jsonl`, and the console.

All but one run bot.cli.main in this process (tests.helpers.bot_main); the last starts
`python bot.py run` as a new process, as `make run` does.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import bot_main, bot_py, fixture_index_dir


@pytest.fixture(scope="module")
def env():
    base = fixture_index_dir()
    return {
        **os.environ,
        "KNOWLEDGE_DIR": str(base / "knowledge"),
        "DATA_DIR": str(base / "var"),
        "TELEGRAM_BOT_TOKEN": "",
    }


def run(env, *args, stdin=""):
    return bot_main(*args, env=env, stdin=stdin)


@pytest.fixture(scope="module")
def process(env):
    """`python bot.py run` without a token as a new process, as `make run` starts it (most of a
    second): started, not yet waited for."""
    with ThreadPoolExecutor(1) as pool:
        yield pool.submit(bot_py, "run", env=env, stdin="RPL 幾時截止?\n", timeout=60)


@pytest.fixture(scope="module", autouse=True)
def process_starts_first(request):
    """When this module's process test (last in the file) is selected, its process starts with
    the module and runs beside the in-process tests rather than after them."""
    if any(
        item.module is request.module and "process" in item.fixturenames
        for item in request.session.items
    ):
        request.getfixturevalue("process")


def test_ask_prints_the_reply_text(env):
    p = run(env, "ask", "過往資歷認可免試期幾時完")
    assert p.returncode == 0
    assert "2028年8月31日" in p.stdout and "來源" in p.stdout


def test_ask_json_prints_one_object(env):
    p = run(env, "ask", "--json", "Tell me about VPES")
    data = json.loads(p.stdout)
    assert data["answered"] is True and data["lang"] == "en" and data["entries"] == ["vpes"]
    assert data["q"] == "Tell me about VPES" and isinstance(data["score"], float)


def test_ask_jsonl_answers_every_line_in_order_with_ids(env):
    lines = [
        {"id": "a", "q": "免試期幾時完"},
        {"id": 2, "q": "sing me a song"},
        {"q": "VPES 設喺邊個城市？"},
        {"id": "e", "q": ""},
    ]
    feed = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines) + "not json\n\n"
    p = run(env, "ask", "--jsonl", "-", stdin=feed)
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", 2, None, "e", None]
    assert [o["answered"] for o in out] == [True, False, True, False, False]
    assert out[1]["lang"] == "en" and out[2]["lang"] == "zh-Hant"


def test_console_reads_a_pipe_until_eof(env):
    p = run(env, "console", stdin="免試期幾時完\n\nTell me about VPES\n")
    assert p.returncode == 0
    assert "2028年8月31日" in p.stdout and "first operation centre" in p.stdout


def test_console_opens_a_listed_topic_by_its_number(env):
    p = run(env, "console", stdin="What is RPL for elderly care?\n1\n")
    first, _, second = p.stdout.partition("Related:")
    assert "1. Five-year exemption period" in second
    assert "31 August 2028" in second.split("1. Five-year exemption period", 1)[1]


def test_one_bad_line_never_costs_the_rest_of_a_batch(env):
    feed = '{"id": 1, "q": "\\ud800 x"}\n{"id": 2, "q": "免試期幾時完"}\n{"id": 3, "q": null}\n[1, 2]\n'
    p = run(env, "ask", "--jsonl", "-", stdin=feed)
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0 and len(out) == 4
    assert out[1]["id"] == 2 and out[1]["answered"] is True
    assert out[2]["q"] == "" and out[2]["answered"] is False


def test_build_index_keeps_the_last_good_index_after_a_broken_edit(env, tmp_path):
    import shutil

    kb = tmp_path / "knowledge"
    shutil.copytree(env["KNOWLEDGE_DIR"], kb)
    local = {**env, "KNOWLEDGE_DIR": str(kb), "DATA_DIR": str(tmp_path / "var")}
    assert run(local, "build-index").returncode == 0
    (kb / "entries.yaml").write_text("entries: [\n", encoding="utf-8")
    p = run(local, "build-index")
    assert p.returncode == 0 and "keeping the last good index" in p.stderr
    assert "2028" in run(local, "ask", "免試期幾時完").stdout
    (tmp_path / "var" / "index.sqlite").unlink()
    assert run(local, "build-index").returncode == 1  # nothing to fall back on


# -- as a new process (started with the module: see process_starts_first) -----------------------


@pytest.mark.slow  # starts `bot.py` in a new process, as `make run` does
def test_run_without_a_token_starts_the_console(process):
    p = process.result()
    assert p.returncode == 0 and "2028" in p.stdout
    assert "starting the local console" in p.stderr
