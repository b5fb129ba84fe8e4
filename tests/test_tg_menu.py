"""Issue 11, point 1, as a worker who never types lives it: /start greets with current examples and a
menu of buttons (eligibility check, schemes, dates, search, language, sources); every screen reached
from it leads back; the bot's descriptions and command menus are set in English, Traditional and
(for Simplified users, per chat) Simplified Chinese."""

from __future__ import annotations

from tests.fakes.messages import by_label, inline_buttons, visible
from tests.fakes.updates import DEFAULT_USER_ID, make_user

USER = DEFAULT_USER_ID


async def tap(bot, call_or_result, label: str, method: str = "editMessageText"):
    message = call_or_result.result if hasattr(call_or_result, "result") else call_or_result
    data = by_label(message, label)["callback_data"]
    return (await bot.push_and_wait(bot.updates.callback_query(data, message=message), method))[0]


async def test_a_worker_who_never_types_can_go_everywhere_from_the_welcome(tg_bot):
    bot = tg_bot
    welcome = await bot.reply_to(bot.updates.private_text("/start"), chat_id=USER)
    text = visible(welcome.params["text"])
    for command in ("/check", "/schemes", "/events", "/lang"):
        assert command in text
    labels = [b["text"] for b in inline_buttons(welcome)]
    assert labels[-6:] == [
        "✅ 我可以申請甚麼？",
        "📚 瀏覽計劃",
        "📅 活動及日期",
        "🔎 搜尋",
        "🌐 語言",
        "ℹ️ 資料來源",
    ]
    assert by_label(welcome, "🔎 搜尋")["switch_inline_query_current_chat"] == ""
    # Examples are current: never the 2020 expo, an event long past.
    examples = [
        b["callback_data"]
        for b in inline_buttons(welcome)
        if b.get("callback_data", "").startswith("e:")
    ]
    assert examples and "e:t:qf-expo-2020" not in examples

    # Dates, and back to the menu.
    events = await tap(bot, welcome, "📅 活動及日期")
    assert (
        visible(events.params["text"]).startswith("活動及重要日期")
        and events.params["message_id"] == welcome.result["message_id"]
    )
    menu = await tap(bot, events, "« 主選單")
    assert visible(menu.params["text"]).startswith("主選單")

    # Schemes: the categories, then back to the menu.
    categories = await tap(bot, menu, "📚 瀏覽計劃")
    assert visible(categories.params["text"]).startswith("按類別瀏覽")
    assert by_label(categories, "« 主選單")
    menu = await tap(bot, categories, "« 主選單")

    # Language and sources are a tap away too.
    picker = await tap(bot, menu, "🌐 語言")
    assert "請選擇我回覆你的語言" in visible(picker.params["text"]) and by_label(
        picker, "« 主選單"
    )
    menu = await tap(bot, picker, "« 主選單")
    sources = await tap(bot, menu, "ℹ️ 資料來源")
    assert visible(sources.params["text"]).startswith("資料來源")

    # The eligibility check starts from its button (this knowledge has no rules: it says so, politely).
    menu = await tap(bot, sources, "« 主選單")
    check = await tap(bot, menu, "✅ 我可以申請甚麼？", "sendMessage")
    assert visible(check.params["text"]).startswith("申請資格評估")

    english = make_user(2002, "Jo", language_code="en")
    welcome = await bot.reply_to(bot.updates.private_text("/start", user=english), chat_id=2002)
    assert [b["text"] for b in inline_buttons(welcome)][-6:] == [
        "✅ What can I apply for?",
        "📚 Browse schemes",
        "📅 Events and dates",
        "🔎 Search",
        "🌐 Language",
        "ℹ️ Sources",
    ]


async def test_descriptions_and_command_menus_in_english_traditional_and_simplified(tg_bot):
    bot, server = tg_bot, tg_bot.server
    descriptions = {
        c.params.get("language_code"): c.params["description"]
        for c in server.calls_of("setMyDescription")
    }
    short = {
        c.params.get("language_code"): c.params["short_description"]
        for c in server.calls_of("setMyShortDescription")
    }
    assert set(descriptions) == set(short) == {None, "zh"}
    assert descriptions[None].startswith(
        "I answer questions about Hong Kong's vocational training"
    )
    assert descriptions["zh"].startswith("我根據官方文件，解答香港職業培訓及資歷計劃的問題")
    assert all(len(d) <= 512 for d in descriptions.values()) and all(
        len(d) <= 120 for d in short.values()
    )
    assert "/check" in descriptions[None] and "/check" in descriptions["zh"]

    # A client set to Simplified Chinese gets the Simplified command menu in its chat on /start …
    simplified = make_user(3003, "小明", language_code="zh-hans")
    await bot.reply_to(bot.updates.private_text("/start", user=simplified), chat_id=3003)
    menu = (
        await server.wait_for(
            "setMyCommands",
            predicate=lambda c: (c.params.get("scope") or {}).get("type") == "chat",
        )
    )[0]
    assert menu.params["scope"] == {"type": "chat", "chat_id": 3003}
    assert {c["command"]: c["description"] for c in menu.params["commands"]}[
        "schemes"
    ] == "按类别浏览计划及资料"

    # … and the general menus back when they choose another language.
    await bot.reply_to(bot.updates.private_text("/lang en", user=simplified), chat_id=3003)
    dropped = (await server.wait_for("deleteMyCommands"))[0]
    assert dropped.params["scope"] == {"type": "chat", "chat_id": 3003}

    # A Traditional user's /start costs no extra call.
    before = len(server.calls_of("setMyCommands"))
    await bot.reply_to(bot.updates.private_text("/start"), chat_id=USER)
    assert len(server.calls_of("setMyCommands")) == before
