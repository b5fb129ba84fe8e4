"""Announcements without Telegram: typed times, a group's language, the audience and the version each
group gets, schedules that fire once, edit/delete rows that survive a crash, tags that follow a
group upgraded to a supergroup."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.telegram.announce import parse_when, utc_iso
from bot.telegram.handlers.announce import looks_like_time

HKT = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=HKT)


def subscribe(store, chat_id, lang="zh-Hant"):
    store.upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
    store.subscribe(chat_id, lang)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-03-16 09:00", datetime(2026, 3, 16, 9, 0, tzinfo=HKT)),
        ("2026-3-16T9:05", datetime(2026, 3, 16, 9, 5, tzinfo=HKT)),
        ("10:30", datetime(2026, 3, 15, 10, 30, tzinfo=HKT)),
        ("09:00", datetime(2026, 3, 16, 9, 0, tzinfo=HKT)),  # passed today: tomorrow's
        ("+30m", NOW + timedelta(minutes=30)),
        ("+ 2 hours", NOW + timedelta(hours=2)),
        ("+1d", NOW + timedelta(days=1)),
    ],
)
def test_typed_times_are_read_in_the_workers_time_zone(text, expected):
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize(
    "text", ["2026-02-30 09:00", "25:00", "tomorrow", "Seminar 2026-03-16 09:00", ""]
)
def test_anything_else_is_not_a_time(text):
    assert parse_when(text, NOW) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tomorrow 9am", True),
        ("16/3 9:00", True),
        ("明天上午九點", False),
        ("明天 9點", True),
        ("9.30pm", True),
        ("Seminar on 16 March at 10:00 in Kwun Tong", False),
        ("en: 10:00 tomorrow", False),
        ("Hello", False),
    ],
)
def test_a_short_reply_that_looks_like_a_time_is_not_taken_for_a_version(text, expected):
    assert looks_like_time(text) is expected


def test_a_groups_language_is_its_admins_choice_else_its_askers_majority_else_its_subscription(
    store,
):
    subscribe(store, -1, "en")
    subscribe(store, -2)
    assert store.group_langs([-1, -2]) == {-1: "en", -2: "zh-Hant"}
    for user, lang in ((1, "zh-Hans"), (2, "zh-Hans"), (3, "en"), (1, "zh-Hans")):
        store.note_asker(-2, user, lang)
    assert store.group_lang(-2) == "zh-Hans" and store.askers_lang(-2) == "zh-Hans"
    assert (
        store.db.execute("SELECT COUNT(*) FROM group_askers").fetchone()[0] == 3
    )  # one row per asker
    assert "1" not in {
        r[0] for r in store.db.execute("SELECT user_hash FROM group_askers")
    }  # never the raw id
    store.set_group_lang(-2, "en")
    assert store.group_lang(-2) == "en"
    store.set_group_lang(-2, None)
    assert store.group_lang(-2) == "zh-Hans"


def test_the_audience_and_each_groups_version_are_fixed_when_confirmed(store):
    for chat_id in (-1, -2, -3, -4):
        subscribe(store, chat_id)
    store.set_group_lang(-2, "en")
    store.set_group_lang(-3, "zh-Hans")
    store.add_tags(-1, ["care"])
    store.add_tags(-2, ["care", "night"])
    store.add_tags(-3, ["care"])
    assert store.tag_counts() == {"care": 3, "night": 1}
    bid = store.create_broadcast(9, 9, "en", html="中文")
    store.start_announcement(bid, "zh-Hant", False)
    assert store.add_version(bid, "en", html="English")
    assert not store.add_version(bid, "zh-Hant", html="again")  # the first version's language
    assert store.set_audience(bid, tags=["care"])
    assert store.audience(bid) == [-3, -2, -1]
    assert store.set_audience(bid, lang="en") and store.audience(bid) == [-2]
    store.set_audience(bid, tags=["care"])
    assert store.confirm_announcement(bid) == 3
    assert store.confirm_announcement(bid) is None  # a second press
    assert not store.set_audience(bid)  # no longer a draft
    assert {c: store.target_version(bid, c)["html"] for c in (-1, -2, -3)} == {
        -1: "中文",
        -2: "English",
        -3: "中文",
    }
    assert store.target_version(bid, -4) is None
    assert store.delivery_counts(bid)["pending"] == 3


def test_a_schedule_fires_once_and_a_cancelled_or_missed_one_never(store):
    subscribe(store, -1)
    ids = []
    for n in range(3):
        bid = store.create_broadcast(9, 9, "en", html=f"n{n}")
        store.start_announcement(bid, "zh-Hant", False)
        assert store.schedule_announcement(bid, utc_iso(NOW + timedelta(minutes=5 * n)))
        ids.append(bid)
    assert not store.schedule_announcement(ids[0], utc_iso(NOW))  # not a draft any more
    assert [a["id"] for a in store.due_announcements(utc_iso(NOW + timedelta(minutes=5)))] == ids[
        :2
    ]
    assert store.confirm_announcement(ids[0], scheduled=True) == 1
    assert store.confirm_announcement(ids[0], scheduled=True) is None
    assert store.cancel_scheduled(ids[1]) and not store.cancel_scheduled(ids[1])
    assert store.confirm_announcement(ids[1], scheduled=True) is None
    assert store.miss_scheduled(ids[2]) and store.broadcast(ids[2])["status"] == "missed"
    assert store.scheduled_announcements() == []


def test_edit_rows_interrupted_mid_call_are_done_again_after_a_restart(backend):
    store = backend.open()
    for chat_id in (-1, -2, -3):
        subscribe(store, chat_id)
    bid = store.create_broadcast(9, 9, "en", html="old")
    store.confirm_broadcast(bid)
    for n, chat_id in enumerate((-1, -2, -3)):
        store.finish_delivery(bid, chat_id, "sent", 100 + n)
    op = store.create_copy_op(bid, "edit", 9, 9, html="new")
    assert store.confirm_copy_op(op) == 3 and store.confirm_copy_op(op) is None
    assert store.claim_copy_row(op, -1) and not store.claim_copy_row(op, -1)
    store.finish_copy_row(op, -1, "done")
    assert store.claim_copy_row(op, -2)  # the crash comes now
    store.close()
    store = backend.open()
    assert store.recover_copy_ops() == 1
    assert [r["chat_id"] for r in store.pending_copy_rows(op)] == [-3, -2]
    assert store.copy_counts(op)["done"] == 1
    store.close()


def test_tags_language_and_targets_follow_a_group_upgraded_to_a_supergroup(store):
    subscribe(store, -5)
    store.add_tags(-5, ["care"])
    store.set_group_lang(-5, "en")
    store.migrate_chat(-5, -1005)
    assert store.tags_of(-1005) == ["care"] and store.tags_of(-5) == []
    assert store.group_lang(-1005) == "en"
