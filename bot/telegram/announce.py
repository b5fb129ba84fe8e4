"""Announcements at run time: each group's language version, pinning, scheduled sending, test copies,
and the "edit everywhere" / "delete everywhere" jobs.

`install(services)` (called from bot/telegram/operations.py `start`) hooks the Broadcaster (which
version a group gets, a pin after each send), puts an `Announcements` in
`bot_data["announcements"]`, and schedules the job that fires due announcements every
SCHEDULE_CHECK_SECONDS. Everything goes through the one `Pacer` of the broadcasts and reminders, so
TELEGRAM_MAX_RATE (and 20 a minute per group) holds across all of them.

Scheduling reads the services' clock (`Services.now`, which tests replace). A due announcement
fires once (bot/store/announcements.py: one guarded UPDATE); when found later than
SCHEDULE_MAX_DELAY_MINUTES after its time (the bot was down), it is not sent and the admin is told.

Edit and delete everywhere: one job at a time, oldest first, a few calls in flight
(BROADCAST_WORKERS); 429 waits for retry_after, 5xx, dropped connections and timeouts are tried
again (an edit or delete repeated is harmless: "message is not modified" and "message to delete not
found" count as done), a copy removed from its group or a group that removed the bot ends "failed".
Rows interrupted by a crash are done again at the next start; none is corrected twice.
With several processes on PostgreSQL, the jobs are durable rows like deliveries: whichever process
holds the sender lease runs them (the one where the admin confirmed may be another; the lease's
tick starts them), each row claimed under the lease's fence, and rows left mid-call by a holder that
died are done again by the one taking over.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ExtBot

from bot.kb.text import Lang
from bot.telegram import announce_render
from bot.telegram.broadcast import (
    BACKOFF,
    MAX_ATTEMPTS,
    drain,
    retry_seconds,
    send_to_group,
    serve,
    work_through,
)
from bot.telegram.context import DEFAULT_LANG

if TYPE_CHECKING:
    from bot.store import Store
    from bot.telegram.context import BotContext, Services

logger = logging.getLogger(__name__)
MAX_AHEAD = timedelta(days=366)
WHEN_FULL = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$")
WHEN_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
WHEN_IN = re.compile(r"^\+\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hours?|d|days?)$", re.IGNORECASE)


def parse_when(text: str, now: datetime) -> datetime | None:
    """A typed time in the workers' time zone: "2026-03-16 09:00", "09:00" (the next one) or "+30m",
    "+2h", "+1d". None when it is not a time."""
    text = " ".join(text.strip().split())
    if match := WHEN_IN.match(text):
        n, unit = int(match.group(1)), match.group(2)[0].lower()
        return (
            now
            + {"m": timedelta(minutes=n), "h": timedelta(hours=n), "d": timedelta(days=n)}[unit]
        )
    try:
        if match := WHEN_FULL.match(text):
            y, mo, d, h, mi = (int(g) for g in match.groups())
            return now.replace(year=y, month=mo, day=d, hour=h, minute=mi, second=0, microsecond=0)
        if match := WHEN_TIME.match(text):
            h, mi = int(match.group(1)), int(match.group(2))
            moment = now.replace(hour=h, minute=mi, second=0, microsecond=0)
            return moment if moment > now else moment + timedelta(days=1)
    except ValueError:  # 2026-02-30, 25:00
        return None
    return None


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def confirm(store: Store, broadcast_id: int, progress_message_id: int | None) -> int | None:
    """Confirm a drafted broadcast: to its audience when it is an announcement, else to every group."""
    if store.announcement(broadcast_id) is not None:
        if not store.audience(broadcast_id):
            return None  # no group matches the chosen audience: still a draft, nothing to send
        return store.confirm_announcement(broadcast_id, progress_message_id)
    return store.confirm_broadcast(broadcast_id, progress_message_id)


class Announcements:
    """The runtime side of announcements; one per Application."""

    def __init__(
        self,
        application: Application,
        ops: Services,
        *,
        max_delay: timedelta,
        workers: int = 4,
        progress_every: float = 5.0,
    ) -> None:
        self.application = application
        self.ops = ops
        self.store = ops.store
        self.pacer = ops.pacer
        self.max_delay = max_delay
        self.workers = max(1, int(workers))
        self.progress_every = float(progress_every)
        self.max_attempts = MAX_ATTEMPTS
        self.backoff = BACKOFF
        self.task: asyncio.Task | None = None
        self._wake = False
        self._firing: asyncio.Lock | None = None
        # Several processes (bot/telegram/cluster.py): edit/delete jobs run only while this one holds
        # the sender lease; the confirming process may be another one.
        self.gate: Callable[[], bool] = lambda: True

    @property
    def bot(self) -> ExtBot:
        return self.application.bot

    def running(self) -> bool:
        return bool(self.application.running) and self.gate()

    # -- hooks of the Broadcaster --------------------------------------------------------------------

    def content(self, broadcast: dict, chat_id: int) -> dict | None:
        """The version this group gets (None: a plain broadcast, sent as it is)."""
        version = self.store.target_version(broadcast["id"], chat_id)
        if version is None:
            return None
        return {
            "html": version["html"] if version["kind"] == "text" else None,
            "from_chat_id": version["from_chat_id"],
            "message_id": version["message_id"],
        }

    async def after_sent(self, broadcast: dict, chat_id: int, message_id: int) -> None:
        """Pin the copy just sent when the announcement asks for it; the outcome goes to the report."""
        announcement = self.store.announcement(broadcast["id"])
        if announcement is None or not announcement["pin"]:
            return
        for attempt in range(3):
            await self.pacer.acquire(chat_id)
            try:
                await self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc) + 0.1)
                continue
            except TelegramError as exc:
                transient = type(exc) is NetworkError
                if transient and attempt < 2:
                    await asyncio.sleep(self.backoff * 2**attempt)
                    continue
                self.store.record_pin(broadcast["id"], chat_id, "failed", str(exc))
                logger.info("broadcast %s: could not pin in %s: %s", broadcast["id"], chat_id, exc)
                return
            self.store.record_pin(broadcast["id"], chat_id, "pinned")
            return
        self.store.record_pin(
            broadcast["id"], chat_id, "failed", "Telegram asked to wait too many times"
        )

    # -- test copies --------------------------------------------------------------------------------

    async def test_send(self, broadcast_id: int, chat_id: int, lang: Lang) -> int:
        """Every version of a draft to the admin's own chat, exactly as a group would get it; how many went."""
        sent = 0
        for version in self.store.versions(broadcast_id):
            await self.pacer.acquire(chat_id)
            outcome = await send_to_group(
                self.bot,
                chat_id,
                html=version["html"] if version["kind"] == "text" else None,
                from_chat_id=version["from_chat_id"],
                message_id=version["message_id"],
            )
            if outcome.status != "sent":
                logger.info(
                    "test copy of broadcast %s to %s: %s", broadcast_id, chat_id, outcome.error
                )
                continue
            sent += 1
            await self.ops.send(
                chat_id, announce_render.test_note(broadcast_id, version["lang"], lang)
            )
        return sent

    # -- scheduling -----------------------------------------------------------------------------------

    async def fire_due(self) -> int:
        """Send every scheduled announcement whose time has come (once); the number fired."""
        if self._firing is None:
            self._firing = asyncio.Lock()
        async with self._firing:
            now = self.ops.now()
            fired = 0
            for announcement in self.store.due_announcements(utc_iso(now)):
                if not self.running():
                    break
                fired += await self._fire(announcement, now)
            return fired

    async def _fire(self, announcement: dict, now: datetime) -> int:
        bid = announcement["id"]
        lang = report_lang(self.store, announcement)
        planned = datetime.fromisoformat(announcement["send_at"]).astimezone(self.ops.tz)
        late = now - planned
        admin_chat = announcement["admin_chat_id"]
        if late > self.max_delay:
            if self.store.miss_scheduled(bid):
                logger.warning(
                    "scheduled broadcast %s was due %s ago (more than %s): not sent",
                    bid,
                    late,
                    self.max_delay,
                )
                await self.ops.send(
                    admin_chat,
                    announce_render.plain(
                        "an_missed",
                        lang,
                        id=bid,
                        when=announce_render.when_text(planned, lang),
                        minutes=int(self.max_delay.total_seconds() // 60),
                    ),
                )
            return 0
        total = self.store.confirm_announcement(bid, scheduled=True)
        if total is None:
            return 0  # cancelled meanwhile, or fired by another job
        logger.info("scheduled broadcast %s fired (%s late): %d groups", bid, late, total)
        self.ops.broadcaster.start()
        key = "an_fired_late" if late >= timedelta(minutes=1) else "an_fired"
        sent = await self.ops.send(
            admin_chat,
            announce_render.plain(
                key,
                lang,
                id=bid,
                when=announce_render.when_text(planned, lang),
                total=total,
                minutes=int(late.total_seconds() // 60),
            ),
        )
        if sent:
            self.store.set_progress_message(bid, sent[0].message_id)
        return 1

    # -- edit and delete everywhere ---------------------------------------------------------------------

    def start(self) -> asyncio.Task:
        """Run every confirmed edit or delete job not finished yet (no-op if already at it)."""
        self._wake = True
        if self.task is None or self.task.done():
            self.task = self.application.create_task(self._run(), name="copy-ops")
        return self.task

    async def _run(self) -> None:
        await drain(
            self,
            self.store.copy_ops_to_run,
            self.run_op,
            lambda op: f"{op['kind']} of broadcast {op['broadcast_id']}",
        )

    async def run_op(self, op: dict) -> dict[str, int]:
        """Apply one job to its pending copies; report and mark it done unless interrupted."""
        queue: asyncio.Queue[dict] = asyncio.Queue()
        for row in self.store.pending_copy_rows(op["id"]):
            queue.put_nowait(row)
        logger.info(
            "%s of broadcast %s: %d of %d copies to do",
            op["kind"],
            op["broadcast_id"],
            queue.qsize(),
            op["total"],
        )
        busy = [0]
        workers = [asyncio.create_task(self._worker(op, queue, busy)) for _ in range(self.workers)]
        if not await work_through(
            queue,
            workers,
            busy,
            self.running,
            self.progress_every,
            lambda: self._progress(op),
        ):
            return self.store.copy_counts(op["id"])
        counts = self.store.copy_counts(op["id"])
        if counts["pending"] or counts["attempting"] or not self.running():
            return counts
        if self.store.finish_copy_op(op["id"]):
            logger.info("%s of broadcast %s finished: %s", op["kind"], op["broadcast_id"], counts)
            await self._progress(op)
            errors = Counter(
                r[0]
                for r in self.store.sql.execute(
                    "SELECT error FROM copy_op_rows WHERE op_id = ? AND status = 'failed'",
                    (op["id"],),
                ).fetchall()
            )
            lang = report_lang(self.store, op)
            await self.ops.send(
                op["admin_chat_id"],
                announce_render.op_report(
                    self.store.copy_op(op["id"]) or op, counts, errors.most_common(), lang
                ),
            )
        return counts

    async def _progress(self, op: dict) -> None:
        fresh = self.store.copy_op(op["id"]) or op
        if not fresh.get("progress_message_id"):
            return
        text = announce_render.op_progress(
            fresh, self.store.copy_counts(op["id"]), report_lang(self.store, fresh)
        )
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=fresh["admin_chat_id"],
                message_id=fresh["progress_message_id"],
            )
        except TelegramError as exc:
            if "not modified" not in str(exc).lower():
                logger.info(
                    "could not update the progress of %s %s: %s", fresh["kind"], fresh["id"], exc
                )

    async def _worker(self, op: dict, queue: asyncio.Queue[dict], busy: list[int]) -> None:
        async def handle(row: dict) -> tuple[dict, float] | None:
            delay = await self._apply(op, row)
            return None if delay is None else (row, delay)

        def failed(row: dict) -> None:
            logger.exception("%s %s in %s: unexpected error", op["kind"], op["id"], row["chat_id"])
            self.store.finish_copy_row(op["id"], row["chat_id"], "failed", "internal error")

        await serve(queue, busy, self.running, handle, failed)

    async def _edit(self, html: str, chat_id: int, message_id: int, caption: bool) -> None:
        if caption:
            await self.bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=html
            )
        else:
            await self.bot.edit_message_text(
                html,
                chat_id=chat_id,
                message_id=message_id,
            )

    async def _apply(self, op: dict, row: dict) -> float | None:
        """Edit or delete one copy; the delay before trying again, or None when the row is settled."""
        chat_id, message_id = row["chat_id"], row["message_id"]
        await self.pacer.acquire(chat_id)
        if not self.store.claim_copy_row(op["id"], chat_id):
            return None
        try:
            if op["kind"] == "delete":
                await self.bot.delete_message(chat_id, message_id)
            else:
                try:
                    await self._edit(op["html"], chat_id, message_id, bool(row["media"]))
                except BadRequest as exc:
                    if (
                        "there is no caption" not in str(exc).lower()
                        and "there is no text" not in str(exc).lower()
                    ):
                        raise
                    # A copied message that was text, not media (or the other way round): the other edit.
                    await self.pacer.acquire(chat_id)
                    await self._edit(op["html"], chat_id, message_id, not row["media"])
        except RetryAfter as exc:
            self.store.finish_copy_row(op["id"], chat_id, "pending", str(exc))
            return retry_seconds(exc) + 0.1
        except (BadRequest, Forbidden, ChatMigrated) as exc:
            text = str(exc).lower()
            settled = "not modified" in text or (
                op["kind"] == "delete" and "message to delete not found" in text
            )
            self.store.finish_copy_row(
                op["id"], chat_id, "done" if settled else "failed", None if settled else str(exc)
            )
            if not settled:
                logger.info(
                    "%s of broadcast %s in %s failed: %s",
                    op["kind"],
                    op["broadcast_id"],
                    chat_id,
                    exc,
                )
            return None
        except NetworkError as exc:  # 5xx, a dropped connection, a timeout: safe to do again
            attempts = (self.store.copy_row(op["id"], chat_id) or {}).get("attempts") or 0
            if attempts >= self.max_attempts:
                self.store.finish_copy_row(op["id"], chat_id, "failed", str(exc))
                return None
            self.store.finish_copy_row(op["id"], chat_id, "pending", str(exc))
            return self.backoff * 2 ** (attempts - 1)
        except TelegramError as exc:
            self.store.finish_copy_row(op["id"], chat_id, "failed", str(exc))
            return None
        self.store.finish_copy_row(op["id"], chat_id, "done")
        return None


