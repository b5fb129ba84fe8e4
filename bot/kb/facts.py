"""From a clause to the fact that answers it: which entry, or exactly what the documents do not say.

The matcher finds what a clause is about; among the entries it finds close together, and the
children of the best (a scheme's deadline, assessor, figures), the one whose sample questions ask
the same kind of thing and whose text states it wins. A subject whose family states no such fact
(no date for "when", no figure for "how many", no fee at all) is "not stated", never a neighbour's fact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.kb.asks import Ask, stated, unanswerable_ask
from bot.kb.loader import KnowledgeBase
from bot.kb.matcher import Candidate, Match, Matcher
from bot.kb.schema import Entry, last_day
from bot.kb.text import fold
from bot.kb.understand import ASK_CUES, AskKind, has_evidence

Outcome = Literal["answer", "choose", "decline", "missing"]

NAMED = 0.8  # a name-hit this strong means the clause names its subject itself
ASK_WINDOW = 0.10  # candidates this close to the best may win on the kind of fact asked
PROFILE_BONUS = 0.08  # sample questions asking the same kind of thing
EVIDENCE_BONUS = 0.04  # the text states that kind of fact
# Subjects: a follow-up's "who runs it?" is about the scheme, not about one of its facts.
SUBJECT_TYPES = frozenset({"scheme", "programme", "organisation", "qualification", "event", "report",
                           "initiative", "agreement"})
# "Next round", "this year": a time after the documents. Soft words ("latest", "current") are
# answered with the latest document's date instead.
_LATER = re.compile(r"下一届|下届|下一期|下一轮|下轮|下一次|下次|下一阶段|下阶段|明年|今年(?!\d)|本年度|"
                    r"仲有冇得报|仲报唔报|仲可唔可以报|"
                    r"\b(?:next|upcoming|this year|next year|coming up|this round|next round|future)\b")


# Left of a definition question once its question words are gone: articles, particles, punctuation.
_BARE = re.compile(r"[^\w&+.-]+|\b(?:the|a|an|is|are|was|of|about|me|please|pls|tell|us)\b|"
                   r"[嘅的咗吗呀啊㗎嚟呢咩乜嘢叫做系是个]|全名|全称|意思|简称|中文|英文|代表|指")


@dataclass(frozen=True)
class Found:
    outcome: Outcome
    entry: Entry | None = None
    score: float = 0.0
    match: Match | None = None
    missing: str | None = None  # catalog key of what is not stated ("ask_fee", "ask_when"...)
    named: bool = False  # the query names its subject itself

    @property
    def candidates(self) -> list[Candidate]:
        return self.match.candidates if self.match else []


@dataclass
class Profiles:
    """Which kinds of fact each entry's sample questions ask; computed when first needed."""

    kb: KnowledgeBase
    _cache: dict[str, dict[str, float]] = field(default_factory=dict)

    def of(self, entry: Entry) -> dict[str, float]:
        got = self._cache.get(entry.id)
        if got is None:
            questions = [fold(q) for q in entry.questions.all()]
            n = max(1, len(questions))
            got = {kind: sum(1 for q in questions if cue.search(q)) / n for kind, cue in ASK_CUES.items()}
            self._cache[entry.id] = got
        return got


def family(kb: KnowledgeBase, entry: Entry) -> list[Entry]:
    """The entry, its children and its parent: where a subject's other facts are."""
    out = [entry, *kb.children(entry.id)]
    if entry.parent and entry.parent in kb.entries:
        out.append(kb.entries[entry.parent])
    return out


def later_asked(folded: str) -> bool:
    return bool(_LATER.search(folded))


def dated_before(kb: KnowledgeBase, entry: Entry, today: date) -> bool:
    """The entry speaks of a time before today (an event, a round, a dated document)."""
    if entry.when is not None:
        return last_day(entry.when.end or entry.when.start) < today
    source = kb.sources.get(entry.source.doc)
    return source is None or source.date is None or last_day(source.date).year < today.year


