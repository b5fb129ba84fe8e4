"""Dated entries of the knowledge base against today: what is an event or a deadline, and when.

One place for the date windows: `dated` computes each entry's first and last day once, and both
/events (`timeline`, bot/telegram/render.py) and the reminders (`occasions`,
bot/telegram/reminders.py) read them, so the listing and the reminders never disagree. Today is always
passed in: the Assistant's clock, the Hong Kong date (bot.config.today_in), pinned in tests.

What is listed: real events (entries of type `event`) and deadlines (any other entry, not a report or
a figure, whose `when` ends on a stated day: the exemption period to 31 August 2028). Not listed: a
funding figure's year, a report's publication, a survey cycle, a planned institute ("計劃於2026年成立"):
they have dates, but nothing happens on them that a worker can attend or meet.

Dates in the knowledge files are partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD); a month starts on
its first day and ends on its last, so an event is past only when the whole of its last period is
before today ("2024-03" ends on 31 March 2024).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.kb.schema import Entry, first_day, last_day

if TYPE_CHECKING:
    from bot.kb.loader import KnowledgeBase

Kind = Literal["event", "deadline"]
State = Literal["upcoming", "open", "past"]
NOT_DATED_TYPES = frozenset(
    {"report", "figure"}
)  # their dates are publication dates and periods counted


def kind_of(entry: Entry) -> Kind | None:
    """An event, a deadline, or None for an entry whose date is not something to attend or meet."""
    when = entry.when
    if when is None:
        return None
    if entry.type == "event":
        return "event"
    if entry.type in NOT_DATED_TYPES:
        return None
    if when.end is not None and when.end != when.start and len(when.end) == 10:
        return "deadline"  # a period that ends on a stated day: the last day to act
    return None


@dataclass(frozen=True)
class Dated:
    entry: Entry
    kind: Kind
    start: date  # the first day of its first period
    end: date  # the last day of its last period

    def state(self, today: date) -> State:
        if self.end < today:
            return "past"
        if self.start > today:
            return "upcoming"
        return "open"


def dated(kb: KnowledgeBase) -> list[Dated]:
    """Every event and deadline of the knowledge base, in the files' order."""
    out: list[Dated] = []
    for entry in kb.entries.values():
        kind = kind_of(entry)
        if kind is None or entry.when is None:
            continue
        out.append(
            Dated(
                entry,
                kind,
                first_day(entry.when.start),
                last_day(entry.when.end or entry.when.start),
            )
        )
    return out


@dataclass(frozen=True)
class Timeline:
    """The dated entries seen from `today`."""

    deadlines: list[Dated]  # deadlines still open (or not yet open), the soonest end first
    upcoming: list[Dated]  # events that have not started, the soonest first
    ongoing: list[Dated]  # events on today, the soonest end first
    past: list[Dated]  # events and deadlines wholly before today, the latest first


def timeline(kb: KnowledgeBase, today: date) -> Timeline:
    items = dated(kb)
    deadlines = sorted(
        (d for d in items if d.kind == "deadline" and d.state(today) != "past"),
        key=lambda d: (d.end, d.entry.id),
    )
    upcoming = sorted(
        (d for d in items if d.kind == "event" and d.state(today) == "upcoming"),
        key=lambda d: (d.start, d.end, d.entry.id),
    )
    ongoing = sorted(
        (d for d in items if d.kind == "event" and d.state(today) == "open"),
        key=lambda d: (d.end, d.start, d.entry.id),
    )
    past = sorted(
        (d for d in items if d.state(today) == "past"),
        key=lambda d: (d.end, d.start, d.entry.id),
        reverse=True,
    )
    return Timeline(deadlines, upcoming, ongoing, past)


@dataclass(frozen=True)
class Occasion:
    """A day worth a reminder: an event's start, a deadline's opening or its last day."""

    entry: Entry
    kind: str  # start | end
    iso: str  # the date as written in the knowledge (YYYY-MM or YYYY-MM-DD)
    day: date  # the day it happens (first day of a month for a start, last day for an end)


def occasions(kb: KnowledgeBase) -> list[Occasion]:
    """Every remindable occasion of the events and deadlines, soonest first. A year alone is too vague
    to announce; a one-off event has no "ends" reminder. The days are the windows of `dated`."""
    found: list[Occasion] = []
    for item in dated(kb):
        when = item.entry.when
        assert when is not None  # dated() keeps only entries with a date
        if len(when.start) >= 7:
            found.append(Occasion(item.entry, "start", when.start, item.start))
        if item.kind == "deadline" and when.end and len(when.end) >= 7:
            found.append(Occasion(item.entry, "end", when.end, item.end))
    return sorted(found, key=lambda o: (o.day, o.entry.id, o.kind))