def report_lang(store: Store, row: dict) -> Lang:
    """Reports in the language of the admin who wrote the broadcast (`row`: a broadcast or an edit/delete job)."""
    broadcast = store.broadcast(row["broadcast_id"]) if "broadcast_id" in row else row
    lang = (broadcast or {}).get("lang") or store.language(row["admin_id"]) or DEFAULT_LANG
    return lang  # type: ignore[return-value]


def announcements(bot_data: dict) -> Announcements | None:
    return bot_data.get("announcements")


def install(ops: Services) -> Announcements:
    """Hook announcements into the broadcaster and schedule the firing job."""
    application, config = ops.application, ops.config
    helper = Announcements(
        application,
        ops,
        max_delay=timedelta(minutes=float(config.schedule_max_delay_minutes)),
        workers=config.broadcast_workers,
        progress_every=config.broadcast_progress,
    )
    ops.broadcaster.content = helper.content
    ops.broadcaster.after_sent = helper.after_sent
    application.bot_data["announcements"] = helper
    resumed = ops.store.recover_copy_ops()
    if resumed:
        logger.warning(
            "%d edit(s) or delete(s) were interrupted by the last stop; they are done again",
            resumed,
        )
    jobs = application.job_queue
    if jobs is not None:
        jobs.run_once(_startup, 0, name="announcements-startup")
        if config.schedule_check_seconds > 0:
            jobs.run_repeating(
                _fire,
                interval=config.schedule_check_seconds,
                first=min(1.0, config.schedule_check_seconds),
                name="scheduled-announcements",
            )
    return helper


async def _startup(context: BotContext) -> None:
    helper = announcements(context.application.bot_data)
    if helper is not None and helper.store.copy_ops_to_run():
        logger.info(
            "resuming %d unfinished edit/delete job(s)", len(helper.store.copy_ops_to_run())
        )
        helper.start()


async def _fire(context: BotContext) -> None:
    helper = announcements(context.application.bot_data)
    if helper is not None:
        await helper.fire_due()
