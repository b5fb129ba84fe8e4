"""Broadcast fault benchmark: a broadcast to many groups through ambiguous faults and SIGKILLs.

    python -m scripts.bench_broadcast_faults [--groups 300] [--fault-rate 0.03] [--kills 5]
                                             [--workers 1] [--rate 300] [--latency 0.01] [--seed 15]

`python bot.py run` (a real process) long-polls the fake Bot API server (tests/fakes) on 127.0.0.1.
A broadcast to --groups subscribed groups is confirmed in the state database before the first
start. --fault-rate of the groups meet an ambiguous fault on their send: Telegram carries it out,
then answers 500 ("done_500") or drops the connection ("drop"), so the bot cannot know whether it
was delivered. The process is killed with SIGKILL --kills times at random moments of the broadcast
(each time after a random share of the remaining sends) and started again; the last run finishes.

Printed, from what the fake Telegram holds and what the state database says:
  lost      groups with no copy that the bot does not report as uncertain (silently missed)
  doubled   groups with more than one copy
  uncertain deliveries the bot reports as "may or may not have arrived" (never repeated);
            bound: faults + kills x workers (a kill interrupts at most the sends in flight)
Exits 1 unless lost = 0, doubled = 0 and uncertain <= the bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"
TOKEN = "7000000001:BENCH-not-a-real-token"
ADMIN = 4242


async def bench(args: argparse.Namespace) -> int:
    from bot.kb.index import ensure_index
    from bot.store import Store
    from tests.fakes.telegram_server import FakeTelegramServer

    # A killed bot leaves half-read requests: the fake server's "connection lost" tracebacks are expected noise.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-broadcast-faults-"))
    try:
        shutil.copytree(FIXTURE_KB, work / "knowledge")
        ensure_index(work / "knowledge", work / "var" / "index.sqlite")
        groups = [-1008000000000 - i for i in range(args.groups)]
        store = Store.open(work / "var" / "state.sqlite")
        with store.db.atomic():
            for chat_id in groups:
                store.upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
                store.subscribe(chat_id, "en")
        broadcast = store.create_broadcast(
            ADMIN, ADMIN, "en", html="<b>停電通知</b> power cut on Friday"
        )
        store.confirm_broadcast(broadcast)
        store.close()

        async with FakeTelegramServer(latency=args.latency) as server:
            faulty = rng.sample(groups, round(args.groups * args.fault_rate))
            for chat_id in faulty:
                server.fail("sendMessage", rng.choice(["done_500", "drop"]), chat_id=chat_id)
            env = {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": server.base_url,
                "KNOWLEDGE_DIR": str(work / "knowledge"),
                "DATA_DIR": str(work / "var"),
                "LOG_LEVEL": "WARNING",
                "WEBHOOK_URL": "",
                "ADMIN_IDS": str(ADMIN),
                "ADMIN_CHAT_ID": str(ADMIN),
                "TELEGRAM_MAX_RATE": str(args.rate),
                "BROADCAST_WORKERS": str(args.workers),
                "BROADCAST_PROGRESS": "1",
                "REMINDER_CHECK_SECONDS": "0",
            }

            def sends() -> int:
                return sum(1 for c in server.calls_of("sendMessage") if c.chat_id in set(groups))

            def report_arrived() -> bool:
                return any(
                    "Broadcast #1 finished" in (c.params.get("text") or "")
                    for c in server.sent_messages(ADMIN)
                )

            started = time.perf_counter()
            in_flight_at_kills: list[int] = []
            for run in range(args.kills + 1):
                log = open(work / f"run{run}.log", "wb")
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "bot.py", "run", cwd=ROOT, env=env, stdout=log, stderr=log
                )
                try:
                    if run < args.kills:
                        remaining = args.groups - sends()
                        target = sends() + max(1, int(remaining * rng.uniform(0.1, 0.3)))
                        deadline = time.perf_counter() + 60
                        while (
                            sends() < target
                            and not report_arrived()
                            and time.perf_counter() < deadline
                        ):
                            await asyncio.sleep(0.002)
                        await asyncio.sleep(
                            rng.uniform(0, args.latency)
                        )  # land anywhere in a send
                        proc.send_signal(signal.SIGKILL)
                        await proc.wait()
                        attempting = Store.open(work / "var" / "state.sqlite")
                        in_flight_at_kills.append(
                            attempting.delivery_counts(broadcast)["attempting"]
                        )
                        attempting.close()
                    else:
                        deadline = time.perf_counter() + 120
                        while not report_arrived() and time.perf_counter() < deadline:
                            await asyncio.sleep(0.05)
                        proc.send_signal(signal.SIGINT)
                        await asyncio.wait_for(proc.wait(), 30)
                finally:
                    if proc.returncode is None:
                        proc.kill()
                        await proc.wait()
                    log.close()
            elapsed = time.perf_counter() - started

            copies = {g: 0 for g in groups}
            for call in server.calls_of("sendMessage"):
                if (
                    call.chat_id in copies and call.result is not None
                ):  # carried out, whatever the bot was told
                    copies[call.chat_id] += 1
            store = Store.open(work / "var" / "state.sqlite")
            status = {g: (store.delivery(broadcast, g) or {}).get("status") for g in groups}
            counts = store.delivery_counts(broadcast)
            store.close()
            report = next(
                (
                    c.params["text"]
                    for c in server.sent_messages(ADMIN)
                    if "Broadcast #1 finished" in (c.params.get("text") or "")
                ),
                None,
            )

        lost = [g for g in groups if copies[g] == 0 and status[g] != "uncertain"]
        doubled = [g for g in groups if copies[g] > 1]
        uncertain = counts["uncertain"]
        bound = len(faulty) + args.kills * args.workers
        result = {
            "groups": args.groups,
            "ambiguous_faults": len(faulty),
            "kills": args.kills,
            "workers": args.workers,
            "in_flight_at_kills": in_flight_at_kills,
            "lost": len(lost),
            "doubled": len(doubled),
            "uncertain": uncertain,
            "uncertain_bound": bound,
            "uncertain_not_delivered": sum(
                1 for g in groups if status[g] == "uncertain" and copies[g] == 0
            ),
            "sent": counts["sent"],
            "pending": counts["pending"] + counts["attempting"],
            "seconds": round(elapsed, 1),
            "report": report,
        }
        print(json.dumps(result, ensure_ascii=False, indent=1))
        ok = not lost and not doubled and uncertain <= bound and report is not None
        print(
            f"{args.groups} groups, {len(faulty)} ambiguous faults, {args.kills} SIGKILLs: lost {len(lost)}, "
            f"doubled {len(doubled)}, uncertain {uncertain} (bound {bound}) in {elapsed:.1f} s -> {'OK' if ok else 'FAIL'}"
        )
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--fault-rate", type=float, default=0.03)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument(
        "--workers", type=int, default=1, help="BROADCAST_WORKERS (sends in flight at once)"
    )
    parser.add_argument("--rate", type=float, default=300, help="TELEGRAM_MAX_RATE")
    parser.add_argument(
        "--latency", type=float, default=0.01, help="the fake Telegram's answer delay, seconds"
    )
    parser.add_argument("--seed", type=int, default=15)
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
