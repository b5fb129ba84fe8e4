"""Admin operations: the broadcaster, the reminders, hot reload, and the jobs that run them.

`build_parts` makes the broadcaster, the reminders and the reloader for the one `Services`
(bot/telegram/context.py) that `build_application` builds; `start(services)` (the Application's
post_init) schedules the jobs, and `stop(services)` (its post_shutdown) lets go of the signal:

    at start       resume confirmed broadcasts a restart interrupted; SIGHUP reloads the knowledge
    every 10 min   send the event reminders due (REMINDER_CHECK_SECONDS)

The knowledge watcher of jobs.py (an index rebuilt by `python bot.py reload`) goes through the same
`Reloader` and tells ADMIN_CHAT_ID what changed (`notify_reload`).

Before anything runs, deliveries and reminders a crash left "attempting" are marked "uncertain"
(never sent again; see bot/store/admin.py). Tests replace `Services.now` to move the clock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.assistant import ReloadReport
from bot.kb.loader import KnowledgeError
from bot.kb.text import Lang
from bot.telegram import admin_render
from bot.telegram.broadcast import Broadcaster, Pacer
from bot.telegram.context import DEFAULT_LANG, BotContext, Services, services_of
from bot.telegram.reminders import Reminders

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.config import Config
    from bot.store import Store

logger = logging.getLogger(__name__)


SWAP_SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


async def swap_in_thread(load: Callable[[], Any]) -> Any:
    """Load a new index in a thread while the event loop keeps answering. Loading is pure Python work
    that holds the GIL; an answer gives the GIL up at every SQLite call and network write and then
    waits up to the switch interval to get it back, so with the default 5 ms an answer of a few dozen
    such calls would take hundreds of milliseconds meanwhile. A shorter interval while the load runs
    keeps answers near their usual latency (scripts/bench_reload.py)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWAP_SWITCH_INTERVAL))
    try:
        return await asyncio.to_thread(load)
    finally:
        sys.setswitchinterval(before)


@dataclass(frozen=True)
class ChildReloadReport(ReloadReport):
    """A reload done by the child process: `errors` holds the first ones, `total_errors` counts all."""

    total_errors: int = 0


class Reloader:
    """Hot reload in a separate process: the knowledge is validated and the new index built by
    `python -m bot.kb.rebuild` (bot/kb/rebuild.py) beside the live one, so answers never wait on it
    (a build in a thread of the bot holds the GIL for seconds); the bot then loads the new index and
    swaps it in. One reload at a time."""

    CHILD = (sys.executable, "-m", "bot.kb.rebuild")
    ROOT = Path(__file__).resolve().parents[2]  # where the `bot` package can be imported from

    def __init__(self, assistant: Assistant, knowledge_dir: Path) -> None:
        self.assistant = assistant
        self.knowledge_dir = knowledge_dir
        self._lock: asyncio.Lock | None = None
        self._reloading = (
            False  # a /reload (or SIGHUP) is under way; the index watcher's quick look is not one
        )

    @property
    def lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    @property
    def busy(self) -> bool:
        return self._reloading

    async def reload(self) -> ReloadReport | None:
        """Validate the knowledge files, build, swap; None if a reload is already running. A look for
        an index rebuilt elsewhere (`refresh`) in progress is waited for, not reported as a reload."""
        if self._reloading:
            return None
        self._reloading = True
        try:
            async with self.lock:
                result = await self.build_in_child()
                if not result.get("ok"):
                    errors = [
                        KnowledgeError(
                            e.get("file") or "?",
                            e.get("entry"),
                            e.get("field"),
                            e.get("message") or "",
                        )
                        for e in result.get("errors") or []
                    ]
                    logger.warning(
                        "reload refused: %d error(s) in the knowledge files",
                        result.get("total", len(errors)),
                    )
                    return ChildReloadReport(
                        False, errors, total_errors=int(result.get("total", len(errors)))
                    )
                report = await swap_in_thread(self.assistant.refresh_if_rebuilt)
                if report is None:  # the same knowledge as the live index
                    report = ReloadReport(True, entries=len(self.assistant.kb.entries))
                return report
        finally:
            self._reloading = False

    async def build_in_child(self) -> dict:
        """Run bot/kb/rebuild.py; its JSON result, or an "index" error when the child itself failed."""
        index_path = self.assistant.index.path
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.CHILD,
                str(self.knowledge_dir),
                str(index_path),
                cwd=str(self.ROOT),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await proc.communicate()
        except OSError as exc:
            out, err = b"", str(exc).encode()
        try:
            result = json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
            if isinstance(result, dict):
                return result
        except (ValueError, IndexError):
            pass
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        logger.error("the reload process failed: %s", tail[0])
        message = f"the reload process failed: {tail[0][:300]}"
        return {
            "ok": False,
            "total": 1,
            "errors": [{"file": "index", "entry": None, "field": None, "message": message}],
        }

    async def refresh(self) -> ReloadReport | None:
        """Swap in an index another process rebuilt (`bot.py reload`); None when there is none."""
        if self._reloading or self.lock.locked():
            return None
        async with self.lock:
            return await swap_in_thread(self.assistant.refresh_if_rebuilt)


