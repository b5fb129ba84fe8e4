"""Issue 11, point 3, as a worker lives /check: Back everywhere (under a result too), "Other / none of
these" at every step ending honestly ("not covered — ask a person"), typed answers understood at each
step, and a free-text eligibility question offered its missing question as buttons that continue in
/check (from a group: in private)."""

from __future__ import annotations

import pytest

from tests import test_telegram_check as check_tests
from tests.conftest import running_bot
from tests.fakes.messages import buttons, labels, visible
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID
from tests.test_telegram_admin import ADMIN_CHAT, admin_config, fast
from tests.test_telegram_check import Driver

bot, chk_assistant, clock = (
    check_tests.bot,
    check_tests.chk_assistant,
    check_tests.clock,
)  # the fixtures

USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID
NOT_COVERED = "你的情況不在我手上文件涵蓋的範圍內，我不想亂估答錯你。"


async def test_back_under_a_result_takes_the_check_up_again(bot):
    result, _ = await bot.walk("/check", ["物流業"])
    assert visible(result["text"]).startswith("評估結果")
    assert labels(result)[-2:] == ["« 上一題", "🔄 重新評估"]
    again = await bot.press(result, "« 上一題")  # the same message, back at the last question
    assert visible(again["text"]).endswith("你的工作（或照顧工作）屬於哪個行業？")
    second = await bot.press(again, "安老服務業")
    assert "你的回答：安老服務業" in visible(second["text"])


async def test_other_at_any_step_ends_honestly_and_back_resumes(bot):
    first = await bot.command("/check")
    second = await bot.press(first, "安老服務業")
    assert "其他／都不是" in labels(second)
    ending = await bot.press(second, "其他／都不是")
    text = visible(ending["text"])
    assert (
        NOT_COVERED in text and "請向有關機構查詢" in text
    )  # no staff chat here: no person to offer
    assert labels(ending) == ["« 上一題", "🔄 重新評估"]
    logged = bot.h.store.queries(1)[0]
    assert (
        logged["kind"] == "check"
        and not logged["answered"]
        and "其他：你有沒有在這個行業的正規工作經驗" in logged["text"]
    )
    resumed = await bot.press(ending, "« 上一題")
    assert visible(resumed["text"]).endswith(
        "你有沒有在這個行業的正規工作經驗？（照顧家人或做義工不計）"
    )
    assert "你的回答：安老服務業" in visible(resumed["text"])


async def test_other_offers_a_person_when_there_is_a_staff_chat(
    tg_server, chk_assistant, tg_store, tmp_path
):
    async with running_bot(
        tg_server, admin_config(tmp_path, tg_server), chk_assistant, tg_store, **fast()
    ) as harness:
        await tg_server.wait_for("setMyCommands", 4)
        driver = Driver(harness)
        first = await driver.command("/check")
        ending = await driver.press(first, "其他／都不是")
        assert "按「🙋 問真人職員」" in visible(ending["text"])
        [ask] = [d for label, d in buttons(ending) if label == "🙋 問真人職員"]
        await driver.press_data(ending, ask, expect="editMessageReplyMarkup")
        item = (
            await tg_server.wait_for("sendMessage", predicate=lambda c: c.chat_id == ADMIN_CHAT)
        )[0]
        assert (
            "<blockquote>[評估] -；其他：你的工作（或照顧工作）屬於哪個行業？</blockquote>"
            in item.params["text"]
        )


