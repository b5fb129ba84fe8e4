"""Finding facts in a worker's message: cue phrases, negation, wishes, and conflicts.

Everything works on fold()ed text (lower case, Simplified characters), so a cue written once in
Traditional matches questions typed in Traditional, Simplified or Cantonese. Precision matters more
than recall: a fact the text does not state clearly is left unknown and asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from bot.kb.text import fold
from bot.rules.schema import Fact, Value

GAP = "…"  # in a cue, up to a few characters of the same clause, e.g. 照顧…阿媽 matches 照顧緊屋企阿媽
_GAP_RE = r"[^,.;:!?。、\n]{0,6}?"
_CLAUSE_END = re.compile(r"[,.;:!?。、\n]")
_LATIN_EDGE = re.compile(r"[a-z0-9]")

# Chinese negators (folded). 有冇 / 有没有 / 可唔可以 are questions, not negations: removed first.
_A_NOT_A = re.compile(
    r"有(?:冇|没有)|(\w)(?:唔|不|冇|没)\1|系咪"
)  # 係咪註冊技工: am I? (folded 係 → 系)
_HAN_NEGATOR = re.compile(
    r"(?:冇|没有|没|未有|未曾|未|无|不是|唔系|并非|非|不|唔)(?!来|过|同|少|断|仅|错|论|该|单|常)"
)
_HAN_WISH = re.compile(r"想|打算|希望|将来|成为")
# A wish to become something reaches a little further: 想成為一名註冊技工, 想做一個註冊技工 (folded text).
_HAN_WISH_TO_BE = re.compile(r"(?:想|打算|希望|将来)(?:成为|做|当|转做|转行做|入行做)[^想]{0,4}$")
_EN_NEGATORS = frozenset({"not", "no", "never", "without", "non", "neither", "nor"})
_EN_WISHES = frozenset(
    {"want", "wants", "wanted", "like", "become", "becoming", "plan", "planning", "hope", "future"}
)
_WORD = re.compile(r"[a-z0-9']+")
HAN_WINDOW = 6  # characters before a yes/no cue searched for a negator (未有正規安老|工作經驗: 6)
# A choice is denied only by a negator right before it, give or take 喺/做/係 (唔係喺院舍, 唔做護理員),
# not by one further back that denies something else (未有正規安老工作經驗 is still about elderly care).
_HAN_CHOICE_NEGATED = re.compile(_HAN_NEGATOR.pattern + r"[喺在做系是于当]{0,2}$")
WISH_WINDOW = 3  # shorter: 想做護理員, but not 我想問下我係護理員
WORD_WINDOW = 3  # words before an English cue (I don't have Form 5)
EN_WISH_WINDOW = 5  # I'd like to work in a care home: "like" is four words before the cue


def prepare(text: str) -> str:
    """The form cues are matched against: folded, with typographic apostrophes straightened."""
    return fold(text).replace("’", "'").replace("‘", "'")


def cue_pattern(cue: str) -> re.Pattern[str]:
    """A cue as a regex: literal pieces joined by gaps; Latin edges must be word edges (car ≠ care)."""
    pieces = [re.escape(prepare(p).strip()) for p in cue.split(GAP)]
    body = _GAP_RE.join(p.replace(r"\ ", r"\s+") for p in pieces if p)
    first, last = prepare(cue).strip(GAP + " ")[:1], prepare(cue).strip(GAP + " ")[-1:]
    if _LATIN_EDGE.match(first):
        body = r"(?<![a-z0-9])" + body
    if _LATIN_EDGE.match(last):
        body += r"s?(?![a-z0-9])" if last.isalpha() else r"(?![a-z0-9])"
    return re.compile(body)


@dataclass(frozen=True)
class Cue:
    fact: str
    value: Value
    text: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Hit:
    fact: str
    value: Value
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start


class CueIndex:
    """All cues of all facts, compiled once, when a question is first read for facts (not at start-up:
    a few hundred patterns, 0.02-0.04 s that most first questions do not need)."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self.facts = {f.id: f for f in facts}

    @cached_property
    def cues(self) -> list[Cue]:
        return [
            Cue(f.id, o.value, c, cue_pattern(c))
            for f in self.facts.values()
            for o in f.options
            for c in o.cues
        ]

    @cached_property
    def not_cues(self) -> dict[str, list[re.Pattern[str]]]:
        return {f.id: [cue_pattern(c) for c in f.not_cues] for f in self.facts.values()}

    def hits(self, folded: str) -> list[Hit]:
        """Cue occurrences that survive: not inside a not-cue, not inside a longer cue of the same fact."""
        found = [
            Hit(c.fact, c.value, m.start(), m.end())
            for c in self.cues
            for m in c.pattern.finditer(folded)
        ]
        blocked = {
            fid: [m.span() for p in pats for m in p.finditer(folded)]
            for fid, pats in self.not_cues.items()
        }
        kept: list[Hit] = []
        for hit in sorted(found, key=lambda h: (-h.length, h.start)):
            if any(s <= hit.start and hit.end <= e for s, e in blocked.get(hit.fact, ())):
                continue
            if any(k.fact == hit.fact and k.start < hit.end and hit.start < k.end for k in kept):
                continue  # the longest cue of a fact wins: 沒有註冊 over 有註冊
            kept.append(hit)
        return sorted(kept, key=lambda h: h.start)

    def extract(self, text: str) -> dict[str, Value]:
        # 有冇註冊 asks; it does not say 冇註冊. Blank such questions out, keeping offsets.
        folded = _A_NOT_A.sub(lambda m: "〇" * len(m.group()), prepare(text))
        by_fact: dict[str, list[tuple[Value, int]]] = {}
        for hit in self.hits(folded):
            fact = self.facts[hit.fact]
            before = _clause_before(folded, hit.start)
            if fact.current_only and _wished(before):
                continue
            if before.rstrip().endswith("〇"):
                continue  # 係咪註冊技工 / 係唔係護理員 asks about it; it does not say so
            value = hit.value
            if _negated(before, fact.kind == "bool"):
                if fact.kind != "bool":
                    continue  # 唔係護理員 says what the person is not; leave the fact unknown
                value = not value
            by_fact.setdefault(hit.fact, []).append((value, hit.length))
        facts: dict[str, Value] = {}
        for fid, found in by_fact.items():
            resolved = _resolve(self.facts[fid], found)
            if resolved is not None:
                facts[fid] = resolved
        # Implications fill only facts the text says nothing about (護理員 → works in elderly care); two
        # that disagree (護理員 → formal work, 照顧阿媽 → none) leave the fact unknown, to be asked.
        implied: dict[str, set[tuple[type, Value]]] = {}
        for fid, value in list(facts.items()):
            option = self.facts[fid].option(value)
            for other, implied_value in option.implies.items() if option else ():
                if other not in by_fact and other not in facts:
                    implied.setdefault(other, set()).add((type(implied_value), implied_value))
        for other, values in implied.items():
            if len(values) == 1:
                facts[other] = next(iter(values))[1]
        return facts


