"""Fixtures for the Telegram bot tests: an engine over the small fixture knowledge base (plus a few
bot-specific entries: dated events, a long category, markup-like text), a fake Bot API server, and
the real Application driven over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

# PYTHONDONTWRITEBYTECODE (set in some shells) would make every run compile and assertion-rewrite
# the bot's and the tests' ~150 modules again, about 5 s of CPU: the tests keep their bytecode.
sys.dont_write_bytecode = False

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"
TG_TOKEN = "7000000001:AAH-test-token-Secret_0123456789abcdef"
TG_TODAY = date(2026, 3, 15)

# Entries added to the fixture knowledge for the bot: events before, around and after TG_TODAY, a
# category with more entries than one page, and text that looks like HTML.
_SRC = "{doc: qf-newsletter-2024-01, section: 測試}"


def _entry(
    id_: str,
    type_: str,
    topic: str,
    zh: str,
    en: str,
    answer_zh: str,
    answer_en: str,
    qs: tuple[str, str, str, str],
    extra: str = "",
) -> str:
    zh_hant, yue, zh_hans, en_q = qs
    return f"""
  - id: {id_}
    type: {type_}
    topic: {topic}
    title: {{zh: "{zh}", en: "{en}"}}
    answer: {{zh: "{answer_zh}", en: "{answer_en}"}}
    questions:
      zh-Hant: ["{zh_hant}"]
      yue: ["{yue}"]
      zh-Hans: ["{zh_hans}"]
      en: ["{en_q}"]
    source: {_SRC}{extra}
