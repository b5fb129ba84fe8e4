"""What a conversation remembers between turns, so that "咁幾時截止？" or "what about B2?" is read
against the last subject and the last ask.

A Conversation is small (a few short strings) and forgets after a while; front ends keep one per
private chat, and per user and forum topic in a group (`Conversations` below, or PTB's user data).
The engine reads and updates it; it never holds Telegram objects.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from bot.kb.text import Lang

DEFAULT_TTL = 30 * 60.0  # seconds a conversation is remembered after its last turn
MAX_TEXT = 120  # characters kept of a subject or an ask


@dataclass
class Conversation:
    subject: str = ""  # folded words naming the last subject ("安老服务业过往资历认可")
    ask: str = ""  # folded words of the last ask ("几时截止")
    entries: tuple[str, ...] = ()  # entry ids the last answer was about
    lang: Lang | None = None
    at: float = 0.0  # monotonic time of the last turn
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)
    ttl: float = DEFAULT_TTL

    @property
    def active(self) -> bool:
        return bool(self.subject or self.entries) and self.clock() - self.at <= self.ttl

    def clear(self) -> None:
        self.subject, self.ask, self.entries, self.at = "", "", (), 0.0

    def remember(
        self, subject: str, ask: str, entries: tuple[str, ...], lang: Lang | None
    ) -> None:
        self.subject, self.ask = subject[:MAX_TEXT], ask[:MAX_TEXT]
        self.entries, self.lang, self.at = entries[:3], lang, self.clock()


class Conversations:
    """Conversations by key (chat, user, topic), the least recently used forgotten past `limit`."""

    def __init__(
        self,
        limit: int = 20000,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: OrderedDict[Hashable, Conversation] = OrderedDict()
        self.limit, self.ttl, self.clock = limit, ttl, clock

    def get(self, key: Hashable) -> Conversation:
        conv = self._items.get(key)
        if conv is None or (conv.at and self.clock() - conv.at > self.ttl):
            conv = Conversation(clock=self.clock, ttl=self.ttl)
            self._items[key] = conv
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)
        return conv

    def __len__(self) -> int:
        return len(self._items)
