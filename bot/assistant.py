"""The Assistant: a worker's text in, an Answer out. No Telegram here: the console, the CLI and the
bot all show the same reply text.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Literal

from bot.i18n import render_date, t
from bot.kb.index import Index, build_index, ensure_index, read_meta
from bot.kb.loader import KnowledgeBase, KnowledgeError, KnowledgeInvalid, load_knowledge
from bot.kb.matcher import CLOSE_GAP, Matcher
from bot.kb.schema import Entry
from bot.rules.freetext import answer as rules_answer
from bot.kb.asks import unanswerable_ask
from bot.kb.smalltalk import small_talk
from bot.kb.text import MAX_QUERY_CHARS, Lang, detect_lang, fold, normalise

logger = logging.getLogger(__name__)

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


def diff_knowledge(old: KnowledgeBase, new: KnowledgeBase) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(new.entries) - set(old.entries))
    removed = sorted(set(old.entries) - set(new.entries))
    changed = sorted(i for i in set(old.entries) & set(new.entries) if old.entries[i] != new.entries[i])
    return added, changed, removed


@dataclass(frozen=True)
class Answer:
    query: str
    answered: bool
    lang: Lang
    text: str
    kind: Kind
    entries: list[str] = field(default_factory=list)
    score: float = 0.0
    choices: list[Choice] = field(default_factory=list)  # offered instead of an answer, or beside it
    related: list[Choice] = field(default_factory=list)

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

    @classmethod
    def of(cls, index: Index) -> "Snapshot":
        return cls(index, index.kb, Matcher(index))


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
    def open(cls, knowledge_dir: Path, index_path: Path, today: Callable[[], date] = date.today) -> "Assistant":
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
            return ReloadReport(False, [KnowledgeError("index", None, None, f"could not build the index: {exc}")])
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

    def answer(self, text: str, lang: Lang | None = None) -> Answer:
        raw = text or ""
        clean = normalise(raw)
        lang = lang or detect_lang(clean)
        if not any(ch.isalnum() for ch in clean):
            return Answer(raw, False, lang, t("empty", lang), "empty")
        folded = fold(clean)
        chat = small_talk(folded)
        if chat is not None:
            return Answer(raw, False, lang, t(chat, lang), "empty")
        snap = self._snap  # one consistent snapshot even if a reload swaps meanwhile
        matcher, kb = snap.matcher, snap.kb
        if kb.rules is not None:
            # "Can I apply…?" about the asker: answered from the rules, with what is still missing.
            reply = rules_answer(kb.rules, clean, lang, self.today())
            if reply is not None:
                related = [self.choice(kb.entries[i], lang) for i in reply.entry_ids if i in kb.entries]
                return Answer(raw, True, lang, reply.text, "eligibility", list(reply.entry_ids), 1.0, related=related[:4])
        match = matcher.match(clean)
        # normalise() keeps the first MAX_QUERY_CHARS characters; say so rather than answer silently.
        note = t("truncated", lang) + "\n\n" if len(clean) >= MAX_QUERY_CHARS else ""
        best = match.best
        if match.decision != "decline" and best is not None:
            entry = kb.entries[best.id]
            ask = unanswerable_ask(folded, f"{entry.answer.zh} {entry.answer.en}")
            if ask is not None:
                text = t("not_in_documents", lang, thing=t(f"ask_{ask.key}", lang), title=self.title(entry, lang))
                return Answer(raw, False, lang, note + text, "decline", [], best.score, choices=[self.choice(entry, lang)])
        if match.decision == "answer" and best is not None:
            entry = kb.entries[best.id]
            close = [c for c in match.candidates[1:4] if best.score - c.score <= CLOSE_GAP]
            return Answer(
                raw, True, lang, note + self.render_entry(entry, lang, kb), "answer", [entry.id], best.score,
                choices=[self.choice(kb.entries[c.id], lang) for c in close],
                related=self.related(entry, lang, kb=kb),
            )
        if match.decision == "choose" and best is not None:
            options = [kb.entries[c.id] for c in match.candidates[:3]]
            lines = [t("choose", lang)] + [f"{i}. {self.title(e, lang)}" for i, e in enumerate(options, 1)]
            return Answer(
                raw, False, lang, note + "\n".join(lines), "choose", [e.id for e in options], best.score,
                choices=[self.choice(e, lang) for e in options],
            )
        return self.decline(raw, lang, best.score if best else 0.0, kb)

    def search(self, text: str, limit: int = 10, min_score: float = 0.0) -> list[str]:
        """Entry ids ranked for a free-text query, best first (inline mode lists them)."""
        snap = self._snap
        match = snap.matcher.match(normalise(text), limit=limit)
        return [c.id for c in match.candidates if c.score >= min_score and c.id in snap.kb.entries]

    def decline(self, raw: str, lang: Lang, score: float = 0.0, kb: KnowledgeBase | None = None) -> Answer:
        topics = sorted((kb or self.kb).topics.values(), key=lambda tp: tp.order)
        lines = [t("decline", lang)] + [f"• {tp.title.text(lang)}" for tp in topics]
        lines.append(t("decline_hint", lang))
        return Answer(raw, False, lang, "\n".join(lines), "decline", [], score)

    def answer_entry(self, entry_id: str, lang: Lang) -> Answer | None:
        """The reply for one entry, as when a button for it is pressed."""
        kb = self.kb
        entry = kb.entries.get(entry_id)
        if entry is None:
            return None
        return Answer(entry_id, True, lang, self.render_entry(entry, lang, kb), "answer", [entry_id], 1.0,
                      related=self.related(entry, lang, kb=kb))

    # -- rendering -------------------------------------------------------------------------

    def title(self, entry: Entry, lang: Lang) -> str:
        return entry.title.text(lang)

    def choice(self, entry: Entry, lang: Lang) -> Choice:
        return Choice(entry.id, self.title(entry, lang))

    def related(self, entry: Entry, lang: Lang, limit: int = 4, kb: KnowledgeBase | None = None) -> list[Choice]:
        kb = kb or self.kb
        ids = ([entry.parent] if entry.parent else []) + list(entry.related)
        ids += [c.id for c in kb.children(entry.id)]
        seen: list[str] = []
        for i in ids:
            if i not in seen and i != entry.id and i in kb.entries:
                seen.append(i)
        return [self.choice(kb.entries[i], lang) for i in seen[:limit]]

    def answer_text(self, entry: Entry, lang: Lang) -> str:
        return entry.answer.text(lang)

    def source_line(self, entry: Entry, lang: Lang, kb: KnowledgeBase | None = None) -> str:
        source = (kb or self.kb).sources[entry.source.doc]
        name = source.title.text(lang)
        if source.date and len(source.date) == 10:
            return t("source_with_date", lang, source=name, date=render_date(source.date, lang))
        return t("source", lang, source=name)

    def render_entry(self, entry: Entry, lang: Lang, kb: KnowledgeBase | None = None) -> str:
        return f"{self.answer_text(entry, lang)}\n\n{self.source_line(entry, lang, kb)}"
