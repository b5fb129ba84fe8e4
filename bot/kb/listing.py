"""What the browsing commands list, independent of Telegram: topics with their entries, pages,
example questions, search results for a short query. Events and deadlines by today's date are
bot/kb/dates.py (`timeline`, `occasions`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.kb.schema import Entry, Topic
from bot.kb.text import Lang, normalise

if TYPE_CHECKING:
    from bot.kb.loader import KnowledgeBase

T = TypeVar("T")
PAGE_SIZE = 6
INLINE_LIMIT = 10
INLINE_MIN_SCORE = 0.30  # candidates weaker than this are noise in a search list


def topic_title(topic: Topic, lang: Lang) -> str:
    return topic.title.text(lang)


def topics_with_entries(kb: KnowledgeBase) -> list[Topic]:
    used = {e.topic for e in kb.entries.values()}
    return sorted(
        (tp for tp in kb.topics.values() if tp.id in used), key=lambda tp: (tp.order, tp.id)
    )


def entries_in_topic(kb: KnowledgeBase, topic_id: str) -> list[Entry]:
    """A topic's entries in the files' order, each parent followed by its children."""
    inside = [e for e in kb.entries.values() if e.topic == topic_id]
    ids = {e.id for e in inside}
    ordered: list[Entry] = []

    def add(entry: Entry) -> None:
        if entry in ordered:
            return
        ordered.append(entry)
        for child in inside:
            if child.parent == entry.id:
                add(child)

    for entry in inside:
        if entry.parent is None or entry.parent not in ids:
            add(entry)
    for entry in inside:  # cycles or odd parents: never lose an entry
        add(entry)
    return ordered


def paginate(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], int, int]:
    """(items on the page, the page number clamped to range, number of pages)."""
    pages = max(1, -(-len(items) // size))
    page = min(max(0, page), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


# -- examples and search --------------------------------------------------------------------------


def example_questions(kb: KnowledgeBase, lang: Lang, count: int = 3) -> list[tuple[str, str]]:
    """(entry id, a sample question in the reader's form) from the first topics, one per topic."""
    out: list[tuple[str, str]] = []
    for topic in topics_with_entries(kb):
        entries = entries_in_topic(kb, topic.id)
        if not entries:
            continue
        entry = entries[0]
        out.append((entry.id, entry.questions.first(lang)))
        if len(out) == count:
            break
    return out


class Searcher(Protocol):
    """What `search` needs of the engine (bot.assistant.Assistant): its knowledge and its matcher."""

    @property
    def kb(self) -> KnowledgeBase: ...

    def search(self, text: str, limit: int = ..., min_score: float = ...) -> list[str]: ...


def search(assistant: Searcher, query: str, limit: int = INLINE_LIMIT) -> list[str]:
    """Entry ids for an inline query: the best matches, or the first entries of each topic when empty."""
    kb = assistant.kb
    text = normalise(query)
    if not any(ch.isalnum() for ch in text):
        ids: list[str] = []
        for topic in topics_with_entries(kb):
            ids.extend(e.id for e in entries_in_topic(kb, topic.id) if e.parent is None)
        return ids[:limit]
    return assistant.search(text, limit=limit, min_score=INLINE_MIN_SCORE)
