"""Outcomes → the plain reply text shown in the console, the CLI and Telegram, in the reader's language.

Verdict first: the reply opens with the answer in plain words (可以 / 未必 / 要睇… / 未可以 / 不可以;
Yes / Not necessarily / It depends on … / Not yet / No) and what the person gets, then the next step,
what is still unknown, and the source, within MAX_CHARS. Lines that do not fit are left out in a fixed
order (a second route first), never the verdict, the reason for "not necessarily", or the source;
the rule's full outcome is one tap away (its knowledge entry, reply.entry_ids).

The fixed wording lives in the catalog (keys rl_* in bot/i18n/<lang>.yaml); the rules' own texts come from
knowledge/rules.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import render_date, t
from bot.kb.text import Lang, to_simplified
from bot.rules.evaluate import Check, Outcome, missing_facts
from bot.rules.schema import Rules, Value

MAX_CHARS = 400  # a reply's length target (issue 10); the full outcome is behind a button
MAX_ROUTES = 2  # routes described by their own sentence; more are named by title


def facts_summary(rules: Rules, facts: Mapping[str, Value], lang: Lang) -> str:
    """The understood facts as short statements, in ask order: 車輛維修業；未註冊；車身噴漆 [B2]."""
    parts = [rules.facts[f].label(facts[f], lang) for f in rules.facts if f in facts]
    return t("rl_sep", lang).join(parts)


def question_line(rules: Rules, fact_id: str, lang: Lang) -> str:
    fact = rules.facts[fact_id]
    options = t("rl_or", lang).join(label for _, label in fact.choices(lang))
    return f"• {fact.prompt(lang)}" + (f"\n  {options}" if options else "")


def depends(rules: Rules, fact_id: str, lang: Lang) -> str:
    """The fact as the end of "it depends on …": 你是否已是註冊技工 / whether you are already registered."""
    fact = rules.facts[fact_id]
    return fact.depends.text(lang) if fact.depends is not None else fact.prompt(lang).rstrip("？?")


def _expected(rules: Rules, check: Check, lang: Lang) -> str:
    fact = rules.facts[check.fact]
    c = check.condition
    if c.values:
        return t("rl_or", lang).join(fact.label(v, lang) for v in c.values)
    lo, hi = c.min, c.max
    return f"{'' if lo is None else lo}–{'' if hi is None else hi}"


def _actual(rules: Rules, check: Check, lang: Lang) -> str:
    """What the person said, for an unmet condition (only a known value can be unmet)."""
    return "" if check.actual is None else rules.facts[check.fact].label(check.actual, lang)


def _condition(rules: Rules, outcome: Outcome, check: Check, lang: Lang) -> str:
    """An unmet condition in the document's words (Chinese) or as the option it asks for, quoted (English)."""
    quote = outcome.rule.spec.quotes.get(check.fact, "")
    if lang == "en":
        expected = f"“{_expected(rules, check, lang)}”"
        return f"{expected} [{quote}]" if quote else expected
    if not quote:
        return _expected(rules, check, lang)
    return to_simplified(quote) if lang == "zh-Hans" else quote


RANK = {"eligible": 0, "unclear": 1, "not_yet": 2, "expired": 3, "need": 4, "not_eligible": 5}


