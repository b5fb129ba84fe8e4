"""Which failed Bot API calls provably never reached Telegram, and the sends that must not be repeated otherwise.

A call that failed may still have been carried out: Telegram can deliver a message and then answer
5xx (or a proxy in front of it can), and a connection can drop after the request left. The client
cannot tell these apart from a call that never happened, so repeating one may double a message.
Only three failures prove the request never left this process: no connection could be opened
(httpx.ConnectError), opening one timed out (httpx.ConnectTimeout), or no pooled connection came
free (httpx.PoolTimeout).

Broadcasts and reminders run their sends inside `at_most_once()`: the rate limiter below
(bot/telegram/app.py RetryingRateLimiter) then retries only those three, and every other failure
reaches the broadcaster, which records the delivery as "uncertain" and never sends it again.
Answers to workers keep the rate limiter's usual retries (a rare duplicate answer beats none).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

_AT_MOST_ONCE: ContextVar[bool] = ContextVar("at_most_once", default=False)
NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def never_left(exc: BaseException) -> bool:
    """True when `exc` (a telegram.error.NetworkError or TimedOut) proves the request never reached
    the Bot API server; False for a 5xx, a dropped connection, a read or write timeout."""
    return isinstance(exc.__cause__, NEVER_LEFT)


def sending_at_most_once() -> bool:
    return _AT_MOST_ONCE.get()


@contextmanager
def at_most_once() -> Iterator[None]:
    """Sends in this block (this task) are never repeated unless they provably never left."""
    token = _AT_MOST_ONCE.set(True)
    try:
        yield
    finally:
        _AT_MOST_ONCE.reset(token)
