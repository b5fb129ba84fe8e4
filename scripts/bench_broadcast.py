"""Broadcast benchmark: one announcement to many subscribed groups through the fake Bot API server.

    python -m scripts.bench_broadcast [--groups 1000] [--rate 30] [--latency 0.05] [--workers 4]
                                      [--blocked 0] [--flood 0] [--questions 2] [--no-edit]

The real Application (the same as `python bot.py run`, with Telegram's limits ON: PTB's
AIORateLimiter at TELEGRAM_MAX_RATE messages a second plus the broadcast's own pacer) long-polls the
fake server (tests/fakes) on 127.0.0.1, which answers every call after --latency seconds (a round
trip to Telegram). An admin writes /broadcast, presses Confirm, and the clock runs until the final
report reaches the admin. Meanwhile workers keep asking questions (--questions a second), to show
that answers still flow during a broadcast.

Printed: total time against what --rate allows (groups / rate: 33.3 s for 1,000 groups at 30/s,
the target being within 10%), the delivery rate, the spread of sends per second, the reply latency
of the workers' questions during the broadcast, and whether every group got exactly one copy.
--blocked N groups answer 403 (they must end inactive); --flood N sends get a 429 (retry_after 1 s).
Then the admin presses "Edit everywhere" under the report and confirms a corrected text: every
delivered copy is edited at the same pace (1,000 edits: 33.3 s at 30/s, the same 10% target), and
none may be edited twice (--no-edit skips this).
Exits 1 if a group got no copy or two, or a copy was not edited or edited twice.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scripts.timing import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"
TOKEN = "7000000001:BENCH-not-a-real-token"
ADMIN = 4242
QUESTIONS = [
    "免試期幾時完？",
    "When does the exemption period end?",
    "VPES 係咩嚟？",
    "安老 RPL 係咩嚟？",
]


async def bench(args: argparse.Namespace) -> int:
    from bot.assistant import Assistant
    from bot.config import Config
    from bot.store import Store
    from bot.telegram.app import ALLOWED_UPDATES, build_application
    from tests.fakes.telegram_server import FakeTelegramServer
    from tests.fakes.updates import make_user

    work = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    try:
        shutil.copytree(FIXTURE_KB, work / "knowledge")
        assistant = Assistant.open(work / "knowledge", work / "var" / "index.sqlite")
        async with FakeTelegramServer(latency=args.latency) as server:
            config = Config(
                env={
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": server.base_url,
                    "DATA_DIR": str(work / "var"),
                    "KNOWLEDGE_DIR": str(work / "knowledge"),
                    "ADMIN_IDS": str(ADMIN),
                    "TELEGRAM_MAX_RATE": str(args.rate),
                    "BROADCAST_WORKERS": str(args.workers),
                    "REMINDER_CHECK_SECONDS": "0",
                    "FLOOD_MAX_MESSAGES": "100000",
                    "LOG_LEVEL": "WARNING",
                },
                dotenv=None,
            )
            store = Store.open(config.state_path)
            groups = [-1007000000000 - i for i in range(args.groups)]
            with store.db.atomic():
                for chat_id in groups:
                    store.upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
                    store.subscribe(chat_id, "zh-Hant")
            blocked = (
                set(groups[5 :: max(1, args.groups // args.blocked)][: args.blocked])
                if args.blocked
                else set()
            )
            for chat_id in blocked:
                server.fail(
                    "sendMessage",
                    "403",
                    chat_id=chat_id,
                    description="Forbidden: bot was kicked from the supergroup chat",
                )

            app = build_application(
                config, assistant, store
            )  # Telegram's limits ON, as in production
            assert app.updater is not None and app.post_init is not None  # the builder made both
            await app.initialize()
            await app.post_init(app)
            await app.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES
            )
            await app.start()
            try:
                return await run(
                    args,
                    server,
                    store,
                    groups,
                    blocked,
                    make_user(ADMIN, "Admin", language_code="en"),
                )
            finally:
                await app.updater.stop()
                await app.stop()
                await app.shutdown()
                store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


async def run(args, server, store, groups: list[int], blocked: set[int], admin) -> int:
    def to_admin(call) -> bool:
        return str(call.chat_id) == str(ADMIN)

    server.push_update(
        server.updates.private_text(
            "/broadcast <b>新課程</b>報名現已開始 · Enrolment is open", user=admin
        )
    )
    question = (await server.wait_for("sendMessage", 2, 30, to_admin))[1]
    while question.result is None:
        await asyncio.sleep(0.01)
    if args.flood:
        server.fail("sendMessage", "429", times=args.flood, retry_after=1)
    group_set = {str(g) for g in groups}
    latencies: list[float] = []
    stop = asyncio.Event()

    async def workers_asking() -> None:
        """Workers asking questions during the broadcast: update-to-reply latency."""
        n = 0
        while not stop.is_set() and args.questions > 0:
            n += 1
            uid = 500_000 + n
            sent = time.monotonic()
            before = len(server.sent_messages(uid))
            server.push_update(
                server.updates.private_text(QUESTIONS[n % len(QUESTIONS)], user=uid)
            )
            try:
                await server.wait_for(
                    "sendMessage", before + 1, 30, lambda c, u=uid: str(c.chat_id) == str(u)
                )
                latencies.append(time.monotonic() - sent)
            except AssertionError:
                pass
            await asyncio.sleep(1 / args.questions)

    print(
        f"{len(groups)} subscribed groups ({len(blocked)} blocked), Telegram limit {args.rate:g} msg/s, "
        f"round trip {args.latency * 1000:.0f} ms, {args.workers} delivery workers, {args.questions:g} questions/s"
    )
    asker = asyncio.create_task(workers_asking())
    started = time.monotonic()
    server.push_update(
        server.updates.callback_query("bc:ok:1", user=admin, message=question.result)
    )
    await server.wait_for(
        "sendMessage",
        1,
        3600,
        lambda c: to_admin(c) and "finished" in (c.params.get("text") or ""),
    )
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.gather(asker, return_exceptions=True)
    await asyncio.sleep(0.3)  # anything late or doubled shows up now

    sends = [c for c in server.calls_of("sendMessage") if str(c.chat_id) in group_set]
    ok = [c for c in sends if c.status == 200]
    copies: dict[str, int] = {}
    for call in ok:
        copies[str(call.chat_id)] = copies.get(str(call.chat_id), 0) + 1
    active = [str(g) for g in groups if g not in blocked]
    missing = sum(1 for g in active if copies.get(g, 0) == 0)
    doubled = sum(1 for n in copies.values() if n > 1)
    leaked = sum(1 for g in blocked if copies.get(str(g)))
    inactive = {s["chat_id"] for s in store.subscriptions(active=False)}
    ideal = len(groups) / args.rate
    times = sorted(c.time for c in sends)
    spread = times[-1] - times[0] if len(times) > 1 else 0.0
    per_second: dict[int, int] = {}
    for t in times:
        per_second[int(t - times[0])] = per_second.get(int(t - times[0]), 0) + 1
    full = [n for s, n in per_second.items() if s < max(per_second)] or list(per_second.values())
    counts = store.delivery_counts(1)

    print(f"\nbroadcast to {len(groups)} groups: {elapsed:.2f} s from Confirm to the final report")
    print(
        f"  Telegram's {args.rate:g} msg/s allows {ideal:.2f} s: {elapsed / ideal * 100:.1f}% of it "
        f"({'within' if abs(elapsed / ideal - 1) <= 0.10 else 'NOT within'} 10%)"
    )
    print(
        f"  delivery rate {len(sends) / spread if spread else float('nan'):.2f} requests/s over {spread:.2f} s "
        f"(first to last send); sends per whole second min {min(full)} / median {statistics.median(full):g} / max {max(full)}"
    )
    print(
        f"  outcome: {counts['sent']} sent, {counts['failed']} failed, {counts['skipped'] + counts['uncertain']} skipped; "
        f"{len(inactive)} groups marked inactive; {len(sends) - len(ok)} requests answered with an error and retried or failed"
    )
    print(
        f"  exactly one copy per active group: {'yes' if not missing and not doubled and not leaked else 'NO'} "
        f"(missing {missing}, doubled {doubled}, sent to blocked {leaked})"
    )
    if latencies:
        ms = [x * 1000 for x in latencies]
        print(
            f"  workers' questions during the broadcast: {len(ms)} answered, update-to-reply latency ms "
            f"p50 {percentile(ms, 50):.0f}  p95 {percentile(ms, 95):.0f}  max {max(ms):.0f}"
        )
    status = 1 if missing or doubled or leaked else 0
    if args.edit:
        status |= await edit_everywhere(args, server, store, group_set, admin)
    return status


async def edit_everywhere(args, server, store, group_set: set[str], admin) -> int:
    """The admin presses "Edit everywhere" under the report, replies with the corrected text and
    confirms: every delivered copy is edited, paced like the broadcast. Exits 1 if a copy was not
    edited or edited twice."""

    def to_admin(call) -> bool:
        return str(call.chat_id) == str(ADMIN)

    async def answered(call):
        while call.result is None:
            await asyncio.sleep(0.01)
        return call

    report = await answered(
        next(
            c
            for c in reversed(server.sent_messages(ADMIN))
            if "finished" in (c.params.get("text") or "")
        )
    )
    server.push_update(server.updates.callback_query("an:e:1", user=admin, message=report.result))
    ask = await answered(
        (
            await server.wait_for(
                "sendMessage",
                1,
                30,
                lambda c: to_admin(c) and "#E1" in (c.params.get("text") or ""),
            )
        )[0]
    )
    server.push_update(
        server.updates.reply_to_bot(
            "<b>新課程</b>報名現已開始（更正：3月20日截止）", bot_message=ask.result, user=admin
        )
    )
    question = await answered(
        (
            await server.wait_for(
                "sendMessage",
                1,
                30,
                lambda c: to_admin(c) and (c.params.get("text") or "").startswith("Edit the"),
            )
        )[0]
    )
    started = time.monotonic()
    server.push_update(
        server.updates.callback_query("op:ok:1", user=admin, message=question.result)
    )
    await server.wait_for(
        "sendMessage",
        1,
        3600,
        lambda c: to_admin(c) and "Edit of broadcast #1 finished" in (c.params.get("text") or ""),
    )
    elapsed = time.monotonic() - started
    await asyncio.sleep(0.3)
    edits = [c for c in server.calls_of("editMessageText") if str(c.chat_id) in group_set]
    applied: dict[str, int] = {}
    for call in edits:
        if call.status == 200:
            applied[str(call.chat_id)] = applied.get(str(call.chat_id), 0) + 1
    counts = store.copy_counts(1)
    total = counts["done"] + counts["failed"]
    ideal = total / args.rate
    twice = sum(1 for n in applied.values() if n > 1)
    missing = counts["done"] - len(applied)
    print(f"\nedit everywhere of {total} copies: {elapsed:.2f} s from Confirm to the final report")
    print(
        f"  Telegram's {args.rate:g} requests/s allows {ideal:.2f} s: {elapsed / ideal * 100:.1f}% of it "
        f"({'within' if abs(elapsed / ideal - 1) <= 0.10 else 'NOT within'} 10%)"
    )
    print(
        f"  outcome: {counts['done']} edited, {counts['failed']} failed; edited exactly once: "
        f"{'yes' if not twice and not missing else 'NO'} (twice {twice}, not edited {missing})"
    )
    return 1 if twice or missing else 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument(
        "--rate",
        type=float,
        default=30.0,
        help="TELEGRAM_MAX_RATE, messages a second (Telegram: 30)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the fake server takes to answer a call",
    )
    parser.add_argument("--workers", type=int, default=4, help="BROADCAST_WORKERS")
    parser.add_argument("--blocked", type=int, default=0, help="groups that answer 403")
    parser.add_argument(
        "--flood", type=int, default=0, help="sends answered 429 (retry_after 1 s)"
    )
    parser.add_argument(
        "--questions",
        type=float,
        default=2.0,
        help="workers' questions a second during the broadcast",
    )
    parser.add_argument(
        "--no-edit",
        dest="edit",
        action="store_false",
        help="skip the edit-everywhere of every delivered copy after the broadcast",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for name in ("httpx", "httpcore", "jieba"):
        logging.getLogger(name).setLevel(logging.WARNING)
    raise SystemExit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