def _resolve(fact: Fact, found: list[tuple[Value, int]]) -> Value | None:
    """One value for a fact, or None when the text is ambiguous (then it is asked for)."""
    values = {(type(v), v) for v, _ in found}
    if len(values) == 1:
        return found[0][0]
    if fact.kind != "bool":
        return None  # body repair and painting: two categories, so ask which
    # A bool fact seen both ways: the more specific (longer) phrase wins, a tie stays unknown.
    longest = max(n for _, n in found)
    top = {v for v, n in found if n == longest}
    return top.pop() if len(top) == 1 else None


def _clause_before(folded: str, start: int) -> str:
    prefix = folded[:start]
    ends = list(_CLAUSE_END.finditer(prefix))
    return prefix[ends[-1].end() :] if ends else prefix


def _negated(before: str, yes_no: bool) -> bool:
    han = _A_NOT_A.sub("", before.replace(" ", ""))[-HAN_WINDOW:]
    # A negation does not reach past 的/嘅: in 未註冊的汽車電工 it is the registration that is denied.
    han = re.split(r"[的嘅之]", han)[-1]
    if (_HAN_NEGATOR if yes_no else _HAN_CHOICE_NEGATED).search(han):
        return True
    words = _WORD.findall(before)[-WORD_WINDOW:]
    return any(w in _EN_NEGATORS or w.endswith("n't") for w in words)


def _wished(before: str) -> bool:
    han = before.replace(" ", "")
    if _HAN_WISH.search(han[-WISH_WINDOW:]) or _HAN_WISH_TO_BE.search(han):
        return True
    return any(w in _EN_WISHES for w in _WORD.findall(before)[-EN_WISH_WINDOW:])
