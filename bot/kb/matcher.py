"""Find the entry a question is about: retrieve (BM25), rerank (rapidfuzz + coverage), decide.

A wrong answer about a deadline is worse than "I don't know", so the decision needs two kinds of
evidence: the question's meaningful words must be covered by the entry (coverage, weighted by how
rare each word is), and the question must resemble the entry's names or sample questions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal, NamedTuple

from rapidfuzz import fuzz, process

from bot.kb.index import Index, IndexedEntry
from bot.kb.text import STOPWORDS, all_han, fold, is_han

Decision = Literal["answer", "choose", "decline"]

# Thresholds on the combined score (0..1), calibrated on tests/data/questions.jsonl (our own
# paraphrases and near-miss off-topic questions, written without sight of the evaluation sets).
ANSWER_AT = 0.52
CHOOSE_AT = 0.42
MIN_COVERAGE = 0.20
MIN_SIMILARITY = 0.50  # to answer outright, the question must resemble some sample question...
CLEAR_LEAD = 0.12  # ...unless the best entry leads every other by this much
CLOSE_GAP = 0.04  # alternatives this close to the best are offered beside the answer
UNKNOWN_SHARE = 0.4  # the weight of unknown words past which a question is about something else
UNITS_CACHE = 4096  # questions whose cut words are kept
SEARCHED = 12  # entries the full-text search hands on for scoring
RERANK = 8  # candidates compared with sample questions and names
RERANK_WEIGHT = 0.30  # the most that comparison adds: 0.25 similarity + 0.05 name hit
NEAR_BEST = 0.10  # candidates this close to the best are scored in full: an answer may pick them
TYPO_MIN_LEN = 5  # shorter English words are too easily "mended" into another word (thank → than)


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    coverage: float
    similarity: float
    name_hit: float
    bm25: float


@dataclass(frozen=True)
class Match:
    decision: Decision
    candidates: list[Candidate] = field(default_factory=list)
    query_tokens: list[str] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


# One-character prepositions and particles jieba sometimes glues onto the next word.
_GLUED = frozenset("为在于对向给把被同和与跟喺俾的嘅将由")
_NUMERALS = frozenset("零一二两兩三四五六七八九十百千万萬亿億几幾多少第首个個0123456789")


def _unknown(word: str, pieces: list[str], df: dict[str, int]) -> bool:
    """A Chinese word of the question that no entry has, not even in part."""
    # Only Chinese words: an unknown English word is as often chat or a plain word ("events", "govt")
    # as a subject, and English typos are mended against the vocabulary before this.
    return is_han(word) and len(word) >= 2 and not any(p in df for p in pieces)


def _pairs(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


class _Unit(NamedTuple):
    """One meaningful word of the question, weighed by its rarest known piece."""

    word: str
    pieces: list[str]
    weight: float
    idfs: tuple[tuple[str, float], ...]  # each piece with its rarity
    idf_sum: float


class _Names(NamedTuple):
    short: tuple[tuple[str, str], ...]  # short English names with their spaceless forms
    inside: tuple[str, ...]  # the others, spaceless, in the entry's order
    longest_first: tuple[str, ...]  # the same, longest first


def _name_weight(name: str) -> float:
    """Longer names are stronger evidence than a two-character word."""
    return min(1.0, 0.55 + 0.1 * len(name))


_LATIN = re.compile(r"[a-z0-9]")


class Matcher:
    def __init__(self, index: Index) -> None:
        self.index = index
        self._units_cache: dict[str, list[tuple[str, list[str]]]] = {}
        self._names_cache: dict[str, _Names] = {}
        self._samples_cache: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._n = max(1, len(index.indexed))
        # English words by first letter: typos rarely touch it, and it keeps the scan short.
        self._latin_vocab: dict[str, list[str]] = {}
        for t in index.df:
            if t.isascii() and t.isalpha() and len(t) >= TYPO_MIN_LEN:
                self._latin_vocab.setdefault(t[0], []).append(t)
        self._max_idf = math.log((self._n + 1) / 0.5)
        # Long Chinese names by their character pairs, to mend one-character typos (過往資力認可).
        # In a fixed order (first seen), so that ties break the same way in every process.
        by_pair: dict[str, dict[str, None]] = {}
        for ie in index.indexed.values():
            for name in ie.names:
                n = name.replace(" ", "")
                if len(n) >= 4 and all_han(n):
                    for pair in _pairs(n):
                        by_pair.setdefault(pair, {})[n] = None
        self._names_by_pair: dict[str, tuple[str, ...]] = {p: tuple(n) for p, n in by_pair.items()}

    def mend_names(self, folded: str) -> str:
        """Replace a near-miss of a known long name (one character off) with the name itself."""
        df = self.index.df
        # A slip leaves a word no entry has; without one there is nothing to mend.
        if not any(
            len(w) > 1 and is_han(w) and w not in df for w, _ in self.content_units(folded)
        ):
            return folded
        by_pair = self._names_by_pair
        counts = Counter(
            chain.from_iterable(
                names
                for names in (by_pair.get(pair, ()) for pair in dict.fromkeys(_pairs(folded)))
                if len(names) <= 200  # a pair more common says nothing about which name was meant
            )
        )
        for name, shared in counts.most_common(12):
            if shared < 2 or name in folded:
                continue
            al = fuzz.partial_ratio_alignment(name, folded, score_cutoff=75)
            if al is None or al.dest_end - al.dest_start != len(name):
                continue
            span = folded[al.dest_start : al.dest_end]
            diff = [(a, b) for a, b in zip(span, name, strict=False) if a != b]
            if len(diff) != 1 or not (is_han(span[0]) and is_han(span[-1])):
                continue
            # A number or question word is never a slip: 多少個資歷 is not a misspelt 八個資歷.
            if diff[0][0] in _NUMERALS or diff[0][1] in _NUMERALS:
                continue
            # Only a span with a word the index has never seen is a typo; 服務業過往資歷認可 is
            # a different name from 服裝業過往資歷認可, not a misspelling of it.
            if any(
                len(tok) > 1 and tok not in self.index.df for tok in self.index.segmenter.cut(span)
            ):
                folded = folded[: al.dest_start] + name + folded[al.dest_end :]
        return folded

    def idf(self, token: str) -> float:
        df = self.index.df.get(token, 0)
        return math.log((self._n + 1) / (df + 0.5)) if df else self._max_idf

    def content_units(self, folded: str) -> list[tuple[str, list[str]]]:
        """The question's meaningful words with their search pieces; English typos mended. Cached: a
        follow-up is cut once, however many of the last subject's entries it is compared with."""
        got = self._units_cache.get(folded)
        if got is None:
            if len(self._units_cache) >= UNITS_CACHE:
                self._units_cache.clear()
            got = self._units_cache[folded] = self._content_units(folded)
        return got

    def _content_units(self, folded: str) -> list[tuple[str, list[str]]]:
        df = self.index.df
        raw: list[tuple[str, list[str]]] = []
        for word, pieces in self.index.segmenter.units(folded):
            # "Inno Portal" written apart still names the InnoPortal.
            if raw and word.isascii() and raw[-1][0].isascii() and (raw[-1][0] + word) in df:
                joined = raw[-1][0] + word
                raw[-1] = (joined, [joined])
            else:
                raw.append((word, pieces))
        out: list[tuple[str, list[str]]] = []
        seen: set[str] = set()
        for word, pieces in raw:
            if len(word) >= 3 and word[0] in _GLUED and word not in df and word[1:] in df:
                # "為安老" is 為 + 安老: the particle jieba glued on is not part of the word.
                word, pieces = word[1:], [word[1:]]
            if word in STOPWORDS or (is_han(word) and len(word) == 1 and word not in df):
                continue
            if word.isascii() and word.isalpha() and len(word) >= TYPO_MIN_LEN and word not in df:
                fixed = process.extractOne(
                    word, self._latin_vocab.get(word[0], []), scorer=fuzz.ratio, score_cutoff=80
                )
                if fixed:
                    word, pieces = fixed[0], [fixed[0]]
            pieces = [p for p in pieces if p not in STOPWORDS]
            if word in seen or not pieces:
                continue
            seen.add(word)
            out.append((word, pieces))
        return out

    def match(self, text: str, limit: int = 5) -> Match:
        folded = self.mend_names(fold(text))
        units = self.content_units(folded)
        tokens = list(dict.fromkeys(p for _, pieces in units for p in pieces))
        if not tokens:
            return Match("decline", [], tokens)
        hits = self.index.search(tokens, limit=SEARCHED)
        if not hits:
            return Match("decline", [], tokens)
        top_bm = hits[0][1] or 1.0
        # Each word of the question weighs as much as its rarest known piece; only a word with no
        # known piece at all (not in any entry) weighs the most. Pieces never seen are left out, so a
        # particle jieba glued on (為安老) does not make a known word look unknown.
        unit_w = []
        for word, pieces in units:
            known = [p for p in pieces if p in self.index.df] or pieces
            unit_w.append(self._weighed(word, known))
        total = sum(u.weight for u in unit_w) or 1.0
        query_str = " ".join(tokens)
        query_sorted = " ".join(sorted(tokens))
        compact = folded.replace(" ", "")
        # Typo-tolerant name matching only when the question has a word no entry uses.
        fuzzy = any(t not in self.index.df for t in tokens)
        first = []
        for eid, bm in hits:
            ie = self.index.indexed[eid]
            coverage = self._coverage(unit_w, ie) / total
            exact = 1.0 if compact in ie.name_set else 0.0  # the question is one of its names
            first.append((0.50 * coverage + 0.20 * (bm / top_bm), exact, coverage, bm, ie))
        # Similarity and name hits (together at most RERANK_WEIGHT) only for the leading candidates:
        # comparing with every sample question of every hit would cost more than the rest of the
        # answer. Nor for one that even with full marks could not come second, nor come within
        # NEAR_BEST of the best: the decision and every choice made near the best stay the same.
        first.sort(key=lambda f: f[0] + 0.05 * f[1], reverse=True)
        top: list[float] = []  # the two best full scores so far
        scored = []
        for rank, (partial, exact, coverage, bm, ie) in enumerate(first):
            similarity, name_hit = 0.0, exact
            compared = rank < RERANK and (
                len(top) < 2 or partial + RERANK_WEIGHT >= min(top[1], top[0] - NEAR_BEST) - 0.001
            )
            if compared:
                similarity = self._similarity(query_str, query_sorted, ie)
                name_hit = max(exact, self._name_hit(folded, compact, tokens, ie, fuzzy))
            score = partial + 0.25 * similarity + 0.05 * name_hit
            if compared:
                top = sorted([*top, score], reverse=True)[:2]
            scored.append((round(score, 4), coverage, similarity, name_hit, bm, ie.id))
        scored.sort(key=lambda c: c[0], reverse=True)  # stable: equal scores keep search order
        lead = scored[0][0] - scored[1][0] if len(scored) > 1 else 0.0
        shown = [
            Candidate(eid, score, round(cov, 3), round(sim, 3), round(name, 3), round(bm, 3))
            for score, cov, sim, name, bm, eid in scored[: max(limit, 1)]
        ]
        best = shown[0]
        # One word ("help", "測試", "2028") is only a question when it names something.
        one_word = len(units) < 2 and best.name_hit < 0.8
        # A word no entry has ("綜援", "公屋") that weighs this much is what the question is about: the
        # documents do not know it, whatever the other words ("申請資格") match.
        unknown = (
            sum(u.weight for u in unit_w if _unknown(u.word, u.pieces, self.index.df)) / total
        )
        if one_word or all(word.replace(".", "").isdigit() for word, _ in units):
            decision: Decision = "decline"
        elif unknown >= UNKNOWN_SHARE and best.coverage < 0.5 and best.name_hit < 0.8:
            decision = "decline"
        elif (
            best.score >= ANSWER_AT
            and best.coverage >= MIN_COVERAGE
            and (best.similarity >= MIN_SIMILARITY or lead >= CLEAR_LEAD)
        ):
            decision = "answer"
        elif best.score >= CHOOSE_AT and best.coverage >= MIN_COVERAGE:
            decision = "choose"
        else:
            decision = "decline"
        return Match(decision, shown[:limit], tokens)

    def own_coverage(self, text: str, entry_id: str) -> float:
        """How much of a message's own words (rarity-weighted) one entry has: a follow-up read against
        the last subject must still be about something that subject says."""
        ie = self.index.indexed.get(entry_id)
        units = self.content_units(fold(text))
        if ie is None or not units:
            return 1.0 if ie is not None else 0.0
        weighed = [self._weighed(word, pieces) for word, pieces in units]
        return self._coverage(weighed, ie) / (sum(u.weight for u in weighed) or 1.0)

    def _weighed(self, word: str, pieces: list[str]) -> _Unit:
        idfs = [self.idf(p) for p in pieces]
        return _Unit(
            word, pieces, max(idfs), tuple(zip(pieces, idfs, strict=True)), sum(idfs) or 1.0
        )

    @staticmethod
    def _coverage(units: list[_Unit], ie: IndexedEntry) -> float:
        """How much of the question's words (weighted) the entry has: each word whole, or by its pieces.

        A word in the entry's names or sample questions says what the entry is about; one found only
        in its answer text counts for less. One loop for all words: this runs for every search hit.
        """
        tokens, head = ie.tokens, ie.head
        got = 0.0
        for u in units:
            if u.word in tokens:
                got += u.weight if u.word in head else 0.6 * u.weight
            else:
                part = sum(i if p in head else 0.6 * i for p, i in u.idfs if p in tokens)
                if part:
                    got += u.weight * part / u.idf_sum
        return got

    def _similarity(self, query_str: str, query_sorted: str, ie: IndexedEntry) -> float:
        """How much the question resembles the closest sample questions (content words only)."""
        if not ie.questions:
            return 0.0
        questions, ordered = self._samples(ie, query_str)
        best_set = process.extractOne(
            query_str, questions, scorer=fuzz.token_set_ratio, processor=None
        )
        # token_sort_ratio, with the words sorted once: the question's here, the samples' at opening.
        best_sort = process.extractOne(query_sorted, ordered, scorer=fuzz.ratio, processor=None)
        return (best_set[1] + best_sort[1]) / 200.0

    def _samples(self, ie: IndexedEntry, query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The sample questions worth comparing with `query`, as written and sorted: a sample
        with no word in the question's script (Latin or Chinese) shares no word with it. A
        question in both scripts is compared with every one. Made once per entry and script."""
        latin, han = bool(_LATIN.search(query)), not query.isascii()
        script = "both" if latin and han else "latin" if latin else "han"
        got = self._samples_cache.get((ie.id, script))
        if got is None:
            keep = [
                latin and han or (bool(_LATIN.search(q)) if latin else not q.isascii())
                for q in ie.questions
            ]
            if not any(keep):
                keep = [True] * len(keep)
            got = self._samples_cache[(ie.id, script)] = (
                tuple(q for q, k in zip(ie.questions, keep, strict=True) if k),
                tuple(q for q, k in zip(ie.questions_sorted, keep, strict=True) if k),
            )
        return got

    def _names_of(self, ie: IndexedEntry) -> _Names:
        """The entry's names (two characters or more, spaces dropped), sorted for _name_hit, made once."""
        got = self._names_cache.get(ie.id)
        if got is None:
            pairs = [(name, name.replace(" ", "")) for name in ie.names]
            pairs = [(name, n) for name, n in pairs if len(n) >= 2]
            # A short English name must stand as a word ("QF" is not in "QFS"); others may be inside.
            short = tuple((name, n) for name, n in pairs if len(n) <= 4 and n.isascii())
            inside = tuple(n for name, n in pairs if not (len(n) <= 4 and n.isascii()))
            got = self._names_cache[ie.id] = _Names(
                short, inside, tuple(sorted(inside, key=len, reverse=True))
            )
        return got

    def _name_hit(
        self,
        folded: str,
        compact: str,
        tokens: list[str],
        ie: IndexedEntry,
        fuzzy: bool = True,
    ) -> float:
        """1.0 when a name or alias of the entry appears in the question (typos tolerated for long names)."""
        names = self._names_of(ie)
        best = 0.0
        if names.short:
            padded = f" {folded} "
            for name, n in names.short:
                if name in tokens or f" {name} " in padded:
                    best = max(best, _name_weight(n))
        for n in names.longest_first:  # the first found is the longest, so the weightiest
            if n in compact:
                best = max(best, _name_weight(n))
                break
        if best < 0.95 and fuzzy:
            candidates = [n for n in names.inside if len(n) >= 4 and n not in compact]
            found = candidates and process.extractOne(
                compact, candidates, scorer=fuzz.partial_ratio, processor=None, score_cutoff=80
            )
            if found:
                best = max(best, found[1] / 100.0 * _name_weight(found[0]))
        return best
