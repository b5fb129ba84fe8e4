"""Several bot processes on one PostgreSQL state database, behind a proxy: load and faults.

    python -m scripts.bench_cluster [--database-url postgresql://...] [--processes 2 4]
                                    [--users 200] [--questions 10] [--think 3]
                                    [--groups 1000] [--kill-every 5] [--rate 30] [--phase questions|broadcast|both]

Real processes, real HTTP on 127.0.0.1: N × `python bot.py run` in webhook mode (DATABASE_URL on
a fresh schema of the PostgreSQL server, one shared DATA_DIR for the index and the salt file), a
small round-robin proxy in a process of its own in front of their webhook ports (a dead backend is
skipped), and the fake Bot API server of tests/fakes, which posts each update to the proxy as
Telegram would.

questions   for each N: 200 users, each asking 10 questions one after the other (thinking
            0–2×--think seconds between): every question must get exactly one reply; latency is
            from the webhook POST to the reply's sendMessage reaching the server (target p95 ≤ 50 ms),
            outside rate-limiter waits as in scripts/bench_telegram.py (TELEGRAM_MAX_RATE=0 here).
broadcast   with the first N: 1,000 subscribed groups; an admin sends /broadcast and presses
            Confirm; every --kill-every seconds the process holding the sender lease is SIGKILLed and
            restarted. Every group must get exactly one copy, except rows in flight at a kill
            (they end "uncertain" and are never resent; reported, with how many of them had reached
            Telegram; at most --workers per kill); the total time is compared with what --rate allows
            (target: within 15%). Every process's messages share one TELEGRAM_MAX_RATE bucket.

The server comes from --database-url, else DATABASE_URL or TEST_DATABASE_URL. Exits 1 if an
answer is missing or doubled, a group got two copies, or a group without an uncertain row got none.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from scripts.timing import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"
TOKEN = "7000000001:BENCH-not-a-real-token"
SECRET = "bench-secret-" + secrets.token_hex(8)
ADMIN = 4242
OFF_TOPIC = ["今日天氣點呀？", "what's the weather like", "你好", "邊間餐廳好食？", "hello"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the bot processes ---------------------------------------------------------------------------------


@dataclass
class Bot:
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    starts: int = 0


async def listening(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


class Fleet:
    """N `bot.py run` processes in webhook mode, started, killed and restarted by this script only."""

    def __init__(self, work: Path, env: dict[str, str], count: int) -> None:
        self.work = work
        self.env = env
        self.bots = [Bot(free_port(), work / f"bot-{i}.log") for i in range(count)]

    def start(self, bot: Bot) -> None:
        env = {**self.env, "WEBHOOK_PORT": str(bot.port)}
        out = open(bot.log, "a", encoding="utf-8")
        bot.proc = subprocess.Popen(
            [sys.executable, "bot.py", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        bot.starts += 1

    async def ready(self, bot: Bot, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if bot.proc is not None and bot.proc.poll() is not None:
                raise SystemExit(
                    f"bot on port {bot.port} exited: see {bot.log}\n{bot.log.read_text()[-2000:]}"
                )
            if await listening(bot.port):
                return
            await asyncio.sleep(0.05)
        raise SystemExit(f"bot on port {bot.port} did not start: see {bot.log}")

    async def start_all(self) -> None:
        for bot in self.bots:
            self.start(bot)
        for bot in self.bots:
            await self.ready(bot)

    def kill(self, bot: Bot) -> None:
        if bot.proc is not None and bot.proc.poll() is None:
            bot.proc.send_signal(signal.SIGKILL)
            bot.proc.wait()

    def by_pid(self, pid: int) -> Bot | None:
        return next((b for b in self.bots if b.proc is not None and b.proc.pid == pid), None)

    def stop_all(self) -> None:
        for bot in self.bots:
            if bot.proc is not None and bot.proc.poll() is None:
                bot.proc.send_signal(signal.SIGTERM)
        for bot in self.bots:
            if bot.proc is not None:
                try:
                    bot.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(bot)


# -- the proxy -------------------------------------------------------------------------------------------


class Proxy:
    """Round robin over the backends' ports; a backend that refuses the connection is skipped.

    It runs in a process of its own (`--serve-proxy`), as nginx or caddy would: in the benchmark's
    process it competed for the same interpreter as the fake Bot API server and the 200 users, so
    the harness's own queueing was counted as the bots' latency."""

    def __init__(self, ports: list[int], port: int | None = None) -> None:
        self.ports = ports
        self.port = port or free_port()
        self.next = 0
        self.runner: Any = None
        self.session: Any = None

    async def start(self) -> None:
        import aiohttp
        from aiohttp import web

        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=10), connector=aiohttp.TCPConnector(limit=256)
        )
        app = web.Application()
        app.router.add_post("/{path:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def handle(self, request: Any) -> Any:
        import aiohttp
        from aiohttp import web

        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")
        }
        for _ in range(len(self.ports)):
            port = self.ports[self.next % len(self.ports)]
            self.next += 1
            try:
                async with self.session.post(
                    f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers
                ) as r:
                    return web.Response(status=r.status, body=await r.read())
            except (TimeoutError, aiohttp.ClientConnectionError):
                continue  # that process is down: the next one takes the update
        return web.Response(status=502)

    async def stop(self) -> None:
        await self.session.close()
        await self.runner.cleanup()


async def serve_proxy(port: int, backends: list[int]) -> None:
    proxy = Proxy(backends, port)
    await proxy.start()
    try:
        await asyncio.Event().wait()  # until SIGTERM
    finally:
        await proxy.stop()


class ProxyProcess:
    """The proxy, started and stopped by this script."""

    def __init__(self, fleet: Fleet) -> None:
        self.ports = [bot.port for bot in fleet.bots]
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    async def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scripts.bench_cluster", "--serve-proxy", str(self.port)]
            + [str(p) for p in self.ports],
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if await listening(self.port):
                return
            await asyncio.sleep(0.05)
        raise SystemExit("the proxy did not start")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- Telegram ------------------------------------------------------------------------------------------


def make_server(latency: float):
    from tests.fakes.telegram_server import FakeTelegramServer

    class BenchServer(FakeTelegramServer):
        """The fake server, timing each reply and telling the waiting user."""

        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            self.waiters: dict[int, asyncio.Future] = {}
            self.replies: dict[int, int] = {}

        def _send_message(self, params: Any) -> Any:
            result = super()._send_message(params)
            chat_id = int(params["chat_id"])
            self.replies[chat_id] = self.replies.get(chat_id, 0) + 1
            waiter = self.waiters.pop(chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(time.monotonic())
            return result

    return BenchServer(latency=latency)


class Poster:
    """Posts updates to the proxy as Telegram does (secret header; retried while the answer is not 200)."""

    def __init__(self, server: Any, proxy: ProxyProcess) -> None:
        import aiohttp

        self.server = server
        self.url = f"http://127.0.0.1:{proxy.port}/hook"
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def post(self, update: dict) -> None:
        stored = self.server._stamp(update)
        for attempt in range(20):
            try:
                async with self.session.post(
                    self.url, json=stored, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                ) as r:
                    if r.status == 200:
                        return
            except Exception:  # noqa: BLE001 - as Telegram: try again a little later
                pass
            await asyncio.sleep(0.1 * (attempt + 1))
        raise RuntimeError("the proxy never accepted an update")

    async def close(self) -> None:
        await self.session.close()


# -- phases --------------------------------------------------------------------------------------------


@dataclass
class Questions:
    processes: int
    latencies: list[float] = field(default_factory=list)
    accepted: list[float] = field(default_factory=list)  # until the webhook answered 200
    asked: int = 0
    missing: int = 0
    doubled: int = 0
    seconds: float = 0.0


async def questions_phase(
    server: Any,
    poster: Poster,
    processes: int,
    args: argparse.Namespace,
    pool: list[str],
    base_user: int,
) -> Questions:
    rng = random.Random(args.seed + processes)
    result = Questions(processes)
    loop = asyncio.get_running_loop()

    async def user(n: int) -> None:
        uid = base_user + n
        profile = server.updates.user(
            uid, first_name=f"U{n}", language_code=rng.choice(["zh-hk", "en", "zh-hans"])
        )
        await asyncio.sleep(rng.uniform(0, args.think))  # users arrive spread out
        for i in range(args.questions):
            text = (
                rng.choice(OFF_TOPIC)
                if rng.random() < 0.05
                else pool[(n * args.questions + i) % len(pool)]
            )
            waiter = loop.create_future()
            server.waiters[uid] = waiter
            sent = time.monotonic()
            result.asked += 1
            await poster.post(server.updates.private_text(text, user=profile))
            result.accepted.append(time.monotonic() - sent)
            try:
                received = await asyncio.wait_for(waiter, 30)
            except TimeoutError:
                server.waiters.pop(uid, None)
                continue
            result.latencies.append(received - sent)
            await asyncio.sleep(rng.uniform(0, 2 * args.think))

    started = time.monotonic()
    await asyncio.gather(*(user(n) for n in range(args.users)))
    result.seconds = time.monotonic() - started
    await asyncio.sleep(0.5)  # anything late or doubled shows up now
    counts = [server.replies.get(base_user + n, 0) for n in range(args.users)]
    result.missing = sum(max(0, args.questions - c) for c in counts)
    result.doubled = sum(max(0, c - args.questions) for c in counts)
    return result


async def warm_up(server: Any, poster: Poster, processes: int) -> None:
    """A first question to each process (round robin): loading the word segmenter is start-up, not latency."""
    loop = asyncio.get_running_loop()
    for n in range(processes * 2):
        uid = 900_000_000 + n
        waiter = loop.create_future()
        server.waiters[uid] = waiter
        await poster.post(
            server.updates.private_text(
                "免試期幾時完？", user=server.updates.user(uid, first_name="W")
            )
        )
        await asyncio.wait_for(waiter, 60)


@dataclass
class Kill:
    at: float
    pid: int
    was_sender: bool


async def broadcast_phase(
    server: Any, poster: Poster, fleet: Fleet, store: Any, args: argparse.Namespace
) -> int:
    groups = [-1007000000000 - i for i in range(args.groups)]
    with store.sql.atomic():
        for chat_id in groups:
            store.upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
            store.subscribe(chat_id, "zh-Hant")
    admin = server.updates.user(ADMIN, first_name="Admin", language_code="en")

    def preview(call: Any) -> bool:
        return str(call.chat_id) == str(ADMIN) and "bc:ok:" in json.dumps(
            call.params.get("reply_markup") or ""
        )

    await poster.post(
        server.updates.private_text(
            "/broadcast <b>新課程</b>報名現已開始 · Enrolment is open", user=admin
        )
    )
    question = (await server.wait_for("sendMessage", 1, 30, preview))[0]
    while question.result is None:
        await asyncio.sleep(0.01)
    markup = json.dumps(question.params.get("reply_markup"))
    data = next(part for part in markup.split('"') if part.startswith("bc:ok:"))
    print(
        f"\n[broadcast] {len(groups)} groups, {len(fleet.bots)} processes, a kill of the sender every "
        f"{args.kill_every:g} s (restarted at once), Telegram limit {args.rate:g} msg/s, round trip "
        f"{args.latency * 1000:.0f} ms, BROADCAST_WORKERS={args.workers}, LEASE_SECONDS={args.lease}"
    )
    started = time.monotonic()
    await poster.post(server.updates.callback_query(data, user=admin, message=question.result))
    bid = int(data.rsplit(":", 1)[1])
    kills: list[Kill] = []
    next_kill = started + args.kill_every
    while True:
        row = store.broadcast(bid)
        if row is not None and row["status"] == "done":
            break
        if time.monotonic() - started > 600:
            print("  gave up after 600 s")
            break
        if args.kill_every > 0 and time.monotonic() >= next_kill:
            next_kill += args.kill_every
            lease = store.lease("sender")
            pid = int(lease["holder"].split(":")[1]) if lease else -1
            target = fleet.by_pid(pid) or random.choice(fleet.bots)
            assert target.proc is not None
            kills.append(Kill(time.monotonic() - started, target.proc.pid, target.proc.pid == pid))
            fleet.kill(target)
            fleet.start(target)  # restarted at once; it joins when ready
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - started
    await asyncio.sleep(0.5)

    group_set = {str(g) for g in groups}
    copies: dict[str, int] = {}
    for call in server.calls_of("sendMessage"):
        if str(call.chat_id) in group_set and call.status == 200:
            copies[str(call.chat_id)] = copies.get(str(call.chat_id), 0) + 1
    rows = store.sql.query(
        "SELECT chat_id, status, updated_at FROM deliveries WHERE broadcast_id = ?", (bid,)
    )
    uncertain = {str(r["chat_id"]) for r in rows if r["status"] == "uncertain"}
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    doubled = sum(1 for n in copies.values() if n > 1)
    missing = [g for g in group_set if copies.get(g, 0) == 0]
    unexplained = [g for g in missing if g not in uncertain]
    reached = sum(1 for g in uncertain if copies.get(g, 0) == 1)
    ideal = len(groups) / args.rate
    within = elapsed / ideal - 1 <= 0.15
    print(
        f"  {elapsed:.2f} s from Confirm to done; {args.rate:g} msg/s allows {ideal:.2f} s: {elapsed / ideal * 100:.1f}% "
        f"of it ({'within' if within else 'NOT within'} 15%)"
    )
    print(
        f"  kills: {len(kills)} ({sum(k.was_sender for k in kills)} of the sender) at "
        f"{', '.join(f'{k.at:.1f}' for k in kills) or '-'} s"
    )
    print(f"  deliveries: {by_status}")
    times = sorted(c.time for c in server.calls_of("sendMessage") if str(c.chat_id) in group_set)
    gaps = sorted(((b - a, a) for a, b in pairwise(times)), reverse=True)[: max(1, len(kills))]
    first = times[0] if times else 0.0
    print(
        f"  longest pauses between sends: {', '.join(f'{g:.2f} s at {a - first:.1f} s' for g, a in gaps)}"
    )
    print(
        f"  uncertain (in flight at a kill): {len(uncertain)} — {reached} had reached Telegram, "
        f"{len(uncertain) - reached} had not (that group missed it); at most {args.workers} (BROADCAST_WORKERS) "
        f"per kill: {'yes' if len(uncertain) <= args.workers * len(kills) else 'NO'}"
    )
    # A takeover marks the dead holder's rows uncertain in one UPDATE, so their time tells the kill.
    per_kill: dict[str, int] = {}
    for r in rows:
        if r["status"] == "uncertain":
            per_kill[r["updated_at"]] = per_kill.get(r["updated_at"], 0) + 1
    print(
        f"  uncertain per takeover: {sorted(per_kill.values(), reverse=True) or '-'} "
        f"(most in one: {max(per_kill.values(), default=0)})"
    )
    print(
        f"  exactly once except those: {'yes' if not doubled and not unexplained else 'NO'} "
        f"(doubled {doubled}, missing without an uncertain row {len(unexplained)})"
    )
    return 1 if doubled or unexplained else 0


# -- main ----------------------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    url = (
        args.database_url or os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    )
    if not url:
        raise SystemExit(
            "a PostgreSQL server is needed: --database-url postgresql://... (or DATABASE_URL)"
        )
    return url


async def bench(args: argparse.Namespace) -> int:
    import psycopg

    from bot.assistant import Assistant
    from bot.store import Store
    from tests.backends import with_schema

    base_url = database_url(args)
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    schemas: list[str] = []
    failures = 0
    try:
        shutil.copytree(args.knowledge or FIXTURE_KB, work / "knowledge")
        assistant = Assistant.open(
            work / "knowledge", work / "var" / "index.sqlite"
        )  # built once, shared
        pool = [q for e in assistant.kb.entries.values() for q in e.questions.all()]
        random.Random(args.seed).shuffle(pool)
        server = make_server(args.latency)
        async with server:
            phases = ["questions", "broadcast"] if args.phase == "both" else [args.phase]
            runs = [("questions", n) for n in args.processes] if "questions" in phases else []
            runs += [("broadcast", args.processes[0])] if "broadcast" in phases else []
            for index, (phase, n) in enumerate(runs):
                schema = f"bench_{secrets.token_hex(4)}"
                with psycopg.connect(base_url, autocommit=True) as conn:
                    conn.execute(f"CREATE SCHEMA {schema}")
                schemas.append(schema)
                url = with_schema(base_url, schema)
                data = work / f"var-{index}"
                shutil.copytree(work / "var", data)
                # The questions' latency is measured outside rate-limiter waits, as in scripts/bench_telegram.py
                # (200 users ask faster than Telegram's 30 messages a second); the broadcast keeps the limit.
                rate = args.rate if phase == "broadcast" else 0
                env = {
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": server.base_url,
                    "DATABASE_URL": url,
                    "DATA_DIR": str(data),
                    "KNOWLEDGE_DIR": str(work / "knowledge"),
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_LISTEN": "127.0.0.1",
                    "ADMIN_IDS": str(ADMIN),
                    "TELEGRAM_MAX_RATE": str(rate),
                    "BROADCAST_WORKERS": str(args.workers),
                    "LEASE_SECONDS": str(args.lease),
                    "REMINDER_CHECK_SECONDS": "0",
                    "FLOOD_MAX_MESSAGES": "100000",
                    "LOG_LEVEL": args.log_level,
                }
                if (
                    args.sqlite
                ):  # the same path with the default store, for comparison (one process only)
                    del env["DATABASE_URL"]
                    url = str(data / "state.sqlite")
                Store.open(
                    url, data_dir=data
                ).close()  # `bot.py migrate`, once, before the fleet starts
                fleet = Fleet(work, env, n)
                proxy = ProxyProcess(fleet)
                await proxy.start()
                env["WEBHOOK_URL"] = f"http://127.0.0.1:{proxy.port}/hook"
                poster = Poster(server, proxy)
                try:
                    server.latency = 0.0 if phase == "questions" else args.latency
                    await fleet.start_all()
                    await warm_up(server, poster, n)
                    if phase == "questions":
                        result = await questions_phase(
                            server, poster, n, args, pool, 1_000_000 * (index + 1)
                        )
                        failures += report_questions(result, args)
                    else:
                        store = Store.open(url, data_dir=data)
                        try:
                            failures += await broadcast_phase(server, poster, fleet, store, args)
                        finally:
                            store.close()
                finally:
                    await poster.close()
                    fleet.stop_all()
                    await proxy.stop()
        return 1 if failures else 0
    finally:
        if schemas:
            with psycopg.connect(base_url, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if args.keep:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report_questions(result: Questions, args: argparse.Namespace) -> int:
    ms = [x * 1000 for x in result.latencies]
    p95 = percentile(ms, 95)
    print(
        f"\n[questions] {result.processes} processes behind the proxy: {args.users} users x {args.questions} questions "
        f"= {result.asked} in {result.seconds:.1f} s ({len(ms) / result.seconds:.1f} replies/s)"
    )
    print(
        f"  webhook-to-reply latency ms: p50 {percentile(ms, 50):.1f}  p95 {p95:.1f}  p99 {percentile(ms, 99):.1f}  "
        f"max {max(ms, default=float('nan')):.1f}  mean {statistics.fmean(ms) if ms else float('nan'):.1f}"
    )
    acc = [x * 1000 for x in result.accepted]
    print(
        f"  of which the webhook's 200 (through the proxy): p50 {percentile(acc, 50):.1f}  p95 {percentile(acc, 95):.1f} ms"
    )
    ok = not result.missing and not result.doubled
    print(
        f"  exactly one reply per question: {'yes' if ok else 'NO'} (missing {result.missing}, doubled {result.doubled}); "
        f"target p95 <= 50 ms: {'met' if p95 <= 50 else 'NOT met'}"
    )
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> None:
    import logging

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="PostgreSQL server (a schema is made and dropped on it)"
    )
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="mean seconds between a reply and the next question",
    )
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument(
        "--kill-every",
        type=float,
        default=5.0,
        help="seconds between SIGKILLs of the sender (0: none)",
    )
    parser.add_argument("--rate", type=float, default=30.0, help="TELEGRAM_MAX_RATE")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the fake Bot API takes to answer, in the broadcast phase (0 in the questions phase)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        help="BROADCAST_WORKERS (at most this many sends in flight at a kill)",
    )
    parser.add_argument(
        "--lease",
        type=float,
        default=0.9,
        help="LEASE_SECONDS (the sender is tried every third of it)",
    )
    parser.add_argument("--phase", choices=("questions", "broadcast", "both"), default="both")
    parser.add_argument(
        "--knowledge", type=Path, help="knowledge folder (default: the test fixture)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        help="the bots' LOG_LEVEL (their logs are in the work folder)",
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="one process on the SQLite store, for comparison"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder with the bots' logs"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--serve-proxy",
        nargs="+",
        type=int,
        metavar="PORT",
        help=argparse.SUPPRESS,  # internal: the proxy's own process (its port, then the backends')
    )
    args = parser.parse_args(argv)
    if args.serve_proxy:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        asyncio.run(serve_proxy(args.serve_proxy[0], args.serve_proxy[1:]))
        return
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # A killed process leaves a request to the fake Bot API half-sent: that is the fault injected, not news.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
