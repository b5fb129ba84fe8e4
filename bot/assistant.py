"""The Assistant: a worker's text in, an Answer out. No Telegram here: the console, the CLI and the
bot all show the same reply text.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from bot.dialogue import Conversation
from bot.i18n import render_date, t
from bot.kb.asks import ASKS
from bot.kb.compose import BODY_BUDGET, PART_BUDGET, clip, select
from bot.kb.dates import Dated
from bot.kb.facts import (
    WITHIN_MIN_COVERAGE,
    FactFinder,
    Found,
    dated_before,
    family,
    later_asked,
    names_in,
    now_asked,
    subject_of,
)
from bot.kb.happenings import Happenings, happenings
from bot.kb.index import Index, build_index, ensure_index, read_meta
from bot.kb.loader import KnowledgeBase, KnowledgeError, KnowledgeInvalid, load_knowledge
from bot.kb.matcher import CLOSE_GAP, Matcher
from bot.kb.schema import Entry
from bot.kb.smalltalk import small_talk
from bot.kb.text import MAX_QUERY_CHARS, Lang, detect_lang, fold, han_count, in_script, normalise
from bot.kb.understand import (
    ASK_EVIDENCE,
    AskKind,
    Clause,
    Reading,
    as_written,
    ask_kinds,
    counted,
    demonstrated,
    has_evidence,
    read,
    strip_filler,
    without_names,
    without_pointers,
)
from bot.rules.freetext import answer as rules_answer

logger = logging.getLogger(__name__)

# A follow-up that names no subject of its own ("和哪些部門合作？") leans on the conversation's
# unless read alone it fits clearly better.
LEAN_UNNAMED = 0.10
_TITLES = frozenset({"Mr", "Ms", "Mrs", "Dr", "Ir", "Prof", "I"})


def _sentence_case_after_prefix(text: str, whole: str) -> str:
    """ "As at January 2024, the …": an ordinary opening word loses its capital after the prefix; a name
    keeps it (a word capitalised mid-sentence somewhere in the entry is taken for a name)."""
    first, _, rest = text.partition(" ")
    word = first.strip(",.;:")
    if not (word[:1].isupper() and word[1:].islower()) or word in _TITLES:
        return text  # EMSD, i-cremation, Mr …
    if re.search(rf"[a-z,;:] {re.escape(word)}\b", whole):
        return text  # "…in Guangdong…": a name
    return f"{first[0].lower()}{first[1:]} {rest}"


# ...and only when the subject says something about the follow-up's own words.
LEAN_MIN_COVERAGE = 0.5
SURE_ALONE = 0.80  # a message read alone this well is not re-read against the conversation
# "讀完之後呢？", "after that?": the next step of what was just told.
_AFTER = re.compile(
    r"^(?:(?:读完|做完|完成|考完|毕业|拿到|攞到|修毕).{0,6}?)?(?:之后|以后|然后|跟住|接着|再之后)$|"
    r"^(?:after that|and then|then|after)$|"
    # "上一年呢？", "and the year before?": the same table or report, another year of it.
    r"^(?:上一年度?|前一年度?|上年|上一届|前一届|the (?:year|one) before|the previous (?:year|one)|"
    r"the prior year|a year earlier)$"
)
_BARE = re.compile(
    r"^(?:and|so|what about|how about|咁|噉|那|那么)\s*|\s*(?:呢|呀|啊)?[?？!！.。\s]*$"
)
# "Not stated" kinds that mean the subject asked is another one than the one found.
SWAPPED = frozenset({"ask_place", "ask_edition", "ask_named"})
SHORT_ASK = 8  # characters: "佔幾多%？" is a follow-up by its form alone
SHORT_ASK_WORDS = 4  # ...and in English, words: "how many people came?"
_PUNCTUATION = re.compile(r"[\s?？!！。，,.~～…]+")


def brief(folded: str) -> bool:
    """A message short enough for its "it", "佢哋" to mean the last subject."""
    return han_count(folded) <= 14 and len(re.findall(r"[a-z]+", folded)) <= 7


UNSTATED_KEYS = frozenset(f"ask_{a.key}" for a in ASKS)
# "Not stated" kinds that read as a thing ("a fee", "a date") and can be named together.
UNSTATED_KINDS = UNSTATED_KEYS | {
    f"ask_{k}"
    for k in ("when", "deadline", "howmany", "hours", "where", "holder", "eligible", "how")
}
# Words of a later ask that point at the first ask's subject ("可以用來讀…嗎" — use *it* to).
_POINTS = re.compile(r"用来|用嚟|用作|拿来|佢|它|\b(?:it|its|they|them|this|that)\b")
# Two subjects joined in one ask: "A 和 B", "A n B", "A vs B", "A 同 B 有咩分別".
_BOTH = re.compile(
    r"和|同|及|与|跟|、|分别|区别|分别|差别|\b(?:and|n|vs|versus|or|difference|differences|compare)\b|&(?![a-z])"
)

Kind = Literal["answer", "choose", "decline", "empty", "eligibility"]


@dataclass(frozen=True)
class Choice:
    id: str
    title: str


@dataclass(frozen=True)
class ReloadReport:
    """What a reload did: on errors nothing changed and the old knowledge keeps serving."""

    ok: bool
    errors: list[KnowledgeError] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    entries: int = 0


def diff_knowledge(
    old: KnowledgeBase, new: KnowledgeBase
) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(new.entries) - set(old.entries))
    removed = sorted(set(old.entries) - set(new.entries))
    changed = sorted(
        i for i in set(old.entries) & set(new.entries) if old.entries[i] != new.entries[i]
    )
    return added, changed, removed


@dataclass(frozen=True)
class Part:
    """One subject's facts in a reply: the sentences that answer the ask, and where they come from."""

    entry_id: str
    title: str
    text: str
    source: str
    trimmed: bool = False  # the entry says more than the reply shows (a button opens it whole)