def shown(outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes a reply talks about: what applies, is unclear, starts later, has ended or needs more
    facts; the routes that do not fit only when nothing else can be said."""
    told = [o for o in outcomes if o.status != "not_eligible"] or list(outcomes)
    # What applies first, the most specific rule (most conditions the person meets) first among them.
    return sorted(told, key=lambda o: (RANK[o.status], -sum(c.state == "met" for c in o.checks)))


def _routes(outcomes: list[Outcome], lang: Lang) -> list[str]:
    """One sentence per route (its `short`), or the distinct titles when there are more than MAX_ROUTES."""
    shorts = list(dict.fromkeys(o.rule.spec.short.text(lang) for o in outcomes))
    if len(shorts) <= MAX_ROUTES:
        return shorts
    titles = list(dict.fromkeys(o.rule.spec.title.text(lang) for o in outcomes))
    named = t("rl_sep", lang).join(titles[:MAX_ROUTES])
    if len(titles) <= MAX_ROUTES:
        return [t("rl_routes", lang, titles=named)]
    return [t("rl_routes_more", lang, titles=named, count=len(titles))]


def _join(parts: list[str], lang: Lang) -> str:
    return ("" if lang != "en" else " ").join(p for p in parts if p)


def verdict(rules: Rules, selected: list[Outcome], lang: Lang) -> tuple[str, list[str]]:
    """The first line (verdict and why) and further route sentences that may be left out for length."""
    top = selected[0].status
    same = [o for o in selected if o.status == top]
    routes = _routes(same, lang)
    first, more = routes[:1], routes[1:]
    if top == "eligible":
        return t("rl_yes", lang, text=_join(first, lang)), more
    if top == "unclear":
        notes = list(
            dict.fromkeys(o.rule.spec.vague[c.fact].text(lang) for o in same for c in o.vague)
        )
        return t("rl_unclear", lang, text=_join(notes + first, lang)), more
    if top == "need":
        ask = missing_facts(rules, same)
        return t(
            "rl_depends", lang, what=depends(rules, ask[0], lang), text=_join(first, lang)
        ), more
    o = same[0]
    title = o.rule.spec.title.text(lang)
    if top == "not_yet" and o.date is not None:  # evaluate_rule() dates not_yet and expired
        return t(
            "rl_not_yet",
            lang,
            title=title,
            date=render_date(o.date.isoformat(), lang),
            text=_join(first, lang),
        ), more
    if top == "expired" and o.date is not None:
        return t("rl_expired", lang, title=title, date=render_date(o.date.isoformat(), lang)), []
    check = o.unmet[0]
    line = t(
        "rl_no",
        lang,
        title=title,
        condition=_condition(rules, o, check, lang),
        actual=_actual(rules, check, lang),
    )
    note = o.rule.spec.if_not.get(check.fact)
    return line, [note.text(lang)] if note else []


def render_outcomes(
    rules: Rules,
    outcomes: list[Outcome],
    facts: Mapping[str, Value],
    lang: Lang,
    ask_missing: bool = True,
    max_chars: int = MAX_CHARS,
) -> str:
    """The reply for these outcomes: the verdict first, ending with the source line(s); optional lines
    only while the text stays within `max_chars` (a /check result, with nothing else to say, may be longer)."""
    selected = shown(outcomes)
    if not selected:
        return ""
    top = selected[0].status
    first, more_routes = verdict(rules, selected, lang)
    # Optional lines, most useful first; each is kept only while the reply stays within MAX_CHARS.
    optional: list[tuple[str, str]] = []
    if top in ("eligible", "unclear", "not_yet"):
        steps = dict.fromkeys(
            o.rule.spec.next_step.text(lang) for o in selected if o.status == top
        )
        optional += [("step", t("rl_next_step", lang, text=s)) for s in list(steps)[:1]]
    # A second route, or what the documents leave open when the route does not fit (if_not).
    optional += [("route", r) for r in more_routes]
    for (
        o
    ) in selected:  # a window that has closed or not opened, beside a verdict about another route
        if o.status != top and o.status in ("expired", "not_yet") and o.date is not None:
            line = t(
                "rl_ended" if o.status == "expired" else "rl_opens",
                lang,
                title=o.rule.spec.title.text(lang),
                date=render_date(o.date.isoformat(), lang),
            )
            optional.append(("window", line))
    if ask_missing:
        asked = missing_facts(rules, [o for o in selected if o.status == "need"])
        if top == "need":
            asked = asked[1:]  # the first is in the verdict already
        if asked:
            items = t("rl_sep", lang).join(depends(rules, f, lang) for f in asked)
            optional.append(("unknown", t("rl_unknown", lang, items=items)))
    others = [
        o for o in selected if o.status != top and o.status in ("eligible", "unclear", "need")
    ]
    if others:
        titles = list(dict.fromkeys(o.rule.spec.title.text(lang) for o in others))[:MAX_ROUTES]
        optional.append(("also", t("rl_also", lang, titles=t("rl_sep", lang).join(titles))))
    docs = dict.fromkeys(o.source.doc for o in selected)
    sources = "\n".join(
        t("rl_source", lang, title=rules.documents[d].title.text(lang)) for d in docs
    )

    kept: list[tuple[str, str]] = []
    for piece in optional:
        trial = kept + [piece]
        if len(_assemble(first, trial, sources, lang)) <= max_chars:
            kept = trial
    return _assemble(first, kept, sources, lang)


def _assemble(first: str, pieces: list[tuple[str, str]], sources: str, lang: Lang) -> str:
    """Verdict line (with any further route sentence), then the other lines, then the source block."""
    routes = [text for kind, text in pieces if kind == "route"]
    head = _join([first, *routes], lang)
    order = {"step": 0, "window": 1, "also": 2, "unknown": 3}
    rest = [
        text
        for kind, text in sorted((p for p in pieces if p[0] != "route"), key=lambda p: order[p[0]])
    ]
    return "\n".join([head, *rest]) + "\n\n" + sources
