"""Eligibility rules: loading with precise errors, each rule's outcomes, window boundaries, what to ask next."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.kb.loader import KnowledgeInvalid, load_knowledge
from bot.kb.schema import SourcesFile
from bot.rules import evaluate, load_rules, next_question
from bot.rules.evaluate import check_facts, missing_facts
from bot.rules.render import render_outcomes
from bot.rules.schema import Value
from tests.helpers import FIXTURE_KB, load_yaml

ROOT = Path(__file__).resolve().parent.parent
RAW = load_yaml((ROOT / "knowledge" / "rules.yaml").read_text(encoding="utf-8"))
TODAY = date(2024, 6, 1)


def load(raw=RAW, entries=None, sources=None):
    return load_rules("rules.yaml", raw, entries or {}, sources or {})


@pytest.fixture(scope="module")
def rules():
    rules, errors = load()
    assert errors == []
    return rules


def outcome(rules, rule_id, facts, today=TODAY):
    [o] = [o for o in evaluate(rules, facts, today) if o.rule_id == rule_id]
    return o


def met(o) -> str:
    """What a rule whose every condition holds gives: "eligible", or "unclear" when one of them is in
    the document's words without a measure (豐富經驗: no number of years)."""
    return "unclear" if o.rule.spec.vague else "eligible"


Facts = dict[str, Value]
ELDERLY: Facts = {"industry": "elderly_care", "has_formal_experience": True}
# Each rule with the facts that make it apply, and one fact that, changed, makes it not apply.
CASES: dict[str, tuple[Facts, tuple[str, Value]]] = {
    "rpl-elderly-care-residential": (
        {**ELDERLY, "care_setting": "residential"},
        ("care_setting", "community"),
    ),
    "rpl-elderly-care-community": (
        {**ELDERLY, "care_setting": "community"},
        ("care_setting", "residential"),
    ),
    "rpl-elderly-care-exemption": (ELDERLY, ("has_formal_experience", False)),
    "rpl-elderly-care-carers": (
        {"industry": "elderly_care", "has_formal_experience": False, "carer": True},
        ("has_formal_experience", True),
    ),
    "care-worker-to-health-worker": (
        {**ELDERLY, "role": "care_worker", "local_form5": False},
        ("local_form5", True),
    ),
    "vmvrs-registered-m": (
        {"industry": "vehicle", "registered": True, "category": "M"},
        ("registered", False),
    ),
    "vmvrs-registered-e": (
        {"industry": "vehicle", "registered": True, "category": "E"},
        ("category", "M"),
    ),
    "vmvrs-registered-b1": (
        {"industry": "vehicle", "registered": True, "category": "B1"},
        ("category", "B2"),
    ),
    "vmvrs-registered-b2": (
        {"industry": "vehicle", "registered": True, "category": "B2"},
        ("industry", "logistics"),
    ),
    "vmvrs-join-m": (
        {
            "industry": "vehicle",
            "registered": False,
            "has_formal_experience": True,
            "category": "M",
        },
        ("has_formal_experience", False),
    ),
    "vmvrs-join-e": (
        {
            "industry": "vehicle",
            "registered": False,
            "has_formal_experience": True,
            "category": "E",
        },
        ("registered", True),
    ),
    "vmvrs-join-b1": (
        {
            "industry": "vehicle",
            "registered": False,
            "has_formal_experience": True,
            "category": "B1",
        },
        ("category", "E"),
    ),
    "vmvrs-join-b2": (
        {
            "industry": "vehicle",
            "registered": False,
            "has_formal_experience": True,
            "category": "B2",
        },
        ("category", "B1"),
    ),
    "rpl-logistics-agency": ({"industry": "logistics"}, ("industry", "vehicle")),
}
# What each outcome must name: the qualification with its level, or the agency.
NAMES = {
    "rpl-elderly-care-residential": ["香港老年學會", "45"],
    "rpl-elderly-care-community": ["香港老年學會", "社區照顧及支援"],
    "rpl-elderly-care-exemption": ["2023年9月1日至2028年8月31日", "工作證明文件"],
    "rpl-elderly-care-carers": [
        "香港老年學會",
        "保持環境整潔、舒適及安全（第1級）",
        "與服務使用者的溝通（第2級）",
    ],
    "care-worker-to-health-worker": ["護理員進階訓練證書", "保健員訓練課程", "註冊保健員"],
    "vmvrs-registered-m": ["車輛維修（機械服務）[三級]"],
    "vmvrs-registered-e": ["車輛維修（電工服務）[三級]"],
    "vmvrs-registered-b1": ["車輛維修（車身修理）[三級]"],
    "vmvrs-registered-b2": ["車輛維修（車身噴漆）[三級]"],
    "vmvrs-join-m": ["車輛維修（機械服務）[三級]", "參與「車輛維修技工自願註冊計劃」"],
    "vmvrs-join-e": ["車輛維修（電工服務）[三級]"],
    "vmvrs-join-b1": ["車輛維修（車身修理）[三級]"],
    "vmvrs-join-b2": ["車輛維修（車身噴漆）[三級]"],
    "rpl-logistics-agency": ["香港大學專業進修學院"],
}


