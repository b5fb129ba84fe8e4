"""Bookkeeping an answer must never wait on or fail for.

The engine is read-only; the state database only records what happened (the query log, the chats
the bot has seen). When that database cannot be written — a full disk, a read-only file system, a
locked or broken file — the worker still gets the answer. Each kind of failure is logged once at
ERROR (with what to do), later ones at DEBUG, and a success after a failure is logged once too, so a
full disk neither floods the log nor goes unnoticed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

_failing: set[str] = set()


def best_effort(what: str, write: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """`write(*args, **kwargs)`, or None (logged) if it raises."""
    try:
        result = write(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - sqlite3, OSError, or another store's driver errors alike
        if what not in _failing:
            _failing.add(what)
            logger.error(
                "could not %s (%s: %s); answering anyway. Check DATA_DIR's free space and permissions; "
                "further failures of this kind are logged at DEBUG",
                what,
                type(exc).__name__,
                exc,
            )
        else:
            logger.debug("could not %s (%s: %s)", what, type(exc).__name__, exc)
        return None
    if what in _failing:
        _failing.discard(what)
        logger.warning("the state database accepts writes again (%s)", what)
    return result
