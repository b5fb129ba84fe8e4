"""What the engine reads in each entry's own words, worked out once: when the index is built.

Folding an entry (OpenCC over its whole text), dropping its "the document does not give …" clauses
and finding which kinds of fact its sample questions ask cost about a millisecond per entry. Done
when an answer first touched the entry, that millisecond fell on some worker's question; the index
stores the readings, so a fresh bot reads them instead. An index built by other reading code (its
CODE differs) is rebuilt on open; until then, readings are worked out on first use as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.kb.asks import stated
from bot.kb.schema import Entry
from bot.kb.text import fold, fold_whole
from bot.kb.understand import ASK_CUES, sectors_named


@dataclass(frozen=True)
class Reading:
    text: str  # the stated answer, both languages, folded whole
    named_text: str  # names, aliases and the whole answer, folded: where a name may be mentioned
    names: tuple[str, ...]  # titles and aliases, folded and compact, longest first
    asks: Mapping[str, float]  # the share of the sample questions asking each kind of fact
    sectors: frozenset[str]  # the trades its names and whole answer name (understand.SECTORS)
    own_sectors: frozenset[str]  # the trades its stated answer names

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "named_text": self.named_text,
            "names": list(self.names),
            "asks": dict(self.asks),
            "sectors": sorted(self.sectors),
            "own_sectors": sorted(self.own_sectors),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reading:
        return cls(
            data["text"],
            data["named_text"],
            tuple(data["names"]),
            data["asks"],
            frozenset(data["sectors"]),
            frozenset(data["own_sectors"]),
        )


def read(entry: Entry) -> Reading:
    questions = [fold(q) for q in entry.questions.all()]
    n = max(1, len(questions))
    asks = {kind: sum(1 for q in questions if cue.search(q)) / n for kind, cue in ASK_CUES.items()}
    # Longest first; names of one length alphabetically, so that every process reads them alike.
    names = sorted(
        {fold(n).replace(" ", "") for n in [entry.title.zh, entry.title.en, *entry.aliases]},
        key=lambda n: (-len(n), n),
    )
    text = fold_whole(stated(f"{entry.answer.zh} {entry.answer.en}"))
    named_text = fold_whole(
        " ".join(
            [entry.title.zh, entry.title.en, *entry.aliases, entry.answer.zh, entry.answer.en]
        )
    )
    return Reading(
        text=text,
        named_text=named_text,
        names=tuple(names),
        asks={kind: share for kind, share in asks.items() if share},
        sectors=frozenset(sectors_named(named_text)),
        own_sectors=frozenset(sectors_named(text)),
    )


@cache
def code() -> str:
    """A hash of the code that reads entries: readings stored by other code are not used."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("readings.py", "asks.py", "understand.py", "text.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


class Readings:
    """Each entry's reading: the index's where it has one, else worked out on first use."""

    def __init__(self, stored: Mapping[str, Reading] | None = None) -> None:
        self._got: dict[str, Reading] = dict(stored or {})

    def of(self, entry: Entry) -> Reading:
        got = self._got.get(entry.id)
        if got is None:
            got = self._got[entry.id] = read(entry)
        return got
