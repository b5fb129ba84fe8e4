"""What the bot remembers for a while about recent exchanges, in memory and bounded (issue 11):

    turns    per chat and user, the last few questions and what the bot said (staff see them with a
             hand-off item)
    owners   per sent message, the user whose question it answers (in groups, only they may use its
             buttons)
    replies  per question message, the bot's reply to it (an edited question edits that reply)

A restart forgets all three: turns are a courtesy to staff, a button with no known owner falls back
to the message it quotes, and an edit with no known reply is answered anew.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from bot.assistant import Answer

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MAX_TURNS = 4
MAX_KEYS = 20_000


class Bounded(Generic[K, V]):
    """A dict that forgets its oldest keys beyond `limit`."""

    def __init__(self, limit: int = MAX_KEYS) -> None:
        self.limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: Answer  # the engine's Answer; put in words only when staff need it (handoff.said)


@dataclass
class Recent:
    turns: Bounded[tuple[int, int], deque[Turn]]
    owners: Bounded[tuple[int, int], int]
    replies: Bounded[tuple[int, int], int]

    def add_turn(self, chat_id: int, user_id: int, question: str, answer: Answer) -> None:
        key = (int(chat_id), int(user_id))
        turns = self.turns.get(key)
        if turns is None:
            turns = deque(maxlen=MAX_TURNS)
        turns.append(Turn(question, answer))
        self.turns.put(key, turns)

    def last_turns(self, chat_id: int, user_id: int) -> list[Turn]:
        return list(self.turns.get((int(chat_id), int(user_id))) or ())


def recent(bot_data: MutableMapping[str, Any]) -> Recent:
    """The Application's memory of recent exchanges (made on first use)."""
    found = bot_data.get("recent")
    if not isinstance(found, Recent):
        found = bot_data["recent"] = Recent(Bounded(), Bounded(), Bounded())
    return found
