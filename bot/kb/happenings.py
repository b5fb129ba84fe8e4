"""Questions about events by time: "2023年7月搞咗咩活動？", "what QF events are coming up?".

A question that asks for events in a month or a year is answered with every event of the knowledge
base in that period, in date order. A question about what is coming is answered against today: the
documents list nothing after it (so far), and saying so, with the latest past events and the
deadlines still open, is the honest answer; a past event is never "upcoming".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.kb.dates import Dated, dated, timeline
from bot.kb.understand import MONTHS

if TYPE_CHECKING:
    from bot.kb.loader import KnowledgeBase

_EVENTS = re.compile(
    r"活动|盛事|搞咗咩|搞左咩|搞过咩|办过咩|举办咗|举行咗|\b(?:events?|activities|happened|happening|"
    r"what was on|what's on)\b"
)
_COMING = re.compile(
    r"即将|快将|将会|接下来|之后有|嚟紧|来紧|未来|最近|近期|\b(?:upcoming|coming up|coming|next|soon|"
    r"future|planned)\b"
)
_YEAR_MONTH = re.compile(
    r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月|((?:19|20)\d\d)-(\d{1,2})\b|"
    rf"\b({'|'.join(MONTHS)})\s+((?:19|20)\d\d)\b"
)
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)|\bin\s+((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class Happenings:
    kind: Literal["period", "coming"]
    items: list[Dated]  # the events of the period, or the latest past ones for "coming"
    period: str = ""  # ISO year or year-month asked about
    deadlines: tuple[Dated, ...] = ()  # deadlines still open, for "coming"


def _period(folded: str) -> tuple[date, date, str] | None:
    m = _YEAR_MONTH.search(folded)
    if m:
        if m.group(1):
            year, month = int(m.group(1)), int(m.group(2))
        elif m.group(3):
            year, month = int(m.group(3)), int(m.group(4))
        else:
            year, month = int(m.group(6)), MONTHS.index(m.group(5)) + 1
        if not 1 <= month <= 12:
            return None
        end = date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1
        return date(year, month, 1), date.fromordinal(end), f"{year:04d}-{month:02d}"
    m = _YEAR.search(folded)
    if m:
        year = int(m.group(1) or m.group(2))
        return date(year, 1, 1), date(year, 12, 31), f"{year:04d}"
    return None


def happenings(kb: KnowledgeBase, folded: str, today: date, limit: int = 5) -> Happenings | None:
    """Events by time, when the (folded) question asks for them; None for any other question."""
    if not _EVENTS.search(folded):
        return None
    period = _period(folded)
    if period is not None:
        start, end, label = period
        found = sorted(
            (d for d in dated(kb) if d.kind == "event" and d.start <= end and d.end >= start),
            key=lambda d: (d.start, d.end, d.entry.id),
        )
        return Happenings("period", found[:limit], label) if found else None
    if _COMING.search(folded):
        line = timeline(kb, today)
        if line.upcoming or line.ongoing:
            return Happenings(
                "coming", [*line.ongoing, *line.upcoming][:limit], deadlines=tuple(line.deadlines)
            )
        past_events = [d for d in line.past if d.kind == "event"]
        return Happenings("coming", past_events[:3], deadlines=tuple(line.deadlines))
    return None
