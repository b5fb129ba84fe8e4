"""Per-user flood control: a sliding window of accepted messages per user.

Within FLOOD_WINDOW_SECONDS a user may send FLOOD_MAX_MESSAGES messages; the next one gets one polite
notice, and later ones are ignored in silence until the oldest accepted message leaves the window.
Refused messages do not count, so a user who keeps typing regains a slot as soon as one frees up.
Telegram's own send limits are a different matter, handled by PTB's AIORateLimiter.
"""

from __future__ import annotations

import bisect
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Literal

Verdict = Literal["ok", "notice", "quiet"]


class FloodGate:
    def __init__(
        self, max_messages: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_messages = int(max_messages)
        self.window = float(window_seconds)
        self.clock = clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._noticed: set[Hashable] = set()
        self._checks = 0

    @property
    def enabled(self) -> bool:
        return self.max_messages > 0 and self.window > 0

    def check(self, key: Hashable, age: float = 0.0) -> Verdict:
        """Count one message from `key`: "ok" to serve it, "notice" to say so once, "quiet" to drop it.
        `age`: seconds since the message was sent (its date). A message counts when it was sent, not
        when it is processed, so a backlog (the bot was down or busy) of calm questions is no flood."""
        if not self.enabled:
            return "ok"
        now = self.clock() - max(0.0, age)
        self._checks += 1
        if self._checks % 1024 == 0:
            self.prune(now)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        self._expire(hits, now)
        if len(hits) < self.max_messages:
            bisect.insort(
                hits, now
            )  # in order even if an older message is processed after a newer one
            self._noticed.discard(key)
            return "ok"
        if key in self._noticed:
            return "quiet"
        self._noticed.add(key)
        return "notice"

    def retry_in(self, key: Hashable) -> float:
        """Seconds until `key` may send again (0 when it may now)."""
        hits = self._hits.get(key)
        if not hits or len(hits) < self.max_messages:
            return 0.0
        return max(0.0, hits[0] + self.window - self.clock())

    def _expire(self, hits: deque[float], now: float) -> None:
        edge = now - self.window
        while hits and hits[0] <= edge:
            hits.popleft()

    def prune(self, now: float | None = None) -> None:
        """Forget users with nothing left in their window (keeps memory bounded)."""
        now = self.clock() if now is None else now
        for key in list(self._hits):
            hits = self._hits[key]
            self._expire(hits, now)
            if not hits:
                del self._hits[key]
                self._noticed.discard(key)

    def __len__(self) -> int:
        return len(self._hits)
