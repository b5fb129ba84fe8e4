"""The Telegram Application: how it is built, started and stopped.

`run(config)` (what `python bot.py run` calls) long-polls by default, or serves a webhook when
WEBHOOK_URL is set; TELEGRAM_API_BASE_URL points it at a self-hosted Bot API server. Tests and the
benchmark build the same Application with `build_application` and drive it over HTTP.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import re
import secrets
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Config, zone
from bot.dialogue import Conversations
from bot.telegram import operations, render
from bot.telegram.ambiguity import never_left, sending_at_most_once
from bot.telegram.broadcast import Pacer
from bot.telegram.context import BotContext, Services, services_of
from bot.telegram.flood import FloodGate
from bot.telegram.http import AiohttpRequest
from bot.telegram.jobs import KNOWLEDGE_POLL_SECONDS, register_jobs

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.store import Store

logger = logging.getLogger(__name__)

# Update types the bot asks Telegram for; add one here when a feature needs it.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
]
WORKERS = 16  # updates handled at once
MAX_PENDING_UPDATES = 4096  # updates accepted from Telegram and waiting for a worker or their chat
CONNECTION_POOL_SIZE = (
    8  # fewer connections than workers: httpcore degrades with many idle ones under load
)
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
POLL_AUTH_RETRIES = (
    3  # 401/404 answers to getUpdates tried again (after 0.5 s, 1 s, 2 s) before polling ends
)
POLL_AUTH_BACKOFF = 0.5  # BOT_API_RETRY_SECONDS (bot/config.py) sets it for `bot.py run`


# -- concurrency and retries -----------------------------------------------------------------------


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates run concurrently across chats but in order within one chat (or one user's inline
    queries), so a slow reply in one chat never holds up the others and a user's answers never
    overtake each other.

    At most `workers` updates run at once; an update waiting for its chat's earlier one does not
    take a worker, so one busy group (waiting on Telegram's 20 messages a minute per group) cannot
    starve everyone else. Few workers beat many: the HTTP connection pool degrades with long queues
    (see scripts/bench_telegram.py)."""

    def __init__(self, workers: int = WORKERS, max_pending: int = MAX_PENDING_UPDATES) -> None:
        super().__init__(max_pending)
        self.workers = workers
        self._workers = asyncio.Semaphore(workers)
        self._locks: dict[Any, asyncio.Lock] = {}
        self._waiting: dict[Any, int] = {}

    @staticmethod
    def key(update: object) -> Any:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return ("chat", update.effective_chat.id)
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self.key(update)
        if key is None:
            async with self._workers:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._workers:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                self._locks.pop(key, None)

    @property
    def saturated(self) -> bool:
        """Every worker is busy: an extra request now (a typing indicator) would only delay replies."""
        return self._workers.locked()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (Telegram's flood limits, retries after 429 retry_after), plus a few
    retries with back-off when Telegram answers 5xx or cannot be reached. A request that timed out
    while waiting for the answer is not repeated: Telegram may have carried it out, and a duplicate
    reply is worse than a late one. Inside `at_most_once()` (broadcasts, reminders) only what
    provably never left is retried (bot/telegram/ambiguity.py): a 5xx may follow a delivery."""

    def __init__(
        self,
        *,
        max_retries: int = 3,
        network_retries: int = 3,
        backoff: float = 0.25,
        **limits: Any,
    ) -> None:
        super().__init__(max_retries=max_retries, **limits)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:
                retry = never_left(exc) if sending_at_most_once() else self.retryable(exc)
                if not retry or attempt == self.network_retries:
                    raise
                delay = self.backoff * 2**attempt
                attempt += 1
                logger.info("Bot API %s failed (%s); retrying in %.2fs", endpoint, exc, delay)
                await asyncio.sleep(delay)

    @staticmethod
    def retryable(exc: NetworkError) -> bool:
        """5xx and connection failures; a timeout only when the request never left (no connection
        free in the pool, or none could be opened). BadRequest and friends subclass NetworkError:
        never retried."""
        if isinstance(exc, TimedOut):
            return isinstance(exc.__cause__, (httpx.PoolTimeout, httpx.ConnectTimeout))
        return type(exc) is NetworkError


class PollingRequest(AiohttpRequest):
    """The connection getUpdates uses (PTB sends it past the rate limiter). Updates are scrubbed of
    lone surrogates as they are parsed (bot/telegram/sanitize.py). A 401 or 404 answer
    (InvalidToken) ends PTB's polling loop at once; a proxy or a self-hosted Bot API server that is
    restarting answers so for a while, so it is tried again a few times with back-off first. If it
    persists, polling ends and `run` exits non-zero (bot/telegram/lifecycle.py)."""

    def __init__(
        self,
        *,
        auth_retries: int = POLL_AUTH_RETRIES,
        auth_backoff: float = POLL_AUTH_BACKOFF,
        **kwargs: Any,
    ) -> None:
        super().__init__(**{"connection_pool_size": 1, **kwargs})
        self.auth_retries = auth_retries
        self.auth_backoff = auth_backoff

    @staticmethod
    def parse_json_payload(payload: bytes) -> Any:
        """Updates as parsed JSON, with lone surrogates replaced (bot/telegram/sanitize.py), and any
        update PTB cannot read reduced to its update_id: PTB would otherwise fail the whole batch and
        fetch it again for ever, a bot made deaf by one malformed update."""
        from bot.telegram.sanitize import scrub

        data = scrub(HTTPXRequest.parse_json_payload(payload))
        if isinstance(data, dict) and isinstance(data.get("result"), list):
            data["result"] = [_readable(update) for update in data["result"]]
        return data

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        failures = 0
        while True:
            code, payload = await super().do_request(*args, **kwargs)
            if code not in (401, 404) or failures >= self.auth_retries:
                return code, payload  # PTB turns a 401/404 into InvalidToken, which ends polling
            delay = self.auth_backoff * 2**failures
            failures += 1
            logger.warning(
                "getUpdates refused (HTTP %d); trying again in %.1fs (%d of %d)",
                code,
                delay,
                failures,
                self.auth_retries,
            )
            await asyncio.sleep(delay)


def _readable(update: Any) -> Any:
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return update
    try:
        Update.de_json(update, None)
    except Exception as exc:  # noqa: BLE001 - whatever PTB's parser trips on
        logger.warning(
            "skipping update %s, which cannot be read (%s: %s)",
            update["update_id"],
            type(exc).__name__,
            str(exc)[:200],
        )
        return {"update_id": update["update_id"]}
    return update


# -- logging -------------------------------------------------------------------------------------------


_SECRETS: set[str] = set()
_factory_installed = False


def _redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "<token>")
    return text


def _redacting_factory(base: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        if not _SECRETS:
            return record
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's business
            return record
        if any(secret in message for secret in _SECRETS):
            record.msg, record.args = _redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in _SECRETS):
                record.exc_text = _redact(text)  # formatters print exc_text when it is set
        return record

    return make


def keep_out_of_logs(secret: str) -> None:
    """Scrub `secret` from every log record, at every level, from now on."""
    global _factory_installed
    if secret:
        _SECRETS.add(secret)
    if not _factory_installed:
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
        _factory_installed = True


def quiet_logging(token: str) -> None:
    """Keep the bot token out of every log line: httpx logs each request URL (token included) at
    INFO, so it and httpcore stay at WARNING; and every log record is scrubbed of the token (PTB's
    InvalidToken message, for one, quotes it)."""
    global _factory_installed
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if token:
        _SECRETS.add(token)
    if not _factory_installed:
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
        _factory_installed = True


# -- building ------------------------------------------------------------------------------------------


def file_url(base_url: str) -> str:
    """The file download URL matching a Bot API base URL: http://h:8081/bot -> http://h:8081/file/bot."""
    root, _, last = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


def build_application(
    config: Config,
    assistant: Assistant,
    store: Store,
    *,
    today: Callable[[], date] | None = None,
    clock: Callable[[], float] = time.monotonic,
    rate_limiter: BaseRateLimiter | None = None,
    read_timeout: float = 10.0,
    base_url: str | None = None,
    knowledge_poll: float = KNOWLEDGE_POLL_SECONDS,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    """The Application with every handler registered and its one `Services` in bot_data; the
    services start in its post_init (jobs, admin menus) and stop in its post_shutdown."""
    token = config.telegram_bot_token.get_secret_value()
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_logging(token)
    tz = zone(config.timezone)
    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(_processor(store))
        .rate_limiter(
            rate_limiter
            or RetryingRateLimiter(max_retries=3, overall_max_rate=config.telegram_max_rate)
        )
        .defaults(
            Defaults(
                # Every text the bot sends is HTML (bot/telegram/render.py), without link previews.
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A quoted question that was deleted meanwhile: answer anyway, unquoted.
                allow_sending_without_reply=True,
                tzinfo=tz,
            )
        )
        .request(AiohttpRequest(CONNECTION_POOL_SIZE, read_timeout, read_timeout, 5.0, 5.0))
        .post_init(functools.partial(_post_init, knowledge_poll=knowledge_poll))
        .post_shutdown(_post_shutdown)
        .get_updates_request(
            get_updates_request or PollingRequest(auth_backoff=config.bot_api_retry_seconds)
        )
    )
    base_url = base_url or config.telegram_api_base_url
    if base_url:
        builder = builder.base_url(base_url).base_file_url(file_url(base_url))
    application = builder.build()
    if hasattr(
        application.update_processor, "application"
    ):  # shared state (bot/telegram/shared_state.py)
        application.update_processor.application = application
    pacer = Pacer(config.telegram_max_rate)
    application.bot_data["services"] = Services(
        application=application,
        config=config,
        assistant=assistant,
        store=store,
        flood=FloodGate(config.flood_max_messages, config.flood_window_seconds, clock),
        today=today or assistant.today,  # one clock for /events and the eligibility rules
        now=operations.local_clock(tz),
        tz=tz,
        pacer=pacer,
        broadcaster=operations.make_broadcaster(application, config, store, pacer),
        reminders=operations.make_reminders(application, config, assistant, store, pacer),
        reloader=operations.Reloader(assistant, config.knowledge_dir),
        conversations=Conversations(ttl=60.0 * config.conversation_minutes),
    )
    from bot.telegram.handlers import register

    register(application)
    return application


def _processor(store: Store) -> BaseUpdateProcessor:
    from bot.telegram.shared_state import processor_for

    return processor_for(store)


async def _post_init(application: Application, knowledge_poll: float) -> None:
    """Start the services: leases when several processes share the store, the admin operations,
    the jobs; then the command menus."""
    from bot.telegram import cluster
    from bot.telegram.handlers import menu

    services = services_of(application)
    cluster.install(
        application
    )  # several processes on PostgreSQL: leases (bot/telegram/cluster.py)
    operations.start(services)  # broadcasts resumed, event reminders, announcements
    cluster.wire(application)
    register_jobs(services, knowledge_poll)
    await set_commands(application)
    await menu.set_descriptions(application)
    logger.info("bot ready as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    operations.stop(services_of(application))


async def set_commands(application: Application) -> None:
    """The command menus: private chats and groups, in English (default) and Traditional Chinese."""
    bot = application.bot
    for scope, group in (
        (BotCommandScopeAllPrivateChats(), False),
        (BotCommandScopeAllGroupChats(), True),
    ):
        for lang, code in render.MENU_LANGS:
            commands = [BotCommand(c, d) for c, d in render.command_list(lang, group)]
            try:
                await bot.set_my_commands(commands, scope=scope, language_code=code)
            except TelegramError as exc:  # the menu is a nicety: never keep the bot from starting
                logger.warning("could not set the %s command menu: %s", type(scope).__name__, exc)


# -- running -------------------------------------------------------------------------------------------


def start_options(config: Config) -> tuple[str, dict[str, Any]]:
    """("polling" | "webhook", keyword arguments for run_*/start_*), from the settings."""
    if not config.webhook_url:
        return "polling", {
            "allowed_updates": ALLOWED_UPDATES,
            "poll_interval": 0.0,
            "timeout": 30,
            "drop_pending_updates": False,
        }
    url = urlparse(config.webhook_url)
    if url.scheme not in ("https", "http") or not url.netloc:
        raise SystemExit(f"WEBHOOK_URL is not a URL: {config.webhook_url!r}")
    secret = config.webhook_secret.get_secret_value() or secrets.token_urlsafe(32)
    if not SECRET_TOKEN_RE.match(secret):
        raise SystemExit(
            "WEBHOOK_SECRET may only hold letters, digits, '_' and '-' (1-256 characters)"
        )
    keep_out_of_logs(secret)  # PTB logs setWebhook's parameters at DEBUG
    return "webhook", {
        "listen": config.webhook_listen,
        "port": int(config.webhook_port),
        "url_path": url.path.lstrip("/"),
        "webhook_url": config.webhook_url,
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
        "drop_pending_updates": False,
    }


def run(config: Config) -> None:
    """Serve until interrupted: long polling, or a webhook when WEBHOOK_URL is set. Start-up failures
    end with one line that says what to do; polling that ends for good exits with status 3
    (bot/telegram/lifecycle.py)."""
    from bot.startup import open_assistant
    from bot.store import StateError, Store
    from bot.store.backend import redact_url
    from bot.store.lock import DataDirLock
    from bot.telegram import lifecycle

    lifecycle.defer_sighup()
    token = config.telegram_bot_token.get_secret_value()
    quiet_logging(token)
    mode, options = start_options(config)
    if mode == "webhook" and config.database_url and not config.webhook_secret:
        # Each process would register its own random secret, and the last one would lock the others out.
        raise SystemExit(
            "with DATABASE_URL, processes share one webhook: set the same WEBHOOK_SECRET for all of them"
        )
    where = config.telegram_api_base_url or "api.telegram.org"
    lock = None
    try:  # SQLite: one process per DATA_DIR; PostgreSQL: leases in the database coordinate several
        lock = None if config.database_url else DataDirLock(config.data_dir).acquire()
        store = Store.from_config(config)
    except StateError as exc:
        if lock is not None:
            lock.release()
        raise SystemExit(str(exc)) from None
    except Exception as exc:
        if lock is not None:
            lock.release()
        if not isinstance(exc, (OSError, sqlite3.Error)) and not type(exc).__module__.startswith(
            "psycopg"
        ):
            raise
        if config.database_url:
            raise SystemExit(
                f"cannot open the state database {redact_url(config.database_url.get_secret_value())} ({exc}): check "
                "DATABASE_URL and that the PostgreSQL server is up."
            ) from None
        raise SystemExit(
            f"cannot open the state database {config.state_path} ({exc}): check DATA_DIR, its "
            "permissions and free space."
        ) from None
    died: list[str] = []
    try:
        asyncio.run(
            lifecycle.preflight(
                token,
                config.telegram_api_base_url or None,
                backoff=config.bot_api_retry_seconds,
            )
        )
        assistant = open_assistant(config)
        application = build_application(config, assistant, store)
        # What is loaded by now (knowledge base, index, jieba, PTB) stays for good: a full garbage
        # collection no longer walks it, a 40-100 ms stall of every reply in flight.
        gc.freeze()
        if mode == "webhook":
            logger.info(
                "webhook mode on %s:%s (%s), Bot API at %s",
                options["listen"],
                options["port"],
                options["webhook_url"],
                where,
            )
            application.run_webhook(**options)
        else:

            def on_dead(reason: str) -> None:
                died.append(reason)
                logger.critical(lifecycle.polling_died_message(reason, where))
                application.stop_running()

            ready = application.post_init

            async def post_init(app: Application) -> None:
                if ready is not None:
                    await ready(app)
                asyncio.get_running_loop().create_task(
                    lifecycle.watch_polling(app, on_dead), name="polling-watchdog"
                )

            application.post_init = post_init
            logger.info("long polling, Bot API at %s", where)
            application.run_polling(**options)
    except InvalidToken:
        if died:  # stopping the dead updater re-raises what ended its polling
            raise SystemExit(lifecycle.EXIT_POLLING_DIED) from None
        raise SystemExit(
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)."
        ) from None
    except (NetworkError, TimedOut) as exc:
        if died:
            raise SystemExit(lifecycle.EXIT_POLLING_DIED) from None
        raise SystemExit(
            f"lost the Bot API at {where} while starting ({exc}): check the network or "
            "TELEGRAM_API_BASE_URL, then start again."
        ) from None
    except OSError as exc:
        if mode != "webhook":
            raise
        raise SystemExit(
            f"cannot serve the webhook on {options['listen']}:{options['port']} ({exc}): check "
            "WEBHOOK_LISTEN and WEBHOOK_PORT (is another process using the port?)."
        ) from None
    finally:
        store.close()
        if lock is not None:
            lock.release()
    if died:
        raise SystemExit(lifecycle.EXIT_POLLING_DIED)