def test_the_real_rules_load_and_every_rule_is_covered_here(rules):
    assert [r.id for r in rules.rules] == list(CASES)
    assert list(rules.facts) == [
        "industry",
        "registered",
        "has_formal_experience",
        "carer",
        "care_setting",
        "role",
        "local_form5",
        "category",
    ]
    assert all(r.spec.source.doc == "qf-newsletter-2024-01" for r in rules.rules)


def test_document_titles_match_sources_yaml():
    parsed = SourcesFile.model_validate(
        load_yaml((ROOT / "knowledge" / "sources.yaml").read_text(encoding="utf-8"))
    )
    _, errors = load(sources={s.id: s for s in parsed.sources})
    assert errors == []


@pytest.mark.parametrize("rule_id", list(CASES))
def test_each_rule_applies_and_stops_applying(rules, rule_id):
    facts, (fact, other) = CASES[rule_id]
    o = outcome(rules, rule_id, facts)
    assert o.status == met(o) and o.missing == ()
    assert all(c.state == "met" for c in o.checks)
    for name in NAMES[rule_id]:
        assert name in o.rule.spec.outcome.zh + o.rule.spec.next_step.zh
    o = outcome(rules, rule_id, {**facts, fact: other})
    assert o.status == "not_eligible"
    [unmet] = o.unmet
    assert (unmet.fact, unmet.actual) == (fact, other)


@pytest.mark.parametrize("rule_id", list(CASES))
def test_each_rule_asks_for_what_it_lacks_in_order(rules, rule_id):
    facts, _ = CASES[rule_id]
    o = outcome(rules, rule_id, {"industry": facts["industry"]})
    wanted = [f for f in rules.facts if f in facts and f != "industry"]
    if wanted:
        assert o.status == "need" and list(o.missing) == wanted
    else:
        assert o.status == met(o)


def test_exact_facts_for_the_eight_vehicle_rules_pick_one_qualification(rules):
    facts: Facts = {
        "industry": "vehicle",
        "registered": False,
        "has_formal_experience": True,
        "category": "B2",
    }
    decided = [
        (o.rule_id, o.status)
        for o in evaluate(rules, facts, TODAY)
        if o.status in ("eligible", "unclear")
    ]
    assert decided == [
        ("vmvrs-join-b2", "unclear")
    ]  # "豐富經驗" with no number of years: never a plain yes


@pytest.mark.parametrize("rule_id", ["rpl-elderly-care-community", "rpl-elderly-care-carers"])
def test_windows_open_on_1_september_2023(rules, rule_id):
    facts, _ = CASES[rule_id]
    before = outcome(rules, rule_id, facts, date(2023, 8, 31))
    assert before.status == "not_yet" and before.date == date(2023, 9, 1)
    assert outcome(rules, rule_id, facts, date(2023, 9, 1)).status == "eligible"
    assert outcome(rules, rule_id, facts, date(2040, 1, 1)).status == "eligible"  # no end stated


def test_exemption_window_boundaries(rules):
    o = lambda d: outcome(rules, "rpl-elderly-care-exemption", ELDERLY, d)  # noqa: E731
    assert (o(date(2023, 8, 31)).status, o(date(2023, 8, 31)).date) == (
        "not_yet",
        date(2023, 9, 1),
    )
    assert o(date(2023, 9, 1)).status == "eligible"
    assert o(date(2028, 8, 31)).status == "eligible"
    assert (o(date(2028, 9, 1)).status, o(date(2028, 9, 1)).date) == ("expired", date(2028, 8, 31))


def test_rules_without_a_window_hold_before_and_after(rules):
    facts = {**ELDERLY, "care_setting": "residential"}
    for day in (date(2020, 1, 1), date(2023, 8, 31), date(2030, 1, 1)):
        assert outcome(rules, "rpl-elderly-care-residential", facts, day).status == "eligible"


def test_a_contradiction_wins_over_the_window(rules):
    o = outcome(rules, "rpl-elderly-care-exemption", {"industry": "vehicle"}, date(2029, 1, 1))
    assert o.status == "not_eligible"


