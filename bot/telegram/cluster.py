"""Several bot processes on one PostgreSQL state database (DATABASE_URL): who sends what.

Any process answers any update (the proxy in front of the webhooks picks one). What must happen
once is coordinated through leases in the database (bot/store `acquire_lease`):

    sender lease   one process at a time sends broadcasts and event reminders and runs the edit/delete-
                   everywhere jobs (durable rows, claimed like deliveries). On PostgreSQL it is
                   a session advisory lock on the store's connection, which the server frees the
                   moment the holder dies (its connection closes): another process takes it at its
                   next tick (every LEASE_SECONDS/3), marks the rows the dead holder left
                   "attempting" as uncertain (never sent again, reported), and resumes the
                   broadcast where it stopped. The `leases` row names the holder.
    fencing        every claim of a delivery or reminder runs on the connection that must hold the
                   lock, and only while it does (pg_locks): a process whose connection was lost
                   and reopened claims nothing until it holds the lock again, so no row is sent by
                   two processes. (Without a server, the row lease with its expiry does the same,
                   and a holder trusts it only until 60% of LEASE_SECONDS after its last renewal.)
    heartbeats     each process keeps a `process:<id>` lease; `live_processes` counts them.
    knowledge      the digest of the knowledge in use is kept in the store: a /reload (or SIGHUP, or
                   `bot.py reload`) on one process publishes it, and the others rebuild their index
                   from their knowledge/ within one tick.

Broadcasts and reminders are paced by the sender's Pacer at TELEGRAM_MAX_RATE, and every message
of every process (answers too) takes a token from one bucket in the database (`SharedRate`, in
place of PTB's per-process overall limit), so TELEGRAM_MAX_RATE holds for all processes together. In SQLite mode (one process per DATA_DIR, the
lock file) none of this runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application

from bot.telegram.context import BotContext, services_of

if TYPE_CHECKING:
    from bot.store import Store

logger = logging.getLogger(__name__)

SENDER = "sender"
PROCESS_PREFIX = "process:"
DIGEST_KEY = "knowledge_digest"
TRUST = 0.6  # share of the lease a holder trusts after a renewal
_UNREAD = object()  # knowledge_changed_elsewhere: read the stored digest itself


@dataclass
class Cluster:
    store: Store
    lease_seconds: float
    clock: Callable[[], float] = time.monotonic
    holder: str = ""
    _valid_until: float = 0.0
    _known_digest: str | None = None
    _acted_digest: str | None = None
    takeovers: int = 0
    recovered: list[int] = field(default_factory=list)
    looked: dict[str, Any] | None = None  # what the last tick's statement saw (PostgreSQL)

    def __post_init__(self) -> None:
        self.holder = self.holder or self.store.holder
        self.store.coordinated = True
        self.store.fence = (
            SENDER,
            self.holder,
        )  # this process claims rows only while it holds the lease

    @property
    def tick(self) -> float:
        return max(0.2, self.lease_seconds / 3)

    def is_sender(self) -> bool:
        return self.clock() < self._valid_until

    def renew(self) -> bool:
        """Take or renew the sender lease (and this process's heartbeat); True while held. On a
        takeover, the rows the previous holder left mid-send become uncertain first."""
        was = self.is_sender()
        started = self.clock()
        if self.store.shared:
            # PostgreSQL: the session lock decides (freed the moment a holder's connection dies); the
            # lease row says who holds it, for the others and for `bot.py doctor`. One statement
            # also renews the heartbeat and looks for waiting work and the knowledge's digest.
            self.looked = self.store.sender_tick(
                SENDER, PROCESS_PREFIX + self.holder, self.lease_seconds, DIGEST_KEY, self.holder
            )
            held = self.looked["held"]
        else:
            self.store.acquire_lease(
                PROCESS_PREFIX + self.holder, self.lease_seconds, holder=self.holder
            )
            held = self.store.acquire_lease(SENDER, self.lease_seconds, holder=self.holder)
        if not held:
            if was:
                logger.warning(
                    "lost the sender lease: another process sends broadcasts and reminders now"
                )
            self._valid_until = 0.0
            return False
        if not was:
            # Another holder may have died mid-send: its "attempting" rows are uncertain, never resent.
            interrupted = self.store.recover_interrupted(force=True)
            # Its edit/delete-everywhere rows mid-call are done again (an edit or delete repeated is harmless).
            self.store.recover_copy_ops(force=True)
            self.takeovers += 1
            self.recovered.append(interrupted)
            logger.info(
                "took the sender lease (%s); %d row(s) left mid-send by the previous holder marked uncertain",
                self.holder,
                interrupted,
            )
        # A row lease (no server) is trusted for 60% of its length; a session lock as long as ticks keep
        # coming (claims are fenced by the lock itself, so a late tick cannot make a claim unsafe).
        self._valid_until = started + self.lease_seconds * (3.0 if self.store.shared else TRUST)
        return True

    def live_processes(self) -> int:
        return max(1, len(self.store.live_holders(PROCESS_PREFIX)))

    def release(self) -> None:
        self._valid_until = 0.0
        self.store.release_lease(SENDER, holder=self.holder)
        self.store.release_session_lock(SENDER)
        self.store.release_lease(PROCESS_PREFIX + self.holder, holder=self.holder)

    # -- knowledge -----------------------------------------------------------------------------------

    def knowledge_changed_elsewhere(self, own: str, stored: Any = _UNREAD) -> str | None:
        """`own`: the digest of the knowledge this process answers from. Publishes it when it changed
        here (a /reload); returns the stored digest when another process published a different one
        (rebuild, then call `rebuilt`). A process starting never overwrites what the others use."""
        if stored is _UNREAD:
            stored = self.store.get_meta(DIGEST_KEY)
        if self._known_digest is None:  # the first look
            self._known_digest = self._acted_digest = own
            if stored is None:
                self.store.set_meta(DIGEST_KEY, own)
                return None
            if stored != own:
                self._acted_digest = stored
                return stored
            return None
        if own != self._known_digest:  # reloaded here
            self._known_digest = self._acted_digest = own
            if stored != own:
                self.store.set_meta(DIGEST_KEY, own)
            return None
        if stored and stored != own and stored != self._acted_digest:
            self._acted_digest = stored
            return stored
        return None

    def rebuilt(self, own: str) -> None:
        self._known_digest = own


def cluster(bot_data: dict) -> Cluster | None:
    return bot_data.get("cluster")


def install(application: Application) -> Cluster | None:
    """With a shared store, coordinate this process with the others (before the admin operations
    are installed: their start-up recovery is then left to the sender lease's takeover)."""
    services = services_of(application)
    store = services.store
    config = services.config
    if not getattr(store, "shared", False):
        return None
    group = Cluster(store, float(config.lease_seconds))
    application.bot_data["cluster"] = group
    return group


def wire(application: Application) -> None:
    """After the admin operations exist: broadcasts and reminders only while holding the lease, and
    the jobs that renew it and follow the knowledge."""
    group = cluster(application.bot_data)
    if group is None:
        return
    services = services_of(application)
    services.broadcaster.running = lambda: application.running and group.is_sender()
    services.reminders.running = lambda: application.running and group.is_sender()
    from bot.telegram.announce import announcements

    helper = announcements(application.bot_data)
    if helper is not None:  # edit/delete everywhere: in the lease holder, wherever confirmed
        helper.gate = group.is_sender
    config = services.config
    share_rate(application, float(config.telegram_max_rate))
    jobs = application.job_queue
    if jobs is None:
        logger.warning("no job queue: this process never sends broadcasts or reminders")
        return
    jobs.run_repeating(_tick, interval=group.tick, first=0.0, name="cluster")


async def _tick(context: BotContext) -> None:
    application = context.application
    group = cluster(application.bot_data)
    if group is None or not application.running:
        return
    from bot.telegram.announce import announcements

    ops = services_of(application)
    helper = announcements(application.bot_data)
    own = _own_digest(application)

    def look() -> tuple[bool, bool, bool, str | None]:
        """Every round trip of a tick (one statement on PostgreSQL), in a worker thread (the event
        loop answers meanwhile)."""
        group.looked = None
        held = group.renew()
        store, seen = group.store, group.looked
        if seen is not None:
            sends, copies = held and seen["sending"], held and seen["copying"]
            theirs = group.knowledge_changed_elsewhere(own, seen["digest"]) if own else None
        else:
            sends = held and bool(store.broadcasts_to_send())
            copies = held and bool(store.copy_ops_to_run())
            theirs = group.knowledge_changed_elsewhere(own) if own else None
        return held, sends, copies and helper is not None, theirs

    try:
        held, sends, copies, theirs = await asyncio.to_thread(look)
    except Exception:  # noqa: BLE001 - the database is away: stop sending until it is back
        logger.warning("could not renew the sender lease", exc_info=True)
        group._valid_until = 0.0
        return
    if sends:
        ops.broadcaster.start()  # no-op while it is at it
    if copies and helper is not None:
        helper.start()  # edit/delete everywhere: run by the sender lease's holder only
    if theirs is not None and own is not None:
        await _follow_knowledge(application, group, own, theirs)


def _own_digest(application: Application) -> str | None:
    assistant = services_of(application).assistant
    index = getattr(assistant, "index", None)
    return (getattr(index, "meta", None) or {}).get("digest") if index is not None else None


async def _follow_knowledge(
    application: Application, group: Cluster, own: str, theirs: str
) -> None:
    services = services_of(application)
    assistant = services.assistant
    logger.info("another process reloaded the knowledge (%s): rebuilding here", theirs[:12])
    report = (
        await services.reloader.refresh()
    )  # the same DATA_DIR: its index file is already rebuilt
    if report is None:
        report = await services.reloader.reload()
    if report is not None:
        group.rebuilt((assistant.index.meta or {}).get("digest") or own)


# -- one rate for all processes ------------------------------------------------------------------------


class SharedRate:
    """Stands in for AIORateLimiter's overall limiter: each message to Telegram takes a token from a
    bucket in the database (TELEGRAM_MAX_RATE a second, for all processes together)."""

    def __init__(self, store: Store, rate: float, name: str = "telegram") -> None:
        self.store = store
        self.rate = float(rate)
        self.name = name

    async def __aenter__(self) -> None:
        while True:
            try:
                wait = self.store.take_token(self.name, self.rate)
            except Exception:  # noqa: BLE001 - the database is away: pace locally rather than stop answering
                logger.warning("shared rate unavailable; pacing this process alone", exc_info=True)
                wait = 0.0 if self.rate <= 0 else 1.0 / self.rate
                await asyncio.sleep(wait)
                return
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    async def __aexit__(self, *exc: object) -> None:
        return None


def share_rate(application: Application, rate: float) -> bool:
    """Put the shared bucket in place of PTB's per-process overall limit (True if there was one)."""
    group = cluster(application.bot_data)
    limiter = getattr(application.bot, "rate_limiter", None)
    if (
        group is None
        or limiter is None
        or getattr(limiter, "_base_limiter", None) is None
        or rate <= 0
    ):
        return False
    limiter._base_limiter = SharedRate(group.store, rate)  # noqa: SLF001 - AIORateLimiter's overall limit
    return True
