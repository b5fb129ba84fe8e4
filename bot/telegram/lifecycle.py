"""Staying alive, or dying loudly: what `python bot.py run` does when polling ends or start-up fails.

- Polling that ends for good (PTB ends its polling loop on a 401/404 to getUpdates, after the rate
  limiter's few retries with back-off, bot/telegram/app.py) would leave a deaf process that a
  supervisor sees as healthy. `watch_polling` notices the polling task ending while the bot is
  not stopping, logs one CRITICAL line saying why, and `run` exits with status EXIT_POLLING_DIED so
  systemd (Restart=on-failure, docs/telegram.md) or any supervisor restarts it.
- Start-up failures (a token Telegram refuses, a Bot API server that cannot be reached, a state
  folder that cannot be opened) end with one line on stderr that says what to do: `preflight`
  asks getMe before anything else, with a short back-off for a server that is still starting.
- SIGHUP asks a running bot to reload; one that arrives before the bot has installed its handler
  (the first second or so) must not kill it: `defer_sighup` (called first thing by `bot.py run`)
  remembers it, and the bot reloads once it is ready (bot/telegram/operations.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily: defer_sighup runs before the slow imports
    from telegram.ext import Application

logger = logging.getLogger(__name__)

EXIT_POLLING_DIED = 3
POLLING_TASK_NAME = "Updater:start_polling:polling_task"  # PTB's name for its polling task
PREFLIGHT_TRIES = 3
PREFLIGHT_BACKOFF = 0.5  # seconds, doubled after each try (BOT_API_RETRY_SECONDS for `bot.py run`)

_early_hups: list[int] = []


def _remember_hup(signum: int, frame: Any) -> None:  # noqa: ARG001 - signal handler signature
    _early_hups.append(signum)


def defer_sighup() -> None:
    """Until the bot is ready, a SIGHUP is remembered instead of killing the process."""
    if hasattr(signal, "SIGHUP"):
        try:
            signal.signal(signal.SIGHUP, _remember_hup)
        except ValueError:  # not the main thread
            pass


def take_early_sighup() -> bool:
    """True (once) when a SIGHUP arrived before the bot installed its own handler."""
    if _early_hups:
        _early_hups.clear()
        return True
    return False


def _polling_task() -> asyncio.Task | None:
    return next((t for t in asyncio.all_tasks() if t.get_name() == POLLING_TASK_NAME), None)


async def watch_polling(
    application: Application, on_dead: Callable[[str], None], *, poll: float = 0.05
) -> None:
    """Wait for the updater's polling task; if it ends while the updater still counts as running
    (nobody asked it to stop), call `on_dead(reason)`."""
    while (task := _polling_task()) is None:
        await asyncio.sleep(poll)
    await asyncio.wait({task})
    if application.updater is None or not application.updater.running:
        return  # an orderly stop
    if task.cancelled():
        reason = "the polling task was cancelled"
    elif task.exception() is not None:
        exc = task.exception()
        reason = f"{type(exc).__name__}: {exc}"
    else:
        reason = "the polling loop returned"
    on_dead(reason)


def polling_died_message(reason: str, where: str) -> str:
    return (
        f"polling stopped for good ({reason}) at {where}; exiting with status {EXIT_POLLING_DIED} so the "
        f"supervisor restarts the bot. If it keeps happening, check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL."
    )


async def preflight(
    token: str,
    base_url: str | None,
    *,
    tries: int = PREFLIGHT_TRIES,
    backoff: float = PREFLIGHT_BACKOFF,
) -> str:
    """getMe before starting: the bot's username, or SystemExit with one line that says what to do."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    where = base_url or "api.telegram.org"
    kwargs: dict[str, Any] = {}
    if base_url:
        from bot.telegram.app import file_url

        kwargs = {"base_url": base_url, "base_file_url": file_url(base_url)}
    last: Exception | None = None
    for attempt in range(max(1, tries)):
        try:
            bot = Bot(token, **kwargs)
            async with bot:  # initialize() calls getMe
                return bot.username
        except InvalidToken:
            raise SystemExit(
                f"Telegram rejected the bot token (at {where}): check TELEGRAM_BOT_TOKEN "
                "(from @BotFather) and TELEGRAM_API_BASE_URL."
            ) from None
        except NetworkError as exc:  # cannot connect, timed out, 5xx
            last = exc
        except TelegramError as exc:
            raise SystemExit(
                f"the Bot API at {where} refused getMe ({exc}): check TELEGRAM_BOT_TOKEN and "
                "TELEGRAM_API_BASE_URL."
            ) from None
        if attempt + 1 < tries:
            await asyncio.sleep(backoff * 2**attempt)
    raise SystemExit(
        f"cannot reach the Bot API at {where} ({last}): check the network, a proxy, or "
        "TELEGRAM_API_BASE_URL, then start again."
    )