"""


def telegram_entries() -> str:
    parts = ["entries:"]
    parts.append(
        _entry(
            "qf-expo-2020",
            "event",
            "qf-events",
            "資歷架構博覽會2020",
            "QF Expo 2020",
            "資歷架構博覽會於2020年11月6日舉行。",
            "The QF Expo took place on 6 November 2020.",
            (
                "資歷架構博覽會在何時舉行？",
                "博覽會幾時搞？",
                "资历架构博览会什么时候举行？",
                "When was the QF Expo?",
            ),
            "\n    when: {start: 2020-11-06}\n    place: {zh: 灣仔會議展覽中心, en: Wan Chai Convention Centre}",
        )
    )
    parts.append(
        _entry(
            "qf-forum-2031",
            "event",
            "qf-events",
            "資歷架構論壇2031",
            "QF Forum 2031",
            "資歷架構論壇將於2031年5月10日至11日舉行。",
            "The QF Forum will be held on 10 and 11 May 2031.",
            (
                "資歷架構論壇在何時舉行？",
                "論壇幾時搞？",
                "资历架构论坛什么时候举行？",
                "When is the QF Forum?",
            ),
            "\n    when: {start: 2031-05-10, end: 2031-05-11}",
        )
    )
    parts.append(
        _entry(
            "qf-month-2026",
            "event",
            "qf-events",
            "資歷架構宣傳月",
            "QF Promotion Month",
            "資歷架構宣傳月在2026年3月舉行。",
            "The QF Promotion Month runs in March 2026.",
            (
                "資歷架構宣傳月是甚麼？",
                "宣傳月有咩活動？",
                "资历架构宣传月是什么？",
                "What is the QF Promotion Month?",
            ),
            "\n    when: {start: 2026-03}",
        )
    )
    for n in range(1, 9):
        parts.append(
            _entry(
                f"vehicle-grade-{n}",
                "qualification",
                "vehicle",
                f"車輛維修技工第{n}類別註冊",
                f"Vehicle mechanic category {n} registration",
                f"第{n}類別車輛維修技工須向機電署註冊。",
                f"Category {n} vehicle mechanics register with the EMSD.",
                (
                    f"第{n}類別車輛維修技工如何註冊？",
                    f"第{n}類別技工點樣註冊？",
                    f"第{n}类别车辆维修技工如何注册？",
                    f"How do category {n} vehicle mechanics register?",
                ),
            )
        )
    parts.append(
        _entry(
            "markup-test",
            "fact",
            "qf",
            "標記 <b>測試</b> & 符號",
            "Markup <b>test</b> & symbols",
            "答案包含 <script>alert(1)</script> 及 5 > 3 & 2 < 4。",
            "The answer has <script>alert(1)</script> and 5 > 3 & 2 < 4.",
            (
                "標記測試符號是甚麼？",
                "標記測試係咩？",
                "标记测试符号是什么？",
                "What is the markup test?",
            ),
            "\n    aliases: [標記測試, markup test]",
        )
    )
    return "".join(parts)


@pytest.fixture(scope="session")
def tg_knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("tg-kb")
    kb = base / "knowledge"
    shutil.copytree(FIXTURE_KB, kb)
    (kb / "telegram_test.yaml").write_text(telegram_entries(), encoding="utf-8")
    return kb


@pytest.fixture(scope="session")
def tg_index(tg_knowledge: Path) -> Path:
    from tests.helpers import build_index_cached

    path = tg_knowledge.parent / "var" / "index.sqlite"
    build_index_cached("telegram", tg_knowledge, path)
    return path


@pytest.fixture(scope="session")
def tg_assistant(tg_knowledge: Path, tg_index: Path):
    from bot.assistant import Assistant

    return Assistant.open(tg_knowledge, tg_index, today=lambda: TG_TODAY)


def tg_config(data_dir: Path, base_url: str = "", **overrides: Any):
    from bot.config import Config

    env = {
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "DATA_DIR": str(data_dir),
        "FLOOD_MAX_MESSAGES": "1000",
        "FLOOD_WINDOW_SECONDS": "30",
        "LOG_LEVEL": "DEBUG",
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return Config(env=env, dotenv=None)


POLL_INTERVAL = 0.001  # seconds between the harness bot's getUpdates calls (see running_bot)


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class BotHarness:
    """The real Application polling the fake server, with helpers to talk to it like a user."""

    server: Any
    app: Any
    store: Any
    config: Any
    clock: FakeClock
    extra: dict = field(default_factory=dict)

    @property
    def updates(self):
        return self.server.updates

    def sent(self, chat_id: int | None = None) -> list:
        return self.server.sent_messages(chat_id)

    async def push_and_wait(
        self,
        update: dict,
        method: str = "sendMessage",
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[Any], bool] | None = None,
    ) -> list:
        """Push one update; wait for `count` new calls of `method` (matching `predicate`) answered by the server."""
        before = len(
            [c for c in self.server.calls_of(method) if predicate is None or predicate(c)]
        )
        self.server.push_update(update)
        calls = await self.server.wait_for(method, before + count, timeout, predicate)
        new = calls[before:]
        await self.settled(new, timeout)
        return new

    async def settled(self, calls: list, timeout: float = 5.0) -> None:
        """Wait until the server has answered these calls (status set)."""
        await self.server.wait_until(
            lambda: all(c.status is not None for c in calls),
            timeout,
            lambda: "answers to: " + "; ".join(c.summary() for c in calls),
        )

    async def idle(self, timeout: float = 5.0) -> None:
        """Wait until every pushed update was fetched and fully handled."""
        from tests.harness import app_idle

        await self.server.wait_delivered(timeout=timeout)
        await app_idle(self.app, timeout)

    async def reply_to(self, update: dict, chat_id: int | None = None, timeout: float = 5.0):
        """Push `update` and return the one sendMessage that answers it (to `chat_id` if given)."""
        pred = None if chat_id is None else (lambda c: str(c.chat_id) == str(chat_id))
        calls = await self.push_and_wait(update, "sendMessage", 1, timeout, pred)
        return calls[0]


@contextlib.asynccontextmanager
async def running_bot(
    server, config, assistant, store, clock: FakeClock | None = None, **build: Any
) -> AsyncIterator[BotHarness]:
    """Build, start and poll; stop everything on the way out."""
    from bot.telegram.app import ALLOWED_UPDATES, build_application

    clock = clock or FakeClock()
    app = build_application(config, assistant, store, today=lambda: TG_TODAY, clock=clock, **build)
    assert app.updater is not None
    # The same order as Application.run_polling: initialize, post_init, poll, start.
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    # A millisecond between polls rather than none: PTB waits 1.5 times the interval after a failed
    # getUpdates (growing by half on each failure), but a whole second when the interval is 0, so
    # the getUpdates errors tests inject cost milliseconds. `bot.py run` keeps PTB's own waits.
    await app.updater.start_polling(
        poll_interval=POLL_INTERVAL, timeout=10, allowed_updates=ALLOWED_UPDATES
    )
    await app.start()
    try:
        yield BotHarness(server, app, store, config, clock)
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


@pytest.fixture
async def tg_server():
    from tests.fakes.telegram_server import running_fake_server

    async with running_fake_server() as server:
        yield server


@pytest.fixture
def tg_store(tmp_path: Path):
    from bot.store import Store

    store = Store.open(tmp_path / "state.sqlite")
    yield store
    store.close()


@pytest.fixture
async def tg_bot(tg_server, tg_assistant, tg_store, tmp_path: Path) -> AsyncIterator[BotHarness]:
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, tg_assistant, tg_store) as harness:
        await tg_server.wait_for("setMyCommands", 4)
        yield harness


# -- the state store on both backends (issue 14) --------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path):
    """A Target: an SQLite file, or a fresh schema on a real PostgreSQL server (tests/backends.py)."""
    from tests.backends import SKIP_REASON, Schemas, Target, postgres_url

    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        yield Target("sqlite", data_dir / "state.sqlite", data_dir)
        return
    url = postgres_url()
    if url is None:
        pytest.skip(SKIP_REASON)
    schemas = Schemas(url)
    try:
        yield Target("postgresql", schemas.new(), data_dir)
    finally:
        schemas.drop()


@pytest.fixture
def store(backend):
    """The state store on each backend (SQLite, and PostgreSQL when a server answers)."""
    s = backend.open()
    yield s
    s.close()


# -- markers (issue 13): `pytest -m "not telegram"` runs the engine tests alone ---------------------------

# The Telegram side: bot/telegram and the bot process (`bot.py run`), over the fake Bot API server
# or with its pieces alone (admin operations, announcements, several bot processes on one store,
# the bot under faults, the Bot API HTTP client). Everything else (knowledge, rules, answers, the
# store, the CLI) is the engine.
TELEGRAM_MODULES = (
    "test_telegram_",
    "test_tg_",
    "test_fake_telegram_server",
    "test_http_client",
    "test_faults",
    "test_shared_state",
    "test_cluster_copy_ops",
    "test_store_processes",
    "test_admin_units",
    "test_announce_units",
)
TELEGRAM_FIXTURES = {"tg_server", "tg_bot"}


@functools.cache
def _leaves_out_telegram(markexpr: str) -> bool:
    """True when the -m expression selects no test marked telegram, whatever other marks it has
    (`not telegram`, `not telegram and not slow`; not `not slow`, `not telegram or slow`)."""
    if not markexpr or "(" in markexpr:
        return False
    try:
        from _pytest.mark.expression import Expression

        expression = Expression.compile(markexpr)
    except Exception:  # noqa: BLE001 - pytest reports a bad expression itself
        return False
    names = sorted(set(re.findall(r"[\w:+\-.\[\]\\/]+", markexpr)) - {"and", "or", "not"})
    if "telegram" not in names or len(names) > 8:
        return False
    others = [name for name in names if name != "telegram"]
    for values in itertools.product((False, True), repeat=len(others)):
        marks = {**dict(zip(others, values, strict=True)), "telegram": True}
        if expression.evaluate(lambda name, /, m=marks, **_: m.get(name, False)):
            return False
    return True


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With -m leaving out the Telegram side, its modules (every test in them is marked telegram)
    are not even imported: the same tests run, and collection is some tenths of a second less."""
    if collection_path.suffix == ".py" and collection_path.name.startswith(TELEGRAM_MODULES):
        if _leaves_out_telegram(config.option.markexpr or ""):
            return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the Telegram side's tests (by module, or by the fake server fixture), and what runs
    against PostgreSQL, so either can be selected or left out with -m."""
    for item in items:
        module = getattr(getattr(item, "module", None), "__name__", "").rsplit(".", 1)[-1]
        if module.startswith(TELEGRAM_MODULES) or TELEGRAM_FIXTURES & set(
            getattr(item, "fixturenames", ())
        ):
            item.add_marker(pytest.mark.telegram)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)


# -- workers (issue 13): the suite spread over the cores ------------------------------------------------


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """How many pytest-xdist workers `-n auto` (pyproject addopts) starts: one per core for the
    suite or a folder, where much of the time is spent waiting on bot processes, the fake Bot API
    and PostgreSQL; none (everything in this process) for a run of named files or tests, where
    starting the workers (about 2 s) would cost more than it saves. `-n N` chooses itself, and so
    does PYTEST_XDIST_AUTO_NUM_WORKERS (read by pytest-xdist's own hook)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    here = config.invocation_params.dir
    named = [here / arg.split("::", 1)[0] for arg in config.args]
    if named and all(path.is_file() for path in named):
        return 0
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
