"""Durable broadcasts to subscribed groups, within Telegram's limits, exactly once per group.

The state lives in the state database (bot/store/admin.py explains the delivery states and the
exactly-once trade-off); this module sends. One `Broadcaster` per Application runs confirmed
broadcasts one after the other, oldest first; at start-up it resumes whatever a crash or restart
left half-sent.

Pacing: one global `Pacer` (TELEGRAM_MAX_RATE messages a second, about 30 on Telegram, strictly
spaced) shared with the reminders, plus at most 20 messages a minute to one group. PTB's
AIORateLimiter (bot/telegram/app.py) sits below with the same overall limit and pauses every
request when Telegram answers 429; the pacer keeps the broadcast from queueing hundreds of
requests there, so the bot's answers to workers never wait behind a whole broadcast. A few
deliveries are in flight at once (BROADCAST_WORKERS), so Telegram's round-trip time does not
lower the rate.

Errors, per group: 429 after the rate limiter's own retries -> tried again after retry_after;
failures that provably never reached Telegram (no connection, pool timeout: see
bot/telegram/ambiguity.py) -> tried again with back-off, up to MAX_ATTEMPTS; the group removed or
blocked the bot (403, "chat not found") -> failed, and the subscription marked inactive; a group
upgraded to a supergroup -> followed to its new id; anything else after the request left — a 5xx
(Telegram may have delivered and then failed), a dropped connection, a read timeout -> "uncertain",
recorded and counted in the report, never repeated.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.telegram.ambiguity import at_most_once, never_left

if TYPE_CHECKING:
    from telegram import Bot, InlineKeyboardMarkup, Message, MessageId

    from bot.store import Store

logger = logging.getLogger(__name__)

GROUP_MAX_PER_MINUTE = 20  # Telegram: about 20 messages a minute to one group
MAX_ATTEMPTS = 5
BACKOFF = 0.5  # seconds, doubled at each attempt
# BadRequest descriptions that mean the bot can no longer write to the group.
GONE = (
    "chat not found",
    "bot was kicked",
    "not a member",
    "group chat was deactivated",
    "have no rights to send",
    "chat_write_forbidden",
    "need administrator rights",
    "bot is not a member",
)


class Pacer:
    """A global pace of `rate` requests a second (strict spacing, no burst) and at most `per_group`
    requests per `group_window` seconds to one group (negative chat id). `rate` 0: no global pace."""

    def __init__(
        self,
        rate: float,
        per_group: int = GROUP_MAX_PER_MINUTE,
        group_window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.per_group = int(per_group)
        self.group_window = float(group_window)
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock: asyncio.Lock | None = None
        self._groups: dict[int, collections.deque[float]] = {}
        self._acquired = 0

    async def acquire(self, chat_id: int | None = None) -> None:
        """Wait for this request's turn."""
        if chat_id is not None and int(chat_id) < 0 and self.per_group > 0:
            sent = self._groups.setdefault(int(chat_id), collections.deque())
            while True:
                now = self.clock()
                while sent and sent[0] <= now - self.group_window:
                    sent.popleft()
                if len(sent) < self.per_group:
                    break
                await self.sleep(max(sent[0] + self.group_window - now, 0.001))
            sent.append(self.clock())  # reserve the slot now, before waiting for the global turn
        if self.interval:
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:  # turns are handed out one by one, in order
                now = self.clock()
                wait = self._next - now
                if wait > 0:
                    await self.sleep(wait)
                self._next = max(self._next, now) + self.interval
        self._acquired += 1
        if self._acquired % 1024 == 0:
            self._prune()

    def _prune(self) -> None:
        edge = self.clock() - self.group_window
        for chat_id in [c for c, sent in self._groups.items() if not sent or sent[-1] <= edge]:
            del self._groups[chat_id]


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds (PTB 22 gives an int or a timedelta, and warns about the change)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class Outcome:
    """What happened to one delivery attempt."""

    status: str  # sent | failed | skipped | uncertain | retry
    message_id: int | None = None
    error: str | None = None
    retry_in: float = 0.0
    inactive: bool = False  # the group removed or blocked the bot
    moved_to: int | None = None  # the group became this supergroup


