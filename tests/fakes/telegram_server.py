"""A fake Telegram Bot API server for end-to-end tests.

The real ``telegram.Bot``/``telegram.ext.Application`` talks to it over real HTTP on
127.0.0.1, so the whole PTB stack (request encoding, error mapping, polling loop,
rate limiter) is exercised without touching the network.

Usage::

    async with running_fake_server() as server:
        bot = telegram.Bot("123:ABC", base_url=server.base_url,
                           base_file_url=server.base_file_url)
        server.push_update(server.updates.private_text("/start"))
        ...
        await server.wait_for("sendMessage")

PTB wire format (22.x, httpx): parameters go as ``application/x-www-form-urlencoded``
(or ``multipart/form-data`` when files are uploaded); strings are sent raw, and every
other value (ints, bools, dicts, lists, TelegramObjects) is ``json.dumps``-ed.  The
server decodes those back, except for fields that are strings by API definition
(``text``, ``data``, ``query``...) so that a text of ``"123"`` stays a string.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import json
import logging
import re
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from .updates import (
    DEFAULT_BOT_FIRST_NAME,
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USERNAME,
    JSON,
    MessageIds,
    UpdateBuilder,
    chat_member_dict,
    guess_chat_type,
)
from .waiting import wait_until

_LOGGER = logging.getLogger(__name__)

FAILURE_KINDS = (
    "429",
    "403",
    "400",
    "401",
    "404",
    "500",
    "502",
    "slow",
    "timeout",
    "done_500",
    "done_502",
    "drop",
)
# Ambiguous faults: Telegram carried the call out (the message exists), then the client saw an error.
_CARRIED_OUT_THEN_ERROR = {"done_500": "500", "done_502": "502"}
_ERROR_STATUS = {
    "429": 429,
    "403": 403,
    "400": 400,
    "401": 401,
    "404": 404,
    "500": 500,
    "502": 502,
}
_DEFAULT_DESCRIPTIONS = {
    "401": "Unauthorized",
    "404": "Not Found",
    "403": "Forbidden: bot was blocked by the user",
    "400": "Bad Request: chat not found",
    "500": "Internal Server Error",
    "502": "Bad Gateway",
}
# Parameters that are strings by API definition: never JSON-decode them, otherwise a
# user text "123" or callback data "[1]" would change type.
_RAW_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "query",
        "data",
        "callback_query_id",
        "inline_query_id",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "url",
        "parse_mode",
        "action",
        "language_code",
        "description",
        "short_description",
        "name",
        "title",
        "secret_token",
        "ip_address",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "inline_message_id",
        "file_id",
        "photo",
        "document",
        "audio",
        "video",
        "animation",
        "voice",
        "sticker",
        "thumbnail",
        "first_name",
        "last_name",
        "phone_number",
        "address",
        "question",
        "explanation",
        "custom_title",
        "invite_link",
        "payload",
        "currency",
        "start_parameter",
    }
)
_MAX_MESSAGE_LENGTH = 4096
_MAX_CAPTION_LENGTH = 1024
_MAX_CALLBACK_DATA_BYTES = 64
_MAX_CALLBACK_ANSWER_LENGTH = 200
_MAX_INLINE_RESULTS = 50
_HTML_TAG_RE = re.compile(r"<[^>]+>")


@dataclass
class UploadedFile:
    """A multipart file part as received (PTB uploads InputFile objects this way)."""

    field: str
    filename: str | None
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        """Number of bytes received."""
        return len(self.content)


@dataclass
class Call:
    """One recorded Bot API request.

    ``result`` is filled in once the server produced a successful answer (for
    ``"timeout"`` failures that is *before* the client gives up, as on real
    Telegram); ``error`` holds the description of an error answer.
    """

    method: str
    params: dict[str, Any]
    time: float
    http_method: str = "POST"
    token: str = ""
    status: int | None = None
    result: Any = None
    error: str | None = None
    injected: str | None = None

    @property
    def chat_id(self) -> Any:
        """Shortcut for ``params.get("chat_id")``."""
        return self.params.get("chat_id")

    @property
    def text(self) -> Any:
        """Shortcut for ``params.get("text")``."""
        return self.params.get("text")

    @property
    def ok(self) -> bool:
        """Whether the server answered this call successfully."""
        return self.status == 200

    def summary(self) -> str:
        """One line for assertion messages."""
        shown = {k: v for k, v in self.params.items() if not isinstance(v, UploadedFile)}
        outcome = "pending" if self.status is None else str(self.status)
        params = json.dumps(shown, ensure_ascii=False, default=str)[:200]
        return f"{self.method}[{outcome}] {params}"


@dataclass
class Failure:
    """An injected failure, consumed one per matching call."""

    method: str
    kind: str
    times: int = 1
    chat_id: int | str | None = None
    retry_after: float = 1
    delay: float = 0.0
    description: str | None = None
    used: int = field(default=0)
    # Set by release(): a "slow" answer held now goes out at once rather than after `delay`.
    released: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)

    def release(self) -> None:
        """Answer the "slow" calls held by this failure now (and later ones at once): a test that
        holds a reply while it checks something lets it go when done, instead of waiting `delay`."""
        self.released.set()

    @property
    def remaining(self) -> int:
        """How many more calls this failure will hit."""
        return self.times - self.used

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        """Same method (case-insensitive, like Telegram) and, if set, same chat."""
        if self.remaining <= 0 or method.lower() != self.method.lower():
            return False
        return self.chat_id is None or _same_chat(self.chat_id, params.get("chat_id"))


class ApiError(Exception):
    """Raised by method handlers to answer with a Bot API error."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _same_chat(left: Any, right: Any) -> bool:
    return left is not None and right is not None and str(left) == str(right)


