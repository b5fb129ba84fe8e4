"""Issue 11, point 5, as a worker browses /schemes: a category lists its schemes and routes first and
the people and ceremonies last; an answer opened from a list has its way back to that page; a
category can be searched on its own."""

from __future__ import annotations

import re

from tests import test_telegram_check as check_tests
from tests.fakes.messages import buttons, visible
from tests.fakes.messages import data_of as data

bot, chk_assistant, clock = (
    check_tests.bot,
    check_tests.chk_assistant,
    check_tests.clock,
)  # the fixtures


async def test_a_category_lists_what_a_worker_can_act_on_first(bot):
    categories = await bot.command("/schemes")
    page = await bot.press(categories, "安老服務業")
    text = visible(page["text"])
    assert "第 1/4 頁，共 23 項" in text
    first = data(page)[:6]
    assert first[0] == "g:t:0:rpl-elderly-care"  # the scheme itself, then what belongs to it
    assert "g:t:0:rpl-elderly-care-exemption" in first
    assert not any("itac" in d or "guests" in d for d in first)

    last = await bot.press_data(page, "p:t:elderly-care:3")
    people = [d for d in data(last) if d.startswith("g:")][-2:]
    assert people == [
        "g:t:3:elderly-care-itac",
        "g:t:3:rpl-elderly-care-launch-guests",
    ]  # chairs and guests last


async def test_an_answer_opened_from_a_list_leads_back_to_that_page(bot):
    categories = await bot.command("/schemes")
    page1 = await bot.press(categories, "安老服務業")
    page2 = await bot.press_data(page1, "p:t:elderly-care:1")
    entry = next(d for d in data(page2) if d.startswith("g:t:1:"))
    answer = await bot.press_data(page2, entry)  # the page becomes the answer …
    assert answer["text"].startswith("<b>")
    assert ("« 返回列表", "p:t:elderly-care:1") in buttons(answer)
    assert any(d.startswith("fb:") for d in data(answer))  # … rated like any answer
    back = await bot.press(answer, "« 返回列表")  # … and back to the same page
    assert "第 2/4 頁" in visible(back["text"])


async def test_a_category_is_searched_on_its_own(bot):
    categories = await bot.command("/schemes")
    page = await bot.press(categories, "車輛維修技工註冊")
    [search] = [
        b
        for row in page["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "🔎 在這個類別搜尋"
    ]
    assert search["switch_inline_query_current_chat"] == "#vehicle "

    # What Telegram sends when the worker then types a few words after it:
    update = bot.updates.inline_query("#vehicle 噴漆")
    bot.server.push_update(update)
    [answered] = await bot.server.wait_for("answerInlineQuery")
    titles = [r["title"] for r in answered.params["results"]]
    assert titles[0] == "車身噴漆[B2]：車輛維修（車身噴漆）三級"
    vehicle_ids = {
        e.id
        for e in bot.h.app.bot_data["services"].assistant.kb.entries.values()
        if e.topic == "vehicle"
    }
    assert all(re.sub(r"^[tse]", "", r["id"]) in vehicle_ids for r in answered.params["results"])
