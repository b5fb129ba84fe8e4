"""Outcomes → the plain reply text shown in the console, the CLI and Telegram, in the reader's language.

The wording is kept here (not in bot/i18n) so the rules package stays self-contained; Simplified is
derived from Traditional like everywhere else.
"""
from __future__ import annotations

from typing import Mapping

from bot.i18n import render_date
from bot.kb.text import Lang, to_simplified
from bot.rules.evaluate import Check, Outcome, missing_facts
from bot.rules.schema import Rules, Value, pick

MESSAGES: dict[str, dict[str, str]] = {
    "known": {"zh": "根據你提供的資料：{facts}", "en": "Based on what you told me: {facts}"},
    "next_step": {"zh": "下一步：{text}", "en": "Next step: {text}"},
    "not_yet": {"zh": "⏳ {title}：由{date}起才開始，現在未適用。", "en": "⏳ {title}: this starts on {date}; it does not apply yet."},
    "expired": {"zh": "⛔ {title}：已於{date}結束，現已不適用。", "en": "⛔ {title}: this ended on {date}; it no longer applies."},
    "may_apply": {"zh": "可能適用：", "en": "May apply:"},
    "may_also_apply": {"zh": "亦可能適用：", "en": "May also apply:"},
    "need": {"zh": "要進一步回答，我需要知道：", "en": "To tell you more I need to know:"},
    "not_fit": {"zh": "根據來源資料，以下途徑不適用於你的情況：", "en": "According to the source, these routes do not fit your situation:"},
    "unmet": {"zh": "• {title}：條件是「{expected}」，而你的情況是「{actual}」。", "en": "• {title}: requires “{expected}”, but you said “{actual}”."},
    "source": {"zh": "來源：{title}", "en": "Source: {title}"},
}
_SEP = {"zh": "；", "en": "; "}
_OR = {"zh": "／", "en": " / "}


def msg(key: str, lang: Lang, **values: object) -> str:
    text = MESSAGES[key]["en" if lang == "en" else "zh"].format(**values)
    return to_simplified(text) if lang == "zh-Hans" else text


def _sep(table: dict[str, str], lang: Lang) -> str:
    return table["en" if lang == "en" else "zh"]


def facts_summary(rules: Rules, facts: Mapping[str, Value], lang: Lang) -> str:
    """The understood facts as short statements, in ask order: 車輛維修業；未註冊；車身噴漆 [B2]."""
    parts = [rules.facts[f].label(facts[f], lang) for f in rules.facts if f in facts]
    return _sep(_SEP, lang).join(parts)


def question_line(rules: Rules, fact_id: str, lang: Lang) -> str:
    fact = rules.facts[fact_id]
    options = _sep(_OR, lang).join(label for _, label in fact.choices(lang))
    return f"• {fact.prompt(lang)}" + (f"\n  {options}" if options else "")


def _expected(rules: Rules, check: Check, lang: Lang) -> str:
    fact = rules.facts[check.fact]
    c = check.condition
    if c.values:
        return _sep(_OR, lang).join(fact.label(v, lang) for v in c.values)
    lo, hi = c.min, c.max
    return f"{'' if lo is None else lo}–{'' if hi is None else hi}"


def _actual(rules: Rules, check: Check, lang: Lang) -> str:
    """What the person said, for an unmet condition (only a known value can be unmet)."""
    return "" if check.actual is None else rules.facts[check.fact].label(check.actual, lang)


def shown(outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes a reply talks about: what applies, starts later, has ended or needs more facts;
    the routes that do not fit only when nothing else can be said."""
    told = [o for o in outcomes if o.status != "not_eligible"] or list(outcomes)
    # What applies first, the most specific rule (most conditions the person meets) first among them.
    rank = {"eligible": 0, "not_yet": 1, "expired": 2, "need": 3, "not_eligible": 4}
    return sorted(told, key=lambda o: (rank[o.status], -sum(c.state == "met" for c in o.checks)))


def render_outcomes(rules: Rules, outcomes: list[Outcome], facts: Mapping[str, Value], lang: Lang,
                    ask_missing: bool = True) -> str:
    """The reply for these outcomes, ending with the source line(s)."""
    blocks: list[str] = []
    summary = facts_summary(rules, facts, lang)
    if summary:
        blocks.append(msg("known", lang, facts=summary))
    selected = shown(outcomes)
    for o in selected:
        spec, title = o.rule.spec, pick(o.rule.spec.title, lang)
        if o.status == "eligible":
            blocks.append(f"• {title}\n{pick(spec.outcome, lang)}\n{msg('next_step', lang, text=pick(spec.next_step, lang))}")
        elif o.status == "not_yet" and o.date is not None:  # evaluate_rule() dates not_yet and expired
            blocks.append(f"{msg('not_yet', lang, title=title, date=render_date(o.date.isoformat(), lang))}\n{pick(spec.outcome, lang)}")
        elif o.status == "expired" and o.date is not None:
            blocks.append(msg("expired", lang, title=title, date=render_date(o.date.isoformat(), lang)))
    need = [o for o in selected if o.status == "need"]
    if need:
        titles = list(dict.fromkeys(pick(o.rule.spec.title, lang) for o in need))
        key = "may_also_apply" if len(need) < len(selected) else "may_apply"
        if len(need) <= 2 and len(need) == len(selected):
            # Only a route or two left open: say what each gives (我做汽車電工 → 車輛維修（電工服務）[三級]).
            items = [f"• {pick(o.rule.spec.title, lang)}\n{pick(o.rule.spec.outcome, lang)}" for o in need]
        else:
            items = [f"• {t}" for t in titles]
        blocks.append(msg(key, lang) + "\n" + "\n".join(items))
        if ask_missing:
            blocks.append(msg("need", lang) + "\n" + "\n".join(
                question_line(rules, f, lang) for f in missing_facts(rules, need)))
    unfit = [o for o in selected if o.status == "not_eligible"]
    if unfit:
        lines = [
            msg("unmet", lang, title=pick(o.rule.spec.title, lang), expected=_expected(rules, o.unmet[0], lang),
                actual=_actual(rules, o.unmet[0], lang))
            for o in unfit
        ]
        blocks.append(msg("not_fit", lang) + "\n" + "\n".join(dict.fromkeys(lines)))
    docs = dict.fromkeys(o.source.doc for o in selected)
    blocks.extend(msg("source", lang, title=pick(rules.documents[d].title, lang)) for d in docs)
    return "\n\n".join(blocks)