def _decode_value(key: str, value: Any) -> Any:
    """Undo PTB's per-field ``json.dumps`` (strings are sent raw, so keep those)."""
    if not isinstance(value, str) or key in _RAW_STRING_FIELDS:
        return value
    try:
        decoded = json.loads(value, parse_constant=_reject_constant)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)
_TAG_RE = re.compile(r'<(/?)([a-z-]+)((?:\s+[a-z-]+(?:="[^"<>]*"|=\'[^\'<>]*\')?)*)\s*>')
_ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def html_problem(text: str) -> str | None:
    """What Telegram's HTML parser would refuse in `text` (None when it parses): tags it does not
    support, unbalanced tags, a `<` or `&` that starts no tag or entity, a malformed attribute (an
    unescaped `"` inside href="…" ends the value early)."""
    open_tags: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            tag = _TAG_RE.match(text, pos)
            if tag is None:
                return f"unsupported start tag or malformed attributes at byte offset {pos}"
            closing, name = tag.group(1), tag.group(2)
            if name not in _HTML_TAGS:
                return f'unsupported start tag "{name}" at byte offset {pos}'
            if closing:
                if not open_tags or open_tags[-1] != name:
                    return f'unmatched end tag at byte offset {pos}, expected "</{open_tags[-1] if open_tags else ""}>"'
                open_tags.pop()
            else:
                open_tags.append(name)
            pos = tag.end()
        elif ch == "&":
            entity = _ENTITY_RE.match(text, pos)
            if entity is None:
                return f"unsupported HTML entity at byte offset {pos}"
            pos = entity.end()
        else:  # a bare ">" Telegram lets through
            pos += 1
    if open_tags:
        return f"can't find end tag corresponding to start tag {open_tags[-1]!r}"
    return None


def _visible_length(text: str, parse_mode: str | None) -> int:
    """Rough length Telegram checks against: markup is stripped for HTML."""
    if parse_mode and parse_mode.lower() == "html":
        return len(html.unescape(_HTML_TAG_RE.sub("", text)))
    return len(text)


