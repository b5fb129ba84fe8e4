"""Issue 11, point 9, as a worker lives it: 👍/👎 under an answer (one tap, changeable, only the
asker's counts), a share button and the deep link it carries, and "typing…" while a reply is slow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from bot.telegram.handlers import replying
from tests.fakes.messages import keyboard
from tests.fakes.updates import DEFAULT_USER_ID, make_user

USER = DEFAULT_USER_ID
QUESTION = "免試期幾時完？"


def last_row(call) -> list[dict]:
    return keyboard(call)[-1]


async def tap(bot, data: str, message: dict, user=None):
    update = bot.updates.callback_query(data, message=message, user=user)
    acks = await bot.push_and_wait(
        update,
        "answerCallbackQuery",
        predicate=lambda c: c.params["callback_query_id"] == update["callback_query"]["id"],
    )
    await bot.idle()
    return acks[0]


async def test_thumbs_under_an_answer_one_tap_changeable_and_only_for_the_asker(tg_bot):
    bot = tg_bot
    answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
    up, down, share = last_row(answer)
    assert (up["text"], down["text"], share["text"]) == ("👍", "👎", "↗ 分享")
    logged = bot.store.queries(1)[0]
    assert (
        up["callback_data"] == f"fb:{logged['id']}:u"
        and down["callback_data"] == f"fb:{logged['id']}:d"
    )

    # The worker taps 👍: thanked, the button shows the choice, the log holds it.
    toast = await tap(bot, up["callback_data"], answer.result)
    assert toast.params["text"] == "謝謝你的評價！"
    marked = bot.server.calls_of("editMessageReplyMarkup")[-1]
    assert [b["text"] for b in last_row(marked)][:2] == ["👍 ✓", "👎"]
    assert bot.store.query(logged["id"])["feedback"] == 1

    # They change their mind: 👎 replaces it.
    toast = await tap(bot, down["callback_data"], answer.result)
    assert toast.params["text"] == "謝謝，我們會改善這個答案。"
    assert [b["text"] for b in last_row(bot.server.calls_of("editMessageReplyMarkup")[-1])][
        :2
    ] == ["👍", "👎 ✓"]
    assert bot.store.query(logged["id"])["feedback"] == -1

    # Someone else's tap on a forwarded copy counts for nothing.
    toast = await tap(bot, up["callback_data"], answer.result, user=make_user(1002, "Mei"))
    assert toast.params["text"] == "只有發問的人可以評價這個答案。"
    assert bot.store.query(logged["id"])["feedback"] == -1

    # Declines have no thumbs: there is nothing to rate.
    decline = await bot.reply_to(bot.updates.private_text("今日天氣點呀？"), chat_id=USER)
    assert not any(
        b.get("callback_data", "").startswith("fb:") for row in keyboard(decline) for b in row
    )


async def test_share_carries_a_deep_link_that_opens_the_answer_in_the_readers_language(tg_bot):
    bot = tg_bot
    answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
    share = last_row(answer)[-1]
    shared = parse_qs(urlparse(share["url"]).query)
    assert shared["url"] == ["https://t.me/vt_helper_bot?start=a_rpl-elderly-care-exemption"]
    assert shared["text"] == ["五年免試期"]

    # A friend whose Telegram is in English opens the link: the same answer, in English, with its own thumbs.
    friend = make_user(2002, "Jo", language_code="en")
    opened = await bot.reply_to(
        bot.updates.private_text("/start a_rpl-elderly-care-exemption", user=friend), chat_id=2002
    )
    assert opened.params["text"].startswith("<b>Five-year exemption period</b>")
    assert [b["text"] for b in last_row(opened)][:2] == ["👍", "👎"]

    gone = await bot.reply_to(
        bot.updates.private_text("/start a_no-such-entry", user=friend), chat_id=2002
    )
    assert gone.params["text"] == "This button is no longer valid; please ask again."


async def test_a_slow_reply_shows_typing_and_a_fast_one_does_not(tg_bot, monkeypatch):
    bot = tg_bot
    monkeypatch.setattr(replying, "TYPING_AFTER", 0.05)
    await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
    assert bot.server.calls_of("sendChatAction") == []  # answered well within the delay

    bot.server.fail("sendMessage", "slow", delay=0.4)  # Telegram taking its time with the reply
    answer = await bot.reply_to(bot.updates.private_text(QUESTION), chat_id=USER)
    typing = bot.server.calls_of("sendChatAction")
    assert typing and typing[0].params == {"chat_id": USER, "action": "typing"}
    assert typing[0].time > answer.time  # shown while the reply was on its way
    assert answer.params["text"].startswith("<b>五年免試期</b>")
    await bot.idle()
    assert len(bot.server.calls_of("sendChatAction")) == 1  # and not after it arrived
