"""What /review shows: the questions the bot declined, offered choices for, or answered with low
confidence, grouped so near-identical phrasings are one item with a count, most frequent first.

Phrasings are compared on their folded text (Simplified, lower case, NFKC) with rapidfuzz; an item
already handled is left out: "not in the documents" for good, "taught" and "skipped" unless the
question was asked again after.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.kb.text import fold

SAME_QUESTION = 88.0  # rapidfuzz ratio (0-100) between folded phrasings grouped into one item


def key_of(text: str) -> str:
    """A question's identity for the review marks: its folded text without spaces and end punctuation."""
    return "".join(fold(text).split()).rstrip("?？!！.。~～")


@dataclass
class Item:
    question: str  # the most frequent phrasing (as first written)
    texts: list[str] = field(default_factory=list)  # every distinct phrasing, most frequent first
    keys: list[str] = field(default_factory=list)
    count: int = 0
    langs: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    replied: list[str] = field(default_factory=list)  # entry ids the bot offered or answered with
    last_query_id: int = 0


def group(rows: list[dict], marks: dict[str, dict]) -> list[Item]:
    """Query log rows (id, text, lang, kind, entry_ids) → review items, most frequent first."""
    by_key: dict[str, list[dict]] = {}
    for row in rows:
        key = key_of(row["text"])
        if not key:
            continue
        mark = marks.get(key)
        if mark is not None and (
            mark["status"] == "dismissed" or int(row["id"]) <= int(mark["last_query_id"] or 0)
        ):
            continue
        by_key.setdefault(key, []).append(row)
    order = sorted(by_key, key=lambda k: (-len(by_key[k]), min(int(r["id"]) for r in by_key[k])))
    items: list[Item] = []
    heads: list[str] = []
    for key in order:
        target = None
        for i, head in enumerate(heads):
            if fuzz.ratio(key, head) >= SAME_QUESTION:
                target = items[i]
                break
        if target is None:
            first = by_key[key][0]["text"].strip()
            target = Item(question=first)
            items.append(target)
            heads.append(key)
        found = by_key[key]
        target.texts.append(found[0]["text"].strip())
        target.keys.append(key)
        target.count += len(found)
        for row in found:
            target.langs[row["lang"]] += 1
            target.kinds[row["kind"] or "decline"] += 1
            for entry_id in row["entry_ids"] or []:
                if entry_id not in target.replied:
                    target.replied.append(entry_id)
            target.last_query_id = max(target.last_query_id, int(row["id"]))
    items.sort(key=lambda it: -it.count)  # stable: ties keep the order of first appearance
    return items
