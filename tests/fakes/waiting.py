"""Waiting for an event instead of sleeping a fixed time.

Tests wait for what they mean (a call recorded, a row written, a job run) with a timeout that only
matters when the event never comes: then the test fails at once with a message saying what it
waited for, rather than passing or failing by luck of timing. The polling loops live here, in one
place; `elapse` is the one deliberate pause, for behaviour that is about real time passing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL_SECONDS = 0.005


def _describe(what: str | Callable[[], str]) -> str:
    return what() if callable(what) else what


async def wait_until(
    condition: Callable[[], object],
    timeout: float = 5.0,
    what: str | Callable[[], str] = "the condition",
    *,
    wake: asyncio.Event | None = None,
    poll: float = POLL_SECONDS,
) -> None:
    """Return as soon as `condition()` is true; AssertionError naming `what` after `timeout` seconds.

    `wake`, when given, is an event set whenever the state may have changed (the fake server sets
    one on every call), so the check runs again at once instead of at the next poll."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"timed out after {timeout}s waiting for {_describe(what)}")
        if wake is None:
            await asyncio.sleep(min(poll, remaining))
            continue
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), min(poll, remaining))
        except TimeoutError:
            pass


def wait_until_sync(
    condition: Callable[[], object],
    timeout: float = 10.0,
    what: str | Callable[[], str] = "the condition",
    *,
    poll: float = 0.02,
) -> None:
    """`wait_until` for code that runs outside an event loop (threads, other processes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {_describe(what)}")
        time.sleep(poll)


async def elapse(seconds: float) -> None:
    """Let real time pass: for behaviour that is about time going by (PTB's conversation timeout
    runs on the JobQueue's wall clock), never to wait for something to happen."""
    await asyncio.sleep(seconds)