class FactFinder:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        self.kb, self.matcher = kb, matcher
        self.profiles = Profiles(kb)
        self._names: dict[str, list[Entry]] | None = None

    def named(self, query: str) -> Entry | None:
        """The entry a question is only the name of ("RPL係咩", "What is the QF?", "VPES")."""
        if self._names is None:
            names: dict[str, list[Entry]] = {}
            for entry in self.kb.entries.values():
                for name in {fold(n).replace(" ", "") for n in [entry.title.zh, entry.title.en, *entry.aliases]}:
                    names.setdefault(name, []).append(entry)
            self._names = names
        bare = ASK_CUES["what"].sub(" ", fold(query))
        bare = _BARE.sub(" ", bare)
        key = "".join(bare.split())
        entries = self._names.get(key) if len(key) >= 2 else None
        if not entries:
            return None
        # A shared name (an abbreviation two entries use) goes to the subject, not to one of its facts.
        return min(entries, key=lambda e: (e.type not in SUBJECT_TYPES, e.parent is not None, len(e.id)))

    def find(self, query: str, asks: tuple[AskKind, ...] | list[AskKind], today: date) -> Found:
        """The entry that answers `query` (folded or not), or what is missing about its subject."""
        if not asks or "what" in asks:
            entry = self.named(query)
            if entry is not None:
                return Found("answer", entry, 1.0, None, named=True)
        match = self.matcher.match(query)
        best = match.best
        if best is None or match.decision == "decline":
            return Found("decline", match=match, score=best.score if best else 0.0)
        entry = self._pick(match, asks)
        named = best.name_hit >= NAMED
        score = best.score
        if match.decision == "choose" and entry.id == best.id:
            return Found("choose", entry, score, match, named=named)
        folded = fold(query)
        fam = family(self.kb, entry)
        ask: Ask | None = unanswerable_ask(folded, _text(entry))
        if ask is not None:
            return Found("missing", entry, score, match, f"ask_{ask.key}", named)
        for kind in asks:
            if kind in ("when", "deadline", "howmany") and not has_evidence(kind, fold(_text(entry))):
                better = [e for e in fam if has_evidence(kind, fold(_text(e))) and self._fits(e, kind)]
                if better:
                    entry = better[0]
                elif not any(has_evidence(kind, fold(_text(e))) for e in fam):
                    return Found("missing", entry, score, match, f"ask_{kind}", named)
        if later_asked(folded) and dated_before(self.kb, entry, today):
            return Found("missing", entry, score, match, "ask_later", named)
        return Found("answer", entry, score, match, named=named)

    def _fits(self, entry: Entry, kind: AskKind) -> bool:
        return self.profiles.of(entry).get(kind, 0.0) > 0.0

    def _pick(self, match: Match, asks: tuple[AskKind, ...] | list[AskKind]) -> Entry:
        """The best candidate, unless a close one (or a child of the best) fits the kind of fact asked."""
        best = match.candidates[0]
        entry = self.kb.entries[best.id]
        if not asks:
            return entry
        pool: dict[str, float] = {c.id: c.score for c in match.candidates if best.score - c.score <= ASK_WINDOW}
        for child in self.kb.children(entry.id):
            pool.setdefault(child.id, best.score - ASK_WINDOW / 2)

        def fit(eid: str) -> float:
            e = self.kb.entries[eid]
            profile = self.profiles.of(e)
            folded = fold(_text(e))
            return pool[eid] + sum(PROFILE_BONUS * profile.get(k, 0.0)
                                   + (EVIDENCE_BONUS if has_evidence(k, folded) else 0.0) for k in asks)

        return self.kb.entries[max(pool, key=fit)]


def _text(entry: Entry) -> str:
    return stated(f"{entry.answer.zh} {entry.answer.en}")


def subject_of(kb: KnowledgeBase, entry: Entry) -> Entry:
    """The subject an entry's facts belong to: itself for a scheme or event, else its parent."""
    if entry.type in SUBJECT_TYPES or not entry.parent or entry.parent not in kb.entries:
        return entry
    return kb.entries[entry.parent]


def names_in(folded: str, entry: Entry) -> list[str]:
    """The entry's names and aliases that occur in a folded question (longest first, no overlaps)."""
    compact = folded.replace(" ", "")
    found: list[str] = []
    names = sorted({fold(n).replace(" ", "") for n in [entry.title.zh, entry.title.en, *entry.aliases]}, key=len,
                   reverse=True)
    for name in names:
        if len(name) >= 2 and name in compact and not any(name in f for f in found):
            if name.isascii() and len(name) <= 4 and not re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", compact):
                continue
            found.append(name)
    return found
