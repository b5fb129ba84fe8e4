"""From a clause to the fact that answers it: which entry, or exactly what the documents do not say.

The matcher finds what a clause is about; among the entries it finds close together, and the
children of the best (a scheme's deadline, assessor, figures), the one whose sample questions ask
the same kind of thing and whose text states it wins. A subject whose family states no such fact
(no date for "when", no figure for "how many", no fee at all) is "not stated", never a neighbour's fact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from bot.kb.asks import Ask, recorded_absent, stated, unanswerable_ask
from bot.kb.loader import KnowledgeBase
from bot.kb.matcher import NEAR_BEST, RERANK, Candidate, Match, Matcher
from bot.kb.schema import Entry, last_day
from bot.kb.text import fold, is_han
from bot.kb.understand import (
    ASK_CUES,
    LISTED,
    PLACES,
    AskKind,
    count_stated,
    counted,
    document_reference,
    has_evidence,
    sectors_named,
)

Outcome = Literal["answer", "choose", "decline", "missing"]

_JOINS = frozenset(
    {
        "和",
        "同",
        "及",
        "与",
        "跟",
        "、",
        "n",
        "and",
        "&",
        "vs",
        "或",
        "or",
        ",",
        "，",
        "同埋",
        "以及",
    }
)
# After "A 同 B": a possessive or a classifier ("份備忘錄", "個計劃") means the question is about a third
# thing that A and B share, not about A and B.
_POSSESSIVE = frozenset({"的", "嘅", "之", "中的", "里的", "入面嘅", "内的", "里面的", "'s"})
_OWNED = frozenset("的嘅之签簽合共与和间份个嗰条啲项")
_PARTY = (
    r"\s*(?:市|省)?\s*(?:的)?\s*(?:'s\s+)?(?:[a-z&]+\s+){0,2}(?:(?:哪一?个|边一?个|哪些|边啲|什么|咩)?(?:政府)?(?:部门|机构)|"
    r"人社局|人力资源|局|厅|署|学院|科协|协会|政府|大学|"
    r"municipal|provincial|bureau|department|college|government|association|university|hrss)"
)
_PLACE_PARTY = re.compile(
    "(" + "|".join(re.escape(p) for p in PLACES if p not in ("香港", "hong kong")) + ")" + _PARTY
)
# Nouns that, right after a name, make the phrase name another thing ("技能提升基金": a fund).
_HEAD_NOUN = re.compile(
    r"基金|计划|中心|学院|学校|协会|学会|公司|课程|委员会|大学|研究院|办事处|(?<![a-z])(?:fund|scheme|centre|center|college|association|institute)(?![a-z])"
)
# Chinese words before a head noun: what a question calls a fund, a scheme, a college…
_NAMED_THING = re.compile(r"([\u4e00-\u9fff]{2,8}?)(基金|计划|学院|协会|学会|委员会|研究院|大学)")
# Characters that are never part of such a name (pronouns, particles, question words, verbs of
# asking): the name is what comes after the last of them.
_NOT_A_NAME = re.compile(
    r"[的嘅在喺我你佢他她有边哪什甚么咩系是个嗰了后一间些这那呢读报申请参与用去做同和及与跟]"
)
_GENERIC = frozenset({"政府", "香港", "内地", "本地"})
# "什麼網上平台", "哪個資歷": the kind of thing asked for, after a which-word.
_WHICH_THING = re.compile(r"(?:什么|甚么|咩|哪个|哪一个|哪些|边个|边啲)([\u4e00-\u9fff]{3,6})")
# English words before a name that do not say which one ("the committee", "that council").
_NOT_A_QUALIFIER = frozenset(
    {"the", "this", "that", "its", "their", "which", "what", "chairs", "chair"}
)
# "Where is it held / located": a venue asked, not where something is published or shown.
_VENUE = re.compile(
    r"设在|设于|位于|举行|举办|搞|开会|选址|地点|喺边区|边区|哪个区|办公室|办事处|总部|"
    r"(?<![a-z])(?:located|held|based|situated|venue|site|office|offices|headquarters)(?![a-z])"
)
_BODY_NAMED_AFTER_PLACE = re.compile(
    "(?:"
    + "|".join(re.escape(p) for p in PLACES if not p.isascii())
    + r")(?:市|省)?[\u4e00-\u9fff]{0,8}?(?:局|厅|署|院|学会|协会|联盟|大学|学院|公司|集团)|"
    + r"(?<![a-z])(?:"
    + "|".join(re.escape(p) for p in PLACES if p.isascii())
    + r")(?:'s)?\s+(?:[a-z]+\s+){0,4}?(?:institute|bureau|university|college|association|"
    r"council|department|alliance|company|group|academy)(?![a-z])"
)
# The post an office-holder question asks for: another post's holder does not answer it.
_POST = re.compile(
    r"副?(?:主席|会长|署长|局长|院长|校长|总裁|总经理|秘书长)|"
    r"(?<![a-z])(?:chairman|chairperson|chairwoman|president|ceo)(?![a-z])"
)
# Kinds of fact whose absence from a subject's entries is visible in the text.
CHECKED = frozenset({"when", "deadline", "howmany", "where", "holder"})
NAMED = 0.8
WITHIN_MIN_COVERAGE = 0.5  # a follow-up's own words the last subject's entry must cover...  # a name-hit this strong means the clause names its subject itself
ASK_WINDOW = NEAR_BEST  # candidates this close to the best may win on the kind of fact asked
PROFILE_BONUS = 0.08  # sample questions asking the same kind of thing
EVIDENCE_BONUS = 0.04  # the text states that kind of fact
OWNED_BONUS = 0.06  # the thing a possessive names ("報告的桌面研究": the desk research)
# Subjects: a follow-up's "who runs it?" is about the scheme, not about one of its facts.
SUBJECT_TYPES = frozenset(
    {
        "scheme",
        "programme",
        "organisation",
        "qualification",
        "event",
        "report",
        "initiative",
        "agreement",
    }
)
# "Next round", "this year": a time after the documents. Soft words ("latest", "current") are
# answered with the latest document's date instead.
_NEXT = re.compile(
    r"下一届|下届|下一期|下一轮|下轮|下一次|下次|下一阶段|下阶段|明年|下年|出年|"
    r"今年(?:会|仲会|将会|会唔会|会不会)|"
    r"\b(?:next|upcoming|next year|coming up|next round|future)\b|"
    r"\b(?:will|going to)\b[^?]*\bthis year\b"  # "will it come to Sha Tin this year?": not yet told
)
# "This year", "now", "current": answered with what the latest document gives, and its date.
_NOW = re.compile(
    r"今年(?!\d)|本年度|而家|现在|目前|现时|现任|最新|仲有冇得报|仲报唔报|仲可唔可以报|仲开唔开|"
    r"\b(?:this year|currently|current|now|latest|still)\b"
)
# "第三屆", "phase 2", "the 3rd": an edition or phase the entry must name itself.
_ORDINAL = re.compile(
    r"第\s*([一二三四五六七八九十\d]+)\s*(?:届|期|阶段|轮|次|代)|"
    r"\b(?:phase|stage|round|edition)\s*(\d+|one|two|three|four|i{1,3})\b|"
    r"\b(\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth)\s+(?:phase|stage|round|edition|green)"
)
_NUMERALS = {
    "1": "一",
    "2": "二",
    "3": "三",
    "4": "四",
    "5": "五",
    "one": "一",
    "two": "二",
    "three": "三",
    "four": "四",
    "five": "五",
    "i": "一",
    "ii": "二",
    "iii": "三",
    "1st": "一",
    "2nd": "二",
    "3rd": "三",
    "4th": "四",
    "5th": "五",
    "first": "一",
    "second": "二",
    "third": "三",
    "fourth": "四",
    "fifth": "五",
}
_EN_ORDINAL = {
    "一": ("first", "1st", "phase 1", "phase one"),
    "二": ("second", "2nd", "phase 2", "phase two"),
    "三": ("third", "3rd", "phase 3", "phase three"),
    "四": ("fourth", "4th"),
    "五": ("fifth", "5th"),
}


# Left of a definition question once its question words are gone: articles, particles, punctuation.
_BARE = re.compile(
    r"[^\w&+.-]+|\b(?:the|a|an|is|are|was|of|about|me|please|pls|tell|us)\b|"
    r"[嘅的咗吗呀啊㗎嚟呢咩乜嘢叫做系是个]|全名|全称|意思|简称|中文|英文|代表|指"
)


@dataclass(frozen=True)
class Found:
    outcome: Outcome
    entry: Entry | None = None
    score: float = 0.0
    match: Match | None = None
    missing: str | None = None  # catalog key of what is not stated ("ask_fee", "ask_when"...)
    named: bool = False  # the query names its subject itself
    detail: str = (
        ""  # the edition or place asked about that the documents do not cover ("第五屆", "深圳")
    )

    @property
    def candidates(self) -> list[Candidate]:
        return self.match.candidates if self.match else []


_LATIN_HAN = re.compile(r"(?<=[a-z0-9])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[a-z0-9])")


def _where(folded: str) -> list[int]:
    """Where each character of the compact form (spaces out) stands in the folded text."""
    return [i for i, ch in enumerate(folded) if ch != " "]


def _words(folded: str, start: int, end: int) -> str:
    """The folded text of a span of its compact form, spaces kept ("industry training ...")."""
    where = _where(folded)
    return folded[where[start] : where[end - 1] + 1]


def family(kb: KnowledgeBase, entry: Entry) -> list[Entry]:
    """The entry, its children and its parent: where a subject's other facts are."""
    out = [entry, *kb.children(entry.id)]
    if entry.parent and entry.parent in kb.entries:
        out.append(kb.entries[entry.parent])
    return out


