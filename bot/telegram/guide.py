"""/schemes as a guide (issue 11, point 5): what a category lists first, and the texts of its pages.
No I/O here.

A category lists what a worker can act on first (schemes, programmes, qualifications, how-tos), then
what explains them (facts, figures), then organisations, and last events and the people and ceremonies
around them (committee chairs, officiating guests, speakers). Within a rank the files' order is kept.

Callback data (besides render.py's p:, t:, e:):

    g:<l>:<page>:<entry>   open an entry from page <page> of its category: the page becomes the answer,
                           with "« Back to the list" (p:<l>:<topic>:<page>)
    m:<l>                  the main menu (bot/telegram/handlers/menu.py)

A category's "🔎 Search this category" button starts an inline query "#<topic> " in the same chat;
inline mode then searches only that category (handlers/inline.py).
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton

from bot.i18n import t
from bot.kb import listing
from bot.kb.schema import Entry
from bot.kb.text import Lang
from bot.telegram import render
from bot.telegram.render import LANG_LETTER, Reply, cb_page, cb_topics, keyboard, label

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.kb.loader import KnowledgeBase

TYPE_RANK = {
    "scheme": 0,
    "programme": 0,
    "qualification": 1,
    "faq": 1,
    "rule": 2,
    "initiative": 2,
    "agreement": 3,
    "fact": 4,
    "figure": 4,
    "recommendation": 4,
    "report": 5,
    "organisation": 6,
    "event": 7,
}
PEOPLE_RANK = 8
# Entries about people and ceremonies rather than what a worker can do (English title or id).
PEOPLE = re.compile(
    r"\b(?:guests?|officials?|speakers?|chaired|chair|director|attended|ceremony|celebration|"
    r"anniversary|signing|visit)\b",
    re.IGNORECASE,
)
TOPIC_QUERY = re.compile(r"^#([a-z0-9-]+)(?:\s+(.*))?$", re.DOTALL)
CB_GUIDE = re.compile(r"^g:([tse]):(\d+):(.+)$")


def rank(entry: Entry) -> int:
    if PEOPLE.search(entry.title.en) or PEOPLE.search(entry.id.replace("-", " ")):
        return PEOPLE_RANK
    return TYPE_RANK.get(entry.type, 5)


def guide_order(kb: KnowledgeBase, topic_id: str) -> list[Entry]:
    """A category's entries, most useful first (stable within a rank). A parent and its children move
    together, at the rank of the most useful of them (the carers' route and its eight qualifications);
    people and ceremonies go last wherever they hang."""
    inside = listing.entries_in_topic(kb, topic_id)
    ids = {e.id for e in inside}

    def root(entry: Entry) -> str:
        seen = {entry.id}
        while entry.parent in ids and entry.parent not in seen:
            entry = kb.entries[entry.parent]
            seen.add(entry.id)
        return entry.id

    group: dict[str, int] = {}
    for entry in inside:
        own = rank(entry)
        if own < PEOPLE_RANK:
            key = root(entry)
            group[key] = min(group.get(key, own), own)

    def effective(entry: Entry) -> int:
        own = rank(entry)
        return own if own == PEOPLE_RANK else group.get(root(entry), own)

    return sorted(inside, key=effective)


def cb_guide(entry_id: str, page: int, lang: Lang) -> str:
    prefix = f"g:{LANG_LETTER[lang]}:{int(page)}:"
    return prefix + render.ref(entry_id, prefix)


def cb_menu(lang: Lang) -> str:
    return f"m:{LANG_LETTER[lang]}"


def menu_row(lang: Lang) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t("mx_menu_back", lang), callback_data=cb_menu(lang))]


def topics(kb: KnowledgeBase, lang: Lang) -> Reply:
    """The categories, and the way back to the main menu."""
    base = render.topics(kb, lang)
    rows = [list(r) for r in base.markup.inline_keyboard] if base.markup is not None else []
    return Reply(base.parts, keyboard([*rows, menu_row(lang)]), lang)


def topic_page(assistant: Assistant, topic_id: str, page: int, lang: Lang) -> Reply:
    kb = assistant.kb
    topic = kb.topics[topic_id]
    entries = guide_order(kb, topic_id)
    shown, page, pages = listing.paginate(entries, page)
    lines = [f"<b>{escape(listing.topic_title(topic, lang))}</b>"]
    if not entries:
        lines.append(escape(t("tg_topic_empty", lang)))
    else:
        lines.append(
            escape(t("tg_topic_page", lang, page=page + 1, pages=pages, count=len(entries)))
        )
        lines.append(escape(t("tg_topic_pick", lang)))
    rows = [
        [
            InlineKeyboardButton(
                label(assistant.title(e, lang)), callback_data=cb_guide(e.id, page, lang)
            )
        ]
        for e in shown
    ]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                t("tg_prev", lang), callback_data=cb_page(topic_id, page - 1, lang)
            )
        )
    if pages > 1:
        nav.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data="x"))
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(
                t("tg_next", lang), callback_data=cb_page(topic_id, page + 1, lang)
            )
        )
    rows.append(nav)
    if len(entries) > 1:
        rows.append(
            [
                InlineKeyboardButton(
                    t("mx_search_topic", lang), switch_inline_query_current_chat=f"#{topic_id} "
                )
            ]
        )
    rows.append([InlineKeyboardButton(t("tg_back", lang), callback_data=cb_topics(lang))])
    return Reply(["\n".join(lines)], keyboard(rows), lang)


def with_back(reply: Reply, topic_id: str, page: int) -> Reply:
    """An answer opened from a list, with the way back to that page of the list."""
    rows = [list(r) for r in reply.markup.inline_keyboard] if reply.markup is not None else []
    rows.append(
        [
            InlineKeyboardButton(
                t("mx_back_to_list", reply.lang), callback_data=cb_page(topic_id, page, reply.lang)
            )
        ]
    )
    return Reply(reply.parts, keyboard(rows), reply.lang)


def topic_search(
    assistant: Assistant, text: str, limit: int = listing.INLINE_LIMIT
) -> list[str] | None:
    """Inline results for "#<topic> words": that category's matches (its guide order when no words);
    None when the text does not name a category."""
    found = TOPIC_QUERY.match(text.strip())
    kb = assistant.kb
    if found is None or found.group(1) not in kb.topics:
        return None
    topic_id, words = found.group(1), (found.group(2) or "").strip()
    inside = [e.id for e in guide_order(kb, topic_id)]
    if not words:
        return inside[:limit]
    ranked = assistant.search(words, limit=len(kb.entries), min_score=0.0)
    members = set(inside)
    hits = [i for i in ranked if i in members]
    if not hits:  # words the engine does not know: a plain substring match on the titles
        needle = words.lower()
        hits = [
            i
            for i in inside
            if needle in kb.entries[i].title.zh.lower() or needle in kb.entries[i].title.en.lower()
        ]
    return hits[:limit]
