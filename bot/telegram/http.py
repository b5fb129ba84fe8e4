"""The bot's HTTP client for the Bot API: PTB's BaseRequest over aiohttp instead of httpx.

Why: in scripts/bench_telegram.py the httpx stack (httpx, httpcore, anyio, h11, all pure Python)
was the largest cost of an answered question after the engine: about 1.5 ms of CPU per request
(a sendMessage, and a getUpdates per update at light load), most of it httpcore's pool checking
every kept-alive socket before and after each request. aiohttp's client does the same work in C
(its HTTP parser) for about a third of that, and every millisecond matters on the event loop that
also answers: a reply waits for whatever else the loop is doing.

Behaviour is PTB's HTTPXRequest's: the same timeouts (connect, read, write, pool), files sent as
multipart, form-encoded parameters otherwise, environment proxies honoured, and the same errors:
TimedOut for a timeout, NetworkError for any other failure. Their `__cause__` is given in httpx's
terms, which the retry rules (bot/telegram/ambiguity.py, RetryingRateLimiter) read to tell a
request that provably never left (no connection could be opened or came free) from one that may
have been carried out: aiohttp's error is kept as that cause's own cause.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import httpx
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL


class AiohttpRequest(BaseRequest):
    """A pool of `connection_pool_size` kept-alive connections; timeouts in seconds (None: none)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.connection_pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # The session belongs to the running event loop, so it is made here, not in __init__.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connection_pool_size)
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = (
            (self._media_write_timeout if files else self._write_timeout)
            if isinstance(write_timeout, DefaultValue)
            else write_timeout
        )
        timeout = aiohttp.ClientTimeout(
            # aiohttp has no write timeout: the whole exchange is bounded by the sum instead
            total=_sum(connect, pool, write, read),
            connect=_sum(pool, connect),  # waiting for a pooled connection, then opening one
            sock_connect=connect,
            sock_read=read,
        )
        proxy, proxy_auth = self._proxy_for(url)
        try:
            async with session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut(
                "Connect or pool timeout: the request was *not* sent to Telegram."
            ) from _cause(httpx.ConnectTimeout(str(exc)), exc)
        except TimeoutError as exc:  # a read timeout, or the whole exchange took too long
            raise TimedOut from _cause(httpx.ReadTimeout(str(exc) or "timed out"), exc)
        except aiohttp.ClientConnectorError as exc:  # refused, unreachable, DNS, TLS handshake
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from _cause(
                httpx.ConnectError(str(exc)), exc
            )
        except (
            aiohttp.ClientError
        ) as exc:  # dropped mid-way: the request may have been carried out
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from _cause(
                httpx.RemoteProtocolError(str(exc)), exc
            )

    def _proxy_for(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy the environment names for the Bot API (HTTP(S)_PROXY, NO_PROXY), as httpx
        honours them, looked up once per server: aiohttp's own trust_env would read the environment
        and ~/.netrc again on every request."""
        key = "/".join(url.split("/", 3)[:3])  # scheme://host:port
        if key not in self._proxies:
            try:
                self._proxies[key] = get_env_proxy_for_url(URL(key))
            except LookupError:
                self._proxies[key] = (None, None)
        return self._proxies[key]


def _sum(*parts: float | None) -> float | None:
    return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)


def _body(request_data: RequestData | None) -> Any:
    """Form-encoded parameters, or multipart with the files (PTB's layout: name -> (filename,
    content, mime type))."""
    if request_data is None:
        return None
    params = request_data.json_parameters
    if not request_data.contains_files:
        return params
    form = aiohttp.FormData()
    for name, value in params.items():
        form.add_field(name, value)
    for name, part in (request_data.multipart_data or {}).items():
        filename, content, mime = part
        form.add_field(name, content, filename=filename, content_type=mime)
    return form


def _cause(cause: BaseException, original: BaseException) -> BaseException:
    cause.__cause__ = original
    return cause