async def send_to_group(
    bot: Bot,
    chat_id: int,
    *,
    html: str | None = None,
    from_chat_id: int | None = None,
    message_id: int | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Outcome:
    """One message to one group (HTML text, or a copy of a message), with every Bot API error
    classified. Never raises a TelegramError; never repeats a send that may have been carried out."""
    try:
        with at_most_once():
            return await _send_once(bot, chat_id, html, from_chat_id, message_id, reply_markup)
    except ChatMigrated as exc:
        return Outcome("retry", error=str(exc), moved_to=int(exc.new_chat_id))
    except RetryAfter as exc:
        return Outcome("retry", error=str(exc), retry_in=retry_seconds(exc))
    except Forbidden as exc:
        return Outcome("failed", error=str(exc), inactive=True)
    except BadRequest as exc:
        text = str(exc).lower()
        return Outcome("failed", error=str(exc), inactive=any(g in text for g in GONE))
    except (
        NetworkError
    ) as exc:  # TimedOut included: 5xx, dropped connections, timeouts, unreachable
        if never_left(exc):
            return Outcome("retry", error=str(exc))
        return Outcome("uncertain", error=f"{exc} (Telegram may have delivered it)"[:300])
    except TelegramError as exc:
        return Outcome("failed", error=str(exc))


async def _send_once(
    bot: Bot,
    chat_id: int,
    html: str | None,
    from_chat_id: int | None,
    message_id: int | None,
    reply_markup: InlineKeyboardMarkup | None,
) -> Outcome:
    if html is not None:
        sent: Message | MessageId = await bot.send_message(
            chat_id,
            html,
            reply_markup=reply_markup,
        )
    elif from_chat_id is not None and message_id is not None:
        sent = await bot.copy_message(chat_id, from_chat_id, message_id, reply_markup=reply_markup)
    else:
        return Outcome("failed", error="nothing to send: neither a text nor a message to copy")
    return Outcome("sent", sent.message_id)


@dataclass
class Run:
    """A broadcast being sent by this process."""

    id: int
    total: int


async def drain(
    worker: Any,
    fetch: Callable[[], Iterable[dict]],
    handle: Callable[[dict], Awaitable[Any]],
    name: Callable[[dict], str],
) -> None:
    """Handle every durable job `fetch` lists, again while `worker._wake` is set (a start() during the
    run), as long as the worker runs. A job that fails is logged and stops the run: its pending rows,
    and the jobs after it, resume at the next start."""
    while worker._wake and worker.running():
        worker._wake = False
        for job in fetch():
            if not worker.running():
                return
            try:
                await handle(job)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - logged; resumes at the next start
                logger.exception("%s failed; it resumes at the next start", name(job))
                return


T = TypeVar("T")


async def serve(
    queue: asyncio.Queue[T],
    busy: list[int],
    running: Callable[[], bool],
    handle: Callable[[T], Awaitable[tuple[T, float] | None]],
    failed: Callable[[T], None],
) -> None:
    """One worker: `handle` each queued item, or put it back after a delay when `handle` says so
    ((item, seconds): a retry, or the same group under its new id). `failed` records an item whose
    handling raised (called while the error is being handled, so it can log it). While the bot stops,
    items are taken off the queue unhandled: they stay pending in the store."""
    loop = asyncio.get_running_loop()
    while True:
        item = await queue.get()
        if not running():
            queue.task_done()
            continue
        busy[0] += 1
        try:
            again = await handle(item)
        except Exception:  # noqa: BLE001 - recorded by `failed`; the other items go on
            failed(item)
            again = None
        finally:
            busy[0] -= 1
        if again is None:
            queue.task_done()
        else:
            later, delay = again

            def requeue(x: T = later) -> None:
                queue.put_nowait(x)
                queue.task_done()

            loop.call_later(delay, requeue)


STOP_GRACE = 15.0  # seconds the sends in flight may take to finish when the bot stops


async def work_through(
    queue: asyncio.Queue,
    workers: list[asyncio.Task],
    busy: list[int],
    running: Callable[[], bool],
    progress_every: float,
    progress: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """Wait while `workers` empty `queue`, calling `progress` every `progress_every` seconds. False
    when the bot stops meanwhile: the sends in flight (`busy[0]`) finish and are marked, up to
    STOP_GRACE, and the rest stays pending for the next start. The workers are gone either way."""
    joined = asyncio.create_task(queue.join())
    loop = asyncio.get_running_loop()
    next_progress = loop.time() + progress_every
    try:
        while not joined.done():
            await asyncio.wait({joined}, timeout=min(0.25, progress_every))
            if not running():
                deadline = loop.time() + STOP_GRACE
                while busy[0] and loop.time() < deadline:
                    await asyncio.sleep(0.01)
                return False
            if progress is not None and loop.time() >= next_progress and not joined.done():
                next_progress = loop.time() + progress_every
                await progress()
    finally:
        joined.cancel()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
    return True


class Broadcaster:
    """Sends confirmed broadcasts, one at a time, oldest first; `start()` is idempotent."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        pacer: Pacer,
        *,
        workers: int = 4,
        progress_every: float = 5.0,
        running: Callable[[], bool] = lambda: True,
        spawn: Callable[[Any], asyncio.Task] | None = None,
        on_progress: Callable[[dict, dict[str, int]], Awaitable[None]] | None = None,
        on_finished: Callable[[dict, dict[str, int], int], Awaitable[None]] | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        backoff: float = BACKOFF,
        content: Callable[[dict, int], dict | None] | None = None,
        after_sent: Callable[[dict, int, int], Awaitable[None]] | None = None,
    ) -> None:
        self.bot = bot
        self.store = store
        self.pacer = pacer
        self.workers = max(1, int(workers))
        self.progress_every = float(progress_every)
        self.running = running  # False once the Application is stopping: finish the sends in flight, then stop
        self.spawn = spawn or asyncio.create_task
        self.on_progress = on_progress
        self.on_finished = on_finished
        self.max_attempts = max_attempts
        self.backoff = backoff
        # Announcements (bot/telegram/announce.py): the version a group gets, and what follows a send (a pin).
        self.content = content
        self.after_sent = after_sent
        self.task: asyncio.Task | None = None
        self.current: Run | None = None
        self._wake = False

    def start(self) -> asyncio.Task:
        """Send every confirmed broadcast not finished yet (no-op if already at it)."""
        self._wake = True
        if self.task is None or self.task.done():
            self.task = self.spawn(self._run())
        return self.task

    async def _run(self) -> None:
        await drain(
            self, self.store.broadcasts_to_send, self.send, lambda b: f"broadcast {b['id']}"
        )

    async def send(self, broadcast: dict) -> dict[str, int]:
        """Deliver one broadcast's pending rows; report and mark it done unless interrupted."""
        run = Run(broadcast["id"], broadcast["total"])
        self.current = run
        queue: asyncio.Queue[int] = asyncio.Queue()
        for chat_id in self.store.pending_deliveries(run.id):
            queue.put_nowait(chat_id)
        logger.info("broadcast %s: %d of %d groups to send", run.id, queue.qsize(), run.total)
        busy = [0]
        workers = [
            asyncio.create_task(self._worker(broadcast, run, queue, busy))
            for _ in range(self.workers)
        ]
        on_progress = self.on_progress

        async def progress() -> None:
            assert on_progress is not None
            await self._safely(on_progress(broadcast, self.store.delivery_counts(run.id)))

        try:
            done = await work_through(
                queue,
                workers,
                busy,
                self.running,
                self.progress_every,
                progress if on_progress is not None else None,
            )
        finally:
            self.current = None
        if not done:
            logger.info("broadcast %s paused by shutdown; it resumes at the next start", run.id)
            return self.store.delivery_counts(run.id)
        counts = self.store.delivery_counts(run.id)
        if counts["pending"] or counts["attempting"] or not self.running():
            return counts  # interrupted: the rest resumes at the next start
        if self.store.finish_broadcast(run.id):
            logger.info("broadcast %s finished: %s", run.id, counts)
            if self.on_finished is not None:
                await self._safely(
                    self.on_finished(broadcast, counts, self.store.groups_lost(run.id))
                )
        return counts

    async def _safely(self, coro: Awaitable[None]) -> None:
        try:
            await coro
        except Exception:  # noqa: BLE001 - a report that cannot be shown never stops the delivery
            logger.warning("could not report a broadcast's progress", exc_info=True)

    async def _worker(
        self, broadcast: dict, run: Run, queue: asyncio.Queue[int], busy: list[int]
    ) -> None:
        def failed(chat_id: int) -> None:
            logger.exception("broadcast %s to %s: unexpected error", run.id, chat_id)
            self.store.finish_delivery(run.id, chat_id, "failed", error="internal error")

        await serve(
            queue,
            busy,
            self.running,
            lambda chat_id: self._deliver(broadcast, run, chat_id),
            failed,
        )

    async def _deliver(self, broadcast: dict, run: Run, chat_id: int) -> tuple[int, float] | None:
        """Send to one group; (chat id, delay) when it should be tried again."""
        bid = run.id
        current = self.store.current_chat_id(chat_id)
        if current != chat_id:
            # The group became a supergroup while this was queued: its delivery row moved with it.
            return current, 0.0
        subscription = self.store.subscription(chat_id)
        if subscription is None or not subscription["active"]:
            row = self.store.delivery(bid, chat_id)
            if row is not None and row["status"] == "pending":
                self.store.finish_delivery(
                    bid, chat_id, "skipped", error="not subscribed any more"
                )
            return None
        await self.pacer.acquire(chat_id)
        if not self.store.claim_delivery(bid, chat_id):
            return None  # not pending (done meanwhile, or moved by a chat migration)
        what = (
            self.content(broadcast, chat_id) if self.content is not None else None
        )  # announcements: this group's version
        if what is None:
            what = {
                "html": broadcast["html"] if broadcast["kind"] == "text" else None,
                "from_chat_id": broadcast["from_chat_id"],
                "message_id": broadcast["message_id"],
            }
        outcome = await send_to_group(self.bot, chat_id, **what)
        if outcome.status == "sent":
            self.store.finish_delivery(bid, chat_id, "sent", outcome.message_id)
            if (
                self.after_sent is not None and outcome.message_id is not None
            ):  # announcements: pin
                await self._safely(self.after_sent(broadcast, chat_id, outcome.message_id))
            return None
        if outcome.moved_to is not None:
            return self._follow_migration(bid, chat_id, outcome.moved_to)
        if outcome.status == "retry":
            attempts = (self.store.delivery(bid, chat_id) or {}).get("attempts") or 0
            if attempts >= self.max_attempts:
                self.store.finish_delivery(bid, chat_id, "failed", error=outcome.error)
                logger.warning(
                    "broadcast %s to %s failed after %d attempts: %s",
                    bid,
                    chat_id,
                    attempts,
                    outcome.error,
                )
                return None
            self.store.finish_delivery(bid, chat_id, "pending", error=outcome.error)
            delay = (
                outcome.retry_in + 0.1 if outcome.retry_in else self.backoff * 2 ** (attempts - 1)
            )
            logger.info(
                "broadcast %s to %s: %s; trying again in %.2fs", bid, chat_id, outcome.error, delay
            )
            return chat_id, delay
        self.store.finish_delivery(bid, chat_id, outcome.status, error=outcome.error)
        if outcome.inactive:
            self.store.deactivate_group(chat_id, outcome.error or "")
            logger.info(
                "broadcast %s: group %s removed or blocked the bot; marked inactive", bid, chat_id
            )
        elif outcome.status != "sent":
            logger.warning(
                "broadcast %s to %s: %s (%s)", bid, chat_id, outcome.status, outcome.error
            )
        return None

    def _follow_migration(self, bid: int, old: int, new: int) -> tuple[int, float] | None:
        """The group became supergroup `new`: its subscription and this delivery move there
        (Store.migrate_chat); send there unless that group already has this broadcast."""
        existing = self.store.delivery(bid, new)
        self.store.finish_delivery(bid, old, "pending", error="group moved to a supergroup")
        self.store.migrate_chat(old, new)
        if existing is not None and existing["status"] != "pending":
            # Both ids were subscribed and the new one was already served: keep its outcome.
            self.store.finish_delivery(
                bid, new, existing["status"], existing["message_id"], existing["error"]
            )
            return None
        return new, 0.0