def local_clock(tz: tzinfo) -> Callable[[], datetime]:
    """The workers' local time, the admin side's one clock (`Services.now`)."""
    return lambda: datetime.now(tz)


def make_broadcaster(
    application: Application, config: Config, store: Store, pacer: Pacer
) -> Broadcaster:
    """The Application's broadcaster; its progress and final reports go through its Services."""
    return Broadcaster(
        application.bot,
        store,
        pacer,
        workers=config.broadcast_workers,
        progress_every=config.broadcast_progress,
        running=lambda: application.running,
        spawn=lambda coro: application.create_task(coro, name="broadcast"),
        on_progress=lambda b, counts: _progress(services_of(application), b, counts),
        on_finished=lambda b, counts, inactive: _finished(
            services_of(application), b, counts, inactive
        ),
    )


def make_reminders(
    application: Application, config: Config, assistant: Assistant, store: Store, pacer: Pacer
) -> Reminders:
    """The Application's event reminders, on the one clock (`Services.now`, read at each run)."""
    return Reminders(
        assistant,
        store,
        pacer,
        days=config.reminder_days,
        hour=config.reminder_hour,
        now=lambda: services_of(application).now(),
        running=lambda: application.running,
    )


def start(services: Services) -> None:
    """At post_init: announcements hooked in, what a crash interrupted marked, the jobs scheduled."""
    from bot.telegram.announce import install as install_announcements

    application, store, config = services.application, services.store, services.config
    install_announcements(services)  # tags, versions, schedules, pins, edit/delete everywhere
    interrupted = store.recover_interrupted()
    if interrupted:
        logger.warning(
            "%d delivery(ies) were interrupted between send and confirmation by the last stop; "
            "marked uncertain and not sent again",
            interrupted,
        )
    jobs = application.job_queue
    if jobs is None:
        logger.warning(
            "no job queue (install python-telegram-bot[job-queue]): no reminders, no resumed broadcasts"
        )
        return
    jobs.run_once(_startup, 0, name="admin-startup")
    if config.reminder_check_seconds > 0:
        jobs.run_repeating(
            _remind,
            interval=config.reminder_check_seconds,
            first=min(5.0, config.reminder_check_seconds),
            name="reminders",
        )


def stop(services: Services) -> None:
    """At post_shutdown: a SIGHUP no longer reloads (the Application it would report to is gone)."""
    if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
        try:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


# -- jobs ------------------------------------------------------------------------------------------


async def _startup(context: BotContext) -> None:
    """Resume interrupted broadcasts; SIGHUP reloads the knowledge (main thread, POSIX only)."""
    ops = context.services
    if ops.store.broadcasts_to_send():
        logger.info("resuming %d unfinished broadcast(s)", len(ops.store.broadcasts_to_send()))
        ops.broadcaster.start()
    await set_admin_commands(context.application, ops)
    if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
        try:
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP,
                lambda: context.application.create_task(
                    reload_and_notify(ops), name="sighup-reload"
                ),
            )
        except (
            NotImplementedError,
            RuntimeError,
            ValueError,
        ):  # not supported on this loop or platform
            pass
        else:
            from bot.telegram.lifecycle import take_early_sighup

            if take_early_sighup():  # a SIGHUP that came while the bot was starting
                logger.info("a SIGHUP arrived during start-up: reloading now")
                context.application.create_task(reload_and_notify(ops), name="sighup-reload")


