"""Eligibility rules: rules.yaml as data, a pure evaluator with the date passed in, and free-text answers.

rules, errors = load_rules("rules.yaml", raw, entries, sources)
evaluate(rules, facts, today)        -> [Outcome]   eligible / not_eligible / need / not_yet / expired
next_question(rules, facts, today)   -> Fact | None  what a conversation asks next
answer(rules, text, lang, today)     -> EligibilityReply | None  a free-text question's reply
"""

from bot.rules.evaluate import (
    Check,
    Outcome,
    Status,
    evaluate,
    in_scope,
    missing_facts,
    next_question,
)
from bot.rules.freetext import (
    EligibilityReply,
    answer,
    extract_facts,
    looks_like_eligibility_question,
)
from bot.rules.loader import load_rules
from bot.rules.render import render_outcomes
from bot.rules.schema import Fact, Rules

__all__ = [
    "Check",
    "EligibilityReply",
    "Fact",
    "Outcome",
    "Rules",
    "Status",
    "answer",
    "evaluate",
    "extract_facts",
    "in_scope",
    "load_rules",
    "looks_like_eligibility_question",
    "missing_facts",
    "next_question",
    "render_outcomes",
]
