"""Free-text eligibility questions: facts read from zh-Hant, Cantonese, zh-Hans and English (with
negations), which questions the rules answer, and the replies themselves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kb.text import Lang, to_simplified
from bot.rules import (
    EligibilityReply,
    Rules,
    answer,
    extract_facts,
    looks_like_eligibility_question,
)
from tests.helpers import real_rules

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2024, 6, 1)
SOURCE_ZH = "來源：資歷架構通訊（2024年1月）"
SOURCE_HANS = "来源：资历架构通讯（2024年1月）"
SOURCE_EN = "Source: Qualifications Framework newsletter (January 2024)"


RULES = (
    real_rules()
)  # loaded once: hypothesis runs one test many times and dislikes function fixtures


@pytest.fixture
def rules():
    return RULES


def must_answer(rules: Rules, text: str, lang: Lang, today: date) -> EligibilityReply:
    """answer() for a question the rules do answer."""
    reply = answer(rules, text, lang, today)
    assert reply is not None, text
    return reply


# -- facts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, facts",
    [
        # Cantonese
        (
            "我做咗十年車身噴漆，冇註冊，可以攞咩資歷？",
            {
                "industry": "vehicle",
                "category": "B2",
                "registered": False,
                "has_formal_experience": True,
            },
        ),
        (
            "我喺屋企照顧阿媽好多年",
            {"industry": "elderly_care", "has_formal_experience": False, "carer": True},
        ),
        (
            "我做護理員好多年但冇中五",
            {
                "industry": "elderly_care",
                "role": "care_worker",
                "local_form5": False,
                "has_formal_experience": True,
            },
        ),
        (
            "我係車房師傅，已經註冊咗，做引擎",
            {
                "industry": "vehicle",
                "registered": True,
                "has_formal_experience": True,
                "category": "M",
            },
        ),
        (
            "我喺社區中心做，唔係喺院舍做",
            {"care_setting": "community", "has_formal_experience": True},
        ),
        # written Traditional Chinese
        (
            "本人從事安老院舍工作，沒有本地中五學歷",
            {
                "industry": "elderly_care",
                "care_setting": "residential",
                "has_formal_experience": True,
                "local_form5": False,
            },
        ),
        ("我是未註冊的汽車電工", {"industry": "vehicle", "registered": False, "category": "E"}),
        (
            "我是義工，未有正規安老工作經驗",
            {"industry": "elderly_care", "has_formal_experience": False, "carer": True},
        ),
        # Simplified
        (
            "我在家照顾妈妈，没有正规经验",
            {"industry": "elderly_care", "has_formal_experience": False, "carer": True},
        ),
        (
            "我在家照顾患病的奶奶好几年了，没有在院舍上过班",
            {"industry": "elderly_care", "has_formal_experience": False, "carer": True},
        ),
        (
            "我做了八年车身修理，没有注册",
            {
                "industry": "vehicle",
                "category": "B1",
                "has_formal_experience": True,
                "registered": False,
            },
        ),
        (
            "我是护理员，有中五",
            {
                "industry": "elderly_care",
                "role": "care_worker",
                "local_form5": True,
                "has_formal_experience": True,
            },
        ),
        # English
        (
            "I care for my mother at home",
            {"industry": "elderly_care", "has_formal_experience": False, "carer": True},
        ),
        (
            "I'm a care worker and I don't have Form 5",
            {
                "industry": "elderly_care",
                "role": "care_worker",
                "local_form5": False,
                "has_formal_experience": True,
            },
        ),
        (
            "I've worked as a car body painter for 10 years and I'm not registered",
            {
                "industry": "vehicle",
                "category": "B2",
                "has_formal_experience": True,
                "registered": False,
            },
        ),
        (
            "I work in a logistics warehouse",
            {"industry": "logistics", "has_formal_experience": True},
        ),
        ("I have no experience", {"has_formal_experience": False}),
        ("I’m a registered mechanic", {"industry": "vehicle", "registered": True}),
        (
            "我唔係護理員",
            {"role": "other"},
        ),  # the route is for care workers: not one is the other option
    ],
)
def test_extract_facts(rules, text, facts):
    assert extract_facts(rules, text) == facts


@pytest.mark.parametrize(
    "text, fact",
    [
        ("我有冇註冊都唔知", "registered"),  # 有冇 asks, it does not deny
        (
            "我唔係社區中心嘅員工",
            "care_setting",
        ),  # says what the person is not: unknown, to be asked
        ("我想做護理員", "role"),  # a wish, not a job
        ("I want to become a care worker", "role"),
        ("I do body repair and painting", "category"),  # two categories: ask which
        (
            "我想做註冊保健員",
            "registered",
        ),  # a registered health worker is not a registered mechanic
        ("I'm a carer", "has_formal_experience"),  # the word alone does not say formal or not
    ],
)
def test_unclear_facts_stay_unknown(rules, text, fact):
    assert fact not in extract_facts(rules, text)


def test_car_is_not_care_and_cargo_is_logistics(rules):
    assert extract_facts(rules, "I work in a care home")["industry"] == "elderly_care"
    assert extract_facts(rules, "I work at the cargo terminal")["industry"] == "logistics"
    assert extract_facts(rules, "I repair cars")["industry"] == "vehicle"


def test_the_more_specific_phrase_decides_a_yes_no_fact(rules):
    # 做咗 (worked) and 照顧阿媽 (caring for mother): the longer, specific phrase wins.
    assert extract_facts(rules, "我照顧阿媽做咗三年")["has_formal_experience"] is False
    assert extract_facts(rules, "我照顧阿媽做咗三年")["carer"] is True
    assert extract_facts(rules, "我喺屋企照顧阿媽，唔係冇做過安老")["industry"] == "elderly_care"


def test_traditional_and_simplified_give_the_same_facts(rules):
    text = "我做咗十年車身噴漆，冇註冊，可以攞咩資歷？"
    assert extract_facts(rules, to_simplified(text)) == extract_facts(rules, text)


# -- which questions the rules answer ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "我做咗十年車身噴漆，冇註冊，可以攞咩資歷？",
        "I care for my mother at home, can I get a qualification?",
        "我在家照顾妈妈，可以申请资历吗？",
        "做開修車，冇註冊，可唔可以加入註冊計劃？",  # no 我: a Cantonese sentence that opens with what they did
        "Am I eligible? I'm a registered mechanic doing engine work.",
        "我屋企有個阿嫲要照顧，冇返過工，可以考咩資歷？",  # 考 a qualification, 阿嫲 as the family member
    ],
)
def test_eligibility_questions(rules, text):
    assert looks_like_eligibility_question(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "What is the exemption period?",
        "免試期幾時完？",
        "安老服務業過往資歷認可有幾多個資歷？",
        "Can a care worker without Form 5 become a health worker?",  # not about the asker
        "How do I apply for elderly care RPL?",  # names only the area: the entry answers better
        "我係護理員，免試期幾時完？",  # about the asker, but not asking whether they can
        "我想知道香港老年學會係咩機構",
        "Hello",
        "",
    ],
)
def test_other_questions_are_left_to_retrieval(rules, text):
    assert not looks_like_eligibility_question(rules, text)
    assert answer(rules, text, "zh-Hant", TODAY) is None


def test_no_rules_no_answer():
    assert answer(None, "我做咗十年車身噴漆，冇註冊，可以攞咩資歷？", "zh-Hant", TODAY) is None


# -- replies ---------------------------------------------------------------------------------------


def test_unregistered_painter_in_cantonese(rules):
    reply = must_answer(rules, "我做咗十年車身噴漆，冇註冊，可以攞咩資歷？", "zh-Hant", TODAY)
    assert reply.rule_ids == ["vmvrs-join-b2"]
    assert reply.entry_ids == ["vmvrs-categories"]
    assert reply.missing == [] and reply.next_fact is None
    # Ten years is experience, but the document says only "豐富經驗": not necessarily, and why.
    assert reply.text.startswith("未必。文件只講「擁有豐富經驗」，沒有列明要多少年經驗。")
    assert "「車輛維修（車身噴漆）[三級]」" in reply.text
    assert "下一步：通訊沒有列出評估機構或申請方法" in reply.text
    assert (
        "機電工程署" in reply.text
    )  # the partners the newsletter names, since it names no agency
    assert reply.text.endswith(SOURCE_ZH)


def test_family_carer_in_english(rules):
    reply = must_answer(
        rules, "I care for my mother at home, can I get a qualification?", "en", TODAY
    )
    assert reply.rule_ids == ["rpl-elderly-care-carers"]
    text = reply.text
    assert text.startswith("Yes. Carers without formal elderly care work experience")
    assert "eight Level 1–2 qualifications" in text
    assert "Hong Kong Association of Gerontology [香港老年學會]" in text
    assert reply.entry_ids == ["rpl-elderly-care-carers"]  # the eight, one tap away
    assert text.endswith(SOURCE_EN)


def test_family_carer_in_simplified(rules):
    reply = must_answer(rules, "我在家照顾妈妈，可以申请资历吗？", "zh-Hans", TODAY)
    assert reply.rule_ids == ["rpl-elderly-care-carers"]
    assert reply.text.startswith("可以。")
    assert "香港老年学会" in reply.text and "八个第1至2级资历" in reply.text
    assert reply.text.endswith(SOURCE_HANS)
    assert to_simplified(reply.text) == reply.text  # nothing left in Traditional


def test_carer_before_the_window_opens(rules):
    reply = must_answer(
        rules, "我喺屋企照顧阿媽，可唔可以申請資歷？", "zh-Hant", date(2023, 8, 31)
    )
    assert [o.status for o in reply.outcomes] == ["not_yet"]
    assert reply.text.startswith("未可以：")
    assert "由2023年9月1日起才開始" in reply.text
    reply = must_answer(
        rules, "I look after my mother at home, can I apply?", "en", date(2023, 8, 31)
    )
    assert "starts on 1 September 2023" in reply.text


def test_care_worker_without_form5(rules):
    reply = must_answer(rules, "我做護理員好多年但冇中五，可唔可以做保健員？", "zh-Hant", TODAY)
    assert reply.rule_ids == [
        "care-worker-to-health-worker"
    ]  # the question names 保健員: that route
    assert [o.status for o in reply.outcomes] == [
        "unclear"
    ]  # "豐富工作經驗" has no number of years
    assert reply.text.startswith(
        "未必。社會福利署代表的例子只講「持有豐富工作經驗」，文件沒有列明要多少年。"
    )
    assert "「護理員進階訓練證書」" in reply.text and "註冊保健員" in reply.text
    assert "下一步：先修讀「護理員進階訓練證書」課程。" in reply.text
    assert reply.missing == [] and reply.entry_ids == ["elderly-care-worker-progression"]


def test_exemption_applies_until_31_august_2028_and_not_after(rules):
    text = "I've worked in a care home for 8 years, can I apply for RPL?"
    on = must_answer(rules, text, "en", date(2028, 8, 31))
    assert {"rpl-elderly-care-residential", "rpl-elderly-care-exemption"} <= set(
        o.rule_id for o in on.outcomes if o.status == "eligible"
    )
    assert "1 September 2023 to 31 August 2028" in on.text
    after = must_answer(rules, text, "en", date(2028, 9, 1))
    [expired] = [o for o in after.outcomes if o.status == "expired"]
    assert expired.rule_id == "rpl-elderly-care-exemption"
    assert after.text.startswith("Yes. Staff in residential elderly care")
    assert "Five-year exemption period for elderly care RPL ended on 31 August 2028." in after.text
    zh = must_answer(
        rules, "我喺老人院做咗八年，可唔可以申請過往資歷認可？", "zh-Hant", date(2028, 9, 1)
    )
    assert "已於2028年8月31日結束" in zh.text


def test_community_care_before_and_after_1_september_2023(rules):
    text = "我喺社區照顧服務做咗三年，可唔可以申請過往資歷認可？"
    before = must_answer(rules, text, "zh-Hant", date(2023, 8, 31))
    assert {o.rule_id: o.status for o in before.outcomes}[
        "rpl-elderly-care-community"
    ] == "not_yet"
    assert "由2023年9月1日起才開始" in before.text
    after = must_answer(rules, text, "zh-Hant", date(2023, 9, 1))
    assert {o.rule_id: o.status for o in after.outcomes}[
        "rpl-elderly-care-community"
    ] == "eligible"


def test_missing_category_is_asked_for(rules):
    reply = must_answer(rules, "我係車房師傅，冇註冊，可唔可以加入註冊計劃？", "zh-Hant", TODAY)
    assert reply.missing == ["category"]
    assert reply.text.startswith(
        "要睇你的工作屬於哪個註冊類別（機械、電工、車身修理或車身噴漆）。"
    )
    en = must_answer(
        rules,
        "I'm an experienced mechanic, not registered. Can I join the registration scheme?",
        "en",
        TODAY,
    )
    assert en.missing == ["category"]
    assert en.text.startswith("It depends on which registration category your work is in")


def test_one_or_two_open_routes_say_what_they_give(rules):
    reply = must_answer(rules, "我做汽車電工，可以攞咩資歷？", "zh-Hant", TODAY)
    assert reply.missing == ["registered"]
    assert reply.text.startswith("要睇你是否已是註冊技工。")
    assert "「車輛維修（電工服務）[三級]」" in reply.text


def test_routes_that_do_not_fit_say_why(rules):
    reply = must_answer(
        rules,
        "I have no experience and I'm not registered, can I join the vehicle mechanic scheme?",
        "en",
        TODAY,
    )
    assert all(o.status == "not_eligible" for o in reply.outcomes)
    assert reply.text.startswith(
        "No, not by “Experienced mechanics join the Vehicle Mechanic Voluntary Registration Scheme"
    )
    assert (
        "it is for “Has formal work experience” [擁有豐富經驗], and you said “No formal work experience”"
        in reply.text
    )
    assert reply.text.endswith(SOURCE_EN)


def test_logistics_names_hku_space(rules):
    reply = must_answer(rules, "我做物流，可唔可以用工作經驗換資歷？", "zh-Hant", TODAY)
    assert reply.rule_ids == ["rpl-logistics-agency"]
    assert reply.text.startswith("未必。通訊沒有列出物流業「過往資歷認可」的申請資格。")
    assert "香港大學專業進修學院（HKU SPACE）" in reply.text


def test_only_rules_of_the_named_industry_are_shown(rules):
    reply = must_answer(rules, "我做咗十年車身噴漆，冇註冊，可以攞咩資歷？", "zh-Hant", TODAY)
    assert "安老" not in reply.text and "物流" not in reply.text


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("我做咗冇註冊護理員中五唔係想有可以申請車身噴漆 ,?Iamnotcare")
        ),
        max_size=40,
    )
)
def test_any_text_is_safe(text):
    reply = answer(RULES, text, "zh-Hant", TODAY)
    assert reply is None or reply.text.endswith(SOURCE_ZH)


def test_open_routes_are_those_the_question_is_about(rules):
    reply = must_answer(
        rules,
        "How do I qualify for the Health Worker Training Course without Form 5?",
        "en",
        TODAY,
    )
    assert reply.rule_ids == ["care-worker-to-health-worker"]
    assert reply.missing == ["has_formal_experience", "role"]
    assert "Advanced Training Certificate for Care Workers [護理員進階訓練證書]" in reply.text


def test_a_reply_can_continue_as_a_conversation(rules):
    from bot.rules import evaluate, next_question

    reply = must_answer(rules, "我係車房師傅，冇註冊，可唔可以加入註冊計劃？", "zh-Hant", TODAY)
    facts = dict(reply.facts)
    fact = next_question(rules, facts, TODAY)
    assert fact is not None and fact is reply.next_fact
    facts[fact.id] = fact.parse(fact.choices("zh-Hant")[0][0])  # presses 機械服務 [M]
    assert next_question(rules, facts, TODAY) is None
    assert [o.rule_id for o in evaluate(rules, facts, TODAY) if o.status == "unclear"] == [
        "vmvrs-join-m"
    ]