def later_asked(folded: str) -> bool:
    """A time after the documents: the next round, next year."""
    return bool(_NEXT.search(folded))


def now_asked(folded: str) -> bool:
    """This year, now, the current holder: told with the latest document's date."""
    return bool(_NOW.search(folded))


def editions_missing(folded_question: str, folded_text: str) -> str:
    """The edition or phase the question names ("第三屆", "phase 2") that the text never names; "" if none."""
    for m in _ORDINAL.finditer(folded_question):
        raw = next(g for g in m.groups() if g)
        n = _NUMERALS.get(raw, raw)
        zh = [f"第{n}", f"第{raw}"]
        en = list(_EN_ORDINAL.get(n, ()))
        if not any(z in folded_text for z in zh) and not any(e in folded_text for e in en):
            return m.group(0)
    return ""


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


@lru_cache(maxsize=4096)
def _years(folded_text: str) -> frozenset[str]:
    return frozenset(_YEAR.findall(folded_text))


def years_missing(folded_question: str, folded_text: str) -> str:
    """A year the question names that the text never names, while the text gives years of its own
    (the 2021 conference asked, the 2020 one stated): another edition; "" if none."""
    given = _years(folded_text)
    if not given:
        return ""
    return next((y for y in _YEAR.findall(folded_question) if y not in given), "")


