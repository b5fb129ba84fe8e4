"""Evaluating rules against what is known about a person: pure functions, the date passed in.

For each rule: a known fact that contradicts a condition → not_eligible (with that reason); the date
outside the rule's window → not_yet / expired (with the date), since asking more cannot help; a
condition whose fact is unknown → need (the missing facts, in the order to ask); every condition met but
one the document states without a measure ("豐富經驗", no number of years) → unclear, never eligible;
otherwise eligible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bot.kb.schema import SourceRef
from bot.rules.schema import CompiledRule, Condition, Fact, Rules, Value

Status = Literal["eligible", "unclear", "not_eligible", "need", "not_yet", "expired"]


@dataclass(frozen=True)
class Check:
    """One condition of a rule against the person's fact: met, unmet or unknown."""

    condition: Condition
    actual: Value | None

    @property
    def fact(self) -> str:
        return self.condition.fact

    @property
    def state(self) -> Literal["met", "unmet", "unknown"]:
        if self.actual is None:
            return "unknown"
        return "met" if self.condition.holds(self.actual) else "unmet"


@dataclass(frozen=True)
class Outcome:
    rule: CompiledRule
    status: Status
    checks: tuple[Check, ...]  # every condition, in ask order: the reasons
    missing: tuple[str, ...] = ()  # fact ids still unknown, in ask order
    date: date | None = (
        None  # not_yet: the day the window opens; expired: the last day it was open
    )

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def source(self) -> SourceRef:
        return self.rule.spec.source

    @property
    def unmet(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.state == "unmet")

    @property
    def vague(self) -> tuple[Check, ...]:
        """Met conditions the document states without a measure: why an outcome is only unclear."""
        return tuple(c for c in self.checks if c.state == "met" and c.fact in self.rule.spec.vague)


def check_facts(rules: Rules, facts: Mapping[str, Value | None]) -> dict[str, Value]:
    """The facts the rules know about, each checked against its kind; ValueError for a bad value.
    A fact given as None is unknown (left out)."""
    known: dict[str, Value] = {}
    for fid, value in facts.items():
        fact = rules.facts.get(fid)
        if fact is None or value is None:
            continue
        if fact.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{fid} is a number, not {value!r}")
        elif fact.option(value) is None:
            raise ValueError(f"{value!r} is not an option of {fid}")
        known[fid] = value
    return known


def evaluate_rule(rule: CompiledRule, facts: Mapping[str, Value], today: date) -> Outcome:
    checks = tuple(Check(c, facts.get(c.fact)) for c in rule.conditions)
    missing = tuple(c.fact for c in checks if c.state == "unknown")
    if any(c.state == "unmet" for c in checks):
        return Outcome(rule, "not_eligible", checks, missing)
    valid = rule.spec.valid
    if valid is not None and valid.from_ is not None and today < valid.from_:
        return Outcome(rule, "not_yet", checks, missing, valid.from_)
    if valid is not None and valid.until is not None and today > valid.until:
        return Outcome(rule, "expired", checks, missing, valid.until)
    if missing:
        return Outcome(rule, "need", checks, missing)
    if any(c.fact in rule.spec.vague for c in checks):
        return Outcome(rule, "unclear", checks)
    return Outcome(rule, "eligible", checks)


def evaluate(rules: Rules, facts: Mapping[str, Value], today: date) -> list[Outcome]:
    """Every rule's outcome for these facts on `today`, in the order of rules.yaml."""
    known = check_facts(rules, facts)
    return [evaluate_rule(rule, known, today) for rule in rules.rules]


def missing_facts(rules: Rules, outcomes: list[Outcome]) -> list[str]:
    """Facts that could still change an answer (rules in `need`), in the order to ask them."""
    wanted = {f for o in outcomes if o.status == "need" for f in o.missing}
    return [fid for fid in rules.facts if fid in wanted]


def next_question(rules: Rules, facts: Mapping[str, Value], today: date) -> Fact | None:
    """The next fact a conversation should ask, or None when every rule is decided.

    Facts are asked in the order of rules.yaml, and only while some rule that is open today
    still depends on them: a mechanic is never asked about Form 5.
    """
    ask = missing_facts(rules, evaluate(rules, facts, today))
    return rules.facts[ask[0]] if ask else None


def in_scope(rules: Rules, outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes of rules about the area the worker named (every topic condition met).

    A mechanic is then not told that each elderly care route "requires elderly care".
    """

    def fits(o: Outcome) -> bool:
        topics = [c for c in o.checks if rules.facts[c.fact].topic]
        return bool(topics) and all(c.state == "met" for c in topics)

    return [o for o in outcomes if fits(o)]