def test_after_the_exemption_the_reply_says_it_ended(rules):
    facts = {**ELDERLY, "care_setting": "residential"}
    text = render_outcomes(rules, evaluate(rules, facts, date(2028, 9, 1)), facts, "en")
    assert text.startswith("Yes. Staff in residential elderly care can apply")
    assert "Five-year exemption period for elderly care RPL ended on 31 August 2028." in text
    zh = render_outcomes(rules, evaluate(rules, facts, date(2028, 8, 31)), facts, "zh-Hant")
    assert "已於" not in zh and "五年免試期" in zh


def test_before_the_window_the_reply_says_when_it_opens(rules):
    facts: Facts = {"industry": "elderly_care", "has_formal_experience": False, "carer": True}
    text = render_outcomes(rules, evaluate(rules, facts, date(2023, 8, 1)), facts, "zh-Hant")
    assert text.startswith(
        "未可以：未有正規安老工作經驗的護老者可申請八個資歷由2023年9月1日起才開始。"
    )
    assert text.endswith("來源：資歷架構通訊（2024年1月）")


# -- the conversation ----------------------------------------------------------------------------


def walk(rules, answers, today=TODAY):
    """Ask next_question until done, answering from `answers`; return the facts asked, in order."""
    facts: Facts = {}
    asked: list[str] = []
    while (fact := next_question(rules, facts, today)) is not None:
        asked.append(fact.id)
        facts[fact.id] = fact.parse(answers[fact.id])
    return asked, facts


def test_conversation_for_an_unregistered_painter(rules):
    asked, facts = walk(
        rules,
        {
            "industry": "vehicle",
            "registered": "false",
            "has_formal_experience": "true",
            "category": "B2",
        },
    )
    assert asked == ["industry", "registered", "has_formal_experience", "category"]
    assert [o.rule_id for o in evaluate(rules, facts, TODAY) if o.status == "unclear"] == [
        "vmvrs-join-b2"
    ]


def test_registered_mechanics_are_not_asked_about_experience(rules):
    asked, _ = walk(rules, {"industry": "vehicle", "registered": "true", "category": "M"})
    assert asked == ["industry", "registered", "category"]


def test_a_family_carer_is_asked_three_questions(rules):
    asked, facts = walk(
        rules, {"industry": "elderly_care", "has_formal_experience": "false", "carer": "true"}
    )
    assert asked == ["industry", "has_formal_experience", "carer"]
    assert [o.rule_id for o in evaluate(rules, facts, TODAY) if o.status == "eligible"] == [
        "rpl-elderly-care-carers"
    ]


def test_a_care_worker_is_asked_about_setting_role_and_form5(rules):
    answers = {
        "industry": "elderly_care",
        "has_formal_experience": "true",
        "care_setting": "community",
        "role": "care_worker",
        "local_form5": "false",
    }
    asked, facts = walk(rules, answers)
    assert asked == ["industry", "has_formal_experience", "care_setting", "role", "local_form5"]
    eligible = {o.rule_id for o in evaluate(rules, facts, TODAY) if o.status == "eligible"}
    assert eligible == {"rpl-elderly-care-community", "rpl-elderly-care-exemption"}
    unclear = {o.rule_id for o in evaluate(rules, facts, TODAY) if o.status == "unclear"}
    assert unclear == {"care-worker-to-health-worker"}  # "豐富工作經驗": no number of years


def test_a_closed_window_is_not_asked_about(rules):
    # Before 1 September 2023 a carer's rule has not opened: nothing left to ask after experience.
    asked, _ = walk(
        rules, {"industry": "elderly_care", "has_formal_experience": "false"}, date(2023, 8, 1)
    )
    assert asked == ["industry", "has_formal_experience"]
    # Logistics has one rule that needs nothing more.
    assert walk(rules, {"industry": "logistics"})[0] == ["industry"]


def test_missing_facts_follow_the_fact_order(rules):
    outcomes = evaluate(rules, {"industry": "elderly_care"}, TODAY)
    assert missing_facts(rules, outcomes) == [
        "has_formal_experience",
        "carer",
        "care_setting",
        "role",
        "local_form5",
    ]


def test_questions_and_buttons_in_three_scripts(rules):
    fact = rules.facts["category"]
    assert fact.prompt("zh-Hant").startswith("你的工作屬於")
    assert fact.prompt("zh-Hans").startswith("你的工作属于")
    assert fact.prompt("en").startswith("Which registration category")
    assert fact.choices("zh-Hant")[3] == ("B2", "車身噴漆 [B2]")
    assert fact.choices("zh-Hans")[3] == ("B2", "车身喷漆 [B2]")
    assert fact.choices("en")[0] == ("M", "Mechanical Services [M]")
    yes_no = rules.facts["local_form5"]
    assert [v for v, _ in yes_no.choices("en")] == ["true", "false"]
    assert yes_no.parse("false") is False
    with pytest.raises(ValueError):
        fact.parse("B3")