ADMIN_COMMANDS = (
    "scheduled",
    "admin",
    "reload",
    "broadcast",
    "broadcasts",
    "subscribers",
    "stats",
    "review",
    "knowledge",
)
GROUP_ADMIN_COMMANDS = ("tag", "grouplang", "subscribe", "unsubscribe", "reminders")


async def set_admin_commands(application: Application, ops: Services) -> None:
    """Command menus with the admin verbs: each bot admin's private chat, and every group's administrators.
    A nicety, set only when ADMIN_IDS is: an admin who never started the bot (chat not found) just
    keeps the ordinary menu."""
    if not ops.admin_ids:
        return
    from telegram import (
        BotCommand,
        BotCommandScope,
        BotCommandScopeAllChatAdministrators,
        BotCommandScopeChat,
    )

    from bot.i18n import t
    from bot.telegram.render import MENU_LANGS, command_list

    def menu(lang: Lang, group: bool, extra: tuple[str, ...]) -> list[BotCommand]:
        return [BotCommand(c, d) for c, d in command_list(lang, group)] + [
            BotCommand(c, t(f"adm_cmd_{c}", lang)) for c in extra
        ]

    targets: list[tuple[BotCommandScope, bool, tuple[str, ...]]] = [
        (BotCommandScopeAllChatAdministrators(), True, GROUP_ADMIN_COMMANDS)
    ]
    targets += [
        (BotCommandScopeChat(admin), False, ADMIN_COMMANDS) for admin in sorted(ops.admin_ids)
    ]
    for scope, group, extra in targets:
        for lang, code in MENU_LANGS:
            try:
                await application.bot.set_my_commands(
                    menu(lang, group, extra), scope=scope, language_code=code
                )
            except TelegramError as exc:
                logger.info(
                    "could not set an admin command menu (%s): %s", type(scope).__name__, exc
                )
                break


async def reload_and_notify(ops: Services) -> None:
    """A reload asked for by a signal: the result goes to ADMIN_CHAT_ID."""
    report = await ops.reloader.reload()
    if report is None:
        return
    logger.info("reload on SIGHUP: %s", "ok" if report.ok else f"{len(report.errors)} error(s)")
    await ops.notify_admins(admin_render.reload_report(report, ops.admin_lang()))


async def notify_reload(application: Application, report: ReloadReport) -> None:
    """Tell ADMIN_CHAT_ID what an index rebuilt by `bot.py reload` changed."""
    ops = services_of(application)
    await ops.notify_admins(admin_render.reload_report(report, ops.admin_lang(), from_cli=True))


async def _remind(context: BotContext) -> None:
    await context.services.reminders.run(context.bot)


# -- broadcast reports --------------------------------------------------------------------------


def _lang(store: Store, broadcast: dict) -> Lang:
    return broadcast.get("lang") or store.language(broadcast["admin_id"]) or DEFAULT_LANG  # type: ignore[return-value]


async def _progress(ops: Services, broadcast: dict, counts: dict[str, int]) -> None:
    if not broadcast.get("progress_message_id"):
        return
    fresh = ops.store.broadcast(broadcast["id"]) or broadcast
    text = admin_render.broadcast_progress(fresh, counts, _lang(ops.store, fresh))
    try:
        await ops.application.bot.edit_message_text(
            text, chat_id=fresh["admin_chat_id"], message_id=fresh["progress_message_id"]
        )
    except TelegramError as exc:
        if "not modified" not in str(exc).lower():
            logger.info("could not update broadcast %s progress: %s", broadcast["id"], exc)


async def _finished(ops: Services, broadcast: dict, counts: dict[str, int], inactive: int) -> None:
    fresh = ops.store.broadcast(broadcast["id"]) or broadcast
    lang = _lang(ops.store, fresh)
    await _progress(ops, fresh, counts)
    from bot.telegram.announce_render import (
        finished_report,
    )  # with pins and the edit/delete everywhere buttons

    await ops.send(
        fresh["admin_chat_id"],
        finished_report(fresh, counts, inactive, ops.store.pins(fresh["id"]), lang),
    )