@dataclass(frozen=True)
class Answer:
    """A structured reply: front ends render `parts`, `lead`, `notes`, `sources` and the buttons; `text`
    is the same reply as plain text (console, CLI)."""

    query: str
    answered: bool
    lang: Lang
    text: str
    kind: Kind
    entries: list[str] = field(default_factory=list)
    score: float = 0.0
    choices: list[Choice] = field(
        default_factory=list
    )  # offered instead of an answer, or beside it
    related: list[Choice] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    lead: str = (
        ""  # said before the facts: a long message cut, or the subject a follow-up leaned on
    )
    notes: list[str] = field(
        default_factory=list
    )  # after the facts: what the documents do not say
    sources: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "q": self.query,
            "answered": self.answered,
            "lang": self.lang,
            "text": self.text,
            "entries": self.entries,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Snapshot:
    """One index with its knowledge and matcher: an answer reads all three from the same snapshot."""

    index: Index
    kb: KnowledgeBase
    matcher: Matcher
    finder: FactFinder

    @classmethod
    def of(cls, index: Index) -> Snapshot:
        matcher = Matcher(index)
        return cls(index, index.kb, matcher, FactFinder(index.kb, matcher))


class Assistant:
    """Answers from one index; `swap` replaces it atomically (answers keep flowing during a reload)."""

    def __init__(self, index: Index, today: Callable[[], date] = date.today) -> None:
        self._lock = threading.Lock()
        self._snap = Snapshot.of(index)
        self.today = today

    @property
    def index(self) -> Index:
        return self._snap.index

    @property
    def kb(self) -> KnowledgeBase:
        return self._snap.kb

    @property
    def matcher(self) -> Matcher:
        return self._snap.matcher

    @classmethod
    def open(
        cls, knowledge_dir: Path, index_path: Path, today: Callable[[], date] = date.today
    ) -> Assistant:
        """Build the index if the knowledge changed, then load it."""
        ensure_index(knowledge_dir, index_path)
        return cls(Index(index_path), today)

    def swap(self, index: Index) -> None:
        # Built before it is published, so no answer ever sees a new knowledge base with an old matcher.
        snap = Snapshot.of(index)
        with self._lock:
            self._snap = snap
        logger.info("knowledge swapped: %s entries", len(index.kb.entries))

    def reload(self, knowledge_dir: Path) -> ReloadReport:
        """Validate the files, build a new index beside the live one, swap; on error keep serving."""
        try:
            kb = load_knowledge(knowledge_dir)
        except KnowledgeInvalid as exc:
            logger.warning("reload refused: %d error(s) in the knowledge files", len(exc.errors))
            return ReloadReport(False, exc.errors)
        try:
            build_index(kb, knowledge_dir, self.index.path)
            new = Index(self.index.path)
        except Exception as exc:  # a full disk or the like: the live index is untouched
            logger.exception("reload failed while building the index")
            return ReloadReport(
                False, [KnowledgeError("index", None, None, f"could not build the index: {exc}")]
            )
        return self._swap_reporting(new)

    def _swap_reporting(self, new: Index) -> ReloadReport:
        added, changed, removed = diff_knowledge(self.kb, new.kb)
        self.swap(new)
        return ReloadReport(True, [], added, changed, removed, len(new.kb.entries))

    def refresh_if_rebuilt(self) -> ReloadReport | None:
        """Pick up an index rebuilt by another process (`bot.py reload`); None when nothing changed."""
        meta = read_meta(self.index.path)
        if not meta or meta.get("digest") == self.index.meta.get("digest"):
            return None
        return self._swap_reporting(Index(self.index.path))

    # -- answering ---------------------------------------------------------------------------

    def answer(
        self,
        text: str,
        lang: Lang | None = None,
        conversation: Conversation | None = None,
        prefer: Lang | None = None,
    ) -> Answer:
        """Answer a message; `conversation` (kept by the front end) lets a follow-up lean on the last turn.

        :param lang: the reply language when the asker chose one; else detected from the text
        :param prefer: the asker's usual language, for a message with no Chinese or English words of
            its own ("RPL?" from a Chinese-speaking user)
        """
        raw = text or ""
        clean = normalise(raw)
        if conversation is not None and conversation.active and conversation.lang is not None:
            # "都包括哪些人？" is written the same in both scripts: the conversation's script decides.
            prefer = conversation.lang if conversation.lang != "en" or prefer is None else prefer
        lang = lang or detect_lang(clean, prefer=prefer)
        if not any(ch.isalnum() for ch in clean):
            return Answer(
                query=raw, answered=False, lang=lang, text=t("empty", lang), kind="empty"
            )
        folded = fold(clean)
        chat = small_talk(strip_filler(folded) or folded)
        if chat is not None:
            return Answer(query=raw, answered=False, lang=lang, text=t(chat, lang), kind="empty")
        snap = self._snap  # one consistent snapshot even if a reload swaps meanwhile
        kb = snap.kb
        reading = read(clean)
        if conversation is not None and reading.reset:
            conversation.clear()
        conv = conversation if conversation is not None and conversation.active else None
        if kb.rules is not None:
            # "Can I apply…?" about the asker: answered from the rules, with what is still missing.
            reply = rules_answer(kb.rules, clean, lang, self.today())
            if reply is not None:
                related = [
                    self.choice(kb.entries[i], lang) for i in reply.entry_ids if i in kb.entries
                ]
                if (
                    conversation is not None
                    and reply.entry_ids
                    and reply.entry_ids[0] in kb.entries
                ):
                    subject = subject_of(kb, kb.entries[reply.entry_ids[0]])
                    conversation.remember(fold(subject.title.zh), "", tuple(reply.entry_ids), lang)
                return Answer(
                    query=raw,
                    answered=True,
                    lang=lang,
                    text=reply.text,
                    kind="eligibility",
                    entries=list(reply.entry_ids),
                    score=1.0,
                    related=related[:4],
                )
        # normalise() keeps the first MAX_QUERY_CHARS characters; say so rather than answer silently.
        lead = t("truncated", lang) if len(clean) >= MAX_QUERY_CHARS else ""
        finder = snap.finder
        today = self.today()
        events = happenings(kb, strip_filler(folded), today)
        if events is not None:
            return self._events(raw, lang, kb, events, today)
        if len(reading.clauses) >= 2:
            found, borrowed = self._several(finder, reading, conv, today)
        else:
            found, borrowed = self._one(finder, reading, conv, today)
        return self._reply(
            raw, lang, snap, reading, found, borrowed is not None, lead, conversation
        )

    # -- understanding a message -------------------------------------------------------------------

    def _one(
        self, finder: FactFinder, reading: Reading, conv: Conversation | None, today: date
    ) -> tuple[list[Found], Found | None]:
        """One ask: read alone, or against the conversation when it names no subject of its own."""
        clause = reading.clauses[0] if reading.clauses else Clause(reading.folded)
        asks = clause.asks
        if _BOTH.search(clause.text):
            # "機電署 同 VTC 係咩", "QF and VQP?": each subject named, answered in turn.
            subjects = finder.named_pair(clause.text)
            if subjects:
                return [
                    Found("answer", entry=e, score=1.0, match=None, named=True)
                    for e in subjects[:3]
                ], None
        alone = finder.find(clause.text, asks, today)
        if alone.outcome in ("decline", "choose") and reading.context:
            # A story: its question may lean on what the story said ("呢份備忘錄" → the memorandum named before).
            story = finder.find(f"{reading.context} {clause.text}", asks, today, asked=clause.text)
            if story.outcome in ("answer", "missing"):
                alone = story
        if conv is None:
            return [alone], None
        last = finder.kb.entries.get(conv.entries[0]) if conv.entries else None
        shared = finder.by_conversation(clause.text, conv.entries)
        if shared is not None:
            # "那個啟動禮" after the mechanics' scheme: its launch, of the two launches so called.
            found = finder.check(shared, clause.text, asks, today, named=True)
            return [found], found
        bare = reading.subject_only or _BARE.sub("", clause.text)
        if last is not None and _AFTER.search(bare):
            # "讀完之後呢？": what comes next on the path just told, not a new subject.
            found = finder.check(last, clause.text, asks, today, named=True)
            return [found], found
        if reading.subject_only:
            # "咁B2呢？" after the M category: the same fact about a sibling that X names.
            sibling = finder.sibling(conv.entries, reading.subject_only)
            if sibling is not None:
                found = Found("answer", entry=sibling, score=1.0, match=None, named=True)
                return [found], found
            lean = finder.find(
                f"{reading.subject_only} {conv.ask}",
                ask_kinds(conv.ask) or tuple(asks),
                today,
                asked=clause.text,
            )
            if lean.outcome in ("answer", "missing") and lean.named:
                return [lean], lean
        own = without_pointers(clause.text)
        # A short ask ("佔幾多%？", "延到幾時？") is a follow-up by its form; its words need not be the subject's.
        body = strip_filler(own)
        short = bool(asks) and (
            len(re.findall(r"[a-z0-9]+", body)) <= SHORT_ASK_WORDS
            if body.isascii()
            else len(_PUNCTUATION.sub("", body)) <= SHORT_ASK
        )
        thing = demonstrated(clause.text, finder.readings.of(last).text) if last else ""
        if last is not None and thing:
            # "那個諮委會的主席": that committee is the one talked about, though the word names others
            # too; a fact the conversation's subject does not state is missing, not another's.
            near = finder.within(
                conv.entries, own, asks, 0.0 if short else WITHIN_MIN_COVERAGE, short=short
            )
            found = finder.check(near or last, clause.text, asks, today, named=True)
            if found.outcome == "missing" and "holder" not in asks:
                # "這個計劃的宣講會": the scheme the last answer named, when it states what is asked.
                # (Not for a post: "that committee's chairman" is that committee's, not one of
                # the committees' in general.)
                for named in finder.named_all(finder.readings.of(last).text):
                    if named.id != last.id and any(
                        thing in n for n in finder.readings.of(named).names
                    ):
                        near = finder.within((named.id,), own, asks, 0.0, short=short)
                        other = finder.check(near or named, clause.text, asks, today, named=True)
                        if other.outcome == "answer":
                            return [other], other
            return [found], found
        # "佢哋幾時搞？", "who runs it?" point back; in a long question "their" is about its own words.
        points = reading.pointer and brief(own)
        if (
            not alone.named
            and not reading.subject_only
            and (short or points or alone.outcome not in ("answer", "missing"))
        ):
            # "咁幾時截止？": the fact of the last subject's family that the follow-up's words point at;
            # "呢條路係邊個分享？" points back and names nothing else: the last subject, whatever words.
            anyway = short or (points and alone.outcome == "decline")
            near = finder.within(
                conv.entries, own, asks, 0.0 if anyway else WITHIN_MIN_COVERAGE, short=short
            )
            if near is not None:
                found = finder.check(near, clause.text, asks, today, named=True)
                return [found], found
        if alone.outcome == "answer" and alone.score >= SURE_ALONE and not (short or points):
            return [
                alone
            ], None  # a clear question of its own: no second search against the conversation
        lean = finder.find(
            f"{conv.subject} {without_pointers(clause.text)}", asks, today, asked=clause.text
        )
        if lean.outcome not in ("answer", "missing"):
            return [alone], None
        # Its own words about something else make a new question, unless they name nothing and
        # the last subject states what is asked ("有邊啲機構派人嚟分享？" after the sharing session).
        stays = (
            (not alone.named or (reading.pointer and alone.outcome not in ("answer", "missing")))
            and lean.outcome == "answer"
            and lean.entry is not None
            and lean.entry.id in conv.entries
            and bool(asks)
            # only kinds with a visible form ("who": a body, a person) say the subject states it
            and all(
                k in ASK_EVIDENCE and has_evidence(k, finder.readings.of(lean.entry).text)
                for k in asks
            )
        )
        if (
            lean.entry is not None
            and not stays
            and not (lean.outcome == "missing" and lean.missing in UNSTATED_KEYS)
            and finder.matcher.own_coverage(without_pointers(clause.text), lean.entry.id)
            < LEAN_MIN_COVERAGE
        ):
            return [
                alone
            ], None  # its own words are about something else: a new question, not a follow-up
        if alone.outcome not in ("answer", "missing"):
            return [lean], lean
        if lean.entry is alone.entry:
            # The same either way: say which subject it took only when the message named none.
            return ([lean], lean) if (short or points) and not alone.named else ([alone], None)
        lean_weight = self._weigh(lean, asks, conv, reading, finder) + (
            0.0 if alone.named else LEAN_UNNAMED
        )
        return (
            ([lean], lean)
            if lean_weight > self._weigh(alone, asks, None, reading, finder)
            else ([alone], None)
        )

    @staticmethod
    def _weigh(
        found: Found, asks: tuple, conv: Conversation | None, reading: Reading, finder: FactFinder
    ) -> float:
        """How well a reading of a follow-up fits: alone when it names its own subject, leaning on the
        conversation when it points back ("佢哋", "it") or stays with the same subject."""
        score = found.score + (0.03 if found.outcome == "answer" else 0.0)
        if (
            found.entry is not None
            and asks
            and all(has_evidence(k, finder.readings.of(found.entry).text) for k in asks)
        ):
            score += 0.05
        if conv is None:
            score += 0.10 if found.named else 0.0
        else:
            score += 0.08 if reading.pointer else 0.0
            if found.entry is not None and found.entry.id in conv.entries:
                score += 0.02
        return score

    def _several(
        self, finder: FactFinder, reading: Reading, conv: Conversation | None, today: date
    ) -> tuple[list[Found], Found | None]:
        """Two or three asks in one message: each answered, in the order asked. The first may lean
        on the conversation ("佔多少百分比？上一年度排第一的又是什麼？"); the others on the first."""
        out: list[Found] = []
        subject = ""
        borrowed: Found | None = None
        for i, clause in enumerate(reading.clauses[:3]):
            leaned = i == 0 and conv is not None
            if leaned:
                alone = replace(reading, folded=clause.text, clauses=[clause])
                founds, borrowed = self._one(finder, alone, conv, today)
                out += founds[1:]  # two subjects named side by side: the others answered too
                found = founds[0]
            else:
                found = finder.find(clause.text, clause.asks, today)
            if (
                not leaned
                and (found.outcome not in ("answer", "missing") or not found.named)
                and (subject or reading.context)
            ):
                lean = finder.find(
                    f"{subject or reading.context} {clause.text}",
                    clause.asks,
                    today,
                    asked=clause.text,
                )
                if lean.outcome in ("answer", "missing") or found.outcome not in (
                    "answer",
                    "missing",
                ):
                    found = (
                        lean if lean.outcome != "decline" or found.outcome == "decline" else found
                    )
            if found.outcome in ("answer", "missing") and found.entry is not None and not subject:
                # What the first ask named ("學習體驗獎勵計劃"), else the subject its answer belongs to.
                subject = finder.names_text(clause.text) or self._subject_words(
                    clause.text, found.entry
                )
            if (
                out
                and out[0].outcome == "decline"
                and (not found.named or _POINTS.search(clause.text))
            ):
                # "某某基金資助幾多？讀夜校得唔得？": the second ask is about the first's
                # unknown subject, not about whatever its own words happen to match.
                found = Found("decline", score=found.score)
            first = out[0] if out else None
            if (
                first is not None
                and first.outcome == "missing"
                and first.missing in SWAPPED
                and first.entry is not None
                and found.entry is not None
                and found.entry.id in {e.id for e in family(self._snap.kb, first.entry)}
            ):
                # "機電署同深圳人社局有冇簽備忘錄？幾時簽？": the memorandum asked about is not the one
                # the documents have, so neither is its date.
                continue
            out.append(found)
        if not any(f.outcome in ("answer", "missing") for f in out):
            whole = finder.find(reading.folded, reading.asks, today)
            return [whole], None
        return out, borrowed

    def _subject_words(self, folded: str, entry: Entry) -> str:
        """Words naming the subject of a question, to carry to a follow-up."""
        kb = self._snap.kb
        subject = subject_of(kb, entry)
        named = names_in(folded, kb.readings.of(subject).names) or (
            names_in(folded, kb.readings.of(entry).names) if subject is entry else []
        )
        if named:
            return " ".join(as_written(folded, n) for n in named)
        return fold(subject.title.zh)

    # -- composing a reply ---------------------------------------------------------------------------

    def _reply(
        self,
        raw: str,
        lang: Lang,
        snap: Snapshot,
        reading: Reading,
        found: list[Found],
        leaned: bool,
        lead: str,
        conversation: Conversation | None,
    ) -> Answer:
        kb = snap.kb
        found = self._settle(kb, reading, found)
        # Each answered entry once (two asks answered by one entry are one part), in the order asked.
        answered: dict[str, tuple[Found, Entry]] = {}
        for f in found:
            if f.outcome == "answer" and f.entry is not None:
                answered.setdefault(f.entry.id, (f, f.entry))
        # Each subject's "not stated" once, naming every kind of fact its asks missed.
        missed: dict[str, list[Found]] = {}
        for f in found:
            if f.outcome == "missing" and f.entry is not None:
                missed.setdefault(f.entry.id, []).append(f)
        missing = [(fs[0], fs[0].entry) for fs in missed.values() if fs[0].entry is not None]
        if not answered and not missing:
            first = found[0]
            if first.outcome == "choose" and first.match is not None:
                return self._choose(raw, lang, kb, first, lead)
            return self.decline(raw, lang, first.score, kb)
        entries = [e for _, e in answered.values()]
        words = self._words(snap, reading, found)
        budget = BODY_BUDGET if len(entries) <= 1 else PART_BUDGET
        if len(entries) == 1 and len(reading.clauses) >= 2:
            budget = (
                BODY_BUDGET + PART_BUDGET // 3
            )  # two asks answered by one entry: room for both facts
        # The first of several asks is answered by the first entry, whatever the rest.
        first_ask = self._first_ask(snap, reading)
        nouns = tuple(
            n for c in reading.clauses if "howmany" in c.asks and (n := counted(c.text) or "")
        )
        parts = [
            self._part(
                kb, e, lang, words, reading.asks, budget, first_ask if i == 0 else None, nouns
            )
            for i, e in enumerate(entries)
        ]
        notes = [
            self._not_stated(
                kb,
                f,
                lang,
                words,
                [g.missing for g in missed[e.id][1:] if g.missing],
                beside=e.id in answered,
            )
            for f, e in missing
            # A fee, a contact, a salary the documents never give is said even beside an answer
            # from the same entry ("評估機構係邊個？貴唔貴？"): the worker asked it too.
            if e.id not in answered or f.missing in UNSTATED_KEYS
        ]
        now = now_asked(" ".join(c.text for c in reading.clauses) or reading.folded)
        dated = [e for e in entries if now and dated_before(kb, e, self.today())]
        if dated:
            # "This year", "now": what the latest document gives, with its date, and no more.
            parts = [
                p
                if p.entry_id != dated[0].id or dated[0].changeable
                else Part(
                    p.entry_id,
                    p.title,
                    self.dated_text(dated[0], lang, p.text, kb),
                    p.source,
                    p.trimmed,
                )
                for p in parts
            ]
            notes.append(t("latest_only", lang, date=self._doc_date(kb, dated[0], lang)))
        if leaned and entries:
            lead = (
                f"{lead}\n\n{t('about_subject', lang, title=self.title(entries[0], lang))}".strip()
            )
        if conversation is not None:
            self._remember(
                conversation,
                kb,
                reading,
                (entries or [e for _, e in missing])[0],
                tuple(e.id for e in entries) + tuple(e.id for _, e in missing),
                leaned,
                lang,
            )
        if not entries:
            f, entry = missing[0]
            text = "\n\n".join(p for p in [lead, *notes] if p)
            return Answer(
                query=raw,
                answered=False,
                lang=lang,
                text=text,
                kind="decline",
                entries=[],
                score=f.score,
                choices=[self.choice(entry, lang)],
                lead=lead,
                notes=notes,
            )
        sources = list(dict.fromkeys(p.source for p in parts))
        text = "\n\n".join(
            x for x in [lead, *(p.text for p in parts), *notes, "\n".join(sources)] if x
        )
        top, entry = next(iter(answered.values()))
        close = []
        if len(entries) == 1 and top.match is not None:
            close = [
                c
                for c in top.match.candidates[1:4]
                if top.match.candidates[0].score - c.score <= CLOSE_GAP
                and c.id != entry.id
                and c.id in kb.entries
            ]
        return Answer(
            query=raw,
            answered=True,
            lang=lang,
            text=text,
            kind="answer",
            entries=[e.id for e in entries],
            score=top.score,
            choices=[self.choice(kb.entries[c.id], lang) for c in close],
            related=self.related(entry, lang, kb=kb),
            parts=parts,
            lead=lead,
            notes=notes,
            sources=sources,
        )

    def _remember(
        self,
        conversation: Conversation,
        kb: KnowledgeBase,
        reading: Reading,
        primary: Entry,
        ids: tuple[str, ...],
        leaned: bool,
        lang: Lang,
    ) -> None:
        """What the next turn may lean on: the subject's words and the ask's words of this one."""
        clause = reading.clauses[0].text if reading.clauses else reading.folded
        subject_words = self._subject_words(clause, primary)
        if leaned and conversation.active and not names_in(clause, kb.readings.of(primary).names):
            subject_words = conversation.subject  # the subject the follow-up leaned on stays
        elif not leaned and not names_in(clause, kb.readings.of(primary).names):
            # "學習體驗獎勵計劃由誰撥款？" is answered by the Education Bureau, but the scheme stays
            # the subject: the next "何時開始接受申請？" is about the scheme, not the bureau.
            finder = self._snap.finder
            named = [e for e in finder.named_all(clause) if e.id not in ids]
            if named:
                subject_words = finder.names_text(clause)
                ids = ids + tuple(e.id for e in named[:2])
        names = names_in(clause, kb.readings.of(primary).names) + names_in(
            clause, kb.readings.of(subject_of(kb, primary)).names
        )
        ask_words = (
            without_names(clause, names) if reading.asks or not leaned else conversation.ask
        )
        conversation.remember(subject_words, ask_words, ids, lang)

    def _settle(self, kb: KnowledgeBase, reading: Reading, found: list[Found]) -> list[Found]:
        """Facts that turn out not to answer: a record of what the documents do not give, and, when
        the message asks about a time after the documents ("下一屆", "this year"), dated facts."""
        later = later_asked(" ".join(c.text for c in reading.clauses) or reading.folded)
        out = []
        for f in found:
            entry = f.entry
            if f.outcome == "answer" and entry is not None:
                if entry.not_stated:
                    f = replace(f, outcome="missing", missing="entry")
                elif later and dated_before(kb, entry, self.today()):
                    f = replace(f, outcome="missing", missing="ask_later")
            out.append(f)
        return out

    def _words(self, snap: Snapshot, reading: Reading, found: list[Found]) -> list[str]:
        """The question's words, as the matcher cut them (cut again only for a reply found without it)."""
        tokens = [t for f in found if f.match is not None for t in f.match.query_tokens]
        if tokens:
            return list(dict.fromkeys(tokens))
        units = snap.matcher.content_units(
            " ".join(c.text for c in reading.clauses) or reading.folded
        )
        return [p for _, pieces in units for p in pieces]

    @staticmethod
    def _first_ask(
        snap: Snapshot, reading: Reading
    ) -> tuple[list[str], tuple[AskKind, ...]] | None:
        """The words and kinds of the first of two or more asks, to answer it first."""
        if len(reading.clauses) < 2:
            return None
        clause = reading.clauses[0]
        units = snap.matcher.content_units(clause.text)
        return [p for _, pieces in units for p in pieces], clause.asks

    def _part(
        self,
        kb: KnowledgeBase,
        entry: Entry,
        lang: Lang,
        words: list[str],
        asks: list,
        budget: int,
        first: tuple[list[str], tuple[AskKind, ...]] | None = None,
        counted_things: tuple[str, ...] = (),
    ) -> Part:
        full = entry.answer.text(lang)
        if entry.changeable:
            budget -= len(
                self.as_of(entry, lang, kb)
            )  # "As at 27 August 2020, " is part of the reply's length
        chosen = select(
            full,
            lang,
            words,
            asks,
            self._snap.matcher.idf,
            budget,
            " ".join(kb.readings.of(entry).names),
            first,
            counted_things,
        )
        text = self.dated_text(entry, lang, chosen.text, kb) if entry.changeable else chosen.text
        return Part(
            entry.id,
            self.title(entry, lang),
            text,
            self.source_line(entry, lang, kb),
            chosen.trimmed,
        )

    def _doc_date(self, kb: KnowledgeBase, entry: Entry, lang: Lang) -> str:
        source = kb.sources.get(entry.source.doc)
        if source is not None and source.date:
            return render_date(source.date, lang)
        return t("undated", lang)

    def _not_stated(
        self,
        kb: KnowledgeBase,
        found: Found,
        lang: Lang,
        words: list[str],
        also: Sequence[str] = (),
        beside: bool = False,
    ) -> str:
        """What the documents do not give about a subject (the kinds in `also` too), and what they
        do; `beside` an answer from the same entry, only what they do not give."""
        entry = found.entry
        assert entry is not None and found.missing is not None
        if found.missing == "entry":
            return self.answer_text(entry, lang)
        title = self.title(entry, lang)
        gist = clip(
            select(
                self.answer_text(entry, lang), lang, words, [], self._snap.matcher.idf, budget=160
            ).text,
            160,
        )
        source = kb.sources.get(entry.source.doc)
        when = ""
        if source is not None and source.date:
            when = render_date(source.date, lang)
        if found.missing in SWAPPED and found.detail:
            detail = found.detail
            if detail.isdigit() and lang != "en":
                detail += "年"  # a year the documents do not cover
            elif found.missing in ("ask_place", "ask_named") and detail.isascii():
                detail = detail.title()  # read folded: "shenzhen" is Shenzhen
            return t(
                "not_stated_other",
                lang,
                thing=in_script(detail, lang),
                title=title,
                gist=gist,
            )
        key = "not_stated_dated" if found.missing == "ask_later" and when else "not_stated"
        kinds = [k for k in dict.fromkeys([found.missing, *also]) if k in UNSTATED_KINDS]
        thing = t("and_joiner", lang).join(t(k, lang) for k in kinds or [found.missing])
        if beside:
            return t("not_stated_beside", lang, thing=thing, title=title)
        return t(key, lang, thing=thing, title=title, gist=gist, date=when)

    def _events(
        self, raw: str, lang: Lang, kb: KnowledgeBase, events: Happenings, today: date
    ) -> Answer:
        """Events in a period, in date order; or, for "what's coming", what the documents list after
        today — nothing so far, which is said plainly, with the deadlines still open and the latest events."""

        def when(d: Dated) -> str:
            w = d.entry.when
            assert w is not None
            start = render_date(w.start, lang)
            return (
                t("date_span", lang, start=start, end=render_date(w.end, lang))
                if w.end and w.end != w.start
                else start
            )

        def named(d: Dated) -> str:
            title = self.title(d.entry, lang)
            if re.search(r"(?:19|20)\d\d", title):  # the title already carries its date
                return title
            return f"{title}（{when(d)}）" if lang != "en" else f"{title} ({when(d)})"

        choices = [self.choice(d.entry, lang) for d in [*events.deadlines, *events.items]][:5]
        if events.kind == "coming" and all(d.state(today) == "past" for d in events.items):
            lines = [t("events_none_coming", lang, today=render_date(today.isoformat(), lang))]
            lines += [
                t(
                    "events_still_open",
                    lang,
                    title=self.title(d.entry, lang),
                    end=render_date(d.entry.when.end or d.entry.when.start, lang),
                )
                for d in events.deadlines
                if d.entry.when
            ]
            if events.items:
                lines.append(
                    t("events_latest", lang)
                    + ("; " if lang == "en" else "；").join(named(d) for d in events.items)
                )
            return Answer(
                query=raw,
                answered=False,
                lang=lang,
                text="\n".join(lines),
                kind="decline",
                entries=[],
                score=1.0,
                choices=choices,
            )
        parts = []
        for d in events.items:
            gist = clip(self.answer_text(d.entry, lang), 80)
            parts.append(
                Part(d.entry.id, named(d), gist, self.source_line(d.entry, lang, kb), trimmed=True)
            )
        head = (
            t("events_in", lang, period=render_date(events.period, lang))
            if events.period
            else t("events_coming", lang)
        )
        sources = list(dict.fromkeys(p.source for p in parts))
        body = "\n".join(
            f"• {p.title}：{p.text}" if lang != "en" else f"• {p.title}: {p.text}" for p in parts
        )
        text = "\n\n".join([head, body, "\n".join(sources)])
        return Answer(
            query=raw,
            answered=True,
            lang=lang,
            text=text,
            kind="answer",
            entries=[d.entry.id for d in events.items],
            score=1.0,
            parts=parts,
            lead=head,
            sources=sources,
            related=choices[len(parts) :],
        )

    def _choose(self, raw: str, lang: Lang, kb: KnowledgeBase, found: Found, lead: str) -> Answer:
        assert found.match is not None
        options = [kb.entries[c.id] for c in found.match.candidates[:3] if c.id in kb.entries]
        lines = [t("choose", lang)] + [
            f"{i}. {self.title(e, lang)}" for i, e in enumerate(options, 1)
        ]
        text = "\n".join(lines)
        return Answer(
            query=raw,
            answered=False,
            lang=lang,
            text=f"{lead}\n\n{text}".strip(),
            kind="choose",
            entries=[e.id for e in options],
            score=found.score,
            choices=[self.choice(e, lang) for e in options],
            lead=lead,
        )

    def search(self, text: str, limit: int = 10, min_score: float = 0.0) -> list[str]:
        """Entry ids ranked for a free-text query, best first (inline mode lists them)."""
        snap = self._snap
        match = snap.matcher.match(normalise(text), limit=limit)
        return [c.id for c in match.candidates if c.score >= min_score and c.id in snap.kb.entries]

    def decline(
        self, raw: str, lang: Lang, score: float = 0.0, kb: KnowledgeBase | None = None
    ) -> Answer:
        topics = sorted((kb or self.kb).topics.values(), key=lambda tp: tp.order)
        lines = [t("decline", lang)] + [f"• {tp.title.text(lang)}" for tp in topics]
        lines.append(t("decline_hint", lang))
        return Answer(
            query=raw,
            answered=False,
            lang=lang,
            text="\n".join(lines),
            kind="decline",
            entries=[],
            score=score,
        )

    def answer_entry(
        self, entry_id: str, lang: Lang, conversation: Conversation | None = None
    ) -> Answer | None:
        """The reply for one entry, as when a button for it is pressed; it sets the conversation's subject."""
        kb = self.kb
        entry = kb.entries.get(entry_id)
        if entry is None:
            return None
        if conversation is not None:
            subject = subject_of(kb, entry)
            conversation.remember(
                f"{fold(subject.title.zh)} {fold(subject.title.en)}",
                conversation.ask,
                (entry.id,),
                lang,
            )
        text = self.answer_text(entry, lang, kb)
        source = self.source_line(entry, lang, kb)
        return Answer(
            query=entry_id,
            answered=True,
            lang=lang,
            text=f"{text}\n\n{source}",
            kind="answer",
            entries=[entry_id],
            score=1.0,
            related=self.related(entry, lang, kb=kb),
            parts=[Part(entry_id, self.title(entry, lang), text, source)],
            sources=[source],
        )

    # -- rendering -------------------------------------------------------------------------

    def title(self, entry: Entry, lang: Lang) -> str:
        return entry.title.text(lang)

    def choice(self, entry: Entry, lang: Lang) -> Choice:
        return Choice(entry.id, self.title(entry, lang))

    def related(
        self, entry: Entry, lang: Lang, limit: int = 4, kb: KnowledgeBase | None = None
    ) -> list[Choice]:
        kb = kb or self.kb
        ids = ([entry.parent] if entry.parent else []) + list(entry.related)
        ids += [c.id for c in kb.children(entry.id)]
        seen: list[str] = []
        for i in ids:
            if i not in seen and i != entry.id and i in kb.entries:
                seen.append(i)
        return [self.choice(kb.entries[i], lang) for i in seen[:limit]]

    def answer_text(self, entry: Entry, lang: Lang, kb: KnowledgeBase | None = None) -> str:
        """The entry's answer, told with its document's date when it states something that can change."""
        text = entry.answer.text(lang)
        return self.dated_text(entry, lang, text, kb) if entry.changeable else text

    def dated_text(
        self, entry: Entry, lang: Lang, text: str, kb: KnowledgeBase | None = None
    ) -> str:
        """`text` opened with "As at January 2024, " — unless it already names that date ("據2024年1月…")."""
        prefix = self.as_of(entry, lang, kb)
        date_said = self._doc_date(kb or self.kb, entry, lang)
        head = text[:60]
        if (
            date_said
            and date_said in head
            and any(w in head.lower() for w in ("據", "据", "according to", "as at", "as of"))
        ):
            return text  # it says "according to the January 2024 newsletter" itself
        if lang == "en":
            text = _sentence_case_after_prefix(text, entry.answer.en)
        return prefix + text

    def source_line(self, entry: Entry, lang: Lang, kb: KnowledgeBase | None = None) -> str:
        source = (kb or self.kb).sources[entry.source.doc]
        name = (source.short or source.title).text(lang)
        when = render_date(source.date, lang) if source.date else t("undated_short", lang)
        if when in name or (source.date and len(source.date) == 4 and source.date in name):
            return t("source", lang, source=name)  # "… 2026" needs no "(2026)"
        return t("source_with_date", lang, source=name, date=when)

    def as_of(self, entry: Entry, lang: Lang, kb: KnowledgeBase | None = None) -> str:
        """ "As at January 2024, " for a fact that can change (an office holder, a count, an open round)."""
        source = (kb or self.kb).sources[entry.source.doc]
        if source.date:
            return t("as_of", lang, date=render_date(source.date, lang))
        return t("as_of_undated", lang, source=source.title.text(lang))

    def render_entry(self, entry: Entry, lang: Lang, kb: KnowledgeBase | None = None) -> str:
        return f"{self.answer_text(entry, lang, kb)}\n\n{self.source_line(entry, lang, kb)}"