def test_bad_fact_values_are_refused(rules):
    with pytest.raises(ValueError):
        check_facts(rules, {"category": "B3"})
    with pytest.raises(ValueError):
        check_facts(rules, {"registered": "yes"})
    assert check_facts(rules, {"unknown": 1, "registered": None}) == {}


# -- number facts (supported for future rules; none stated in the documents) ----------------------


def test_number_conditions():
    raw = copy.deepcopy(RAW)
    raw["facts"].append(
        {
            "id": "years",
            "kind": "number",
            "question": {"zh": "做咗幾多年？", "en": "How many years?"},
        }
    )
    raw["rules"] = [
        dict(
            raw["rules"][0],
            id="test-years",
            when={"industry": "vehicle", "years": {"min": 5}},
            quotes={"industry": "車輛維修技工", "years": "五年"},
        )
    ]
    rules, errors = load(raw)
    assert errors == []
    status = lambda facts: evaluate(rules, facts, TODAY)[0].status  # noqa: E731
    assert status({"industry": "vehicle"}) == "need"
    assert status({"industry": "vehicle", "years": 5}) == "eligible"
    assert status({"industry": "vehicle", "years": 4}) == "not_eligible"
    assert rules.facts["years"].parse("7") == 7 and rules.facts["years"].choices("en") == []


# -- the raw data survives the search index's JSON round trip -------------------------------------


def test_raw_round_trips_through_json(rules):
    raw = json.loads(json.dumps(rules.raw, ensure_ascii=False))
    again, errors = load(raw)
    assert errors == []
    assert [r.conditions for r in again.rules] == [r.conditions for r in rules.rules]
    assert (
        again.rule("rpl-elderly-care-exemption").spec.valid
        == rules.rule("rpl-elderly-care-exemption").spec.valid
    )


# -- loader errors: file, rule id, field --------------------------------------------------------


def broken(mutate):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    rules, errors = load(raw)
    assert rules is None and errors
    return [(e.file, e.entry, e.field) for e in errors], [e.message for e in errors]


def rule_at(raw, rule_id):
    return next(r for r in raw["rules"] if r["id"] == rule_id)


def test_unknown_fact_in_a_condition():
    where, msgs = broken(lambda raw: rule_at(raw, "vmvrs-join-b2")["when"].update(colour="red"))
    assert where == [("rules.yaml", "vmvrs-join-b2", "when.colour")]
    assert "unknown fact 'colour'" in msgs[0]


def test_bad_option_value():
    where, msgs = broken(lambda raw: rule_at(raw, "vmvrs-join-b2")["when"].update(category="B3"))
    assert where == [("rules.yaml", "vmvrs-join-b2", "when.category")]
    assert "'B3' is not an option of category (M, E, B1, B2)" in msgs[0]


def test_bool_condition_written_as_text():
    where, _ = broken(lambda raw: rule_at(raw, "vmvrs-join-b2")["when"].update(registered="no"))
    assert where == [("rules.yaml", "vmvrs-join-b2", "when.registered")]


def test_bad_date():
    where, msgs = broken(
        lambda raw: rule_at(raw, "rpl-elderly-care-exemption").update(valid={"from": "2023-02-30"})
    )
    assert where == [("rules.yaml", "rpl-elderly-care-exemption", "valid.from")]


def test_window_ending_before_it_starts():
    where, msgs = broken(
        lambda raw: rule_at(raw, "rpl-elderly-care-exemption").update(
            valid={"from": date(2028, 8, 31), "until": date(2023, 9, 1)}
        )
    )
    assert where == [("rules.yaml", "rpl-elderly-care-exemption", "valid")]
    assert "before" in msgs[0]


def test_duplicate_rule_id():
    where, msgs = broken(
        lambda raw: raw["rules"].append(copy.deepcopy(rule_at(raw, "rpl-logistics-agency")))
    )
    assert where == [("rules.yaml", "rpl-logistics-agency", "id")]
    assert "duplicate" in msgs[0]


def test_missing_field_and_unknown_field():
    def mutate(raw):
        del rule_at(raw, "rpl-logistics-agency")["outcome"]
        rule_at(raw, "vmvrs-join-b2")["fee"] = 100

    where, _ = broken(mutate)
    assert where == [
        ("rules.yaml", "vmvrs-join-b2", "fee"),
        ("rules.yaml", "rpl-logistics-agency", "outcome"),
    ]