_AS_AT = re.compile(
    r"(?:截至|截止到|截止|直至|as (?:at|of)|by the end of)\s*(?:the end of\s*)?((?:19|20)\d\d)"
)


def as_at_missing(folded_question: str, folded_text: str) -> str:
    """A count asked as at one year that the text gives as at another ("截至2020年底" asked,
    "截至2019年10月底" stated): "" if not so."""
    asked = _AS_AT.findall(folded_question)
    given = _AS_AT.findall(folded_text)
    return next((y for y in asked if given and y not in given), "")


def places_missing(folded_question: str, folded_text: str) -> list[str]:
    """A place swapped for another: the question names a city the text never mentions while the text
    names a different one (深圳 asked, 廣州 stated). A place the text does not name at all may be the
    very thing asked ("which Guangdong institution"), so it is not a swap."""
    # Only a place that names the subject's own party ("深圳人社局", "Shenzhen bureau") can be a swap.
    asked = list(dict.fromkeys(m.group(1) for m in _PLACE_PARTY.finditer(folded_question)))
    missing = [p for p in asked if p not in folded_text]
    if not missing:
        return []
    given = [
        p for p in PLACES if p in folded_text and p not in ("香港", "hong kong") and p not in asked
    ]
    return missing if missing and given else []


def sectors_missing(folded_question: str, given: Set[str], own: Set[str]) -> str:
    """A trade swapped for another: the question names trades the text never names while the text
    names another (the logistics RPL asked, elderly care's stated); "" if none. `given` are the
    trades the subject's family names, `own` those of the entry's own text: a text listing
    trades answers whether one is among them."""
    asked = sectors_named(folded_question)
    if not asked or not given or asked.keys() & given or len(own) >= LISTED:
        return ""
    return next(iter(asked.values()))


def dated_before(kb: KnowledgeBase, entry: Entry, today: date) -> bool:
    """The entry speaks of a time before today (an event, a round, a dated document)."""
    if entry.when is not None:
        return last_day(entry.when.end or entry.when.start) < today
    source = kb.sources.get(entry.source.doc)
    return source is None or source.date is None or last_day(source.date).year < today.year