async def test_typed_answers_are_understood_at_every_step(bot):
    first = await bot.command("/check")
    second = await bot.command("我做安老")  # the industry, in the worker's words
    assert second["message_id"] != first["message_id"]  # the check continues below what they typed
    assert (
        bot.server.calls_of("editMessageReplyMarkup")[-1].params["message_id"]
        == first["message_id"]
    )
    assert visible(second["text"]).endswith(
        "你有沒有在這個行業的正規工作經驗？（照顧家人或做義工不計）"
    )
    third = await bot.command("8年")  # years of work: yes
    assert "有正規工作經驗" in visible(third["text"]) and visible(third["text"]).endswith(
        "你從事哪類安老服務？"
    )

    # A real question in the middle is answered as a question; the check waits.
    answer = await bot.command("免試期幾時完？")
    assert visible(answer["text"]).startswith(
        "安老服務業過往資歷認可五年免試期"
    ) or "免試期" in visible(answer["text"])

    fourth = await bot.command("1")  # the first choice
    assert "院舍照顧" in visible(fourth["text"]) and visible(fourth["text"]).endswith(
        "你是否護理員？"
    )
    fifth = await bot.command("係呀")  # yes, in Cantonese
    assert "護理員" in visible(fifth["text"]) and visible(fifth["text"]).endswith(
        "你有沒有本地中五學歷？"
    )
    result = await bot.command("冇")  # no
    assert visible(result["text"]).startswith("評估結果") and "沒有本地中五學歷" in visible(
        result["text"]
    )


@pytest.mark.parametrize(
    "said, value",
    [
        ("yes", True),
        ("No", False),
        ("有", True),
        ("沒有", False),
        ("冇呀", False),
        ("是的", True),
        ("不是", False),
        ("有 8 年", True),
        ("十二年", True),
        ("0年", False),
        ("eight years", True),
        ("唔係", False),
        ("天氣好", None),
    ],
)
def test_yes_no_and_years_in_four_language_forms(chk_assistant, said, value):
    from bot.telegram.typed import understand

    rules = chk_assistant.kb.rules
    assert (
        understand(
            rules,
            rules.facts["local_form5"]
            if "年" not in said and "years" not in said
            else rules.facts["has_formal_experience"],
            said,
        )
        == value
    )


def test_numbers_of_years_are_read(chk_assistant):
    from bot.telegram.typed import number_in

    assert [
        number_in(s)
        for s in ("8年", "八年", "十二年", "二十年", "eight years", "2.5", "two and a half")
    ] == [8, 8, 12, 20, 8, 2.5, 2]


async def test_a_free_text_eligibility_answer_continues_as_a_check(bot):
    answer = await bot.command("我係車房師傅，可以考咩資歷？")
    text = visible(answer["text"])
    assert "想繼續逐步評估，可以按下面的答案：" in text
    assert text.endswith("你是否已經是「車輛維修技工自願註冊計劃」的註冊技工？")
    taps = [d for _, d in buttons(answer) if d.startswith("chk:f:")]
    assert labels(answer)[:2] == ["已是註冊技工", "未註冊"] and len(taps) == 2

    check = await bot.press(answer, "已是註冊技工", expect="sendMessage")
    text = visible(check["text"])
    assert (
        text.startswith("申請資格評估")
        and "你的回答：車輛維修業；已是註冊技工；有正規工作經驗" in text
    )
    assert text.endswith("你的工作屬於「車輛維修技工自願註冊計劃」哪個註冊類別？")
    result = await bot.press(check, "車身噴漆 [B2]")
    assert "「車輛維修（車身噴漆）[三級]」" in visible(result["text"])


async def test_from_a_group_the_free_text_answer_continues_in_private(bot):
    ask = bot.updates.mention("我係車房師傅，可以考咩資歷？")
    calls = await bot._new_calls(ask)
    [answer] = [c for c in calls if c.method == "sendMessage"]
    link = [
        b.get("url")
        for row in answer.params["reply_markup"]["inline_keyboard"]
        for b in row
        if b.get("url")
    ]
    query_id = bot.h.store.queries(1)[0]["id"]
    assert link == [f"https://t.me/vt_helper_bot?start=check_q{query_id}"]
    check = await bot.command(f"/start check_q{query_id}")
    assert "你的回答：車輛維修業；有正規工作經驗" in visible(check["text"])


async def test_an_old_results_back_does_not_end_the_check_running_now(bot):
    old, _ = await bot.walk("/check", ["物流業"])
    current = await bot.command("/check")
    await bot.press(old, "« 上一題", expect=None)  # told it has ended; its buttons go
    assert bot.last_answer.params["text"] == "這次評估已經結束，發送 /check 可以重新開始。"
    second = await bot.press(current, "安老服務業")  # the check started since goes on
    assert "你的回答：安老服務業" in visible(second["text"])
