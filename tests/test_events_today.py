"""Events that know today, on the real knowledge base with today pinned at 2026-11-30 (Hong Kong).

/events and the reminders read the same windows (bot/kb/dates.py): only real events and deadlines,
deadlines still open first, nothing before today called upcoming or open, past ones in the past tense
with their date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.kb import dates
from bot.kb.dates import occasions
from bot.kb.loader import KnowledgeBase
from bot.kb.schema import Entry
from bot.kb.text import Lang
from bot.telegram import render
from bot.telegram.reminders import due
from tests.fakes.messages import visible as plain
from tests.helpers import real_knowledge

TODAY = date(2026, 11, 30)
HKT = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return real_knowledge()


@dataclass
class Reader:
    """What render.events needs of the Assistant: the knowledge and entry titles."""

    kb: KnowledgeBase

    def title(self, entry: Entry, lang: Lang) -> str:
        return entry.title.text(lang)


def test_only_events_and_deadlines_are_dated(kb):
    kinds = {d.entry.id: d.kind for d in dates.dated(kb)}
    assert kinds["rpl-elderly-care-exemption"] == "deadline"
    assert kinds["vmvrs-rpl-launch"] == "event"
    for not_an_event in (
        "innovation-technology-fund",
        "itf-sector-shares",
        "am-job-ads-total",  # funding and figures
        "am-manpower-update-2026",
        "qf-newsletter-2024-01",
        "smart-city-blueprint-2",  # reports
        "am-manpower-survey-cycle",
        "am-desk-research",  # a survey cycle, a research period
        "am-hk-ai-rd-institute",
    ):  # planned for 2026: not running, not an event
        assert not_an_event not in kinds, not_an_event
    assert all(d.entry.type == "event" for d in dates.dated(kb) if d.kind == "event")


def test_nothing_before_today_is_upcoming_or_open(kb):
    line = dates.timeline(kb, TODAY)
    for item in line.upcoming:
        assert item.start > TODAY, item.entry.id
    for item in line.ongoing + line.deadlines:
        assert item.end >= TODAY, item.entry.id
    for item in line.past:
        assert item.end < TODAY, item.entry.id
    assert line.upcoming == [] and line.ongoing == []  # the documents list nothing after today
    assert [d.entry.id for d in line.deadlines] == ["rpl-elderly-care-exemption"]
    assert (
        line.past[0].entry.id == "am-focus-group-2025"
    )  # the latest past one first (8 December 2025)


@pytest.mark.parametrize(
    "lang, deadlines, closes, none_ahead, held, upcoming_words",
    [
        (
            "zh-Hant",
            "截止日期未過",
            "截止：2028年8月31日",
            "資料中沒有即將舉行的活動。",
            "已於2025年12月8日舉行",
            "即將舉行",
        ),
        (
            "en",
            "Deadlines still open",
            "Closes 31 August 2028",
            "The documents list no upcoming events.",
            "Held 8 December 2025",
            "Upcoming",
        ),
    ],
)
def test_events_listing_on_30_november_2026(
    kb, lang, deadlines, closes, none_ahead, held, upcoming_words
):
    reply = render.events(Reader(kb), TODAY, lang)  # type: ignore[arg-type]
    text = plain(reply.parts[0])
    # The exemption period, the one deadline a worker needs, comes first.
    assert text.index(deadlines) < text.index(closes) < text.index(upcoming_words)
    assert none_ahead in text
    assert held in text
    # Nothing listed under "upcoming" or "now on"; no figure, report, survey or plan at all.
    assert "Now on" not in text and "進行中" not in text
    for absent in (
        "12,161",
        "HK$17.9",
        "3,862",
        "Manpower Update Report",
        "人力更新報告",
        "AI R&D Institute",
        "人工智能研發院",
    ):
        assert absent not in text, absent
    # Every past line is in the past tense, with its date; the only other line is the open deadline.
    bullets = [b for b in text.splitlines() if b.startswith("•")]
    assert bullets[0].startswith(
        ("• 2023年9月1日至2028年8月31日", "• 1 September 2023 to 31 August 2028")
    )
    assert bullets[1:] and all(
        b.startswith(("• 已於", "• Held ", "• Closed ")) for b in bullets[1:]
    )
    assert all(re.search(r"\d{4}", b) for b in bullets)
    assert reply.markup is not None
    data = [str(b.callback_data) for row in reply.markup.inline_keyboard for b in row]
    assert data[0].endswith(":rpl-elderly-care-exemption")
    assert data[-1] == render.cb_events(lang, 0)  # "另有 N 項較早的活動" opens


def test_older_events_pages_cover_every_past_event_once(kb):
    line = dates.timeline(kb, TODAY)
    older = line.past[render.MAX_PAST :]
    seen: list[str] = []
    page = 0
    while True:
        reply = render.older_events(Reader(kb), TODAY, "en", page)  # type: ignore[arg-type]
        assert reply.markup is not None
        data = [str(b.callback_data) for row in reply.markup.inline_keyboard for b in row]
        seen += [d.split(":", 2)[2] for d in data if d.startswith("e:")]
        assert all(
            line.startswith("• Held ") or line.startswith("• Closed ")
            for line in plain(reply.parts[0]).splitlines()
            if line.startswith("•")
        )
        if render.cb_events("en", page + 1) not in data:
            break
        page += 1
    assert seen == [d.entry.id for d in older]


def test_reminders_use_the_same_windows(kb):
    found = {(o.entry.id, o.kind) for o in occasions(kb)}
    listed = {d.entry.id for d in dates.dated(kb)}
    assert {entry for entry, _ in found} <= listed  # nothing reminded that /events would not list
    assert ("rpl-elderly-care-exemption", "end") in found
    # On 30 November 2026 nothing is due; a week before the exemption ends, its end is.
    assert due(kb, datetime(2026, 11, 30, 12, tzinfo=HKT), 7, 10) == []
    assert [
        (o.entry.id, o.kind) for o in due(kb, datetime(2028, 8, 24, 10, tzinfo=HKT), 7, 10)
    ] == [("rpl-elderly-care-exemption", "end")]