class FactFinder:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        self.kb, self.matcher = kb, matcher
        self.readings = kb.readings
        self._names: dict[str, list[Entry]] | None = None
        self._by_prefix: dict[str, tuple[int, ...]] | None = None
        self._all_text: str | None = None
        self._org_names: str | None = None

    def _name_table(self) -> dict[str, list[Entry]]:
        if self._names is None:
            names: dict[str, list[Entry]] = {}
            for entry in self.kb.entries.values():
                for name in {
                    fold(n).replace(" ", "")
                    for n in [entry.title.zh, entry.title.en, *entry.aliases]
                }:
                    names.setdefault(name, []).append(entry)
            self._names = names
        return self._names

    def named_pair(self, query: str) -> list[Entry]:
        """Two or three subjects named side by side, joined by "和", "n", "and"… and not then owned by
        a third thing ("機電署和人社局的備忘錄" is about the memorandum): each is asked about."""
        folded = fold(query)
        compact = folded.replace(" ", "")
        spans = self._spans(folded)
        out: list[Entry] = []
        for (_, e1, a), (s2, e2, b) in pairwise(spans):
            after = compact[e2:].lstrip("0123456789月日年号于在")
            if compact[e1:s2] in _JOINS and after[:1] not in _OWNED and after[:2] != "'s":
                out += [x for x in (a, b) if x not in out]
        return out[:3] if len(out) >= 2 else []

    def names_text(self, query: str) -> str:
        """The names a question uses, as written (folded): what its later asks are about."""
        folded = fold(query)
        return " ".join(_words(folded, a, b) for a, b, _ in self._spans(folded))

    def named_all(self, query: str) -> list[Entry]:
        """Every subject a question names, in the order named."""
        return [e for _, _, e in self._spans(fold(query))]

    def unknown_thing(self, query: str) -> str:
        """A named thing the documents never mention ("技能提升基金", "機電署學院"): words ending in a
        head noun (fund, scheme, college…) whose last words and head appear nowhere in the knowledge.
        "" if the question names none."""
        compact = fold(query).replace(" ", "")
        if self._all_text is None:
            self._all_text = " ".join(
                self.readings.of(e).named_text.replace(" ", "") for e in self.kb.entries.values()
            )
        if self._org_names is None:  # the names of subjects (organisations, schemes, events…)
            self._org_names = " ".join(
                n
                for e in self.kb.entries.values()
                if e.type in SUBJECT_TYPES
                for n in self.readings.of(e).names
            )
        for m in _NAMED_THING.finditer(compact):
            words, head = _NOT_A_NAME.split(m.group(1))[-1], m.group(2)
            if len(words) < 2 or words in _GENERIC:
                continue
            suffixes = [words[i:] for i in range(len(words) - 1)]
            if any(s + head in self._all_text for s in suffixes):
                continue
            # "研發院計劃成立…": after an organisation's name, 計劃 is its plan, not another scheme.
            if any(len(s) >= 3 and s in self._org_names for s in suffixes):
                continue
            return words + head
        return ""

    def _heads(self, folded: str) -> list[tuple[bool, Entry]]:
        """Each name a question uses, and whether a head noun follows it that makes it another thing
        ("持續進修獎學基金", "機電署學院": a fund, a college), unless that longer phrase is a name itself."""
        compact = folded.replace(" ", "")
        out = []
        for start, end, entry in self._spans(folded):
            head = _HEAD_NOUN.match(compact, end)
            qualified = head is not None and not any(
                compact[start : head.end()] in n for n in self.readings.of(entry).names
            )
            out.append((qualified, entry))
        return out

    def _found_names(self, compact: str) -> dict[str, int]:
        """Each name (three characters or more) in a compact text, with where it first starts."""
        table = self._name_table()
        if self._by_prefix is None:
            # The lengths of names by their first two characters: at each place of the question only
            # those slices are looked up, however many names (100,000 entries) share a beginning.
            lengths: dict[str, set[int]] = {}
            for name in table:
                if len(name) >= 3:
                    lengths.setdefault(name[:2], set()).add(len(name))
            self._by_prefix = {p: tuple(sorted(ls)) for p, ls in lengths.items()}
        found: dict[str, int] = {}
        for i in range(len(compact) - 2):
            for size in self._by_prefix.get(compact[i : i + 2], ()):
                name = compact[i : i + size]
                if len(name) == size and name in table and name not in found:
                    found[name] = i
        return found

    def _spans(self, folded: str) -> list[tuple[int, int, Entry]]:
        """Names in a folded text, as spans of its compact form (spaces out); Latin names whole words."""
        compact = folded.replace(" ", "")
        where = _where(folded)
        spans: list[tuple[int, int, Entry]] = []
        table = self._name_table()
        found = self._found_names(compact)
        for name, start in found.items():
            entries = table[name]
            if name[0].isascii() and name[0].isalnum():
                a, b = where[start], where[start + len(name) - 1]
                if (a > 0 and folded[a - 1].isalnum()) or (
                    b + 1 < len(folded) and folded[b + 1].isalnum()
                ):
                    continue
            # A name several entries share ("啟動禮") is the one the question's other names are near.
            others = [e for o in found if o != name for e in table[o]] if len(entries) > 1 else []
            best = (others and self._nearest(entries, others)) or min(
                entries,
                key=lambda e: (e.type not in SUBJECT_TYPES, e.parent is not None, len(e.id)),
            )
            spans.append((start, start + len(name), best))
        spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        kept: list[tuple[int, int, Entry]] = []
        for span in spans:
            if all(span[1] <= k[0] or span[0] >= k[1] for k in kept) and all(
                span[2].id != k[2].id for k in kept
            ):
                kept.append(span)
        return sorted(kept, key=lambda s: s[0])

    def within(
        self,
        last: tuple[str, ...],
        clause: str,
        asks: tuple[AskKind, ...] | list[AskKind],
        min_cover: float = 0.5,
        short: bool = False,
    ) -> Entry | None:
        """For a follow-up that names nothing ("咁幾時截止？"): the entry of the last subject's family
        that best covers the follow-up's own words and states the kind of fact asked.

        :param short: the follow-up is a bare ask ("佔多少百分比？"): the last entry itself, when it
            states that kind of fact, is what it asks about, whatever its few words resemble
        """
        noun = counted(fold(clause)) if "howmany" in asks else None
        if short and asks and last and last[0] in self.kb.entries:
            latest = self.kb.entries[last[0]]
            if all(
                self._fits(latest, k) and (k not in CHECKED or self._states(latest, k, noun))
                for k in asks
            ):
                return latest
        pool: dict[str, Entry] = {}
        for eid in last:
            entry = self.kb.entries.get(eid)
            if entry is None:
                continue
            subject = subject_of(self.kb, entry)
            for e in [entry, subject, *self.kb.children(subject.id), *self.kb.children(entry.id)]:
                pool.setdefault(e.id, e)
        if not pool:
            return None

        def fit(e: Entry) -> tuple[float, float]:
            cover = self.matcher.own_coverage(clause, e.id)
            profile = self.readings.of(e).asks
            told = sum(
                PROFILE_BONUS * 4 * profile.get(k, 0.0)
                + (0.2 if k in CHECKED and self._states(e, k, noun) else 0.0)
                for k in asks
            )
            return cover + told + (0.1 if e.id in last else 0.0), cover

        best = max(pool.values(), key=lambda e: fit(e)[0])
        return best if fit(best)[1] >= min_cover else None

    def _nearest(self, entries: list[Entry], near: list[Entry]) -> Entry | None:
        """The one of `entries` closest to `near` (the same subject's family, then a related entry,
        then the same topic) when it is closer than every other; None otherwise."""
        subjects = {subject_of(self.kb, t).id for t in near} | {t.id for t in near}
        topics = {t.topic for t in near}

        def closeness(e: Entry) -> int:
            if subject_of(self.kb, e).id in subjects:
                return 3
            if any(e.id in t.related or t.id in e.related for t in near):
                return 2
            return 1 if e.topic in topics else 0

        ranked = sorted(((closeness(e), e.id) for e in entries), reverse=True)
        if ranked and ranked[0][0] > 0 and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            return self.kb.entries[ranked[0][1]]
        return None

    def by_conversation(self, query: str, last: Sequence[str]) -> Entry | None:
        """An entry a name in a follow-up stands for, when that name is shared ("啟動禮": the elderly
        care launch and the mechanics' one) and one of its entries is closest to the conversation:
        the same subject's family, then a related entry, then the same topic."""
        table = self._name_table()
        talked = [self.kb.entries[i] for i in last if i in self.kb.entries]
        if not talked:
            return None

        found = self._found_names(fold(query).replace(" ", ""))
        for name, start in found.items():
            entries = table[name]
            if len(entries) < 2 or any(
                len(other) > len(name) and at <= start and start + len(name) <= at + len(other)
                for other, at in found.items()
            ):  # "安老RPL啟動禮" names one of them itself
                continue
            # The question's own other names decide first ("安老…擴展到社區照顧的啟動禮"): _spans
            # reads the name by them; only a name they leave open is the conversation's.
            if any(other != name for other in found):
                return None
            return self._nearest(entries, talked)
        return None

    def sibling(self, last: tuple[str, ...], subject: str) -> Entry | None:
        """The entry beside the last one that `subject` names ("B2" beside the M category, "trade"
        beside manufacturing): a "what about X?" asks the same of it."""
        if not last or last[0] not in self.kb.entries:
            return None
        prev = self.kb.entries[last[0]]
        key = fold(subject).replace(" ", "")
        key = re.sub(
            r"^(?:the|in|for|of|one with|the one with|about|对于|对|至于|关于|讲|说)+", "", key
        )
        # 「工程服務」類, 貿易嗰個, 工程服务方面: the name inside its quotes and classifiers.
        key = re.sub(r"[「」『』“”\"'()（）]", "", key)
        key = re.sub(r"(?:类|界别|类别|方面|范畴|嗰个|嗰类|那个|那类|这个|的|嘅)+$", "", key)
        if len(key) < 2:
            return None
        # Beside it first; then inside it ("對僱員呢" after the report's recommendations to all four).
        beside = self.kb.children(prev.parent) if prev.parent else []
        for entry in [*beside, *self.kb.children(prev.id)]:
            if entry.id == prev.id:
                continue
            names = {
                fold(n).replace(" ", "") for n in [entry.title.zh, entry.title.en, *entry.aliases]
            }
            if key in names or any(
                key in n
                and len(key) >= 2
                and (
                    not key.isascii()
                    or re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", n)
                )
                for n in names
            ):
                return entry
        return None

    def defined(self, query: str) -> Entry | None:
        """The term a "what is" question defines when it names more than one thing: "報告中的 QMS 是指
        什麼" defines QMS, not the report — the name just before a trailing cue (是指什麼, mean, stand
        for), or just after a leading one (what is)."""
        folded = fold(query)
        compact = folded.replace(" ", "")
        spans = self._spans(folded)
        if len(spans) < 2:
            return None
        cues = list(ASK_CUES["what"].finditer(compact))
        if not cues:
            return None
        cue = cues[-1]
        # The defined term stands right beside its question word: "QMS是指什麼", "what does QMS mean".
        before = [sp for sp in spans if 0 <= cue.start() - sp[1] <= 2]
        if before:
            return before[-1][2]
        after = [sp for sp in spans if 0 <= sp[0] - cue.end() <= 6]
        return after[0][2] if after else None

    def named(self, query: str) -> Entry | None:
        """The entry a question is only the name of ("RPL係咩", "What is the QF?", "VPES")."""
        self._name_table()
        assert self._names is not None
        bare = ASK_CUES["what"].sub(" ", fold(query))
        bare = _BARE.sub(" ", bare)
        key = "".join(bare.split())
        entries = self._names.get(key) if len(key) >= 2 else None
        if not entries:
            return None
        # A shared name (an abbreviation two entries use) goes to the subject, not to one of its facts.
        return min(
            entries, key=lambda e: (e.type not in SUBJECT_TYPES, e.parent is not None, len(e.id))
        )

    def find(
        self,
        query: str,
        asks: tuple[AskKind, ...] | list[AskKind],
        today: date,
        asked: str | None = None,
    ) -> Found:
        """The entry that answers `query` (folded or not), or what is missing about its subject.

        :param asked: the words the asker asked, when `query` adds context (a story, the last
            subject): fees, places, editions and "next year" are looked for there only
        """
        if not asks or "what" in asks:
            entry = self.named(query) or (self.defined(query) if "what" in asks else None)
            if entry is not None:
                return Found("answer", entry=entry, score=1.0, match=None, named=True)
        own = asked if asked is not None else query  # the asker's own words
        thing = self.unknown_thing(own)
        if thing:
            return Found("decline", detail=thing)
        match = self.in_document(own) or self.matcher.match(query)
        best = match.best
        if best is None or match.decision == "decline":
            # "香港老年學會幾點開門？": too few words to match on, but a known subject and an ask the
            # documents never answer: say exactly that rather than list the topics.
            folded = fold(own)
            # ...unless the name only qualifies another thing: "持續進修獎學基金" is a fund, not 持續進修.
            named = [e for s, e in self._heads(fold(query)) if not s]
            if named:
                ask = unanswerable_ask(folded, _text(named[0]))
                if ask is not None:
                    return Found(
                        "missing",
                        entry=named[0],
                        score=best.score if best else 0.0,
                        match=match,
                        missing=f"ask_{ask.key}",
                        named=True,
                    )
            return Found("decline", match=match, score=best.score if best else 0.0)
        entry = self.asked_kind(match, own) or self._pick(match, asks, own)
        names = best.name_hit >= NAMED or bool(
            names_in(fold(own), self.readings.of(subject_of(self.kb, entry)).names)
        )
        if match.decision == "choose" and entry.id == best.id:
            return Found("choose", entry=entry, score=best.score, match=match, named=names)
        other = self.named_elsewhere(own, entry) if "holder" in asks else None
        if other is not None:
            # "Who is the chairman of VTC?" found a committee's chairman: a post is the named
            # body's own, so the answer is about VTC (whose chairman the documents do not name).
            subject, unknown = other
            if unknown:
                return Found("missing", subject, best.score, match, "ask_named", True, unknown)
            return self.check(subject, own, asks, today, named=True)
        return self.check(entry, own, asks, today, match, names)

    def asked_kind(self, match: Match, query: str) -> Entry | None:
        """ "推出了什麼網上平台？": the candidate whose name is that kind of thing (機電創科網上平台),
        when the best one's names are not; None otherwise."""
        compact = fold(query).replace(" ", "")
        kinds = [m.group(1) for m in _WHICH_THING.finditer(compact)]
        if not kinds or len(match.candidates) < 2:
            return None
        best = self.kb.entries[match.candidates[0].id]
        for noun in (k[:n] for k in kinds for n in range(len(k), 2, -1)):
            if any(noun in n for n in self.readings.of(best).names):
                return None
            for c in match.candidates[1:5]:
                e = self.kb.entries.get(c.id)
                if e is not None and any(n.endswith(noun) for n in self.readings.of(e).names):
                    return e
        return None

    def named_elsewhere(self, query: str, entry: Entry) -> tuple[Entry, str] | None:
        """The subject the question names when the entry found has nothing to do with it (not it,
        not of its family, and not mentioning it): the question is about that subject, whatever
        the rest of its words matched. None when the question names none, or names the entry's."""
        # "VTC主席": the English name is a word of its own.
        folded = _LATIN_HAN.sub(" ", fold(query))
        spans = self._spans(folded)
        if not spans:
            return None
        compact = folded.replace(" ", "")
        related = {e.id for e in family(self.kb, entry)}
        reading = self.readings.of(entry)
        text = f"{' '.join(reading.names)} {reading.text.replace(' ', '')}"
        for start, end, named in spans:
            if (
                named.id in related
                or entry.id in {e.id for e in family(self.kb, named)}
                or compact[start:end] in text  # the entry speaks of what was named
                or any(
                    n in self.readings.of(named).text.replace(" ", "")
                    for n in self.readings.of(entry).names
                )
            ):  # ...or what was named speaks of the entry ("the assessor" is the Association)
                qualifier = self._qualifier(folded, start) if entry.parent == named.id else ""
                if qualifier and not any(qualifier in n for n in self.readings.of(entry).names):
                    # "零售業諮委會": a committee, but not the automotive one found, nor one known.
                    return (
                        named,
                        f"{qualifier}{'' if is_han(qualifier) else ' '}{_words(folded, start, end)}",
                    )
                return None
        return spans[0][2], ""

    @staticmethod
    def _qualifier(folded: str, start: int) -> str:
        """The words just before a general name that say which one ("零售業" 諮委會, "retail" ITAC)."""
        where = _where(folded)
        before = folded[: where[start]] if start < len(where) else folded
        han = re.search(r"([\u4e00-\u9fff]{2,6})$", _NOT_A_NAME.split(before.rstrip())[-1])
        latin = re.search(r"([a-z]{3,})\s*$", before)
        qualifier = han.group(1) if han else latin.group(1) if latin else ""
        return "" if qualifier in _NOT_A_QUALIFIER else qualifier

    def in_document(self, query: str) -> Match | None:
        """For "份報告入面，工程服務業有幾多個廣告？": the rest of the question matched alone, among the entries
        of the document it names; None when it names none, or nothing there fits the rest."""
        ref = document_reference(fold(query))
        if ref is None:
            return None
        phrase, rest = ref
        named = self._spans(phrase)
        guess = self.matcher.match(phrase)
        pointed = [self.kb.entries[c.id] for c in guess.candidates[:1]]
        docs = {e.source.doc for _, _, e in named} or {e.source.doc for e in pointed}
        match = self.matcher.match(rest, limit=RERANK)
        if match.decision != "answer":
            return None  # the whole question, its document's name included, decides
        if not named and guess.decision != "answer":
            return match  # "講話裏…", "新聞入面…" point at no document for sure: the rest decides
        inside = [c for c in match.candidates if self.kb.entries[c.id].source.doc in docs]
        if not inside:
            return None
        return Match(match.decision, inside, match.query_tokens)

    def check(
        self,
        entry: Entry,
        asked: str,
        asks: tuple[AskKind, ...] | list[AskKind],
        today: date,
        match: Match | None = None,
        named: bool = False,
    ) -> Found:
        """An entry found for a question, checked for the fact asked: a fee, a date, a count, a venue,
        an edition or a place it does not state makes the answer "missing"."""
        folded = fold(asked)
        fam = family(self.kb, entry)
        score = match.best.score if match is not None and match.best is not None else 1.0
        best_score = score

        def missing(key: str, detail: str = "") -> Found:
            return Found("missing", entry, score, match, key, named, detail)

        ask: Ask | None = unanswerable_ask(folded, _text(entry))
        if ask is not None:
            return missing(f"ask_{ask.key}")
        absent = recorded_absent(asks, f"{entry.answer.zh} {entry.answer.en}", folded)
        if absent is not None:
            return missing(f"ask_{absent}")
        noun = counted(folded) if "howmany" in asks else None
        for kind in asks:
            if (
                kind not in CHECKED
                or (kind == "where" and not _VENUE.search(folded))
                or (kind == "holder" and "who" not in asks)
            ):
                continue
            if not self._states(entry, kind, noun):
                close = [
                    self.kb.entries[c.id]
                    for c in (match.candidates[1:5] if match else [])
                    if best_score - c.score <= ASK_WINDOW and c.id in self.kb.entries
                ]
                # A venue is the thing's own: the parent's place (a data park beside the institute)
                # is not where its child is.
                searched = [
                    e for e in fam if kind != "where" or e is entry or e.parent == entry.id
                ]
                if kind == "where":
                    close = [e for e in close if e.id != entry.parent]
                stating = [e for e in searched if self._states(e, kind, noun)]
                better = (
                    [e for e in stating if self._fits(e, kind)]
                    or stating
                    or [e for e in close if self._states(e, kind, noun)]
                )
                if better:
                    entry = better[0]
                elif not stating:
                    return missing(f"ask_{kind}")
        text = self.readings.of(entry).text
        post = _POST.search(folded) if "holder" in asks and "who" in asks else None
        if post and post.group(0) not in text:
            return missing("ask_holder")  # "人社局局長": the text names a 署長, not a 局長
        edition = editions_missing(folded, text)
        if edition:
            return missing("ask_edition", edition)
        family_text = " ".join(self.readings.of(e).named_text for e in fam)
        source = self.kb.sources.get(entry.source.doc)
        # The document's own title and date name years too ("Manpower Update 2026"): not editions.
        titled = (
            f"{fold(source.title.zh)} {fold(source.title.en)} {source.date or ''}"
            if source
            else ""
        )
        year = years_missing(folded, f"{family_text} {titled}") or as_at_missing(folded, text)
        if year:
            return missing("ask_edition", year)
        places = places_missing(folded, family_text)
        if places:
            return missing("ask_place", places[0])
        given = frozenset().union(*(self.readings.of(e).sectors for e in fam))
        sector = sectors_missing(folded, given, self.readings.of(entry).own_sectors)
        if sector:
            # The same fact of the trade asked, when another candidate states it (the elderly care
            # assessor, not the logistics one the words matched best).
            other = self._of_sector(folded, asks, noun, match)
            if other is not None:
                return self.check(other, asked, asks, today, match, named)
            return missing("ask_named", sector)
        if later_asked(folded) and dated_before(self.kb, entry, today):
            return missing("ask_later")
        return Found("answer", entry=entry, score=score, match=match, named=named)

    def _of_sector(
        self, folded: str, asks: Sequence[AskKind], noun: str | None, match: Match | None
    ) -> Entry | None:
        """A close candidate about the trade asked that states the kind of fact asked; one named
        after the trade before one that only mentions it."""
        if match is None or match.best is None:
            return None
        asked = sectors_named(folded)
        close = [
            e
            for c in match.candidates[1:RERANK]
            if match.best.score - c.score <= ASK_WINDOW
            and (e := self.kb.entries.get(c.id)) is not None
            and all(self._states(e, k, noun) for k in asks if k in CHECKED)
        ]
        for text_of in (
            lambda e: sectors_named(" ".join(self.readings.of(e).names)).keys(),
            lambda e: self.readings.of(e).sectors,
        ):
            for e in close:
                if asked.keys() <= text_of(e):
                    return e
        return None

    def _states(self, entry: Entry, kind: AskKind, noun: str | None) -> bool:
        """The entry states the kind of fact asked (its own name aside: 香港 in a name is no place)."""
        text = self.readings.of(entry).text
        if kind == "where":
            # 香港 in "香港人工智能研發院" is no venue; a venue alias ("Xiqu Centre") still is one.
            for name in sorted(
                {fold(n) for n in [entry.title.zh, entry.title.en]}, key=len, reverse=True
            ):
                if len(name) >= 2:
                    text = text.replace(name, " ")
            # Nor is 新加坡 in "新加坡工藝教育局": a place that begins a body's name.
            text = _BODY_NAMED_AFTER_PLACE.sub(" ", text)
        if kind == "howmany" and noun and not noun.isascii() and len(noun) >= 4:
            # "幾多個註冊技工": a count of that thing (or of its head noun, 院校 for 內地院校), not
            # any figure the entry gives.
            head = noun if noun in text else noun[-2:]
            return head in text and count_stated(head, text)
        plural = noun is not None and noun.isascii() and noun.endswith("s") and len(noun) > 3
        if plural and noun is not None:
            noun = noun[:-1]  # "members" is found as "member" too
        if kind == "howmany" and noun and noun in text:
            return count_stated(noun, text)
        if plural and noun is not None and noun not in _ANY_COUNT and noun[:4] not in text:
            # "How many members sat on it?": the entry's figures (dates, job records) count other
            # things when it never mentions members (a word's first letters: typos too).
            return False
        return has_evidence(kind, text)

    def _fits(self, entry: Entry, kind: AskKind) -> bool:
        return self.readings.of(entry).asks.get(kind, 0.0) > 0.0

    def owned(self, query: str) -> str | None:
        """In "報告的桌面研究", the desk research is asked about, not the report that holds it: the entry
        a name after a possessive names."""
        folded = fold(query)
        compact = folded.replace(" ", "")
        spans = self._spans(folded)
        for (_, e1, _), (s2, _, b) in pairwise(spans):
            if compact[e1:s2] in _POSSESSIVE:
                return b.id
        return None

    def _pick(
        self, match: Match, asks: tuple[AskKind, ...] | list[AskKind], query: str = ""
    ) -> Entry:
        """The best candidate, unless a close one (or a child of the best) fits the kind of fact asked,
        or is the thing a possessive names ("報告的桌面研究")."""
        best = match.candidates[0]
        entry = self.kb.entries[best.id]
        if not asks:
            return entry
        pool: dict[str, float] = {
            c.id: c.score for c in match.candidates if best.score - c.score <= ASK_WINDOW
        }
        for child in self.kb.children(entry.id):
            pool.setdefault(child.id, best.score - ASK_WINDOW / 2)
        owned = self.owned(query) if query and len(pool) > 1 else None

        def fit(eid: str) -> float:
            e = self.kb.entries[eid]
            profile = self.readings.of(e).asks
            folded = self.readings.of(e).text
            return (
                pool[eid]
                + (OWNED_BONUS if eid == owned else 0.0)
                + sum(
                    PROFILE_BONUS * profile.get(k, 0.0)
                    + (EVIDENCE_BONUS if has_evidence(k, folded) else 0.0)
                    for k in asks
                )
            )

        return self.kb.entries[max(pool, key=fit)]


# English nouns a count may go by without the entry repeating them ("how many people came?").
_ANY_COUNT = frozenset({"people", "time", "year", "day", "month", "week", "hour", "percent"})


def _text(entry: Entry) -> str:
    return stated(f"{entry.answer.zh} {entry.answer.en}")


def subject_of(kb: KnowledgeBase, entry: Entry) -> Entry:
    """The subject an entry's facts belong to: itself for a scheme or event, else its parent."""
    if entry.type in SUBJECT_TYPES or not entry.parent or entry.parent not in kb.entries:
        return entry
    return kb.entries[entry.parent]


def names_in(folded: str, names: Sequence[str]) -> list[str]:
    """The names (an entry's reading's) that occur in a folded question (longest first, no overlaps)."""
    compact = folded.replace(" ", "")
    found: list[str] = []
    for name in names:
        if len(name) >= 2 and name in compact and not any(name in f for f in found):
            if (
                name.isascii()
                and len(name) <= 4
                and not re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", compact)
            ):
                continue
            found.append(name)
    return found
