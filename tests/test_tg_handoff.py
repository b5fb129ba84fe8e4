"""Issue 11, point 2, as workers and staff live it: "🙋 Ask a person" under every decline and every
"which did you mean", kept while the worker browses and gone once used; in a group, one member's
buttons do nothing for another (a toast says so); staff see who asked, where, in which language,
and what was said before."""

from __future__ import annotations

from tests import test_telegram_admin as admin_tests
from tests.fakes.messages import data_of
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, make_user
from tests.test_telegram_admin import ADMIN_CHAT

admin_bot = admin_tests.admin_bot  # the fixture

WORKER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID
OFF_TOPIC = "今日天氣點呀？"
NOT_YOURS = "這些按鈕屬於另一位發問者的回覆。想問自己的問題，可以用 /ask。"


def person(data: list[str]) -> str | None:
    return next((d for d in data if d.startswith("ip:")), None)


async def press(
    bot, data: str | None, message: dict, user=None, expect: str | None = "editMessageText"
):
    assert data is not None
    update = bot.updates.callback_query(data, message=message, user=user)
    before = len(bot.server.calls_of(expect)) if expect else 0
    bot.server.push_update(update)
    acks = await bot.server.wait_for(
        "answerCallbackQuery",
        predicate=lambda c: c.params["callback_query_id"] == update["callback_query"]["id"],
    )
    await bot.idle()
    done = bot.server.calls_of(expect)[before:] if expect else []
    return acks[0], done


async def test_ask_a_person_under_which_did_you_mean(admin_bot, tg_assistant):
    bot = admin_bot
    question = next(
        q
        for q in ("QF events", "forum expo month", "資歷架構活動")
        if tg_assistant.answer(q).kind == "choose"
    )
    call = await bot.reply_to(bot.updates.private_text(question), chat_id=WORKER)
    data = data_of(call)
    assert [d.split(":")[0] for d in data[:-1]] == ["e"] * (len(data) - 1)  # the choices, then
    assert person(data) == data[-1]  # 🙋 last


async def test_the_person_button_survives_browsing_and_goes_once_used(admin_bot):
    bot, server = admin_bot, admin_bot.server
    # The worker asks something first, then something the bot cannot answer.
    await bot.reply_to(bot.updates.private_text("免試期幾時完？"), chat_id=WORKER)
    decline = await bot.reply_to(bot.updates.private_text(OFF_TOPIC), chat_id=WORKER)
    ask = person(data_of(decline))
    assert ask is not None

    # They browse a topic from the decline, and back to the categories: 🙋 stays under both.
    _, (page,) = await press(bot, "p:t:rpl:0", decline.result)
    assert person(data_of(page)) == ask
    _, (topics,) = await press(bot, "t:t", page.result)
    assert person(data_of(topics)) == ask

    # Then they use it: staff get the question with who asked, where, the language in words, the earlier turns.
    _, (cleared,) = await press(bot, ask, topics.result, expect="editMessageReplyMarkup")
    assert person(data_of(cleared)) is None and "p:t:rpl:0" in data_of(cleared)  # only 🙋 went
    item = (await server.wait_for("sendMessage", predicate=lambda c: c.chat_id == ADMIN_CHAT))[-1]
    text = item.params["text"]
    assert text.startswith(
        "🙋 #Q1 Ka Ming Chan 想問真人職員（繁體中文，私人對話）："
    )  # staff read Traditional
    assert f"<blockquote>{OFF_TOPIC}</blockquote>" in text
    assert "之前的對話：\n• 免試期幾時完？ <i>→ 五年免試期</i>" in text
    assert "zh-Hant" not in text


async def test_in_a_group_only_the_asker_can_use_their_buttons(admin_bot):
    bot, server, store = admin_bot, admin_bot.server, admin_bot.store
    asker = make_user(1001, "Ming", last_name="Chan", username="ming_c")
    other = make_user(1002, "Mei")
    ask = bot.updates.mention(OFF_TOPIC, user=asker, title="Care workers' group")
    decline = await bot.reply_to(ask, chat_id=GROUP)

    # Mei taps Ming's topic button and his 🙋: she is told, nothing changes.
    toast, edits = await press(bot, "p:t:rpl:0", decline.result, user=other)
    assert toast.params["text"] == NOT_YOURS and edits == []
    toast, _ = await press(bot, person(data_of(decline)), decline.result, user=other, expect=None)
    assert toast.params["text"] == NOT_YOURS
    assert not [c for c in server.calls_of("sendMessage") if c.chat_id == ADMIN_CHAT]

    # Mei's tap on Ming's language picker does not set anybody's language.
    picker = await bot.reply_to(bot.updates.group_text("/lang", user=asker), chat_id=GROUP)
    toast, edits = await press(bot, "lang:en", picker.result, user=other)
    assert toast.params["text"] == NOT_YOURS and edits == []
    assert store.language(1002) is None and store.language(1001) is None

    # Ming's own taps work; staff see his name, the group's title and the language in words.
    _, (page,) = await press(bot, "p:t:rpl:0", decline.result, user=asker)
    assert person(data_of(page)) is not None
    await press(
        bot, person(data_of(page)), page.result, user=asker, expect="editMessageReplyMarkup"
    )
    item = (await server.wait_for("sendMessage", predicate=lambda c: c.chat_id == ADMIN_CHAT))[-1]
    assert item.params["text"].startswith(
        "🙋 #Q1 Ming Chan (@ming_c) 想問真人職員（繁體中文，群組「Care workers' group」）："
    )

    # An answer opened by a button in the group belongs to the one who tapped it.
    answer = await bot.reply_to(bot.updates.mention("免試期幾時完？", user=asker), chat_id=GROUP)
    related = next(d for d in data_of(answer) if d.startswith("e:"))
    opened = (
        await bot.push_and_wait(
            bot.updates.callback_query(related, message=answer.result, user=asker)
        )
    )[0]
    toast, _ = await press(
        bot,
        next(d for d in data_of(opened) if d.startswith("fb:")),
        opened.result,
        user=other,
        expect=None,
    )
    assert toast.params["text"] == NOT_YOURS