class FakeTelegramServer:
    """In-process Bot API double served by aiohttp on 127.0.0.1 (random port).

    State worth poking at from tests: ``calls``, ``chats``, ``users``,
    ``pending_updates``, ``webhook_url``, ``commands``, ``latency``.
    """

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        token: str | None = None,
        latency: float = 0.0,
        start_update_id: int = 1,
        default_member_status: str = "member",
        timeout_margin: float = 1.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.token = token  # None accepts any token; otherwise others get 401
        self.latency = latency
        self.default_member_status = default_member_status
        self.timeout_margin = timeout_margin
        self.host = host
        self.port: int | None = None

        self.message_ids = MessageIds()
        self.updates = UpdateBuilder(
            bot_id=bot_id,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            message_ids=self.message_ids,
        )
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.chats: dict[int | str, JSON] = {}
        self.users: dict[int, JSON] = {}
        self.messages: dict[tuple[int | str, int], JSON] = {}
        self.files: dict[str, bytes] = {}
        self.member_status: dict[tuple[int | str, int], str] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | str | None, JSON] = {}
        self.pinned: dict[int | str, int] = {}  # chat -> the message pinned there (pinChatMessage)
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self._queue: list[JSON] = []
        self._next_update_id = start_update_id
        self._delivered_update_id = start_update_id - 1
        self._update_arrived = asyncio.Event()
        self._call_recorded = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._serial = 0
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            name.lower(): handler for name, handler in self._method_table().items()
        }

    # ------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """Value for ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``Bot(base_file_url=...)``; ``File.download_*`` fetches from here."""
        return f"{self.url}/file/bot"

    @property
    def url(self) -> str:
        """Root URL of the running server."""
        if self.port is None:
            raise RuntimeError("FakeTelegramServer is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind ``host`` on a free port, inside the event loop the test (and PTB) runs in."""
        self._closing.clear()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # shutdown_timeout is short because stop() wakes every waiting handler anyway.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        _LOGGER.debug("Fake Telegram server listening on %s", self.url)

    async def stop(self) -> None:
        """Release long polls and held responses, then close the listener."""
        self._closing.set()
        self._update_arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        _LOGGER.debug("Fake Telegram server on port %s stopped", self.port)

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------ test-side helpers
    def push_update(self, update: JSON) -> JSON:
        """Queue a user update for ``getUpdates``; returns it with its new ``update_id``."""
        stored = self._stamp(update)
        self._queue.append(stored)
        self._update_arrived.set()
        _LOGGER.debug("Queued update %s", stored["update_id"])
        return copy.deepcopy(stored)

    async def post_to_webhook(self, update: JSON, *, timeout: float = 5.0) -> int:
        """Deliver ``update`` to the webhook set via ``setWebhook`` like Telegram does
        (JSON POST with the secret-token header); returns the HTTP status."""
        if not self.webhook_url:
            raise AssertionError("no webhook set: the bot never called setWebhook")
        stored = self._stamp(update)
        headers = {}
        if self.webhook_secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret_token
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            async with session.post(self.webhook_url, json=stored, headers=headers) as response:
                self._delivered_update_id = max(self._delivered_update_id, stored["update_id"])
                return response.status

    def _stamp(self, update: JSON) -> JSON:
        """Copy ``update`` with the next server-side ``update_id`` and learn its chats."""
        stored = copy.deepcopy(update)
        stored["update_id"] = self._next_update_id
        self._next_update_id += 1
        self._learn(stored)
        return stored

    def push_updates(self, updates: Iterable[JSON]) -> list[JSON]:
        """``push_update`` for several updates, in order."""
        return [self.push_update(update) for update in updates]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a ``getUpdates`` offset."""
        return copy.deepcopy(self._queue)

    async def wait_delivered(self, update_id: int | None = None, timeout: float = 5.0) -> None:
        """Wait until ``getUpdates`` has handed out ``update_id`` (default: the last pushed)."""
        target = self._next_update_id - 1 if update_id is None else update_id
        await self._wait_until(
            lambda: self._delivered_update_id >= target,
            timeout,
            lambda: f"update {target} was not delivered via getUpdates",
        )

    def fail(
        self,
        method: str,
        kind: str,
        times: int = 1,
        chat_id: int | str | None = None,
        retry_after: float = 1,
        delay: float = 0.0,
        description: str | None = None,
    ) -> Failure:
        """Make the next ``times`` matching calls of ``method`` fail.

        ``kind``: ``"429"`` (RetryAfter; a fractional ``retry_after`` such as 0.05
        keeps AIORateLimiter retries fast), ``"403"`` (Forbidden), ``"400"``
        (BadRequest), ``"401"``/``"404"`` (InvalidToken, as a proxy or a restarting
        self-hosted Bot API server answers), ``"500"``/``"502"`` (NetworkError), ``"slow"`` (answer
        normally after ``delay`` s), ``"timeout"`` (process the call, then hold the
        answer ``delay + timeout_margin`` s; set ``delay`` to the client's read
        timeout to get ``telegram.error.TimedOut``), ``"done_500"``/``"done_502"``
        (carried out, then answered 5xx: the message exists but the client sees an
        error) or ``"drop"`` (carried out, then the connection is closed without an
        answer). The two last kinds are ambiguous to the client: a retry doubles.
        """
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}; use one of {FAILURE_KINDS}")
        if kind == "429" and not retry_after > 0:
            # PTB only raises RetryAfter for a truthy retry_after; 0 would surface as a
            # plain NetworkError, which is never what a test means.
            raise ValueError("retry_after must be > 0 (fractions are fine: PTB accepts 0.05)")
        failure = Failure(method, kind, times, chat_id, retry_after, delay, description)
        self.failures.append(failure)
        return failure

    def clear_failures(self) -> None:
        """Drop all injected failures that were not consumed yet."""
        self.failures.clear()

    def set_chat_member_status(self, chat_id: int | str, user_id: int, status: str) -> None:
        """What ``getChatMember(chat_id, user_id)`` reports (default ``default_member_status``)."""
        chat_member_dict(status, {"id": user_id})  # validates the status early
        self.member_status[(self._key(chat_id), int(user_id))] = status

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of ``method`` (case-insensitive), oldest first."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(
        self, chat_id: int | str | None = None, methods: Iterable[str] = ("sendMessage",)
    ) -> list[Call]:
        """Successful sending calls, optionally only to ``chat_id``; ``call.result`` is
        the Message dict the bot received."""
        wanted = {name.lower() for name in methods}
        return [
            call
            for call in self.calls
            if call.method.lower() in wanted
            and call.result is not None
            and (chat_id is None or _same_chat(call.chat_id, chat_id))
        ]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of successful ``sendMessage`` calls, optionally only to ``chat_id``."""
        return [call.params.get("text", "") for call in self.sent_messages(chat_id)]

    def get_message(self, chat_id: int | str, message_id: int) -> JSON | None:
        """Current state of a stored message (pushed, sent or edited)."""
        message = self.messages.get((self._key(chat_id), int(message_id)))
        return copy.deepcopy(message) if message is not None else None

    def reset_calls(self) -> None:
        """Forget recorded calls (e.g. after the bot's startup chatter)."""
        self.calls.clear()

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` matching ``predicate`` were recorded.

        Calls are recorded on arrival, so ``result`` may still be pending for held
        ("slow"/"timeout") answers.  Raises AssertionError listing all recorded calls.
        """

        def matching() -> list[Call]:
            return [c for c in self.calls_of(method) if predicate is None or predicate(c)]

        def describe() -> str:
            recorded = "\n  ".join(call.summary() for call in self.calls) or "(none)"
            return (
                f"expected {count} matching {method} call(s) within {timeout}s, "
                f"got {len(matching())}. Recorded calls:\n  {recorded}"
            )

        await self._wait_until(lambda: len(matching()) >= count, timeout, describe)
        return matching()

    async def wait_until(
        self,
        condition: Callable[[], object],
        timeout: float = 5.0,
        what: str | Callable[[], str] = "the condition",
    ) -> None:
        """Wait until ``condition()`` holds: checked again on every call the server records (and
        answers), and every few milliseconds for state outside the server (the bot's store, its
        jobs).  Raises AssertionError naming ``what`` after ``timeout`` seconds."""
        await wait_until(condition, timeout, what, wake=self._call_recorded, poll=0.01)

    # --------------------------------------------------------------- internals
    async def _wait_until(
        self, condition: Callable[[], bool], timeout: float, describe: Callable[[], str]
    ) -> None:
        try:
            await wait_until(condition, timeout, wake=self._call_recorded, poll=0.05)
        except AssertionError:
            raise AssertionError(describe()) from None

    async def _pause(self, seconds: float, released: asyncio.Event | None = None) -> None:
        """Sleep that stop() interrupts, so held answers never block shutdown (and `released`,
        when given, ends early)."""
        if seconds <= 0:
            return
        if released is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)
            return
        waits = {
            asyncio.ensure_future(self._closing.wait()),
            asyncio.ensure_future(released.wait()),
        }
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    def _key(self, chat_id: Any) -> int | str:
        try:
            return int(chat_id)
        except (TypeError, ValueError):
            return str(chat_id)

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _notify(self) -> None:
        self._call_recorded.set()

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {key: _decode_value(key, value) for key, value in request.query.items()}
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update({key: _decode_value(key, value) for key, value in body.items()})
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(
                    key, value.filename, value.content_type, value.file.read()
                )
            else:
                params[key] = _decode_value(key, value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["token"]
        params = await self._read_params(request)
        call = Call(method, params, time.monotonic(), request.method, token)
        self.calls.append(call)
        self._notify()
        _LOGGER.debug("Bot API call %s %s", method, call.summary())
        await self._pause(self.latency)

        if self.token is not None and token != self.token:
            return self._error(call, ApiError(401, "Unauthorized"))
        failure = next((f for f in self.failures if f.matches(method, params)), None)
        if failure is not None:
            failure.used += 1
            call.injected = failure.kind
            _LOGGER.debug("Injecting %s failure into %s", failure.kind, method)
            if failure.kind == "slow":
                await self._pause(failure.delay, failure.released)
            elif failure.kind not in ("timeout", "drop", *_CARRIED_OUT_THEN_ERROR):
                return self._error(call, self._injected_error(failure))

        try:
            result = await self._dispatch(method, params)
        except ApiError as exc:
            return self._error(call, exc)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            # Malformed parameters: answer like Telegram would instead of a bare 500.
            _LOGGER.warning("Fake %s could not handle %r: %r", method, params, exc)
            return self._error(call, ApiError(400, f"Bad Request: {exc}"))
        call.result = result
        call.status = 200
        self._notify()
        if failure is not None and failure.kind in _CARRIED_OUT_THEN_ERROR:
            kind = _CARRIED_OUT_THEN_ERROR[failure.kind]
            status, description = (
                _ERROR_STATUS[kind],
                failure.description or _DEFAULT_DESCRIPTIONS[kind],
            )
            call.status, call.error = (
                status,
                description,
            )  # call.result stays: the message was delivered
            body: JSON = {"ok": False, "error_code": status, "description": description}
            return web.json_response(body, status=status)
        if failure is not None and failure.kind == "drop":
            call.error = "connection dropped after the call was carried out"
            transport = request.transport
            if transport is not None:
                transport.abort()  # no answer at all: the client sees the connection drop
            raise asyncio.CancelledError  # aiohttp stops handling this request quietly
        if failure is not None and failure.kind == "timeout":
            await self._pause(failure.delay + self.timeout_margin)
        return web.json_response({"ok": True, "result": result})

    def _injected_error(self, failure: Failure) -> ApiError:
        if failure.kind == "429":
            description = failure.description or (
                f"Too Many Requests: retry after {failure.retry_after:g}"
            )
            return ApiError(429, description, {"retry_after": failure.retry_after})
        description = failure.description or _DEFAULT_DESCRIPTIONS[failure.kind]
        return ApiError(_ERROR_STATUS[failure.kind], description)

    def _error(self, call: Call, exc: ApiError) -> web.Response:
        call.status = exc.status
        call.error = exc.description
        self._notify()
        body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
        if exc.parameters:
            body["parameters"] = exc.parameters
        return web.json_response(body, status=exc.status)

    async def _dispatch(self, method: str, params: JSON) -> Any:
        handler = self._handlers.get(method.lower())
        if handler is None:
            _LOGGER.debug("No handler for %s; answering true", method)
            return True
        outcome = handler(params)
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        return outcome

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        content = self.files.get(path.rsplit("/", 1)[-1], b"fake file content")
        return web.Response(body=content, content_type="application/octet-stream")

    # ---------------------------------------------------------- state helpers
    def _learn(self, value: Any) -> None:
        """Remember chats, users and messages seen in pushed updates."""
        if isinstance(value, list):
            for item in value:
                self._learn(item)
            return
        if not isinstance(value, dict):
            return
        chat = value.get("chat")
        if isinstance(chat, dict) and "id" in chat:
            self.chats.setdefault(self._key(chat["id"]), copy.deepcopy(chat))
            if "message_id" in value:
                self.message_ids.observe(chat["id"], value["message_id"])
                self.messages[(self._key(chat["id"]), int(value["message_id"]))] = copy.deepcopy(
                    value
                )
        sender = value.get("from")
        if isinstance(sender, dict) and "id" in sender:
            self.users.setdefault(int(sender["id"]), copy.deepcopy(sender))
        for item in value.values():
            self._learn(item)

    @property
    def bot_user(self) -> JSON:
        """The bot's ``User`` dict as seen in ``from`` of its messages."""
        return self.updates.bot_user

    def _user(self, user_id: int) -> JSON:
        if int(user_id) == self.bot_id:
            return self.bot_user
        return copy.deepcopy(
            self.users.get(int(user_id))
            or {"id": int(user_id), "is_bot": False, "first_name": f"User {user_id}"}
        )

    def _chat(self, chat_id: Any) -> JSON:
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        key = self._key(chat_id)
        if key in self.chats:
            return copy.deepcopy(self.chats[key])
        chat_type = guess_chat_type(chat_id)
        if chat_type == "channel":
            channel_id = -(1000000000000 + zlib.crc32(str(chat_id).encode()))
            chat = {
                "id": channel_id,
                "type": "channel",
                "title": str(chat_id)[1:],
                "username": str(chat_id)[1:],
            }
        elif chat_type == "private":
            user = self._user(int(key))
            chat = {"id": key, "type": "private", "first_name": user["first_name"]}
        else:
            chat = {"id": key, "type": chat_type, "title": f"Group {key}"}
        self.chats[key] = chat
        return copy.deepcopy(chat)

    def _store(self, message: JSON) -> None:
        key = (self._key(message["chat"]["id"]), int(message["message_id"]))
        self.messages[key] = copy.deepcopy(message)

    def _stored_or_synthetic(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        stored = self.messages.get((self._key(chat["id"]), int(message_id)))
        if stored is not None:
            return copy.deepcopy(stored)
        self.message_ids.observe(chat["id"], int(message_id))
        return {
            "message_id": int(message_id),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
        }

    def _check_markup(self, params: JSON) -> None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > _MAX_CALLBACK_DATA_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _check_text(self, text: Any, params: JSON, limit: int, what: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, f"Bad Request: {what} is empty")
        if (params.get("parse_mode") or "").lower() == "html":
            problem = html_problem(text)
            if problem is not None:
                raise ApiError(400, f"Bad Request: can't parse entities: {problem}")
        if _visible_length(text, params.get("parse_mode")) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")

    def _new_message(self, params: JSON, **content: Any) -> JSON:
        """A Message as Telegram returns it for any send* method."""
        self._check_markup(params)
        chat = self._chat(params.get("chat_id"))
        message: JSON = {
            "message_id": self.message_ids.next(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self.bot_user
        thread_id = params.get("message_thread_id")
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.get("is_forum"):
                message["is_topic_message"] = True
        reply_to = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
        if reply_to is not None:
            replied = self.messages.get((self._key(chat["id"]), int(reply_to)))
            if replied is not None:
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
        message.update({k: v for k, v in content.items() if v is not None})
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes only inline keyboards
        self._store(message)
        return copy.deepcopy(message)

    def _uploaded(self, params: JSON, name: str) -> tuple[str, int]:
        """file_id and size for a ``photo``/``document`` parameter (upload or file_id)."""
        value = params.get(name)
        if isinstance(value, UploadedFile):
            file_id = f"{name}-{self._next_serial():06d}"
            self.files[file_id] = value.content
            return file_id, value.size
        if not value:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        return str(value), len(self.files.get(str(value), b""))

    # --------------------------------------------------------- Bot API methods
    def _method_table(self) -> dict[str, Callable[[JSON], Any]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": lambda params: True,
            "close": lambda params: True,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._unpin_chat_message,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChatMember": self._get_chat_member,
            "getChat": self._get_chat,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "sendChatAction": lambda params: bool(self._chat(params.get("chat_id"))),
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "leaveChat": lambda params: bool(self._chat(params.get("chat_id"))),
        }

    def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        """Long polling: confirm by offset, then wait up to ``timeout`` for an update."""
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._queue and not self._closing.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._update_arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_arrived.wait(), remaining)
        batch = copy.deepcopy(self._queue[:limit])
        if batch:
            self._delivered_update_id = max(self._delivered_update_id, batch[-1]["update_id"])
            self._notify()
        return batch

    def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook_secret_token = None
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _set_webhook(self, params: JSON) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret_token = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    def _send_message(self, params: JSON) -> JSON:
        text = params.get("text")
        self._check_text(text, params, _MAX_MESSAGE_LENGTH, "message text")
        return self._new_message(params, text=text, entities=params.get("entities"))

    def _edit_target(self, params: JSON) -> JSON | None:
        if params.get("inline_message_id"):
            return None
        self._check_markup(params)
        return self._stored_or_synthetic(params)

    def _finish_edit(self, message: JSON, params: JSON) -> JSON:
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)  # edits without markup drop the keyboard
        message["edit_date"] = int(time.time())
        self._store(message)
        return copy.deepcopy(message)

    def _edit_message_text(self, params: JSON) -> JSON | bool:
        text = params.get("text")
        self._check_text(text, params, _MAX_MESSAGE_LENGTH, "message text")
        message = self._edit_target(params)
        if message is None:
            return True
        self._not_modified(message, "text", text, params)
        message["text"] = text
        message.pop("entities", None)
        if params.get("entities"):
            message["entities"] = params["entities"]
        return self._finish_edit(message, params)

    @staticmethod
    def _not_modified(message: JSON, field_name: str, value: Any, params: JSON) -> None:
        """Telegram refuses an edit that changes nothing (an edit applied twice gets this error)."""
        markup = params.get("reply_markup")
        same_markup = (markup or None) == (message.get("reply_markup") or None) or (
            not isinstance(markup, dict) and "reply_markup" not in message
        )
        if message.get(field_name) == value and same_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )

    def _edit_message_caption(self, params: JSON) -> JSON | bool:
        caption = params.get("caption")
        if caption is not None:
            self._check_text(caption, params, _MAX_CAPTION_LENGTH, "message caption")
        message = self._edit_target(params)
        if message is None:
            return True
        if "text" in message and message.get("text") is not None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        self._not_modified(message, "caption", caption, params)
        message["caption"] = caption
        return self._finish_edit(message, params)

    def _pin_chat_message(self, params: JSON) -> bool:
        """Allowed in private chats and where the bot is an administrator (set_chat_member_status)."""
        chat = self._chat(params.get("chat_id"))
        status = self.member_status.get(
            (self._key(chat["id"]), self.bot_id), self.default_member_status
        )
        if chat.get("type") != "private" and status not in ("administrator", "creator"):
            raise ApiError(
                400, "Bad Request: not enough rights to manage pinned messages in the chat"
            )
        self.pinned[self._key(chat["id"])] = int(params.get("message_id") or 0)
        return True

    def _unpin_chat_message(self, params: JSON) -> bool:
        chat = self._chat(params.get("chat_id"))
        self.pinned.pop(self._key(chat["id"]), None)
        return True

    def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        message = self._edit_target(params)
        return True if message is None else self._finish_edit(message, params)

    def _delete_message(self, params: JSON) -> bool:
        chat = self._chat(params.get("chat_id"))
        self.messages.pop((self._key(chat["id"]), int(params.get("message_id") or 0)), None)
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        if not params.get("callback_query_id"):
            raise ApiError(400, "Bad Request: query is too old and response timeout expired")
        if len(params.get("text") or "") > _MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _answer_inline_query(self, params: JSON) -> bool:
        results = params.get("results") or []
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > _MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            self._check_markup({"reply_markup": result.get("reply_markup")})
        return True

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands[self._commands_key(params)] = commands
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_chat_menu_button(self, params: JSON) -> bool:
        chat_id = params.get("chat_id")
        key = None if chat_id is None else self._key(chat_id)
        self.menu_buttons[key] = params.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        key = None if chat_id is None else self._key(chat_id)
        return copy.deepcopy(
            self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "default"}
        )

    def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        status = self.member_status.get(
            (self._key(chat["id"]), user_id), self.default_member_status
        )
        return chat_member_dict(status, self._user(user_id))

    def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(params.get("chat_id"))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_administrators(self, params: JSON) -> list[JSON]:
        key = self._key(self._chat(params.get("chat_id"))["id"])
        return [
            chat_member_dict(status, self._user(user_id))
            for (chat_key, user_id), status in self.member_status.items()
            if chat_key == key and status in ("administrator", "creator")
        ]

    def _get_chat_member_count(self, params: JSON) -> int:
        key = self._key(self._chat(params.get("chat_id"))["id"])
        return 1 + sum(1 for chat_key, _ in self.member_status if chat_key == key)

    def _copy_message(self, params: JSON) -> JSON:
        original = self._stored_or_synthetic(
            {"chat_id": params.get("from_chat_id"), "message_id": params.get("message_id")}
        )
        copied = self._new_message(
            params,
            text=original.get("text"),
            caption=params.get("caption", original.get("caption")),
            photo=original.get("photo"),
            document=original.get("document"),
        )
        return {"message_id": copied["message_id"]}

    def _forward_message(self, params: JSON) -> JSON:
        original = self._stored_or_synthetic(
            {"chat_id": params.get("from_chat_id"), "message_id": params.get("message_id")}
        )
        sender = original.get("from")
        origin: JSON = (
            {"type": "user", "date": original["date"], "sender_user": sender}
            if sender
            else {"type": "hidden_user", "date": original["date"], "sender_user_name": "Hidden"}
        )
        return self._new_message(
            params,
            text=original.get("text"),
            caption=original.get("caption"),
            photo=original.get("photo"),
            document=original.get("document"),
            forward_origin=origin,
        )

    def _send_photo(self, params: JSON) -> JSON:
        file_id, size = self._uploaded(params, "photo")
        caption = params.get("caption")
        if caption is not None:
            self._check_text(caption, params, _MAX_CAPTION_LENGTH, "message caption")
        photo = [
            {
                "file_id": f"{file_id}",
                "file_unique_id": f"u{zlib.crc32(file_id.encode())}",
                "width": 1280,
                "height": 960,
                "file_size": size,
            }
        ]
        return self._new_message(params, photo=photo, caption=caption)

    def _send_document(self, params: JSON) -> JSON:
        file_id, size = self._uploaded(params, "document")
        value = params.get("document")
        caption = params.get("caption")
        if caption is not None:
            self._check_text(caption, params, _MAX_CAPTION_LENGTH, "message caption")
        document: JSON = {
            "file_id": file_id,
            "file_unique_id": f"u{zlib.crc32(file_id.encode())}",
            "file_size": size,
        }
        if isinstance(value, UploadedFile):
            document["file_name"] = value.filename
            document["mime_type"] = value.content_type
        return self._new_message(params, document=document, caption=caption)

    def _get_file(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id") or "")
        if not file_id:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{zlib.crc32(file_id.encode())}",
            "file_size": len(self.files.get(file_id, b"fake file content")),
            "file_path": f"files/{file_id}",
        }


@contextlib.asynccontextmanager
async def running_fake_server(**kwargs: Any) -> AsyncIterator[FakeTelegramServer]:
    """Start a :class:`FakeTelegramServer` for the duration of the block.

    ``kwargs`` go to the constructor (``bot_username``, ``bot_id``, ``token``,
    ``latency``...).  Stopped even if the block raises.
    """
    server = FakeTelegramServer(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
