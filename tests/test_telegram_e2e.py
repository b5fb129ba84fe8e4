"""End to end: the real Application polls the fake Bot API server over HTTP on 127.0.0.1, and the
tests look at what it sent, to which chat, with which buttons and thread ids."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import running_bot, tg_config
from tests.fakes.messages import buttons, data_of
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, make_user

USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID


# -- commands menu ------------------------------------------------------------------------------------


async def test_commands_are_registered_per_scope_in_chinese_and_english(tg_bot):
    calls = tg_bot.server.calls_of("setMyCommands")
    menus = {
        (c.params["scope"]["type"], c.params.get("language_code")): c.params["commands"]
        for c in calls
    }
    assert set(menus) == {
        ("all_private_chats", None),
        ("all_private_chats", "zh"),
        ("all_group_chats", None),
        ("all_group_chats", "zh"),
    }
    private = [c["command"] for c in menus[("all_private_chats", None)]]
    assert private == ["start", "help", "check", "lang", "schemes", "events", "ask", "about"]
    groups = [c["command"] for c in menus[("all_group_chats", None)]]
    assert "ask" in groups and "check" in groups and "start" not in groups
    zh = {c["command"]: c["description"] for c in menus[("all_private_chats", "zh")]}
    en = {c["command"]: c["description"] for c in menus[("all_private_chats", None)]}
    assert (
        zh["schemes"] == "按類別瀏覽計劃及資料" and zh["about"] == "資料來源及日期"
    )  # Traditional
    assert en["schemes"] == "Browse schemes by category"
    assert all(1 <= len(c["description"]) <= 256 for menu in menus.values() for c in menu)


# -- private questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, title, source, lang_letter",
    [
        (
            "免試期甚麼時候結束？",
            "五年免試期",
            "來源：資歷架構通訊（2024年1月）",
            "t",
        ),  # written Traditional
        ("免試期幾時完？", "五年免試期", "來源：資歷架構通訊（2024年1月）", "t"),  # Cantonese
        (
            "免试期什么时候结束？",
            "五年免试期",
            "来源：资历架构通讯（2024年1月）",
            "s",
        ),  # Simplified
        (
            "When does the exemption period end?",
            "Five-year exemption period",
            "Source: Qualifications Framework newsletter (January 2024)",
            "e",
        ),
    ],
    ids=["zh-Hant", "yue", "zh-Hans", "en"],
)
async def test_private_question_in_each_language_form(
    tg_bot, question, title, source, lang_letter
):
    call = await tg_bot.reply_to(tg_bot.updates.private_text(question), chat_id=USER)
    text = call.params["text"]
    assert call.params["parse_mode"] == "HTML"
    assert text.startswith(f"<b>{title}</b>\n\n")
    assert f"<i>{source}</i>" in text
    assert "reply_parameters" not in call.params  # private chats are not quoted
    assert "message_thread_id" not in call.params
    assert data_of(call) == [
        f"e:{lang_letter}:rpl-elderly-care",
        "fb:1:u",
        "fb:1:d",
        "",
    ]  # the related topic, in
    # the same script, then 👍 👎 and Share (a link)
    assert call.ok
    logged = tg_bot.store.queries(1)[0]
    assert (
        logged["text"] == question
        and logged["answered"]
        and logged["entry_ids"] == ["rpl-elderly-care-exemption"]
    )
    assert logged["chat_type"] == "private" and str(USER) not in (logged["user_hash"] or "")
    assert logged["user_hash"] == tg_bot.store.hash_user(USER)


async def test_knowledge_text_is_escaped(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("標記測試"))
    text = call.params["text"]
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert text.startswith("<b>標記 &lt;b&gt;測試&lt;/b&gt; &amp; 符號</b>")
    assert "5 &gt; 3 &amp; 2 &lt; 4" in text


async def test_decline_lists_topics_with_buttons(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("今日天氣點呀？"))
    text = call.params["text"]
    assert text.startswith("抱歉，我未有這方面的資料")
    assert "• 過往資歷認可" in text and "• 車輛維修技工註冊" in text
    data = data_of(call)
    assert "p:t:rpl:0" in data and "p:t:vehicle:0" in data
    assert "p:t:emsd-talent:0" not in data  # no button for a category with nothing in it


async def test_non_text_private_message_asks_for_words(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.photo())
    assert call.params["text"].startswith("請用文字輸入你的問題")


async def test_unknown_command_points_to_help(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/frobnicate"))
    assert "/help" in call.params["text"]


# -- commands -------------------------------------------------------------------------------------------


async def test_start_welcomes_in_users_language_with_examples(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/start", first_name="<Ah Ming>"))
    text = call.params["text"]
    assert text.startswith("你好，&lt;Ah Ming&gt;！")
    assert "例如：" in text and "/lang" in text
    examples = [(label, d) for label, d in buttons(call) if d.startswith("e:")]
    assert 1 <= len(examples) <= 3
    assert all(f"• {label}" in text for label, _ in examples)

    english = make_user(2002, "Jo", language_code="en")
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/start", user=english), chat_id=2002)
    assert call.params["text"].startswith("Hello, Jo!")
    assert all(
        d.startswith("e:e:") for d in data_of(call) if d.startswith("e:")
    ) and "chk:new:e" in data_of(call)


async def test_help_lists_commands_groups_and_inline(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/help"))
    text = call.params["text"]
    assert text.startswith("<b>使用方法</b>")
    for command in ("/schemes", "/events", "/ask", "/lang", "/about"):
        assert command in text
    assert "@vt_helper_bot" in text


async def test_about_lists_sources_with_dates(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/about"))
    text = call.params["text"]
    assert "資歷架構通訊（2024年1月）" in text and "2024年1月" in text
    assert "2020年8月27日" in text  # a dated speech
    assert text.count("文件未註明日期") == 2  # the two undated articles
    assert text.count("• ") == 5


async def test_events_open_deadlines_first_then_upcoming_then_ongoing_then_past(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/events"))
    text = call.params["text"]
    assert "（以 2026年3月15日 計）" in text
    exemption, forum, month, expo = (
        text.index(s)
        for s in ("五年免試期", "資歷架構論壇2031", "資歷架構宣傳月", "資歷架構博覽會2020")
    )
    assert (
        text.index("截止日期未過")
        < exemption
        < text.index("即將舉行")
        < forum
        < text.index("進行中")
        < month
        < text.index("已過去")
        < expo
    )
    assert "截止：2028年8月31日" in text  # the one deadline a worker needs, first
    assert "2031年5月10日至2031年5月11日" in text
    assert "已於2020年11月6日舉行" in text  # past tense, with its date
    assert "2026年3月" in text  # month precision kept; still on during March
    data = data_of(call)
    assert data[0] == "e:t:rpl-elderly-care-exemption" and data[-1] == "e:t:qf-expo-2020"


async def test_events_compare_with_todays_date(tg_server, tg_assistant, tg_store, tmp_path):
    from datetime import date

    later = date(2032, 1, 1)
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        bot.app.bot_data["services"].today = lambda: later
        call = await bot.reply_to(bot.updates.private_text("/events"))
    text = call.params["text"]
    assert (
        "資料中沒有即將舉行的活動。" in text
        and "截止日期未過" not in text
        and "進行中" not in text
    )
    assert "已於2031年5月10日至2031年5月11日舉行" in text
    assert "已於2028年8月31日截止" in text  # a deadline that has passed says so, with its date


async def test_earlier_events_open_behind_a_button_in_pages(
    tg_server, tg_assistant, tg_store, tmp_path, monkeypatch
):
    """ "另有 N 項較早的活動" is a button: it shows the older past events, a page at a time, and goes back."""
    from datetime import date

    from bot.kb import listing
    from bot.telegram import render

    monkeypatch.setattr(render, "MAX_PAST", 1)  # the fixture has four past items in 2032: show one
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, tg_assistant, tg_store) as bot:
        bot.app.bot_data["services"].today = lambda: date(2032, 1, 1)
        call = await bot.reply_to(bot.updates.private_text("/events"))
        assert "已於2031年5月10日至2031年5月11日舉行" in call.params["text"]
        assert "另有 3 項較早的活動。" in call.params["text"]
        assert buttons(call)[-1] == ("較早的活動 »", "ev:t:0")

        [page1] = await bot.push_and_wait(
            bot.updates.callback_query("ev:t:0", message=call.result), "editMessageText"
        )
        text = page1.params["text"]
        assert text.startswith("<b>較早的活動</b>") and "第 1/2 頁，共 3 項" in text
        assert (
            "資歷架構宣傳月" in text and "已於2028年8月31日截止" in text and "博覽會" not in text
        )
        nav = [
            (b["text"], b["callback_data"])
            for row in page1.params["reply_markup"]["inline_keyboard"]
            for b in row
        ]
        assert ("下一頁 ›", "ev:t:1") in nav and nav[-1] == ("« 活動及重要日期", "ev:t:m")

        [page2] = await bot.push_and_wait(
            bot.updates.callback_query("ev:t:1", message=page1.result), "editMessageText"
        )
        assert "已於2020年11月6日舉行" in page2.params["text"]  # the oldest, on the last page

        [back] = await bot.push_and_wait(
            bot.updates.callback_query("ev:t:m", message=page2.result), "editMessageText"
        )
        assert back.params["text"].startswith("<b>活動及重要日期</b>")


async def test_schemes_browse_categories_and_pages(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/schemes"))
    assert call.params["text"].startswith("<b>按類別瀏覽</b>")
    topics = buttons(call)
    assert ("車輛維修技工註冊", "p:t:vehicle:0") in topics
    menu = call.result

    async def press(data, message):
        cb = tg_bot.updates.callback_query(data, message=message)
        edits = await tg_bot.push_and_wait(cb, "editMessageText")
        answered = await tg_bot.server.wait_for(
            "answerCallbackQuery",
            predicate=lambda c: c.params["callback_query_id"] == cb["callback_query"]["id"],
        )
        assert answered
        return edits[0]

    page1 = await press("p:t:vehicle:0", menu)
    assert page1.params["message_id"] == menu["message_id"]
    assert "第 1/2 頁，共 8 項" in page1.params["text"]
    data = data_of(page1)
    assert data[:6] == [f"g:t:0:vehicle-grade-{n}" for n in range(1, 7)]
    assert "p:t:vehicle:1" in data and "t:t" in data and "p:t:vehicle:-1" not in data

    page2 = await press("p:t:vehicle:1", page1.result)
    data = data_of(page2)
    assert (
        data[:2] == ["g:t:1:vehicle-grade-7", "g:t:1:vehicle-grade-8"] and "p:t:vehicle:0" in data
    )
    assert "第 2/2 頁" in page2.params["text"]

    back = await press("t:t", page2.result)
    assert ("車輛維修技工註冊", "p:t:vehicle:0") in buttons(back)


async def test_ask_command_and_its_usage(tg_bot):
    call = await tg_bot.reply_to(
        tg_bot.updates.private_text("/ask When does the exemption period end?")
    )
    assert call.params["text"].startswith("<b>Five-year exemption period</b>")
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/ask"))
    assert call.params["text"].startswith("請在 /ask 後面寫下你的問題")


# -- buttons ---------------------------------------------------------------------------------------------


async def test_choice_button_answers_that_entry(tg_bot, tg_assistant):
    question = next(
        q
        for q in ("QF events", "forum expo month", "資歷架構活動")
        if tg_assistant.answer(q).kind == "choose"
    )
    expected = tg_assistant.answer(question)
    call = await tg_bot.reply_to(tg_bot.updates.private_text(question))
    choices = buttons(call)
    assert 2 <= len(choices) <= 3
    assert [d for _, d in choices] == [f"e:e:{c.id}" for c in expected.choices]
    assert [label for label, _ in choices] == [c.title for c in expected.choices]

    label, data = choices[1]
    press = tg_bot.updates.callback_query(data, message=call.result)
    reply = await tg_bot.reply_to(press)
    assert reply.params["text"].startswith(f"<b>{label}</b>")
    acks = tg_bot.server.calls_of("answerCallbackQuery")
    assert [c.params["callback_query_id"] for c in acks] == [press["callback_query"]["id"]]


async def test_typing_a_choice_number_picks_that_choice(tg_bot, tg_assistant):
    question = next(
        q
        for q in ("QF events", "forum expo month", "資歷架構活動")
        if tg_assistant.answer(q).kind == "choose"
    )
    expected = tg_assistant.answer(question)
    call = await tg_bot.reply_to(tg_bot.updates.private_text(question))
    label = buttons(call)[1][0]
    reply = await tg_bot.reply_to(tg_bot.updates.private_text("2"))
    assert (
        reply.params["text"].startswith(f"<b>{label}</b>") and expected.choices[1].title == label
    )
    # Once answered, a number is an ordinary question again.
    again = await tg_bot.reply_to(tg_bot.updates.private_text("2"))
    assert not again.params["text"].startswith(f"<b>{label}</b>")


async def test_related_button_and_stale_button(tg_bot):
    call = await tg_bot.reply_to(tg_bot.updates.private_text("免試期幾時完？"))
    reply = await tg_bot.reply_to(
        tg_bot.updates.callback_query("e:t:rpl-elderly-care", message=call.result)
    )
    assert reply.params["text"].startswith("<b>安老服務業過往資歷認可</b>")
    assert "e:t:rpl-elderly-care-exemption" in data_of(reply)
    stale = await tg_bot.reply_to(
        tg_bot.updates.callback_query("e:t:no-such-entry", message=call.result)
    )
    assert "按鈕已經失效" in stale.params["text"]
    junk = tg_bot.updates.callback_query("something-else")
    await tg_bot.push_and_wait(
        junk,
        "answerCallbackQuery",
        predicate=lambda c: c.params["callback_query_id"] == junk["callback_query"]["id"],
    )


# -- language ----------------------------------------------------------------------------------------------


async def test_lang_buttons_store_the_choice(tg_bot):
    picker = await tg_bot.reply_to(tg_bot.updates.private_text("/lang"))
    assert data_of(picker) == ["lang:zh-Hant", "lang:zh-Hans", "lang:en", "lang:auto"]
    assert "✓ 跟隨每條訊息的文字" in [label for label, _ in buttons(picker)]
    edited = await tg_bot.push_and_wait(
        tg_bot.updates.callback_query("lang:en", message=picker.result), "editMessageText"
    )
    assert edited[0].params["text"] == "Done: I'll reply to you in English."
    assert "reply_markup" not in edited[0].params
    assert tg_bot.store.language(USER) == "en"
    call = await tg_bot.reply_to(tg_bot.updates.private_text("免試期幾時完？"))
    assert call.params["text"].startswith("<b>Five-year exemption period</b>")

    call = await tg_bot.reply_to(tg_bot.updates.private_text("/lang zh-Hans"))
    assert "简体中文" in call.params["text"]
    call = await tg_bot.reply_to(
        tg_bot.updates.private_text("When does the exemption period end?")
    )
    assert call.params["text"].startswith("<b>五年免试期</b>")

    call = await tg_bot.reply_to(tg_bot.updates.private_text("/lang auto"))
    assert tg_bot.store.language(USER) is None
    call = await tg_bot.reply_to(
        tg_bot.updates.private_text("When does the exemption period end?")
    )
    assert call.params["text"].startswith("<b>Five-year exemption period</b>")
    call = await tg_bot.reply_to(tg_bot.updates.private_text("/lang klingon"))
    assert "zh-Hant" in call.params["text"]


async def test_lang_survives_a_restart(tg_server, tg_assistant, tmp_path):
    from bot.store import Store

    config = tg_config(tmp_path, tg_server.base_url)
    store = Store.open(config.state_path)
    async with running_bot(tg_server, config, tg_assistant, store) as bot:
        await bot.reply_to(bot.updates.private_text("/lang en"))
    store.close()

    store = Store.open(config.state_path)  # a new process would do just this
    try:
        async with running_bot(tg_server, config, tg_assistant, store) as bot:
            call = await bot.reply_to(bot.updates.private_text("免試期幾時完？"))
            assert call.params["text"].startswith("<b>Five-year exemption period</b>")
            call = await bot.reply_to(bot.updates.private_text("/start"))
            assert call.params["text"].startswith("Hello, Ka Ming!")
    finally:
        store.close()


# -- groups ----------------------------------------------------------------------------------------------


async def test_group_mention_replies_in_topic_to_the_asker(tg_bot):
    update = tg_bot.updates.mention("免試期幾時完？", message_thread_id=77)
    asked = update["message"]["message_id"]
    call = await tg_bot.reply_to(update, chat_id=GROUP)
    assert call.params["text"].startswith("<b>五年免試期</b>")
    assert call.params["message_thread_id"] == 77
    assert call.params["reply_parameters"]["message_id"] == asked
    assert call.params["reply_parameters"]["allow_sending_without_reply"] is True
    assert tg_bot.store.queries(1)[0]["chat_type"] == "supergroup"


async def test_group_ask_command_and_reply_to_bot(tg_bot):
    update = tg_bot.updates.group_text("/ask When does the exemption period end?")
    call = await tg_bot.reply_to(update, chat_id=GROUP)
    assert call.params["text"].startswith("<b>Five-year exemption period</b>")
    assert call.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert "message_thread_id" not in call.params

    follow_up = tg_bot.updates.reply_to_bot("VPES 係咩嚟？", bot_message=call.result)
    call = await tg_bot.reply_to(follow_up, chat_id=GROUP)
    assert call.params["text"].startswith("<b>職專教育服務（深圳）有限公司（VPES）</b>")
    assert call.params["reply_parameters"]["message_id"] == follow_up["message"]["message_id"]

    at_bot = await tg_bot.reply_to(tg_bot.updates.group_text("/ask@vt_helper_bot"), chat_id=GROUP)
    assert at_bot.params["text"].startswith("請在 /ask 後面寫下你的問題")
    bare = await tg_bot.reply_to(tg_bot.updates.mention("", chat_id=GROUP), chat_id=GROUP)
    assert bare.params["text"].startswith("請在提及我之後寫下你的問題")


async def test_group_is_never_spammed(tg_bot):
    server = tg_bot.server
    other_bot_reply = tg_bot.updates.reply_to_bot("免試期幾時完？", chat_id=GROUP)
    other_bot_reply["message"]["reply_to_message"]["from"] = make_user(555, "Someone")
    quiet = [
        tg_bot.updates.group_text("免試期幾時完？"),  # a question, but not to us
        tg_bot.updates.group_text("@some_other_bot 免試期幾時完？"),
        tg_bot.updates.group_text("/ask@some_other_bot 免試期幾時完？"),
        other_bot_reply,  # a reply to another member
        tg_bot.updates.group_text("大家好", message_thread_id=5),
    ]
    for update in quiet:
        server.push_update(update)
    # Updates of one chat are handled in order: once this is answered, the ones before were seen.
    sentinel = tg_bot.updates.group_text("/ask VPES 係咩嚟？")
    call = await tg_bot.reply_to(sentinel, chat_id=GROUP)
    assert call.params["reply_parameters"]["message_id"] == sentinel["message"]["message_id"]
    await tg_bot.idle()  # every update pushed is handled
    assert len(server.sent_messages(GROUP)) == 1
    assert len(tg_bot.store.queries(100)) == 1


async def test_forum_topic_root_is_not_a_reply_to_the_bot(tg_bot):
    chat = {"id": GROUP, "type": "supergroup", "title": "Forum", "is_forum": True}
    root = tg_bot.updates.message(
        chat,
        tg_bot.updates.bot_user,
        None,
        message_id=900,
        forum_topic_created={"name": "Q&A", "icon_color": 7322096},
    )
    update = tg_bot.updates.group_text(
        "免試期幾時完？", message_thread_id=900, reply_to_message=root
    )
    tg_bot.server.push_update(update)
    sentinel = tg_bot.updates.group_text("/ask VPES", message_thread_id=900)
    call = await tg_bot.reply_to(sentinel, chat_id=GROUP)
    assert call.params["message_thread_id"] == 900
    assert len(tg_bot.server.sent_messages(GROUP)) == 1


async def test_group_button_press_answers_in_the_same_topic(tg_bot):
    update = tg_bot.updates.mention("免試期幾時完？", message_thread_id=31)
    call = await tg_bot.reply_to(update, chat_id=GROUP)
    press = tg_bot.updates.callback_query(data_of(call)[0], message=call.result)
    reply = await tg_bot.reply_to(press, chat_id=GROUP)
    assert reply.params["message_thread_id"] == 31
    assert reply.params["text"].startswith("<b>安老服務業過往資歷認可</b>")


async def test_bot_added_to_a_group_says_how_to_ask_and_is_remembered(tg_bot):
    call = await tg_bot.reply_to(
        tg_bot.updates.bot_added_to_group(chat_id=-1009, title="Carers"), chat_id=-1009
    )
    assert "/ask" in call.params["text"] and "@vt_helper_bot" in call.params["text"]
    assert not data_of(call)
    chat = tg_bot.store.chat(-1009)
    assert chat["status"] == "member" and chat["title"] == "Carers"
    tg_bot.server.push_update(tg_bot.updates.bot_removed_from_group(chat_id=-1009, title="Carers"))
    await tg_bot.server.wait_until(lambda: tg_bot.store.chat(-1009)["status"] == "kicked")
    assert tg_bot.store.chat(-1009)["status"] == "kicked"


async def test_group_upgraded_to_supergroup_keeps_working(tg_bot):
    old, new = -4001234567, -1004001234567
    call = await tg_bot.reply_to(
        tg_bot.updates.group_text("/ask VPES 係咩嚟？", chat_id=old, chat_type="group"),
        chat_id=old,
    )
    assert call.ok
    assert tg_bot.store.chat(old)["type"] == "group"
    tg_bot.server.push_update(tg_bot.updates.migrate_to_chat(old_chat_id=old, new_chat_id=new))
    tg_bot.server.push_update(tg_bot.updates.migrate_from_chat(new_chat_id=new, old_chat_id=old))
    call = await tg_bot.reply_to(
        tg_bot.updates.mention("免試期幾時完？", chat_id=new), chat_id=new
    )
    assert call.params["text"].startswith("<b>五年免試期</b>")
    await tg_bot.server.wait_until(
        lambda: (tg_bot.store.chat(old) or {}).get("status") == "migrated"
    )
    assert tg_bot.store.chat(old)["migrated_to"] == new
    assert tg_bot.store.chat(new)["type"] == "supergroup"
    assert tg_bot.store.current_chat_id(old) == new


# -- inline mode -------------------------------------------------------------------------------------------


async def test_inline_query_returns_matches_in_the_askers_script(tg_bot):
    async def inline(query, **kw):
        update = tg_bot.updates.inline_query(query, **kw)
        calls = await tg_bot.push_and_wait(update, "answerInlineQuery")
        assert calls[0].params["inline_query_id"] == update["inline_query"]["id"]
        return calls[0].params

    params = await inline("免試期")
    results = params["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["title"] == "五年免試期"
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and content["message_text"].startswith(
        "<b>五年免試期</b>"
    )
    assert "<i>來源：資歷架構通訊（2024年1月）</i>" in content["message_text"]
    assert len({r["id"] for r in results}) == len(results)
    assert params["is_personal"] is True

    simplified = (await inline("免试期"))["results"]
    assert simplified[0]["title"] == "五年免试期"
    english = (await inline("exemption period"))["results"]
    assert english[0]["title"] == "Five-year exemption period"
    browse = (await inline(""))["results"]
    assert len(browse) == 10
    vehicles = (await inline("vehicle mechanic registration"))["results"]
    assert len(vehicles) == 8 and all(r["title"].startswith("Vehicle mechanic") for r in vehicles)


# -- knowledge reload ----------------------------------------------------------------------------------------


async def test_a_rebuilt_index_is_picked_up_without_a_restart(
    tg_server, tg_knowledge, tg_store, tmp_path
):
    """`bot.py reload` rebuilds the index; the running bot swaps it in within its poll interval."""
    import shutil

    from bot.assistant import Assistant
    from bot.kb.index import build_index
    from bot.kb.loader import load_knowledge
    from tests.conftest import _entry

    kb_dir = tmp_path / "knowledge"
    shutil.copytree(tg_knowledge, kb_dir)
    index = tmp_path / "var" / "index.sqlite"
    assistant = await asyncio.to_thread(Assistant.open, kb_dir, index)
    config = tg_config(tmp_path, tg_server.base_url)
    question = "焊接課程幾時開始？"
    async with running_bot(tg_server, config, assistant, tg_store, knowledge_poll=0.1) as bot:
        before = await bot.reply_to(bot.updates.private_text(question))
        assert not before.params["text"].startswith("<b>焊接課程</b>")
        (kb_dir / "welding.yaml").write_text(
            "entries:"
            + _entry(
                "welding-course",
                "programme",
                "qf",
                "焊接課程",
                "Welding course",
                "焊接課程於2026年9月開始。",
                "The welding course starts in September 2026.",
                (
                    "焊接課程何時開始？",
                    "焊接課程幾時開始？",
                    "焊接课程何时开始？",
                    "When does the welding course start?",
                ),
            ),
            encoding="utf-8",
        )
        await asyncio.to_thread(lambda: build_index(load_knowledge(kb_dir), kb_dir, index))
        await bot.server.wait_until(
            lambda: "welding-course" in assistant.kb.entries,
            5,
            "the rebuilt index to be picked up",
        )
        after = await bot.reply_to(bot.updates.private_text(question))
        assert after.params["text"].startswith("<b>焊接課程</b>")
