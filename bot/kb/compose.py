"""The asked fact first: pick, from an entry's answer, the sentences that answer the question.

An entry's answer is a short paragraph written to be read whole; a worker who asked one thing wants
that thing in the first line. The sentence that shares the most (rare) words with the question, and
states the kind of fact asked (a date for "when", a number for "how many"), goes first; the rest
follow in the writer's order while they fit the length budget. A trimmed answer says so, and the
whole entry stays one tap away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.kb.text import fold
from bot.kb.understand import MONTHS, AskKind, has_evidence

# A sentence ends at Chinese full stops and semicolons, or at ". " before a capital, quote or bracket.
# An English semicolon joins two halves of one thought ("…on the other; experts match them"), so
# it does not end a sentence: a reply cut there would stop mid-thought.
_SENTENCE_END = re.compile(r"(?<=[。；！？])|(?<=[.!?])\s+(?=[A-Z0-9(“\"'「\[])")
# English abbreviations whose full stop does not end the sentence.
_ABBREV = re.compile(r"(?:\b(?:Mr|Ms|Mrs|Dr|Prof|e\.g|i\.e|No|Ir|St|vs|approx)\.)$")

# A sentence that leans on the one before it.
_ANAPHOR = re.compile(
    r"(?:This|These|That|It|Its|They|Their|Such|Both)\b|[這此該它其](?!外)|这|该|以上|上述|以及|"
    r"[A-Z][a-z]+,?\s+(?:they|these|this|it|them)\b"  # "Together they make it harder…"
)
# A sentence's link to the one before ("此外，", "In addition, "), dropped when it is moved first.
_CONNECTOR = re.compile(
    r"^(?:此外|另外|同時|同时|而且|並且|并且)[，,]\s*|^(?:In addition|Besides|Moreover|Also|Furthermore),\s+"
)
BODY_BUDGET = 320  # characters of facts in a reply with one subject (the source line comes after)
WHOLE_SLACK = 1.1  # an answer this little over the budget is kept whole rather than cut
PART_BUDGET = 170  # per subject when a reply answers two or three asks
# A word of the subject's own name says which entry is meant, not which of its sentences: the
# other words of the question ("which institution is it working with") pick the sentence.
NAME_WORD = 0.3
ASK_FOUND = 2.0
# A sentence that does not fit is clipped into the room left when the reply so far is short and
# the room worth it; otherwise a later sentence that fits is taken, or none.
CLIP_ROOM = 90
CLIP_BELOW = 0.5  # a sentence that states the kind of fact asked (a date for "when")
# Kinds of fact a sentence visibly states (a date, a number, an organisation, a place).
_VISIBLE = frozenset({"when", "deadline", "howmany", "who", "where"})


_DAY = re.compile(
    rf"\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|\b\d{{1,2}}\s+(?:{'|'.join(MONTHS)})\b|"
    rf"\b(?:{'|'.join(MONTHS)})\s+\d{{1,2}}\b"
)


def _found(kind: AskKind, folded: str) -> float:
    """How plainly a sentence states the kind of fact asked: for "when", a day beats a bare year
    ("held on 24 July 2023" over "the 2021 and 2022 awards")."""
    if kind == "when" and not _DAY.search(folded):
        return ASK_FOUND / 2
    return ASK_FOUND


@dataclass(frozen=True)
class Selection:
    text: str
    trimmed: bool  # some sentences of the entry were left out


@lru_cache(maxsize=16384)
def _fold(sentence: str) -> str:
    return fold(sentence)


def sentences(text: str) -> list[str]:
    pieces = [p for p in _SENTENCE_END.split(text) if p and p.strip()]
    out: list[str] = []
    for piece in pieces:
        if out and _ABBREV.search(out[-1].rstrip()):
            out[-1] = f"{out[-1].rstrip()} {piece.strip()}"
        else:
            out.append(piece.strip())
    return out


def _joiner(lang: str) -> str:
    return " " if lang == "en" else ""


def select(
    text: str,
    lang: str,
    words: Iterable[str],
    asks: Iterable[AskKind],
    weight: Callable[[str], float],
    budget: int = BODY_BUDGET,
    names: str = "",
    first: tuple[Iterable[str], Iterable[AskKind]] | None = None,
    counted: Iterable[str] = (),
) -> Selection:
    """The sentences of `text` that answer the question, the best first, within `budget` characters.

    :param words: the question's content words, folded
    :param asks: the kinds of fact asked
    :param weight: how telling a word is (its idf): rare words decide which sentence is meant
    :param names: the subject's names, folded and joined: their words weigh less
    :param first: the words and kinds of the first of several asks this text answers: its fact
        comes first, as asked
    :param counted: what "how many" questions count ("招聘紀錄"): a figure of it comes first
    """
    parts = sentences(text)
    if len(parts) <= 1:
        return Selection(text, False)
    folded = [_fold(p) for p in parts]

    def scored(words: Iterable[str], asks: Iterable[AskKind]) -> list[float]:
        weights = {
            w: weight(w) * (NAME_WORD if w.replace(" ", "") in names else 1.0)
            for w in dict.fromkeys(words)
            if w
        }
        visible = [kind for kind in asks if kind in _VISIBLE]
        return [
            sum(v for w, v in weights.items() if w in f)
            + sum(_found(kind, f) for kind in visible if has_evidence(kind, f))
            for f in folded
        ]

    scores = scored(words, asks)
    scores[0] += 0.5  # the writer's opening sentence usually says what the thing is
    best = max(range(len(parts)), key=lambda i: (scores[i], -i))
    if best > 0 and _ANAPHOR.match(parts[best]):
        best -= 1  # "This passes on key knowledge…" needs the sentence it points back to
    stating = (
        [i for i in range(len(parts)) if has_evidence("howmany", folded[i])]
        if "howmany" in asks
        else []
    )
    if stating and 0 not in stating:
        # The opening gives no figure for "how many": a sentence that does, and is nearly as close
        # to the question, comes first.
        head = max(stating, key=lambda i: (scores[i], -i))
        of_it = any(n and n in folded[head] for n in counted)
        if not _ANAPHOR.match(parts[head]) and (of_it or scores[head] >= scores[0] - ASK_FOUND):
            best = head
    # Move a later sentence first only when it clearly says more about the question than the opening.
    order = (
        [best] + [i for i in range(len(parts)) if i != best]
        if scores[best] > scores[0] + 1.0 or best in stating
        else list(range(len(parts)))
    )
    kinds = [k for k in first[1] if k in _VISIBLE] if first is not None else []
    if first is not None and kinds:
        # "幾時搞？有冇頒獎？": the sentence that states the first ask's fact (a date) first, though the
        # second ask shares more words with the whole question.
        own = scored(*first)
        head = max(order, key=lambda i: (own[i], -i))
        if head > 0 and _ANAPHOR.match(parts[head]):
            head -= 1
        if own[head] > own[order[0]] + 1.0 and any(has_evidence(k, folded[head]) for k in kinds):
            order = list(dict.fromkeys([head, best, *order]))
    if sum(len(p) for p in parts) <= budget * WHOLE_SLACK and order[0] == 0:
        return Selection(text, False)
    kept: list[int] = []
    used = 0
    parts = list(parts)
    if order[0] != 0:
        lead = _CONNECTOR.sub("", parts[order[0]])
        parts[order[0]] = lead[:1].upper() + lead[1:]
    for i in order:
        if not kept and len(parts[i]) > budget * WHOLE_SLACK:
            # One sentence longer than the whole budget (a part of a two-subject reply): clipped.
            parts[i] = clip(parts[i], budget)
        if kept and used + len(parts[i]) > budget:
            if budget - used >= CLIP_ROOM and used < budget * CLIP_BELOW:
                # The next sentence, clipped, keeps the thought going; a later one would skip it.
                parts[i] = clip(parts[i], budget - used)
                kept.append(i)
                used += len(parts[i])
                break
            continue
        kept.append(i)
        used += len(parts[i])
    if used < budget // 2 and len(kept) < len(parts):
        # A short opening ("EMSD works with departments on it.") says little: the sentence after it,
        # even clipped, carries the facts.
        nxt = next(i for i in order if i not in kept)
        parts[nxt] = clip(parts[nxt], budget - used)
        kept.append(nxt)
    if order[0] != 0:
        head, rest = kept[0], sorted(kept[1:])
        kept = [head] + rest
    else:
        kept.sort()
    return Selection(_joiner(lang).join(parts[i] for i in kept), len(kept) < len(parts))


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word (English) or anywhere (Chinese), with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text.isascii() or " " in cut[-20:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip("，,;；、 ") + "…"
