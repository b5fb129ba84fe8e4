"""Load benchmark of the Telegram bot: simulated users asking through the fake Bot API server.

    python -m scripts.bench_telegram [--users 200] [--questions 10] [--think 1.0] [--phase paced|burst|both]
                                     [--knowledge DIR] [--telegram-limits]

The real Application long-polls the fake server (tests/fakes) over HTTP on 127.0.0.1, exactly as in
the end-to-end tests. Each user is a private chat that asks a question, waits for the reply, thinks
(uniformly 0 to 2x --think seconds, default 3: about 65 questions/s from 200 users, twice what
Telegram lets a bot send; none in the burst phase) and asks the next. Latency is measured
from the moment the update is queued on the server to the moment the server receives the reply's
sendMessage. Every question must get exactly one reply.

Phases: "paced" (users think between questions: the latency target, p95 <= 50 ms) and "burst" (all
users ask back to back: the throughput ceiling, where latency is mostly queueing). Telegram's own
limits (AIORateLimiter: 30 messages/s overall) are off unless --telegram-limits, since the target
is "outside rate-limiter waits"; per-user flood control is raised so that it never refuses.
This is a benchmark, not a test: it prints figures and exits 1 only if a reply is missing or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.timing import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"
TOKEN = "7000000001:BENCH-not-a-real-token"
OFF_TOPIC = ["今日天氣點呀？", "what's the weather like", "你好", "邊間餐廳好食？", "hello"]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0
    asked: int = 0


def open_assistant(knowledge: Path | None, work: Path):
    """The real knowledge base when it is valid, else the test fixture (the bench must always run)."""
    from bot.assistant import Assistant
    from bot.config import Config
    from bot.kb.loader import KnowledgeInvalid

    candidates = (
        [knowledge] if knowledge else [Path(Config(env={}, dotenv=None).knowledge_dir), FIXTURE_KB]
    )
    for kb_dir in candidates:
        try:
            copy = work / f"kb-{kb_dir.name}"
            shutil.copytree(kb_dir, copy)
            return Assistant.open(copy, work / f"index-{kb_dir.name}" / "index.sqlite"), kb_dir
        except (KnowledgeInvalid, FileNotFoundError) as exc:
            print(f"knowledge at {kb_dir} not usable ({exc}); trying the next", file=sys.stderr)
    raise SystemExit("no usable knowledge base")


def questions_of(assistant, rng: random.Random) -> list[str]:
    pool = [q for e in assistant.kb.entries.values() for q in e.questions.all()]
    rng.shuffle(pool)
    return pool


async def bench(args: argparse.Namespace) -> int:
    from telegram.ext import AIORateLimiter

    from bot.config import Config
    from bot.store import Store
    from bot.telegram.app import ALLOWED_UPDATES, RetryingRateLimiter, build_application
    from tests.fakes.telegram_server import FakeTelegramServer

    class BenchServer(FakeTelegramServer):
        """The fake server, telling waiting users the moment their reply arrives."""

        def __init__(self, **kw) -> None:
            super().__init__(**kw)
            self.waiters: dict[int, asyncio.Future] = {}
            self.replies: dict[int, int] = {}

        def _send_message(self, params):
            result = super()._send_message(params)
            chat_id = int(params["chat_id"])
            self.replies[chat_id] = self.replies.get(chat_id, 0) + 1
            waiter = self.waiters.pop(chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(time.monotonic())
            return result

    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-telegram-"))
    try:
        assistant, kb_dir = open_assistant(args.knowledge, work)
        pool = questions_of(assistant, rng)
        config = Config(
            env={
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "DATA_DIR": str(work),
                "FLOOD_MAX_MESSAGES": "100000",
                "FLOOD_WINDOW_SECONDS": "30",
                "LOG_LEVEL": "WARNING",
            },
            dotenv=None,
        )
        store = Store.open(config.state_path)
        limiter = (
            RetryingRateLimiter(max_retries=3)
            if args.telegram_limits
            else RetryingRateLimiter(max_retries=3, overall_max_rate=0, group_max_rate=0)
        )
        assert isinstance(limiter, AIORateLimiter)
        phases = ["paced", "burst"] if args.phase == "both" else [args.phase]
        print(
            f"knowledge: {kb_dir} ({len(assistant.kb.entries)} entries); {args.users} users x {args.questions} "
            f"questions per phase; Telegram limits {'ON (30 msg/s)' if args.telegram_limits else 'off'}"
        )
        async with BenchServer() as server:
            app = build_application(
                config, assistant, store, rate_limiter=limiter, base_url=server.base_url
            )
            gc.freeze()  # as `bot.py run` does once the bot is built (bot/telegram/app.py)
            assert app.updater is not None and app.post_init is not None  # the builder made both
            await app.initialize()
            await app.post_init(app)
            await app.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES
            )
            await app.start()
            failures = 0
            try:
                for index, name in enumerate(phases):
                    phase = Phase(name)
                    think = args.think if name == "paced" else 0.0
                    base_user = 100_000 * (index + 1)
                    await run_phase(
                        server, phase, args.users, args.questions, think, base_user, pool, rng
                    )
                    await asyncio.sleep(0.3)  # anything late or doubled shows up now
                    failures += report(server, phase, args.users, args.questions, base_user)
            finally:
                await app.updater.stop()
                await app.stop()
                await app.shutdown()
                store.close()
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def run_phase(
    server,
    phase: Phase,
    users: int,
    questions: int,
    think: float,
    base_user: int,
    pool: list[str],
    rng: random.Random,
) -> None:
    loop = asyncio.get_running_loop()

    async def user(n: int) -> None:
        uid = base_user + n
        profile = server.updates.user(
            uid, first_name=f"U{n}", language_code=rng.choice(["zh-hk", "en", "zh-hans"])
        )
        if think:
            await asyncio.sleep(rng.uniform(0, think))  # users arrive spread out, not all at once
        for i in range(questions):
            text = (
                rng.choice(OFF_TOPIC)
                if rng.random() < 0.05
                else pool[(n * questions + i) % len(pool)]
            )
            waiter = loop.create_future()
            server.waiters[uid] = waiter
            sent = time.monotonic()
            server.push_update(server.updates.private_text(text, user=profile))
            phase.asked += 1
            try:
                received = await asyncio.wait_for(waiter, 30)
            except TimeoutError:
                server.waiters.pop(uid, None)
                continue
            phase.latencies.append(received - sent)
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))

    phase.started = time.monotonic()
    await asyncio.gather(*(user(n) for n in range(users)))
    phase.finished = time.monotonic()


def report(server, phase: Phase, users: int, questions: int, base_user: int) -> int:
    counts = [server.replies.get(base_user + n, 0) for n in range(users)]
    missing = sum(max(0, questions - c) for c in counts)
    doubled = sum(max(0, c - questions) for c in counts)
    lat = [x * 1000 for x in phase.latencies]
    elapsed = phase.finished - phase.started
    print(
        f"\n[{phase.name}] {phase.asked} questions in {elapsed:.2f} s: throughput {len(lat) / elapsed:.1f} replies/s"
    )
    print(
        f"  update-to-reply latency ms: p50 {percentile(lat, 50):.1f}  p95 {percentile(lat, 95):.1f}  "
        f"p99 {percentile(lat, 99):.1f}  max {max(lat, default=float('nan')):.1f}  mean {statistics.fmean(lat) if lat else float('nan'):.1f}"
    )
    ok = missing == 0 and doubled == 0
    print(
        f"  exactly one reply per question: {'yes' if ok else 'NO'} (missing {missing}, doubled {doubled})"
    )
    if phase.name == "paced":
        p95 = percentile(lat, 95)
        print(f"  target p95 <= 50 ms: {'met' if p95 <= 50 else 'NOT met'} ({p95:.1f} ms)")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="mean seconds between a reply and the next question (paced phase)",
    )
    parser.add_argument("--phase", choices=("paced", "burst", "both"), default="both")
    parser.add_argument(
        "--knowledge",
        type=Path,
        help="knowledge folder (default: the real one, else the test fixture)",
    )
    parser.add_argument(
        "--telegram-limits", action="store_true", help="keep AIORateLimiter's 30 messages/s"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "httpcore", "jieba"):
        logging.getLogger(name).setLevel(logging.WARNING)
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
