"""Every condition of every rule, as people say it: one persona who meets it, one who does not, one who
has not said. Each persona is a worker's own sentence; the facts are read from it as the bot reads any
question, and the rule is evaluated on 2026-11-30.

A persona is built from clauses, one per condition of the rule. "Fails" swaps one clause for its
opposite; "has not said" leaves the clause out. The rule must then be met (eligible, or unclear when
the document's words have no measure), not met because of that condition, or waiting for that fact.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.rules import answer, evaluate, extract_facts
from tests.helpers import load_yaml, real_rules

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 30)


RULES = real_rules()

# fact -> (clause that meets the condition, clause that fails it), per kind of worker.
ELDERLY_STAFF = {
    "industry": ("我喺安老服務業", "我做物流"),
    "has_formal_experience": ("做咗五年", "冇正規工作經驗"),
}
SETTINGS = {"residential": ("喺院舍做", "喺日間中心做"), "community": ("喺日間中心做", "喺院舍做")}
CARER = {
    "industry": ("我屋企有年長家人", "我喺車房做嘢"),
    "has_formal_experience": ("冇做過安老工作", "喺老人院做咗三年護理員"),
    "carer": ("平時照顧阿媽", "唔係護老者"),
}
HEALTH_WORKER = {
    "industry": ("我喺安老服務業", "我喺物流業"),
    "has_formal_experience": ("做咗十年", "冇正規工作經驗"),
    "role": ("係護理員", "唔係護理員"),
    "local_form5": ("冇中五", "有中五"),
}
CATEGORY = {"M": "做引擎", "E": "做汽車電工", "B1": "做車身修理", "B2": "做車身噴漆"}
OTHER_CATEGORY = {"M": "做車身噴漆", "E": "做引擎", "B1": "做汽車電工", "B2": "做車身修理"}


def vehicle(category: str, registered: bool) -> dict[str, tuple[str, str]]:
    clauses = {
        "industry": ("我係車輛維修技工", "我係物流倉務員"),
        "registered": ("已經註冊咗", "冇註冊") if registered else ("冇註冊", "已經註冊咗"),
        "category": (CATEGORY[category], OTHER_CATEGORY[category]),
    }
    if not registered:
        clauses["has_formal_experience"] = ("做咗廿年", "冇經驗")
    return clauses


PERSONAS: dict[str, dict[str, tuple[str, str]]] = {
    "rpl-elderly-care-residential": {**ELDERLY_STAFF, "care_setting": SETTINGS["residential"]},
    "rpl-elderly-care-community": {**ELDERLY_STAFF, "care_setting": SETTINGS["community"]},
    "rpl-elderly-care-exemption": ELDERLY_STAFF,
    "rpl-elderly-care-carers": CARER,
    "care-worker-to-health-worker": HEALTH_WORKER,
    **{f"vmvrs-registered-{c.lower()}": vehicle(c, True) for c in CATEGORY},
    **{f"vmvrs-join-{c.lower()}": vehicle(c, False) for c in CATEGORY},
    "rpl-logistics-agency": {"industry": ("我喺貨倉做", "我喺車房做")},
}
# A care worker (護理員) has formal work experience, and a family carer has none, unless they say otherwise:
# saying the one says the other, so these are never unsaid.
IMPLIED = {
    ("care-worker-to-health-worker", "has_formal_experience"),
    ("rpl-elderly-care-carers", "has_formal_experience"),
}
NO_INDUSTRY = {"rpl-elderly-care-carers": "我冇正規工作經驗"}
QUESTION = "，可唔可以申請？"


def status(rule_id: str, text: str):
    facts = extract_facts(RULES, text)
    [o] = [o for o in evaluate(RULES, facts, TODAY) if o.rule_id == rule_id]
    return o


def persona(rule_id: str, swap: str | None = None, drop: str | None = None) -> str:
    if (
        swap == "industry"
    ):  # someone from another industry asks: their own work, not the others' clauses
        return PERSONAS[rule_id]["industry"][1] + QUESTION
    if drop == "industry":  # every other clause names the industry too: someone who names none
        return NO_INDUSTRY.get(rule_id, "我做咗好多年") + QUESTION
    parts = [
        fail if fid == swap else meet
        for fid, (meet, fail) in PERSONAS[rule_id].items()
        if fid != drop
    ]
    return "，".join(parts) + QUESTION


CASES = [(r, f) for r in PERSONAS for f in PERSONAS[r]]


def test_every_condition_of_every_rule_has_personas():
    assert {r.id: sorted(r.spec.when) for r in RULES.rules} == {
        r: sorted(c) for r, c in PERSONAS.items()
    }


@pytest.mark.parametrize("rule_id", list(PERSONAS))
def test_a_persona_who_meets_every_condition(rule_id):
    o = status(rule_id, persona(rule_id))
    assert o.status == ("unclear" if o.rule.spec.vague else "eligible"), persona(rule_id)


@pytest.mark.parametrize("rule_id, fact", CASES)
def test_a_persona_who_fails_the_condition(rule_id, fact):
    text = persona(rule_id, swap=fact)
    o = status(rule_id, text)
    assert o.status == "not_eligible", text
    assert fact in [c.fact for c in o.unmet], text


@pytest.mark.parametrize("rule_id, fact", CASES)
def test_a_persona_who_has_not_said(rule_id, fact):
    text = persona(rule_id, drop=fact)
    o = status(rule_id, text)
    if (rule_id, fact) in IMPLIED:
        assert [c.state for c in o.checks if c.fact == fact] == ["met"], text
        return
    assert o.status == "need" and fact in o.missing, text


# -- what the review found, as workers would say it ------------------------------------------


def test_no_experience_and_wanting_to_start_is_not_told_yes():
    reply = answer(RULES, "我冇經驗，想入行做安老，可唔可以申請資歷？", "zh-Hant", TODAY)
    assert reply is not None
    assert reply.text.startswith("要睇你是否護老者（照顧年長家人或做義工）。")
    assert [o.status for o in reply.outcomes] == ["need"]


def test_an_apprentice_of_one_month_is_not_told_yes():
    reply = answer(
        RULES, "我做咗一個月學徒，汽車電工，未註冊，可唔可以參加自願註冊計劃？", "zh-Hant", TODAY
    )
    assert reply is not None and reply.text.startswith("未必。")
    assert "沒有列明要多少年經驗" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "我做咗五年車身噴漆，想成為註冊技工，可以點？",
        "我做咗五年車身噴漆，想做註冊技工，可唔可以？",
        "我做咗五年車身噴漆，想成為一名註冊技工，可唔可以？",
        "我打算將來做一個註冊技工",
        "我想知道我係咪註冊技工",  # a question about it, not a fact
        "I do body painting and I want to become a registered mechanic, can I apply?",
    ],
)
def test_a_wish_is_not_a_fact(text):
    assert "registered" not in extract_facts(RULES, text)


@pytest.mark.parametrize(
    "text, fact",
    [
        ("我想做義工，可唔可以申請安老資歷？", "carer"),
        ("我想讀中五再做護理員", "local_form5"),
        ("I'd like to work in a care home later", "care_setting"),
    ],
)
def test_other_wishes_are_not_facts_either(text, fact):
    assert fact not in extract_facts(RULES, text)


def test_a_care_worker_with_form5_hears_about_the_health_worker_route():
    reply = answer(RULES, "我係護理員，有中五，想做保健員，可唔可以？", "zh-Hant", TODAY)
    assert reply is not None and reply.rule_ids == ["care-worker-to-health-worker"]
    assert reply.text.startswith("不可以經「護理員晉升保健員途徑（沒有本地中五學歷）」")
    assert "文件沒有說有本地中五學歷的護理員如何成為保健員" in reply.text
    en = answer(RULES, "I'm a care worker with Form 5. Can I become a health worker?", "en", TODAY)
    assert en is not None and en.text.startswith("No, not by “Care worker to health worker route")
    assert (
        "the documents do not say how a care worker with Form 5 becomes a health worker" in en.text
    )


@pytest.mark.parametrize(
    "text",
    [
        "I have 10 years experience as a car mechanic, not registered, engine work. Can I join?",
        "I'm an auto electrician with 3 yrs experience, not registered, can I apply?",
        "I've been working as a car panel beater, I'm not registered. Can I join the scheme?",
    ],
)
def test_ordinary_english_about_experience(text):
    facts = extract_facts(RULES, text)
    assert facts.get("has_formal_experience") is True and facts.get("registered") is False
    reply = answer(RULES, text, "en", TODAY)
    assert reply is not None and reply.text.startswith("Not necessarily.")
    assert "gives no number of years" in reply.text


# -- the document's words ---------------------------------------------------------------------------------

SEEDS = ROOT.parent / "shared" / "seeds"
SOURCES = load_yaml((ROOT / "knowledge" / "sources.yaml").read_text(encoding="utf-8"))["sources"]


@pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason="the source documents (../shared/seeds) are not beside this checkout",
)
@pytest.mark.parametrize("rule_id", list(PERSONAS))
def test_every_quote_is_the_documents_own_words(rule_id):
    rule = RULES.rule(rule_id)
    assert rule is not None
    [source] = [s for s in SOURCES if s["id"] == rule.spec.source.doc]
    text = (SEEDS / source["file"]).read_text(encoding="utf-8")
    assert sorted(rule.spec.quotes) == sorted(rule.spec.when)
    for fact, quote in rule.spec.quotes.items():
        assert quote in text, (rule_id, fact, quote)


def test_docs_quote_every_condition():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.rules:
        for fact, quote in rule.spec.quotes.items():
            assert f"| {rule.id} | `{fact}: " in doc and f"「{quote}」" in doc, (rule.id, fact)


def test_replies_are_short_and_open_with_the_verdict():
    """Every persona above, as a question: at most 400 characters, the verdict in the first words."""
    verdicts = ("可以。", "未必。", "要睇", "未可以：", "不可以")
    for rule_id, fact in CASES:
        for text in (persona(rule_id), persona(rule_id, swap=fact), persona(rule_id, drop=fact)):
            reply = answer(RULES, text, "zh-Hant", TODAY)
            if reply is None:
                continue  # not an eligibility question (nothing but the industry, say): retrieval answers
            assert len(reply.text) <= 400, text
            assert reply.text.startswith(verdicts), reply.text


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
def test_every_outcome_fits_in_400_characters_in_every_language(lang):
    """The same personas' facts, rendered in each language: the verdict and the source always fit."""
    from bot.rules import in_scope, render_outcomes

    verdicts = {
        "zh-Hant": ("可以。", "未必。", "要睇", "未可以：", "不可以"),
        "zh-Hans": ("可以。", "未必。", "要睇", "未可以：", "不可以"),
        "en": ("Yes. ", "Not necessarily. ", "It depends on ", "Not yet: ", "No"),
    }[lang]
    for rule_id, fact in CASES:
        for text in (persona(rule_id), persona(rule_id, swap=fact), persona(rule_id, drop=fact)):
            facts = extract_facts(RULES, text)
            outcomes = in_scope(RULES, evaluate(RULES, facts, TODAY))
            if not outcomes:
                continue
            reply = render_outcomes(RULES, outcomes, facts, lang)
            assert len(reply) <= 400 and reply.startswith(verdicts), (text, reply)
