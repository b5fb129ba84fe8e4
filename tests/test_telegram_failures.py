"""The bot under failure: Telegram's 429/403/400/5xx, slow and timed-out replies, a broken poll,
a bug in a handler, and users flooding it. It keeps serving, retries what is safe to retry, never
shows a traceback or the token, and loses no reply that could be delivered."""

from __future__ import annotations

import logging
import time

import pytest

from tests.conftest import TG_TOKEN, running_bot, tg_config
from tests.fakes.messages import to
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, make_user

USER = DEFAULT_USER_ID
OTHER = 2002
GROUP = DEFAULT_GROUP_ID
QUESTION = "免試期幾時完？"
ANSWER_START = "<b>五年免試期</b>"


async def still_serving(bot, user_id: int = OTHER) -> None:
    call = await bot.reply_to(
        bot.updates.private_text(QUESTION, user=make_user(user_id, "Check")), chat_id=user_id
    )
    assert call.ok and call.params["text"].startswith(ANSWER_START)
    assert bot.app.running and bot.app.updater.running


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside PTB's own RetryAfter
async def test_429_is_retried_after_retry_after(tg_bot):
    tg_bot.server.fail("sendMessage", "429", times=1, chat_id=USER, retry_after=0.3)
    tg_bot.server.push_update(tg_bot.updates.private_text(QUESTION))
    calls = await tg_bot.server.wait_for("sendMessage", 2, timeout=5, predicate=to(USER))
    await tg_bot.settled(calls)
    first, second = calls
    assert first.status == 429 and second.ok
    assert second.time - first.time >= 0.3  # waited retry_after before trying again
    assert second.params["text"].startswith(ANSWER_START)
    assert len(tg_bot.server.sent_messages(USER)) == 1  # exactly one reply delivered
    await still_serving(tg_bot)


async def test_403_blocked_user_is_remembered_and_others_served(tg_bot):
    tg_bot.server.fail("sendMessage", "403", times=1, chat_id=USER)
    calls = await tg_bot.push_and_wait(tg_bot.updates.private_text(QUESTION), predicate=to(USER))
    assert calls[0].status == 403
    await tg_bot.idle()
    assert tg_bot.store.chat(USER)["status"] == "blocked"
    await still_serving(tg_bot)
    # The user unblocked the bot and writes again: served, and present again.
    call = await tg_bot.reply_to(tg_bot.updates.private_text(QUESTION), chat_id=USER)
    assert call.ok
    assert tg_bot.store.chat(USER)["status"] == "member"


async def test_400_chat_not_found_does_not_stop_the_bot(tg_bot, caplog):
    caplog.set_level(logging.WARNING)
    tg_bot.server.fail("sendMessage", "400", times=1, chat_id=GROUP)
    calls = await tg_bot.push_and_wait(tg_bot.updates.group_text("/ask VPES"), predicate=to(GROUP))
    assert calls[0].status == 400
    await tg_bot.idle()
    assert "chat not found" in caplog.text.lower() and f"chat={GROUP}" in caplog.text
    assert not tg_bot.server.sent_messages(GROUP)  # no apology into a chat that does not exist
    await still_serving(tg_bot)


@pytest.mark.parametrize("kinds", [("500",), ("502",), ("500", "502")])
async def test_5xx_is_retried_and_the_reply_delivered(tg_bot, kinds):
    for kind in kinds:
        tg_bot.server.fail("sendMessage", kind, times=1, chat_id=USER)
    tg_bot.server.push_update(tg_bot.updates.private_text(QUESTION))
    calls = await tg_bot.server.wait_for(
        "sendMessage", len(kinds) + 1, timeout=5, predicate=to(USER)
    )
    await tg_bot.settled(calls)
    assert [c.status for c in calls] == [int(k) for k in kinds] + [200]
    assert len(tg_bot.server.sent_messages(USER)) == 1
    await still_serving(tg_bot)


async def test_a_slow_reply_holds_up_no_one_else(tg_bot):
    # Telegram holds the first reply until the other user has been answered (5 s at most: less
    # than the bot's read timeout, so the hold never becomes a timeout).
    hold = tg_bot.server.fail("sendMessage", "slow", times=1, chat_id=USER, delay=5)
    tg_bot.server.push_update(tg_bot.updates.private_text(QUESTION))
    slow = (await tg_bot.server.wait_for("sendMessage", 1, predicate=to(USER)))[0]
    fast = await tg_bot.reply_to(
        tg_bot.updates.private_text(QUESTION, user=make_user(OTHER, "B")), chat_id=OTHER
    )
    assert fast.ok and slow.status is None  # answered while the other reply is still in flight
    hold.release()
    await tg_bot.settled([slow], timeout=5)
    assert slow.ok and slow.params["text"].startswith(ANSWER_START)


async def test_a_timed_out_send_is_not_duplicated(
    tg_server, tg_assistant, tg_store, tmp_path, caplog
):
    caplog.set_level(logging.WARNING)
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, tg_assistant, tg_store, read_timeout=0.5) as bot:
        tg_server.fail("sendMessage", "timeout", times=1, chat_id=USER, delay=0.5)
        calls = await bot.push_and_wait(bot.updates.private_text(QUESTION), predicate=to(USER))
        await bot.idle()
        assert (
            len(tg_server.calls_of("sendMessage")) == 1
        )  # Telegram carried it out: no second copy
        assert calls[0].result is not None
        assert "Timed out" in caplog.text or "TimedOut" in caplog.text
        await still_serving(bot)


