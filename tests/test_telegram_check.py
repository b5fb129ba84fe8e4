"""/check end to end: the real Application polls the fake Bot API server, a worker answers the
questions with buttons, and the tests read what the bot sent and edited.

The knowledge is a copy of knowledge/ (the fixture knowledge has no rules.yaml), and the Assistant's
clock is injected so the exemption window (2023-09-01..2028-08-31) can be crossed.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from tests.conftest import ROOT, running_bot, tg_config
from tests.fakes.messages import buttons, labels, visible
from tests.fakes.updates import DEFAULT_GROUP_ID, DEFAULT_USER_ID, make_user
from tests.fakes.waiting import elapse

USER = DEFAULT_USER_ID
GROUP = DEFAULT_GROUP_ID
EN_USER = make_user(2002, "Jo", language_code="en")
TODAY = date(2026, 3, 15)


class Clock:
    def __init__(self) -> None:
        self.today = TODAY

    def __call__(self) -> date:
        return self.today


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def chk_assistant(tmp_path_factory: pytest.TempPathFactory, clock: Clock):
    from bot.assistant import Assistant
    from tests.helpers import build_index_cached

    base = tmp_path_factory.mktemp("chk-kb")
    shutil.copytree(ROOT / "knowledge", base / "knowledge")
    build_index_cached("real", base / "knowledge", base / "var" / "index.sqlite")
    assistant = Assistant.open(base / "knowledge", base / "var" / "index.sqlite", today=clock)
    assert assistant.kb.rules is not None
    return assistant


@pytest.fixture
async def bot(tg_server, chk_assistant, tg_store, tmp_path, clock):
    clock.today = TODAY
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, chk_assistant, tg_store) as harness:
        await tg_server.wait_for("setMyCommands", 4)
        yield Driver(harness)
    clock.today = TODAY


# -- driving the bot like a worker -----------------------------------------------------------------------


class Driver:
    def __init__(self, harness) -> None:
        self.h = harness
        self.server = harness.server
        self.updates = harness.updates

    def _count(self) -> int:
        return len(self.server.calls)

    async def _new_calls(self, update: dict) -> list:
        before = self._count()
        self.server.push_update(update)
        await self.h.idle()
        calls = [
            c for c in self.server.calls[before:] if c.method != "getUpdates"
        ]  # long polls stay open
        await self.h.settled(calls)
        return calls

    async def command(self, text: str, user: dict | None = None) -> dict:
        """A private message; returns the message the bot sent in reply."""
        calls = await self._new_calls(self.updates.private_text(text, user=user))
        sent = [c for c in calls if c.method == "sendMessage"]
        assert len(sent) == 1, [c.summary() for c in calls]
        assert sent[0].ok
        return sent[0].result

    async def press(
        self, message: dict, label: str, user: dict | None = None, expect: str = "editMessageText"
    ):
        """Press the button `label` under `message`; every press is answered, and the message is edited."""
        found = [d for text, d in buttons(message) if text == label]
        assert found, f"no button {label!r} in {labels(message)}"
        [data] = found
        return await self.press_data(message, data, user, expect)

    async def press_data(
        self,
        message: dict,
        data: str,
        user: dict | None = None,
        expect: str | None = "editMessageText",
    ):
        update = self.updates.callback_query(data, message=message, user=user)
        calls = await self._new_calls(update)
        answers = [c for c in calls if c.method == "answerCallbackQuery"]
        assert [c.params["callback_query_id"] for c in answers] == [
            update["callback_query"]["id"]
        ], [c.summary() for c in calls]
        self.last_answer = answers[0]
        if expect is None:
            return calls
        done = [c for c in calls if c.method == expect]
        assert len(done) == 1 and done[0].ok, [c.summary() for c in calls]
        if expect == "editMessageText":
            assert (
                done[0].params["message_id"] == message["message_id"]
            )  # the same message, edited
        return done[0].result

    async def walk(
        self, start: str, answers: list[str], user: dict | None = None
    ) -> tuple[dict, list[str]]:
        """/check, then answer each question; returns the final message and the questions asked."""
        message = await self.command(start, user)
        asked = [visible(message["text"]).split("\n")[-1]]
        first_id = message["message_id"]
        for label in answers:
            message = await self.press(message, label, user)
            assert message["message_id"] == first_id
            asked.append(visible(message["text"]).split("\n")[-1])
        return message, asked[:-1]


def assert_fit(message: dict) -> None:
    for _, data in buttons(message):
        assert len(data.encode()) <= 64


# -- each path through the rules --------------------------------------------------------------------------


async def test_elderly_care_worker_gets_rpl_and_exemption_in_zh_hant(bot):
    first = await bot.command("/check")
    text = visible(first["text"])
    assert text.startswith("申請資格評估") and "第 1 題" in text
    assert text.endswith("你的工作（或照顧工作）屬於哪個行業？")
    assert labels(first) == [
        "安老服務業",
        "車輛維修業",
        "物流業",
        "其他／都不是",
        "✖ 取消",
    ]  # no Back before an answer
    assert all(d.startswith("chk:") for _, d in buttons(first))

    result, asked = await bot.walk(
        "/check", ["安老服務業", "有正規工作經驗", "院舍照顧", "其他職位"]
    )
    # Only what the rules need: never the mechanics' registration, never Form 5 for a non-care-worker.
    assert asked == [
        "你的工作（或照顧工作）屬於哪個行業？",
        "你有沒有在這個行業的正規工作經驗？（照顧家人或做義工不計）",
        "你從事哪類安老服務？",
        "你是否護理員？",
    ]
    text = visible(result["text"])
    assert text.startswith("評估結果")
    assert "你的回答：安老服務業；有正規工作經驗；院舍照顧；其他職位" in text
    # The verdict first, then what the worker gets: RPL for residential care and the exemption period.
    assert "\n可以。從事院舍照顧的安老服務業員工可申請「過往資歷認可」" in text and "45個" in text
    assert "五年免試期（2023年9月1日至2028年8月31日）" in text
    assert "下一步：聯絡評估機構香港老年學會（HKAG）。" in text
    assert "<i>來源：資歷架構通訊（2024年1月）</i>" in result["text"]
    assert "保健員" not in text
    data = [d for _, d in buttons(result)]
    assert "e:t:rpl-elderly-care" in data and "e:t:rpl-elderly-care-exemption" in data  # read more
    assert data[-1] == "chk:new:t" and labels(result)[-1] == "🔄 重新評估"
    assert_fit(result)


async def test_elderly_care_worker_in_english(bot):
    result, asked = await bot.walk(
        "/check",
        [
            "Elderly care",
            "Has formal work experience",
            "Community care and support",
            "Another job",
        ],
        EN_USER,
    )
    assert asked[0] == "Which industry is your work (or caring) in?"
    text = visible(result["text"])
    assert text.startswith("Your result")
    assert (
        "Yes. Since 1 September 2023, staff in community care and support can apply for elderly care RPL"
        in text
    )
    assert "five-year exemption period (1 September 2023 to 31 August 2028)" in text
    assert (
        "Next step: Contact the assessor, the Hong Kong Association of Gerontology [香港老年學會]."
        in text
    )
    assert "Source: Qualifications Framework newsletter (January 2024)" in text
    assert (
        "residential care)" not in text
    )  # the route that does not fit is not listed when others apply
    assert buttons(result)[-1] == ("🔄 Check again", "chk:new:e")


@pytest.mark.parametrize(
    "user, answers, must",
    [
        (
            None,
            ["安老服務業", "沒有正規工作經驗", "護老者（照顧家人或做義工）"],
            [
                "可以。未有正規安老工作經驗的護老者（例如照顧年長家人的人士或義工）可申請八個第1至2級資歷",
                "下一步：聯絡評估機構香港老年學會（HKAG）。",
            ],
        ),
        (
            EN_USER,
            ["Elderly care", "No formal work experience", "Carer (family or volunteer)"],
            [
                "Yes. Carers without formal elderly care work experience",
                "Infection Control",
                "Next step: Contact the assessor, the Hong Kong Association of Gerontology [香港老年學會].",
            ],
        ),
    ],
    ids=["zh-Hant", "en"],
)
async def test_family_carer_gets_eight_qualifications_via_hkag(bot, user, answers, must):
    result, asked = await bot.walk("/check", answers, user)
    assert (
        len(asked) == 3
    )  # nothing about care settings or roles: no route for carers depends on them
    text = visible(result["text"])
    for phrase in must:
        assert phrase in text
    assert "五年免試期" not in text and "exemption" not in text.lower()


@pytest.mark.parametrize(
    "user, answers, must",
    [
        (
            None,
            ["安老服務業", "有正規工作經驗", "院舍照顧", "護理員", "沒有本地中五學歷"],
            [
                "可以。從事院舍照顧的安老服務業員工可申請「過往資歷認可」",
                "亦可能適用：護理員晉升保健員途徑（沒有本地中五學歷）",
            ],
        ),
        (
            EN_USER,
            [
                "Elderly care",
                "Has formal work experience",
                "Residential care",
                "Care worker",
                "No local Form 5",
            ],
            [
                "Yes. Staff in residential elderly care can apply for RPL",
                "May also apply: Care worker to health worker route (without local Form 5)",
            ],
        ),
    ],
    ids=["zh-Hant", "en"],
)
async def test_care_worker_without_form5_gets_the_health_worker_path(bot, user, answers, must):
    result, asked = await bot.walk("/check", answers, user)
    assert len(asked) == 5
    text = visible(result["text"])
    for phrase in must:
        assert phrase in text


async def test_care_worker_with_form5_is_told_the_route_does_not_fit(bot):
    result, _ = await bot.walk(
        "/check", ["安老服務業", "有正規工作經驗", "院舍照顧", "護理員", "有本地中五學歷"]
    )
    text = visible(result["text"])
    assert (
        "護理員晉升保健員途徑" not in text
    )  # the route for care workers without Form 5 is not offered
    assert "可以。從事院舍照顧的安老服務業員工可申請「過往資歷認可」" in text


@pytest.mark.parametrize(
    "user, answers, asked_n, must, must_not",
    [
        (
            None,
            ["車輛維修業", "已是註冊技工", "車身噴漆 [B2]"],
            3,
            [
                "可以。註冊技工可經「過往資歷認可」取得資歷架構第三級資歷",
                "「車輛維修（車身噴漆）[三級]」",
                "下一步：通訊沒有列出評估機構",
            ],
            ["參與車輛維修技工自願註冊計劃"],
        ),
        (
            EN_USER,
            ["Vehicle repair", "Registered mechanic", "Mechanical Services [M]"],
            3,
            [
                "Yes. Registered mechanics can gain a QF Level 3 qualification through RPL",
                "Vehicle Repair (Mechanical Services)",
                "its partners include EMSD and VTC",
            ],
            ["Body Painting"],
        ),
        (
            None,
            ["車輛維修業", "未註冊", "有正規工作經驗", "電工服務 [E]"],
            4,
            [
                "未必。文件只講「擁有豐富經驗」，沒有列明要多少年經驗。",
                "「車輛維修（電工服務）[三級]」（資歷架構第三級）",
            ],
            ["註冊技工可經「過往資歷認可」取得"],
        ),
        (
            EN_USER,
            ["Vehicle repair", "Not registered", "Has formal work experience", "Body Repair [B1]"],
            4,
            [
                "Not necessarily. The document gives no number of years for “plenty of experience”",
                "Vehicle Repair (Body Repair)",
            ],
            ["Registered mechanics can gain"],
        ),
    ],
    ids=["registered-zh", "registered-en", "not-registered-zh", "not-registered-en"],
)
async def test_vehicle_mechanic_by_registration_and_category(
    bot, user, answers, asked_n, must, must_not
):
    result, asked = await bot.walk("/check", answers, user)
    assert (
        len(asked) == asked_n
    )  # a registered mechanic is not asked about experience; nobody about Form 5
    text = visible(result["text"])
    for phrase in must:
        assert phrase in text
    for phrase in must_not:
        assert phrase not in text


async def test_unregistered_mechanic_without_experience_is_told_why_nothing_fits(bot):
    result, asked = await bot.walk("/check", ["車輛維修業", "未註冊", "沒有正規工作經驗"])
    assert len(asked) == 3  # no category: no route is left open
    text = visible(result["text"])
    assert "\n不可以經「有豐富經驗的技工經「過往資歷認可」參與車輛維修技工自願註冊計劃」" in text
    assert "文件講的是「擁有豐富經驗」，而你是「沒有正規工作經驗」" in text
    assert "安老" not in text and "物流" not in text  # only the mechanics' routes are explained


@pytest.mark.parametrize(
    "user, label, must",
    [
        (
            None,
            "物流業",
            [
                "未必。通訊沒有列出物流業「過往資歷認可」的申請資格。",
                "香港大學專業進修學院（HKU SPACE）",
                "下一步：向香港大學專業進修學院查詢",
            ],
        ),
        (
            EN_USER,
            "Logistics",
            [
                "Not necessarily. The newsletter states no eligibility condition for logistics RPL.",
                "Next step: Ask HKU SPACE",
            ],
        ),
    ],
    ids=["zh-Hant", "en"],
)
async def test_logistics_goes_to_hku_space_after_one_question(bot, user, label, must):
    result, asked = await bot.walk("/check", [label], user)
    assert len(asked) == 1
    text = visible(result["text"])
    for phrase in must:
        assert phrase in text
    assert [d for _, d in buttons(result)][0].endswith(
        ":rpl-logistics"
    )  # read more: the logistics RPL entry


async def test_simplified_chinese_when_chosen_with_lang(bot):
    bot.h.store.set_language(USER, "zh-Hans")
    first = await bot.command("/check")
    assert visible(first["text"]).endswith("你的工作（或照顾工作）属于哪个行业？")
    assert labels(first)[:3] == ["安老服务业", "车辆维修业", "物流业"]
    result = await bot.press(first, "物流业")
    assert (
        "香港大学专业进修学院" in visible(result["text"]) and buttons(result)[-1][1] == "chk:new:s"
    )


async def test_words_after_check_answer_questions_and_set_the_language(bot):
    first = await bot.command("/check I'm a care worker and I don't have Form 5")
    text = visible(first["text"])
    assert (
        "Your answers: Elderly care; Has formal work experience; Care worker; No local Form 5"
        in text
    )
    assert text.endswith("Which kind of elderly care service do you work in?")
    assert "« Back" in labels(first)
    result = await bot.press(first, "Community care and support")
    assert "Care worker to health worker route" in visible(result["text"])


# -- Back, Cancel, timeout ----------------------------------------------------------------------------------


async def test_back_pops_the_last_answer(bot):
    first = await bot.command("/check")
    second = await bot.press(first, "安老服務業")
    assert "你的回答：安老服務業" in visible(second["text"]) and "第 2 題" in visible(
        second["text"]
    )
    assert labels(second)[-2:] == ["« 上一題", "✖ 取消"]
    third = await bot.press(second, "有正規工作經驗")
    assert visible(third["text"]).endswith("你從事哪類安老服務？")

    back = await bot.press(third, "« 上一題")
    assert visible(back["text"]).endswith(
        "你有沒有在這個行業的正規工作經驗？（照顧家人或做義工不計）"
    )
    assert "有正規工作經驗" not in visible(back["text"]).split("第 2 題")[0]
    back = await bot.press(back, "« 上一題")
    assert "第 1 題" in visible(back["text"]) and "« 上一題" not in labels(back)

    # A different path from there: the mechanics' question, not the carers'.
    vehicle = await bot.press(back, "車輛維修業")
    assert visible(vehicle["text"]).endswith(
        "你是否已經是「車輛維修技工自願註冊計劃」的註冊技工？"
    )


async def test_a_double_tap_answers_once(bot):
    first = await bot.command("/check")
    second = await bot.press(first, "安老服務業")
    # The second tap of the same button arrives with the message as it was before the edit.
    await bot.press_data(
        first, next(d for t, d in buttons(first) if t == "安老服務業"), expect=None
    )
    assert bot.last_answer.params["text"] == "這個按鈕已經過期。"
    now = bot.server.get_message(USER, first["message_id"])
    assert visible(now["text"]) == visible(second["text"]) and "第 2 題" in visible(now["text"])
    third = await bot.press(now, "有正規工作經驗")
    assert "你的回答：安老服務業；有正規工作經驗" in visible(third["text"])


async def test_cancel_ends_politely_and_old_buttons_then_say_so(bot):
    first = await bot.command("/check")
    second = await bot.press(first, "安老服務業")
    cancelled = await bot.press(second, "✖ 取消")
    assert visible(cancelled["text"]) == "申請資格評估\n已取消評估。想再試的話，隨時發送 /check。"
    assert "reply_markup" not in cancelled

    # The buttons the user still sees on an earlier copy of the message do nothing but say it ended.
    calls = await bot.press_data(
        second, next(d for t, d in buttons(second) if t == "有正規工作經驗"), expect=None
    )
    assert bot.last_answer.params["text"] == "這次評估已經結束，發送 /check 可以重新開始。"
    assert not [c for c in calls if c.method in ("sendMessage", "editMessageText")]


async def test_cancel_command(bot):
    first = await bot.command("/check", EN_USER)
    await bot.press(first, "Vehicle repair", EN_USER)
    bye = await bot.command("/cancel", EN_USER)
    assert visible(bye["text"]).endswith(
        "Check cancelled. Send /check whenever you'd like to try again."
    )
    question = bot.server.get_message(EN_USER["id"], first["message_id"])
    assert "reply_markup" not in question  # the question's buttons were taken away
    nothing = await bot.command("/cancel", EN_USER)
    assert visible(nothing["text"]).startswith("There's no check in progress.")


async def test_timeout_replaces_the_question_with_a_polite_note(
    tg_server, chk_assistant, tg_store, tmp_path, monkeypatch
):
    from bot.telegram.handlers import check

    monkeypatch.setattr(check, "TIMEOUT_SECONDS", 0.3)
    config = tg_config(tmp_path, tg_server.base_url)
    async with running_bot(tg_server, config, chk_assistant, tg_store) as harness:
        bot = Driver(harness)
        first = await bot.command("/check")
        second = await bot.press(first, "安老服務業")
        edits = await tg_server.wait_for(
            "editMessageText",
            timeout=3.0,
            predicate=lambda c: "一段時間沒有回答" in (c.params.get("text") or ""),
        )
        assert edits[-1].params["message_id"] == first["message_id"]
        note = tg_server.get_message(USER, first["message_id"])
        assert visible(note["text"]).endswith(
            "你有一段時間沒有回答，所以我先結束了這次評估。想再試的話，發送 /check 就可以。"
        )
        assert "reply_markup" not in note
        await bot.press_data(
            second, next(d for t, d in buttons(second) if t == "有正規工作經驗"), expect=None
        )
        assert bot.last_answer.params["text"] == "這次評估已經結束，發送 /check 可以重新開始。"
        # A check answered in time is not cut short: each answer restarts the clock.
        first = await bot.command("/check")
        for label in ("安老服務業", "有正規工作經驗", "院舍照顧"):
            await elapse(0.15)  # half the timeout between answers: more than it in all
            first = await bot.press(first, label)
        assert visible(first["text"]).endswith("你是否護理員？")


async def test_a_new_check_makes_the_old_buttons_stale(bot):
    old = await bot.command("/check")
    new = await bot.command("/check")
    assert "reply_markup" not in bot.server.get_message(USER, old["message_id"])
    calls = await bot.press_data(
        old, next(d for t, d in buttons(old) if t == "物流業"), expect=None
    )
    assert bot.last_answer.params["text"] == "這個按鈕已經過期。"
    assert not [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    result = await bot.press(new, "物流業")
    assert "HKU SPACE" in visible(result["text"])
    again = await bot.press(
        result, "🔄 重新評估", expect="sendMessage"
    )  # a new message: the result stays
    assert "第 1 題" in visible(again["text"]) and again["message_id"] != result["message_id"]
    assert "HKU SPACE" in visible(bot.server.get_message(USER, result["message_id"])["text"])


# -- groups -----------------------------------------------------------------------------------------------


async def test_group_check_links_to_a_private_chat(bot):
    calls = await bot._new_calls(bot.updates.group_text("/check"))
    [sent] = [c for c in calls if c.method == "sendMessage"]
    assert str(sent.chat_id) == str(GROUP)
    assert sent.params["reply_parameters"]["message_id"]  # quoting the asker
    assert visible(sent.params["text"]).startswith("為免洗版，評估會在你和我的私人對話中進行。")
    assert buttons(sent.result) == [
        ("到私人對話開始評估", "https://t.me/vt_helper_bot?start=check")
    ]
    # No conversation started in the group: answer-like presses there are just stale.
    calls = await bot._new_calls(bot.updates.group_text("/check@vt_helper_bot", user=EN_USER))
    [sent] = [c for c in calls if c.method == "sendMessage"]
    assert buttons(sent.result) == [
        ("Start the check in private", "https://t.me/vt_helper_bot?start=check")
    ]

    # Opening the link sends "/start check" in private: the first question, not the welcome.
    first = await bot.command("/start check")
    assert visible(first["text"]).endswith("你的工作（或照顧工作）屬於哪個行業？")
    result = await bot.press(first, "物流業")
    assert "香港大學專業進修學院" in visible(result["text"])
    # Plain /start still welcomes.
    welcome = await bot.command("/start")
    assert visible(welcome["text"]).startswith("你好，")


# -- the date -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day, open_", [(date(2028, 8, 31), True), (date(2028, 9, 1), False)])
async def test_exemption_window_follows_the_assistants_clock(bot, clock, day, open_):
    clock.today = day
    for user, answers, open_text, ended_text in [
        (
            None,
            ["安老服務業", "有正規工作經驗", "院舍照顧", "其他職位"],
            "部分安老服務業「過往資歷認可」資歷設五年免試期",
            "安老服務業過往資歷認可五年免試期已於2028年8月31日結束。",
        ),
        (
            EN_USER,
            ["Elderly care", "Has formal work experience", "Residential care", "Another job"],
            "Some have a five-year exemption period",
            "Five-year exemption period for elderly care RPL ended on 31 August 2028.",
        ),
    ]:
        result, _ = await bot.walk("/check", answers, user)
        text = visible(result["text"])
        assert ("從事院舍照顧" in text) or (
            "residential elderly care" in text
        )  # RPL itself has no end date
        if open_:
            assert open_text in text and ended_text not in text
        else:
            assert ended_text in text and open_text not in text
