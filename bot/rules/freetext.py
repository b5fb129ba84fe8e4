"""Free-text "can I apply?" questions answered from the rules.

The engine asks `answer` first and falls back to ordinary retrieval when it returns None, so this
module says yes only to a clear eligibility question about the asker ("我…可唔可以…", "can I…")
that names an area the rules cover. "What is the exemption period?" is not one: the knowledge entry
answers it better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.kb.text import Lang
from bot.rules.cues import cue_pattern, prepare
from bot.rules.evaluate import Outcome, evaluate, in_scope, missing_facts
from bot.rules.render import render_outcomes, shown
from bot.rules.schema import Fact, Rules, Value

# Asking whether one may do or get something (folded: Simplified, lower case).
_ASK_ZH = re.compile(
    r"可唔可以|可不可以|可以|可否|能否|能不能|能唔能|得唔得|得不得|有冇得|有没有得|资格|符合|申请|攞|取得|拿到|获得|"
    r"报读|入读|加入|参加|参与|能考|可考|考到|考取|考哪|考咩|考什么|考甚么|读咩|读什么"
)
_ASK_EN = re.compile(
    r"\b(?:can|could|may|do|should) i\b|\bam i\b|\beligib|\bqualif(?:y|ies)\b|\bapply\b|\bapplying\b|\bjoin\b|"
    r"\bget (?:a|any|some)\b.*\bqualification"
)
# About the asker: a first-person word, or a Cantonese sentence that opens with what they did (做咗十年…).
_ME_ZH = re.compile(r"我|本人|自己|^(?:做咗|做了|做过|做紧|做开)")
_ME_EN = re.compile(r"\b(?:i|i'm|im|i've|i'd|my|me|myself)\b")


@dataclass(frozen=True)
class EligibilityReply:
    text: str  # the whole reply, in the asker's language and script, ending with the source line
    lang: Lang
    facts: dict[str, Value]  # what the question told us
    outcomes: list[Outcome]  # the outcomes the reply talks about
    rule_ids: list[str]
    entry_ids: list[str] = field(default_factory=list)  # knowledge entries to read more
    missing: list[str] = field(default_factory=list)  # fact ids still needed, in the order to ask
    next_fact: Fact | None = None  # the first of them, to continue as a conversation


def extract_facts(rules: Rules, text: str) -> dict[str, Value]:
    """Facts the text states, from the cues in rules.yaml; unclear ones are left out."""
    return rules.cues.extract(text)


def looks_like_eligibility_question(rules: Rules, text: str) -> bool:
    """A question about the asker ('I…', '我…') asking whether they can apply or get something,
    that names an area (the industry) and states at least one more fact about them.

    Naming only the area ("How do I apply for elderly care RPL?") is left to the knowledge
    entries: a reply made only of questions back would help less than their answer.
    """
    folded = prepare(text)
    about_me = bool(_ME_ZH.search(folded) or _ME_EN.search(folded))
    asks = bool(_ASK_ZH.search(folded) or _ASK_EN.search(folded))
    if not (about_me and asks):
        return False
    facts = extract_facts(rules, text)
    topical = [f for f in facts if rules.facts[f].topic]
    return bool(topical) and len(facts) > len(topical)


def _relevant(outcomes: list[Outcome], rules: Rules) -> list[Outcome]:
    """Open routes that use something the asker said beyond the industry, when there are any:
    "without Form 5" asks about the health worker route, not about every elderly care rule."""

    def uses_a_stated_fact(o: Outcome) -> bool:
        return any(c.state == "met" and not rules.facts[c.fact].topic for c in o.checks)

    if any(o.status == "need" and uses_a_stated_fact(o) for o in outcomes):
        return [o for o in outcomes if o.status != "need" or uses_a_stated_fact(o)]
    return outcomes


def _about(outcomes: list[Outcome], text: str) -> list[Outcome]:
    """The outcomes of rules the question names (a rule's `about` words, 保健員), when it names any:
    a care worker with Form 5 asking about becoming a health worker is answered about that route."""
    folded = prepare(text)
    named = [o for o in outcomes if any(cue_pattern(c).search(folded) for c in o.rule.spec.about)]
    return named or outcomes


def answer(rules: Rules | None, text: str, lang: Lang, today: date) -> EligibilityReply | None:
    """The rules' answer to a free-text eligibility question, or None to let retrieval answer."""
    if rules is None or not looks_like_eligibility_question(rules, text):
        return None
    facts = extract_facts(rules, text)
    outcomes = _relevant(_about(in_scope(rules, evaluate(rules, facts, today)), text), rules)
    if not outcomes:
        return None
    selected = shown(outcomes)
    missing = missing_facts(rules, outcomes)
    return EligibilityReply(
        text=render_outcomes(rules, outcomes, facts, lang),
        lang=lang,
        facts=facts,
        outcomes=selected,
        rule_ids=[o.rule_id for o in selected],
        entry_ids=list(dict.fromkeys(o.rule.spec.entry for o in selected if o.rule.spec.entry)),
        missing=missing,
        next_fact=rules.facts[missing[0]] if missing else None,
    )