async def test_polling_survives_get_updates_errors(tg_bot):
    tg_bot.server.fail("getUpdates", "502", times=1)
    tg_bot.server.fail("getUpdates", "500", times=1)
    call = await tg_bot.reply_to(tg_bot.updates.private_text(QUESTION), timeout=10)
    assert call.ok
    assert [c.status for c in tg_bot.server.calls_of("getUpdates") if c.injected] == [502, 500]


async def test_callback_is_still_answered_and_served_when_acking_fails(tg_bot):
    tg_bot.server.fail(
        "answerCallbackQuery", "400", times=1, description="Bad Request: query is too old"
    )
    reply = await tg_bot.reply_to(tg_bot.updates.callback_query("e:t:vpes"))
    assert reply.params["text"].startswith("<b>職專教育服務")
    assert tg_bot.server.calls_of("answerCallbackQuery")[0].status == 400


async def test_a_bug_gets_an_apology_never_a_traceback_or_the_token(
    tg_bot, tg_assistant, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)

    def broken(text, lang=None, **_):
        raise RuntimeError(f"engine exploded near {TG_TOKEN}")

    monkeypatch.setattr(tg_assistant, "answer", broken)
    call = await tg_bot.reply_to(tg_bot.updates.private_text(QUESTION))
    assert call.params["text"] == "抱歉，系統出了點問題，請稍後再試。"
    group = await tg_bot.reply_to(
        tg_bot.updates.mention("When does it end?", message_thread_id=9), chat_id=GROUP
    )
    assert group.params["text"].startswith("Sorry, something went wrong")
    assert group.params["message_thread_id"] == 9
    for sent in tg_bot.server.sent_messages():
        assert "Traceback" not in sent.params["text"] and TG_TOKEN not in sent.params["text"]
    monkeypatch.undo()
    await tg_bot.idle()
    assert "engine exploded" in caplog.text and "update " in caplog.text  # logged, with context
    assert TG_TOKEN not in caplog.text
    assert all(TG_TOKEN not in (r.exc_text or "") for r in caplog.records)
    await still_serving(tg_bot)


async def test_the_token_never_reaches_the_logs(
    tg_server, tg_assistant, tg_store, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        tg_server.fail("sendMessage", "500", times=1)
        tg_server.fail("getUpdates", "502", times=1)
        await bot.reply_to(bot.updates.private_text(QUESTION), timeout=10)
        await bot.push_and_wait(bot.updates.inline_query("免試期"), "answerInlineQuery")
    assert all(c.token == TG_TOKEN for c in tg_server.calls)  # it was really used on every request
    assert "sendMessage" in caplog.text or "getUpdates" in caplog.text
    assert TG_TOKEN not in caplog.text
    assert TG_TOKEN.split(":")[1] not in caplog.text


async def test_invalid_token_message_is_redacted(caplog):
    from telegram.error import InvalidToken

    from bot.telegram.app import quiet_logging

    quiet_logging(TG_TOKEN)
    caplog.set_level(logging.INFO)
    try:
        raise InvalidToken(f"The token `{TG_TOKEN}` was rejected by the server.")
    except InvalidToken:
        logging.getLogger("telegram.ext.Application").exception(
            "startup failed: %s", f"token {TG_TOKEN}"
        )
    assert "<token>" in caplog.text and TG_TOKEN not in caplog.text


# -- flood control -------------------------------------------------------------------------------------------


async def test_flood_control_notice_once_then_silence_until_the_window_passes(
    tg_server, tg_assistant, tg_store, tmp_path
):
    config = tg_config(tmp_path, tg_server.base_url, FLOOD_MAX_MESSAGES=3, FLOOD_WINDOW_SECONDS=30)
    # A message counts from when it was sent (its date, to Telegram's whole second; see
    # test_faults' backlog test), so a burst dated up to a second before it is handled would make the
    # notice's wait "29 秒" at times. Dated a few seconds ahead (Telegram's clock a little ahead of
    # ours), every message is handled as sent just now: the wait is the whole window.
    ahead = int(time.time()) + 5
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        for _ in range(6):
            bot.server.push_update(bot.updates.private_text(QUESTION, date=ahead))
        await bot.server.wait_for("sendMessage", 4, predicate=to(USER))
        await bot.idle()
        texts = [c.params["text"] for c in bot.server.sent_messages(USER)]
        assert len(texts) == 4
        assert all(t.startswith(ANSWER_START) for t in texts[:3])
        assert texts[3].startswith("你的訊息有點密") and "30 秒" in texts[3]
        assert bot.store.query_count() == 3

        # Chatter in a group does not count; other users are not affected.
        for _ in range(5):
            bot.server.push_update(bot.updates.group_text("hello all"))
        await still_serving(bot)

        bot.clock.advance(31)
        call = await bot.reply_to(
            bot.updates.private_text("When does the exemption period end?"), chat_id=USER
        )
        assert call.params["text"].startswith("<b>Five-year exemption period</b>")
        assert len(bot.server.sent_messages(USER)) == 5

        # Buttons never count (issue 11): at the limit, a press is still served.
        for _ in range(2):
            await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
        press = bot.updates.callback_query("e:t:vpes")
        await bot.push_and_wait(press, "answerCallbackQuery")
        await bot.idle()
        assert len(bot.server.sent_messages(USER)) == 8