def test_unknown_document_and_entry():
    raw = copy.deepcopy(RAW)
    rule_at(raw, "rpl-logistics-agency")["source"]["doc"] = "nope"
    rule_at(raw, "vmvrs-join-b2")["entry"] = "no-such-entry"
    entries: dict[str, Any] = {
        r["entry"]: object() for r in RAW["rules"] if r.get("entry")
    }  # only ids are checked
    _, errors = load_rules("rules.yaml", raw, entries, {})
    assert [(e.entry, e.field) for e in errors] == [
        ("vmvrs-join-b2", "entry"),
        ("rpl-logistics-agency", "source.doc"),
    ]
    assert "no entry with id 'no-such-entry'" in errors[0].message


def test_entries_are_only_checked_when_given(rules):
    assert (
        rules.rule("vmvrs-join-b2").spec.entry == "vmvrs-categories"
    )  # loaded with entries={}: not checked


def test_source_title_must_match_sources_yaml():
    parsed = SourcesFile.model_validate(
        load_yaml((ROOT / "knowledge" / "sources.yaml").read_text(encoding="utf-8"))
    )
    raw = copy.deepcopy(RAW)
    raw["documents"][0]["title"]["en"] = "QF newsletter"
    _, errors = load(raw, sources={s.id: s for s in parsed.sources})
    assert [(e.entry, e.field) for e in errors] == [("qf-newsletter-2024-01", "title")]


def test_fact_errors():
    def mutate(raw):
        facts = {f["id"]: f for f in raw["facts"]}
        facts["category"]["options"].append({"value": False, "label": {"zh": "冇", "en": "no"}})
        facts["local_form5"]["options"].pop()
        facts["registered"]["options"][1]["cues"].append("已註冊")  # also a cue for true

    where, msgs = broken(mutate)
    assert ("rules.yaml", "category", None) in where
    assert ("rules.yaml", "local_form5", None) in where
    assert ("rules.yaml", "registered", "options.1.cues") in where
    assert any("quote False" in m for m in msgs)


def test_a_rule_needs_a_topic_condition():
    where, _ = broken(
        lambda raw: rule_at(raw, "rpl-logistics-agency").update(
            when={"registered": True}, quotes={"registered": "註冊技工"}, vague={}
        )
    )
    assert where == [("rules.yaml", "rpl-logistics-agency", "when")]


def test_not_a_mapping_and_unknown_section():
    _, errors = load_rules("rules.yaml", ["a"], {}, {})
    assert errors[0].field is None and "mapping" in errors[0].message
    where, _ = broken(lambda raw: raw.update(extra=[]))
    assert where == [("rules.yaml", None, "extra")]


# -- through the knowledge loader -----------------------------------------------------------------

SMALL_RULES = """
documents:
  - id: qf-newsletter-2024-01
    title: {zh: 資歷架構通訊（2024年1月）, en: Qualifications Framework newsletter (January 2024)}
facts:
  - id: industry
    kind: choice
    topic: true
    question: {zh: 行業？, en: Industry?}
    options:
      - {value: elderly_care, label: {zh: 安老服務業, en: Elderly care}, cues: [安老]}
      - {value: vehicle, label: {zh: 車輛維修業, en: Vehicle repair}, cues: [修車]}
rules:
  - id: small-rule
    title: {zh: 測試, en: Test}
    when: {industry: elderly_care}
    quotes: {industry: 安老服務業}
    short: {zh: 結果, en: Outcome}
    outcome: {zh: 結果, en: Outcome}
    next_step: {zh: 下一步, en: Next}
    entry: ENTRY
    source: {doc: qf-newsletter-2024-01, section: 測試}
"""


def test_knowledge_loader_loads_rules_and_reports_their_errors(tmp_path):
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, kb_dir)
    (kb_dir / "rules.yaml").write_text(
        SMALL_RULES.replace("ENTRY", "rpl-elderly-care"), encoding="utf-8"
    )
    kb = load_knowledge(kb_dir)
    assert [r.id for r in kb.rules.rules] == ["small-rule"]
    (kb_dir / "rules.yaml").write_text(
        SMALL_RULES.replace("ENTRY", "missing-entry"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeInvalid) as exc:
        load_knowledge(kb_dir)
    assert [str(e) for e in exc.value.errors] == [
        "rules.yaml · entry small-rule · field entry: no entry with id 'missing-entry'"
    ]


def test_docs_table_lists_every_rule(rules):
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows if "-" in row.split("`")[1]] == [
        r.id for r in rules.rules
    ]
