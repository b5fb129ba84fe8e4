"""Admin operations without Telegram: subscription and delivery state, crash recovery, the pacer,
which reminders are due when, statistics and the CSV export, the admin catalog."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.kb.dates import occasions
from bot.store import Store
from bot.store.migrations import MIGRATIONS
from bot.telegram import admin_render
from bot.telegram.broadcast import Pacer
from bot.telegram.reminders import due, reminder_html

HKT = timezone(timedelta(hours=8))


def groups(store: Store, ids, lang="zh-Hant"):
    for chat_id in ids:
        store.upsert_chat(chat_id, "supergroup", f"Group {chat_id}")
        store.subscribe(chat_id, lang)


# -- state ---------------------------------------------------------------------------------------------


def test_migration_2_adds_the_admin_tables(store):
    assert store.version == len(MIGRATIONS) >= 2
    assert {
        "subscriptions",
        "broadcasts",
        "deliveries",
        "reminders_sent",
        "inbox",
    } <= store.backend.table_names()


def test_subscriptions(store):
    groups(store, [-1, -2])
    assert store.subscribe(-1, "en") is False  # already active
    assert store.subscription(-1)["lang"] == "en"
    assert store.set_reminders(-2, False) and not store.set_reminders(-3, False)
    assert [g["chat_id"] for g in store.subscriptions(reminders=True)] == [-1]
    store.deactivate_group(-1, "Forbidden: bot was kicked")
    assert [g["chat_id"] for g in store.subscriptions()] == [-2]
    assert store.chat(-1)["status"] == "kicked"
    assert store.subscribe(-1, "en") is True  # /subscribe again reactivates
    assert store.unsubscribe(-2) and not store.unsubscribe(-2)
    assert [g["title"] for g in store.subscriptions(active=None)] == ["Group -1"]


def test_subscription_follows_a_group_upgraded_to_a_supergroup(store):
    store.upsert_chat(-4001, "group", "Workers")
    store.subscribe(-4001, "en")
    store.set_reminders(-4001, False)
    store.migrate_chat(-4001, -1004001)
    assert store.subscription(-4001) is None
    moved = store.subscription(-1004001)
    assert moved["lang"] == "en" and moved["reminders"] == 0 and moved["active"] == 1


def test_confirm_commits_one_delivery_per_active_group_once(store):
    groups(store, [-1, -2, -3])
    store.deactivate_group(-3, "blocked")
    draft = store.create_broadcast(9, 9, "en", html="hi")
    assert store.broadcast(draft)["status"] == "draft"
    assert store.confirm_broadcast(draft, 55) == 2
    assert store.confirm_broadcast(draft, 55) is None  # a second Confirm press
    assert not store.cancel_broadcast(draft)
    b = store.broadcast(draft)
    assert b["status"] == "sending" and b["total"] == 2 and b["progress_message_id"] == 55
    assert store.pending_deliveries(draft) == [-2, -1]
    other = store.create_broadcast(9, 9, "en", html="bye")
    assert store.cancel_broadcast(other) and store.confirm_broadcast(other) is None
    assert [r["id"] for r in store.broadcasts_to_send()] == [draft]


def test_a_row_is_claimed_once_and_interrupted_claims_are_never_resent(backend):
    store = backend.open()
    groups(store, [-1, -2, -3])
    bid = store.create_broadcast(9, 9, "en", html="hi")
    store.confirm_broadcast(bid)
    assert store.claim_delivery(bid, -1) and not store.claim_delivery(bid, -1)
    store.finish_delivery(bid, -1, "sent", 10)
    assert store.claim_delivery(bid, -2)  # then the process dies before the mark
    store.close()

    store = backend.open()  # restart
    assert store.recover_interrupted() == 1
    counts = store.delivery_counts(bid)
    assert counts["sent"] == 1 and counts["uncertain"] == 1 and counts["pending"] == 1
    assert store.pending_deliveries(bid) == [-3]
    assert not store.claim_delivery(bid, -2)
    delivery = store.delivery(bid, -1)
    assert delivery is not None and delivery["message_id"] == 10
    store.close()


def test_reminder_claims(store):
    assert store.claim_reminder("forum", "start", "2031-05-10", -1)
    assert not store.claim_reminder("forum", "start", "2031-05-10", -1)
    assert store.claim_reminder(
        "forum", "start", "2031-05-17", -1
    )  # the date moved: a new reminder
    store.release_reminder("forum", "start", "2031-05-17", -1)
    assert store.claim_reminder("forum", "start", "2031-05-17", -1)
    store.finish_reminder("forum", "start", "2031-05-10", -1, "sent", 5)
    assert store.recover_interrupted() == 1  # the 17th was still attempting
    assert {r["status"] for r in store.reminders_sent()} == {"sent", "uncertain"}


def test_inbox(store):
    qid = store.log_query(42, "private", "en", "Who do I call?", False, kind="decline")
    assert store.query(qid)["user_hash"] == store.hash_user(42)
    item = store.open_inbox(qid, 42, 7, "en", "Who do I call?", -100)
    assert item is not None and store.open_inbox(qid, 42, 7, "en", "again", -100) is None
    store.set_inbox_message(item, 99)
    assert store.inbox_by_admin_message(-100, 99)["id"] == item
    store.inbox_answered(item)
    store.inbox_answered(item)
    assert (
        store.inbox_item(item)["answers"] == 2 and store.inbox_item(item)["status"] == "answered"
    )


# -- pacing --------------------------------------------------------------------------------------------


async def test_pacer_spaces_requests_and_limits_each_group():
    now = [0.0]
    waits: list[float] = []

    async def time_passes(seconds: float) -> None:  # the pacer's sleep: the fake clock moves on
        waits.append(seconds)
        now[0] += seconds

    pacer = Pacer(10, per_group=3, group_window=60, clock=lambda: now[0], sleep=time_passes)
    for chat in (-1, -2, -3, -4):
        await pacer.acquire(chat)
    assert now[0] == pytest.approx(0.3)  # 4 requests at 10/s: the first at once
    for _ in range(3):
        await pacer.acquire(-9)
    assert now[0] < 1
    await pacer.acquire(-9)  # a fourth message to one group waits for the window
    assert now[0] >= 60
    await pacer.acquire(42)  # private chats have no per-group limit
    unpaced = Pacer(0, per_group=0)
    start = asyncio.get_running_loop().time()
    for i in range(100):
        await unpaced.acquire(-1 if i % 2 else -2)
    assert asyncio.get_running_loop().time() - start < 0.1


async def test_pacer_rate_is_accurate():
    pacer = Pacer(200, per_group=0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.gather(*(pacer.acquire(-i) for i in range(101)))
    assert 0.45 <= loop.time() - start <= 0.75  # 100 intervals of 5 ms


# -- reminders -----------------------------------------------------------------------------------------


def test_occasions_and_when_they_are_due(tg_assistant):
    kb = tg_assistant.kb
    found = {(o.entry.id, o.kind): o.day for o in occasions(kb)}
    assert found[("qf-forum-2031", "start")] == date(2031, 5, 10)
    assert ("qf-forum-2031", "end") not in found  # a two-day event has no "ends" reminder
    assert found[("rpl-elderly-care-exemption", "end")] == date(2028, 8, 31)  # a deadline
    assert found[("qf-month-2026", "start")] == date(2026, 3, 1)  # month precision: its first day

    def due_ids(when: datetime) -> set[str]:
        return {f"{o.entry.id}/{o.kind}" for o in due(kb, when, 7, 10)}

    assert "qf-forum-2031/start" not in due_ids(datetime(2031, 5, 3, 9, 59, tzinfo=HKT))
    assert "qf-forum-2031/start" in due_ids(datetime(2031, 5, 3, 10, 0, tzinfo=HKT))
    assert "qf-forum-2031/start" in due_ids(
        datetime(2031, 5, 10, 23, 0, tzinfo=HKT)
    )  # late, but still in time
    assert "qf-forum-2031/start" not in due_ids(
        datetime(2031, 5, 11, 0, 1, tzinfo=HKT)
    )  # past: never
    assert due_ids(datetime(2028, 8, 24, 10, 0, tzinfo=HKT)) == {"rpl-elderly-care-exemption/end"}


def test_reminder_text_in_each_language(tg_assistant):
    kb = tg_assistant.kb
    forum = next(o for o in occasions(kb) if o.entry.id == "qf-forum-2031")
    html, markup = reminder_html(tg_assistant, forum, "zh-Hant", date(2031, 5, 3))
    assert html.startswith("📅 提提你：「資歷架構論壇2031」將於2031年5月10日舉行。（還有 7 日）")
    assert markup.inline_keyboard[0][0].callback_data == "e:t:qf-forum-2031"
    html, _ = reminder_html(tg_assistant, forum, "en", date(2031, 5, 9))
    assert html.startswith("📅 Reminder: “QF Forum 2031” takes place on 10 May 2031. (tomorrow)")
    deadline = next(o for o in occasions(kb) if o.kind == "end")
    html, markup = reminder_html(tg_assistant, deadline, "zh-Hans", date(2028, 8, 31))
    assert "将于2028年8月31日结束" in html and "（即今天）" in html
    assert markup.inline_keyboard[0][0].callback_data == f"e:s:{deadline.entry.id}"


# -- stats and export --------------------------------------------------------------------------------------


def test_stats_per_local_day_language_and_unanswered(backend):
    clock = ["2026-03-14T15:59:00+00:00"]  # 23:59 in Hong Kong, 14 March
    store = backend.open(now=lambda: clock[0])
    store.log_query(1, "private", "zh-Hant", "免試期幾時完？", True, ["x"], 0.9, "answer")
    clock[0] = "2026-03-14T16:01:00+00:00"  # 00:01 on 15 March in Hong Kong
    store.log_query(1, "private", "zh-Hant", "今日天氣點呀？", False, kind="decline")
    store.log_query(2, "supergroup", "en", "  Weather? ", False, kind="decline")
    store.log_query(3, "private", "en", "weather?", False, kind="decline")
    store.log_query(3, "private", "en", "[button] x", True, ["x"], 1.0, "button")  # not a question
    store.log_query(3, "private", "en", "", False, kind="empty")  # not a question
    figures = store.stats(date(2026, 3, 15), days=2, utc_offset_minutes=480)
    assert figures.questions == 4 and figures.answered == 1 and figures.users == 3
    assert figures.per_day == [("2026-03-14", 1, 1), ("2026-03-15", 3, 0)]
    assert figures.per_lang == [("en", 2, 0), ("zh-Hant", 2, 1)]
    assert figures.unanswered[0] == ("Weather?", 2) and figures.unanswered[1] == (
        "今日天氣點呀？",
        1,
    )
    assert figures.answer_rate == 0.25
    text = admin_render.stats(figures, "en").text
    assert "4 questions from 3 users; 1 answered (25%)." in text and "Weather? ×2" in text

    out = io.StringIO()
    assert store.export_queries(out) == 6
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["user_hash"] == store.hash_user(1) and "user_id" not in rows[0]
    assert all(str(uid) not in {r["user_hash"] for r in rows} for uid in (1, 2, 3))
    since = io.StringIO()
    assert store.export_queries(since, "2026-03-14T16:00") == 5
    store.log_query(4, "private", "en", '=HYPERLINK("http://x")', False, kind="decline")
    formula = io.StringIO()
    store.export_queries(formula)
    assert list(csv.DictReader(io.StringIO(formula.getvalue())))[-1]["text"].startswith(
        "'="
    )  # never run as a formula
    store.close()


def test_buttons_checks_and_votes_are_counted_apart_from_questions(backend):
    store = backend.open(now=lambda: "2026-03-15T02:00:00+00:00")
    liked = store.log_query(1, "private", "en", "What is VPES?", True, ["vpes"], 0.9, "answer")
    disliked = store.log_query(2, "private", "en", "Where is VPES?", True, ["vpes"], 0.8, "answer")
    store.log_query(1, "private", "en", "[button] x", True, ["x"], 1.0, "button")
    store.log_query(1, "private", "en", "/check", True, [], 0.0, "check")
    assert store.set_feedback(liked, store.hash_user(1), -1) and store.set_feedback(
        liked, store.hash_user(1), 1
    )
    assert store.set_feedback(disliked, store.hash_user(2), -1)
    assert not store.set_feedback(
        liked, store.hash_user(2), -1
    )  # only the asker votes on their question
    figures = store.stats(date(2026, 3, 15), days=1, utc_offset_minutes=480)
    assert (figures.questions, figures.buttons, figures.checks) == (2, 1, 1)
    assert (figures.helpful, figures.unhelpful) == (1, 1)
    out = io.StringIO()
    store.export_queries(out)
    assert [r["feedback"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == [
        "1",
        "-1",
        "",
        "",
    ]
    store.close()


def test_reload_report_lists_the_first_errors_with_file_entry_and_field_in_one_message():
    from bot.assistant import ReloadReport
    from bot.kb.loader import KnowledgeError

    errors = [
        KnowledgeError("rpl.yaml", f"e{i}", "answer.zh", "field required <x>") for i in range(300)
    ]
    parts = admin_render.reload_report(ReloadReport(False, errors), "en").parts
    assert len(parts) == 1 and len(parts[0]) <= 3800  # one message, however many errors (issue 15)
    text = parts[0]
    shown = text.count("rpl.yaml · entry e")
    assert (
        shown == 15 and "rpl.yaml · entry e0 · field answer.zh: field required &lt;x&gt;" in text
    )
    assert text.endswith(f"… and {300 - shown} more (run `bot.py check-knowledge`)")
    few = admin_render.reload_report(ReloadReport(False, errors[:2]), "en").parts[0]
    assert few.count("rpl.yaml · entry e") == 2 and "more (run" not in few
    ok = admin_render.reload_report(
        ReloadReport(True, [], ["a"], ["b", "c"], [], 12), "zh-Hant"
    ).text
    assert "共 12 項。新增 1 項、修改 2 項、刪除 0 項" in ok and "修改：b, c" in ok


def test_export_queries_command_writes_a_csv(tmp_path, capsys):
    import argparse

    from bot.cli import build_parser, cmd_export_queries
    from bot.config import Config

    config = Config(env={"DATA_DIR": str(tmp_path)}, dotenv=None)
    assert (
        cmd_export_queries(config, argparse.Namespace(out="-", since=None)) == 1
    )  # no database yet
    store = Store.open(config.state_path)
    store.log_query(123456789, "private", "en", 'hello, "world"', False, kind="decline")
    store.close()
    out = tmp_path / "q.csv"
    args = build_parser().parse_args(["export-queries", "--out", str(out)])
    assert args.func(config, args) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["text"] == 'hello, "world"' and rows[0]["answered"] == "0"
    assert "123456789" not in out.read_text(encoding="utf-8")
    assert "1 queries written" in capsys.readouterr().err
