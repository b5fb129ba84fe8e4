"""The bot's pure parts: callback data, HTML rendering and splitting, listings, flood gate, the
per-chat update processor and the rate limiter's retries (no HTTP here)."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import lang_from_code
from bot.kb import listing
from bot.kb.dates import timeline
from bot.kb.schema import first_day, last_day
from bot.telegram import render
from bot.telegram.flood import FloodGate
from tests.conftest import TG_TODAY, FakeClock

ID_CHARS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=2, max_size=200)


# -- callback data -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(ID_CHARS, st.sampled_from(["zh-Hant", "zh-Hans", "en"]), st.integers(0, 10_000))
def test_callback_data_always_fits_and_round_trips(entry_id, lang, page):
    for data in (render.cb_entry(entry_id, lang), render.cb_page(entry_id, page, lang)):
        assert len(data.encode()) <= 64
        parsed = render.parse_callback(data)
        assert parsed is not None and parsed.lang == lang
        assert render.resolve(parsed.ref, ["other", entry_id]) == entry_id
        if parsed.kind == "page":
            assert parsed.page == page


def test_real_entry_ids_fit_without_hashing(tg_assistant):
    for entry_id in tg_assistant.kb.entries:
        assert render.cb_entry(entry_id, "zh-Hant") == f"e:t:{entry_id}"


@pytest.mark.parametrize(
    "data", [None, "", "e", "e:x:id", "e:t:", "p:t:rpl", "p:t:rpl:one", "lang:fr", "t:q", "zzz"]
)
def test_foreign_callback_data_is_rejected(data):
    assert render.parse_callback(data) is None


def test_known_callback_data():
    assert render.parse_callback("x") == render.Callback("noop")
    assert render.parse_callback("lang:auto") == render.Callback("lang", code="auto")
    assert render.parse_callback("t:s") == render.Callback("topics", "zh-Hans")
    assert render.resolve("gone", ["a"]) is None and render.resolve("#deadbeef0000", ["a"]) is None


# -- rendering -------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=9000))
def test_html_parts_escape_everything_and_stay_under_the_limit(text):
    parts = render.html_parts([("b", "T<i>"), ("", text), ("i", "src & <x>")])
    for part in parts:
        assert len(part) <= render.MAX_TEXT + 20
        stripped = re.sub(r"</?[bi]>", "", part)
        assert "<" not in stripped and ">" not in stripped  # only our own tags are markup
    joined = html.unescape(re.sub(r"</?[bi]>", "", "\n\n".join(parts)))
    assert joined.replace("\n", "").replace(" ", "") == ("T<i>" + text + "src & <x>").replace(
        "\n", ""
    ).replace(" ", "")


def test_split_text_prefers_paragraphs():
    text = "\n\n".join(["a" * 100] * 10)
    pieces = render.split_text(text, limit=350)
    assert all(len(p) <= 350 for p in pieces) and all(set(p) <= {"a", "\n"} for p in pieces)
    assert "".join(pieces).count("a") == 1000
    assert render.split_text("x" * 1000, limit=300) == ["x" * 300] * 3 + ["x" * 100]


def test_answer_rendering_per_kind(tg_assistant):
    answer = render.answer(
        tg_assistant.answer("When does the exemption period end?"), tg_assistant
    )
    assert answer.parts[0].startswith("<b>Five-year exemption period</b>\n\n")
    assert "<i>Source: Qualifications Framework newsletter (January 2024)</i>" in answer.parts[0]
    assert answer.parts[0].endswith("Related:")
    empty = render.answer(tg_assistant.answer("   "), tg_assistant)
    assert empty.markup is None and "Please type" in empty.text


def test_a_fee_question_is_declined_with_a_button_for_what_the_documents_do_say(tg_assistant):
    ans = tg_assistant.answer("How much is the fee for the elderly care RPL exemption period?")
    assert not ans.answered and "don't give fees or costs" in ans.text
    reply = render.answer(ans, tg_assistant)
    assert reply.markup is not None
    assert [b.callback_data for row in reply.markup.inline_keyboard for b in row] == [
        f"e:e:{ans.choices[0].id}"
    ]


def test_answer_buttons_never_repeat_the_answered_entry(tg_assistant):
    ans = tg_assistant.answer("車輛維修技工註冊")
    reply = render.answer(ans, tg_assistant)
    assert reply.markup is not None
    data = [b.callback_data for row in reply.markup.inline_keyboard for b in row]
    assert f"e:t:{ans.entries[0]}" not in data and len(data) == len(set(data))


def test_long_lists_are_split_into_parts(tg_assistant):
    parts = render.pack(["x" * 2000, "y" * 2000, "z" * 10])
    assert parts == ["x" * 2000, "y" * 2000 + "\n\n" + "z" * 10]


def test_command_descriptions_exist_in_both_languages():
    for group in (False, True):
        for lang in ("zh-Hant", "zh-Hans", "en"):
            assert all(desc for _, desc in render.command_list(lang, group))


# -- listings ---------------------------------------------------------------------------------------------


def test_partial_dates_span_their_period():
    assert first_day("2024") == date(2024, 1, 1) and last_day("2024") == date(2024, 12, 31)
    assert last_day("2024-02") == date(2024, 2, 29) and last_day("2023-02") == date(2023, 2, 28)
    assert last_day("2024-03-05") == date(2024, 3, 5)


def test_events_are_split_around_today(tg_assistant):
    line = timeline(tg_assistant.kb, TG_TODAY)
    assert [e.entry.id for e in line.deadlines] == [
        "rpl-elderly-care-exemption"
    ]  # open until 31 August 2028
    assert [e.entry.id for e in line.upcoming] == ["qf-forum-2031"]
    assert [e.entry.id for e in line.ongoing] == ["qf-month-2026"]
    assert [e.entry.id for e in line.past] == ["qf-expo-2020"]
    line = timeline(tg_assistant.kb, date(2026, 4, 1))
    assert "qf-month-2026" in [e.entry.id for e in line.past]
    line = timeline(tg_assistant.kb, date(2020, 1, 1))
    assert [e.entry.id for e in line.upcoming][:1] == ["qf-expo-2020"]
    assert [e.entry.id for e in line.deadlines] == [
        "rpl-elderly-care-exemption"
    ]  # not open yet: still ahead
    line = timeline(tg_assistant.kb, date(2028, 9, 1))
    assert line.deadlines == [] and "rpl-elderly-care-exemption" in [e.entry.id for e in line.past]


def test_topic_pages(tg_assistant):
    entries = listing.entries_in_topic(tg_assistant.kb, "rpl")
    assert [e.id for e in entries] == [
        "rpl-elderly-care",
        "rpl-elderly-care-exemption",
    ]  # parent, then child
    assert listing.paginate(list(range(13)), 5) == ([12], 2, 3)  # past the end: the last page
    assert listing.paginate(list(range(13)), 1, size=6) == ([6, 7, 8, 9, 10, 11], 1, 3)
    assert listing.paginate([], 0) == ([], 0, 1)


def test_examples_use_the_readers_form(tg_assistant):
    kb = tg_assistant.kb
    assert all(q.isascii() for _, q in listing.example_questions(kb, "en"))
    zh = listing.example_questions(kb, "zh-Hant")
    assert len(zh) == 3 and len({eid for eid, _ in zh}) == 3


@pytest.mark.parametrize(
    "code, lang",
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("zh-hk", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-hans", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh", "zh-Hant"),
        ("fr", None),
        (None, None),
        ("", None),
    ],
)
def test_language_from_telegram_client(code, lang):
    assert lang_from_code(code) == lang


# -- flood gate -------------------------------------------------------------------------------------------


def test_flood_gate_notice_once_then_quiet_until_a_slot_frees():
    clock = FakeClock(0)
    gate = FloodGate(3, 10, clock)
    assert [gate.check("u") for _ in range(3)] == ["ok"] * 3
    assert (
        gate.check("u") == "notice" and gate.check("u") == "quiet" and gate.check("u") == "quiet"
    )
    assert gate.check("v") == "ok"  # per user
    assert gate.retry_in("u") == pytest.approx(10)
    clock.advance(10.01)
    assert gate.check("u") == "ok" and gate.check("u") == "ok" and gate.check("u") == "ok"
    assert gate.check("u") == "notice"  # a fresh notice after a served message
    clock.advance(100)
    gate.prune()
    assert len(gate) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 5), max_size=60), st.integers(1, 5), st.floats(1, 20))
def test_flood_gate_never_serves_more_than_the_limit_per_window(gaps, limit, window):
    clock = FakeClock(0)
    gate = FloodGate(limit, window, clock)
    served: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        if gate.check("u") == "ok":
            served.append(clock.now)
    for i, t in enumerate(served):
        assert sum(1 for s in served[: i + 1] if s > t - window) <= limit


def test_disabled_flood_gate():
    gate = FloodGate(0, 30)
    assert all(gate.check(1) == "ok" for _ in range(100))


# -- concurrency and retries ------------------------------------------------------------------------------


async def test_per_chat_processor_orders_within_a_chat_and_overlaps_across_chats():
    from telegram import Chat, Message, Update

    from bot.telegram.app import PerChatUpdateProcessor

    processor = PerChatUpdateProcessor(16)
    log: list[str] = []

    def update(uid: int, chat_id: int) -> Update:
        chat = Chat(chat_id, "private")
        return Update(uid, message=Message(uid, date=None, chat=chat))  # type: ignore[arg-type]

    b1_done = asyncio.Event()

    async def work(name: str, until: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if until is not None:  # a slow update: busy until the other chat's update is done
            await asyncio.wait_for(until.wait(), 5)
        log.append(f"end {name}")
        if name == "b1":
            b1_done.set()

    await asyncio.gather(
        processor.process_update(update(1, 10), work("a1", until=b1_done)),
        processor.process_update(update(2, 10), work("a2")),
        processor.process_update(update(3, 20), work("b1")),
    )
    assert log.index("end a1") < log.index("start a2")  # same chat: in order
    assert log.index("end b1") < log.index("end a1")  # other chat: not held up
    assert not processor._locks and not processor._waiting


async def test_rate_limiter_retries_server_errors_but_not_client_errors_or_timeouts():
    from telegram.error import BadRequest, NetworkError, TimedOut

    from bot.telegram.app import RetryingRateLimiter

    limiter = RetryingRateLimiter(network_retries=2, backoff=0.001)
    attempts: list[int] = []

    def flaky(errors):
        async def call():
            attempts.append(1)
            if errors:
                raise errors.pop(0)
            return {"ok": True}

        return call

    async def run(errors):
        attempts.clear()
        return await limiter.process_request(
            flaky(list(errors)), (), {}, "sendMessage", {"chat_id": 1}, None
        )

    assert await run([NetworkError("Bad Gateway"), NetworkError("Internal Server Error")]) == {
        "ok": True
    }
    assert len(attempts) == 3
    with pytest.raises(NetworkError):
        await run([NetworkError("x")] * 3)
    with pytest.raises(BadRequest):
        await run([BadRequest("Chat not found")])
    assert len(attempts) == 1
    with pytest.raises(TimedOut):
        await run([TimedOut()])
    assert len(attempts) == 1

    def never_sent(cause):
        error = TimedOut("Pool timeout")
        error.__cause__ = cause
        return error

    # The request never left: retried. It left but the answer timed out: not repeated.
    assert await run(
        [never_sent(httpx.PoolTimeout("full")), never_sent(httpx.ConnectTimeout("x"))]
    ) == {"ok": True}
    assert len(attempts) == 3
    with pytest.raises(TimedOut):
        await run([never_sent(httpx.ReadTimeout("slow"))])
    assert len(attempts) == 1
