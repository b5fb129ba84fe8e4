"""HTML texts and inline keyboards for every reply; no I/O here.

Every piece of knowledge or user text is escaped (html.escape) before it meets markup, and texts are
split below Telegram's 4096-character limit. Callback data are short strings (at most 64 bytes):

    e:<l>:<entry>          answer that entry          (<l>: t = zh-Hant, s = zh-Hans, e = en)
    p:<l>:<topic>:<page>   a page of a topic's entries
    t:<l>                  the list of topics
    lang:<code>            choose a language (zh-Hant, zh-Hans, en, auto)
    x                      a label that does nothing (page counter)

An id too long to fit is replaced by "#" and a short hash of it, resolved against the knowledge base.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)

from bot.i18n import render_date, render_span, t
from bot.kb import listing
from bot.kb.dates import Dated, timeline
from bot.kb.schema import Entry
from bot.kb.text import LANGS, Lang

if TYPE_CHECKING:
    from bot.assistant import Answer, Assistant, Choice
    from bot.kb.loader import KnowledgeBase

MAX_TEXT = 3800  # below Telegram's 4096 so a page never needs trimming
MAX_CALLBACK_BYTES = 64
MAX_BUTTON_CHARS = 60
LANG_LETTER: dict[Lang, str] = {"zh-Hant": "t", "zh-Hans": "s", "en": "e"}
LETTER_LANG: dict[str, Lang] = {v: k for k, v in LANG_LETTER.items()}
LANG_NAMES: dict[str, str] = {"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}
PRIVATE_COMMANDS = ("start", "help", "check", "lang", "schemes", "events", "ask", "about")
GROUP_COMMANDS = ("ask", "check", "help", "schemes", "events", "about", "lang")
# The command menus' languages: (reply language, Telegram language_code; None: every other client language).
MENU_LANGS: tuple[tuple[Lang, str | None], ...] = (("en", None), ("zh-Hant", "zh"))


@dataclass(frozen=True)
class Reply:
    """One reply: HTML parts (usually one) and the keyboard under the last part."""

    parts: list[str]
    markup: InlineKeyboardMarkup | None = None
    lang: Lang = "zh-Hant"

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


# -- callback data ----------------------------------------------------------------------------


def _short(value: str) -> str:
    return "#" + hashlib.sha1(value.encode()).hexdigest()[:12]


def ref(value: str, prefix: str, suffix: str = "") -> str:
    """`value` itself if the callback data fits in 64 bytes, else a short hash of it."""
    if len(f"{prefix}{value}{suffix}".encode()) <= MAX_CALLBACK_BYTES and not value.startswith(
        "#"
    ):
        return value
    return _short(value)


def resolve(value: str, candidates: Iterable[str]) -> str | None:
    """The id a `ref` stands for, or None when the knowledge base no longer has it."""
    pool = set(candidates)
    if not value.startswith("#"):
        return value if value in pool else None
    return next((c for c in pool if _short(c) == value), None)


def cb_entry(entry_id: str, lang: Lang) -> str:
    prefix = f"e:{LANG_LETTER[lang]}:"
    return prefix + ref(entry_id, prefix)


def cb_page(topic_id: str, page: int, lang: Lang) -> str:
    prefix = f"p:{LANG_LETTER[lang]}:"
    return f"{prefix}{ref(topic_id, prefix, f':{page}')}:{page}"


def cb_topics(lang: Lang) -> str:
    return f"t:{LANG_LETTER[lang]}"


def cb_lang(code: str) -> str:
    return f"lang:{code}"


@dataclass(frozen=True)
class Callback:
    kind: str  # entry | page | topics | lang | noop
    lang: Lang | None = None
    ref: str = ""
    page: int = 0
    code: str = ""


def parse_callback(data: str | None) -> Callback | None:
    """Decode callback data made by this module; None for anything else."""
    if not data:
        return None
    if data == "x":
        return Callback("noop")
    if data.startswith("lang:"):
        code = data[5:]
        return Callback("lang", code=code) if code in (*LANGS, "auto") else None
    parts = data.split(":")
    if len(parts) < 2 or parts[1] not in LETTER_LANG:
        return None
    lang = LETTER_LANG[parts[1]]
    if parts[0] == "e" and len(parts) == 3 and parts[2]:
        return Callback("entry", lang, parts[2])
    if parts[0] == "p" and len(parts) == 4 and parts[3].isdigit():
        return Callback("page", lang, parts[2], int(parts[3]))
    if parts[0] == "t" and len(parts) == 2:
        return Callback("topics", lang)
    return None


def parse_lang_callback(data: str | None) -> tuple[Callback, Lang]:
    """An entry, page or topics button's data and the language it was made in; ValueError for
    anything else (the patterns these buttons' handlers are registered with let nothing else in)."""
    parsed = parse_callback(data)
    if parsed is None or parsed.lang is None:
        raise ValueError(f"not an entry, page or topics button: {data!r}")
    return parsed, parsed.lang


# -- small helpers --------------------------------------------------------------------------------


def label(text: str, limit: int = MAX_BUTTON_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [list(r) for r in rows if r]
    return InlineKeyboardMarkup(rows) if rows else None


def entry_buttons(
    choices: Iterable[Choice], lang: Lang, seen: set[str] | None = None
) -> list[list[InlineKeyboardButton]]:
    seen = set() if seen is None else seen
    rows = []
    for choice in choices:
        if choice.id in seen:
            continue
        seen.add(choice.id)
        rows.append(
            [InlineKeyboardButton(label(choice.title), callback_data=cb_entry(choice.id, lang))]
        )
    return rows


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Plain text in pieces under `limit`, cut at paragraph, then line, then any boundary."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces


def html_parts(blocks: Sequence[tuple[str, str]]) -> list[str]:
    """Blocks of (style, plain text) as escaped HTML parts; style is '', 'b' or 'i'."""
    parts: list[str] = []
    current = ""
    for style, plain in blocks:
        for piece in split_text(plain):
            body = escape(piece, quote=False)
            if style:
                body = f"<{style}>{body}</{style}>"
            if current and len(current) + len(body) + 2 > MAX_TEXT:
                parts.append(current)
                current = ""
            current = f"{current}\n\n{body}" if current else body
    if current or not parts:
        parts.append(current)
    return parts


def _tidy(text: str) -> str:
    return text.replace("\n\n\n", "\n\n").strip()


# -- answers ------------------------------------------------------------------------------------------


def answer(ans: Answer, assistant: Assistant) -> Reply:
    """The engine's answer: title, the text with its source line, buttons for choices and related topics."""
    lang = ans.lang
    kb = assistant.kb
    blocks: list[tuple[str, str]] = []
    rows: list[list[InlineKeyboardButton]] = []
    if ans.kind == "answer" and ans.parts:
        # The engine's parts: each subject's title and facts, what the documents do not say, the sources.
        if ans.lead:
            blocks.append(("i", ans.lead))
        for part in ans.parts:
            blocks += [("b", part.title), ("", part.text)]
        blocks += [("", note) for note in ans.notes]
        blocks.append(("i", "\n".join(ans.sources)))
        seen: set[str] = set()
        # A trimmed answer keeps the whole entry one tap away.
        rows += [
            [
                InlineKeyboardButton(
                    label(t("tg_more", lang, title=p.title)),
                    callback_data=cb_entry(p.entry_id, lang),
                )
            ]
            for p in ans.parts
            if p.trimmed
        ]
        seen.update(ans.entries)
        rows += entry_buttons(ans.choices, lang, seen)
        rows += entry_buttons(ans.related, lang, seen)
        if rows:
            blocks.append(("", t("also", lang)))
    elif ans.kind == "choose":
        blocks.append(("", ans.text))
        rows += entry_buttons(ans.choices[:3], lang)
    elif ans.kind == "decline" and ans.choices:
        # "The documents don't give fees…": offer what they do say about it.
        blocks.append(("", ans.text))
        rows += entry_buttons(ans.choices, lang)
    elif ans.kind == "decline":
        blocks.append(("", ans.text))
        rows += [
            [
                InlineKeyboardButton(
                    label(listing.topic_title(tp, lang)), callback_data=cb_page(tp.id, 0, lang)
                )
            ]
            for tp in listing.topics_with_entries(kb)
        ]
    else:
        blocks.append(("", ans.text))
        rows += entry_buttons(ans.related, lang)
    return Reply(html_parts([(s, _tidy(p)) for s, p in blocks if p.strip()]), keyboard(rows), lang)


def entry_html(assistant: Assistant, entry: Entry, lang: Lang) -> str:
    """One entry as a self-contained message (inline mode)."""
    return html_parts(
        [
            ("b", assistant.title(entry, lang)),
            ("", assistant.answer_text(entry, lang)),
            ("i", assistant.source_line(entry, lang)),
        ]
    )[0]


# -- commands ----------------------------------------------------------------------------------------


def welcome(
    assistant: Assistant, lang: Lang, first_name: str | None, group: bool, bot_username: str
) -> Reply:
    if group:
        return Reply(
            [escape(t("tg_group_hello", lang, bot=bot_username), quote=False)], None, lang
        )
    intro = t("tg_welcome", lang, name=first_name) if first_name else t("tg_welcome_anon", lang)
    examples = listing.example_questions(assistant.kb, lang)
    lines = [escape(intro, quote=False)]
    if examples:
        lines.append("")
        lines.append(escape(t("tg_examples", lang), quote=False))
        lines += [f"• {escape(q, quote=False)}" for _, q in examples]
    lines += ["", escape(t("tg_welcome_tail", lang), quote=False)]
    rows = [
        [InlineKeyboardButton(label(q), callback_data=cb_entry(eid, lang))] for eid, q in examples
    ]
    return Reply(["\n".join(lines)], keyboard(rows), lang)


def help_text(lang: Lang, bot_username: str, group: bool) -> Reply:
    commands = GROUP_COMMANDS if group else PRIVATE_COMMANDS
    lines = [
        f"<b>{escape(t('tg_help_title', lang))}</b>",
        escape(t("tg_help_body", lang), quote=False),
        "",
        escape(t("tg_help_commands", lang), quote=False),
    ]
    lines += [f"/{c} – {escape(t(f'tg_cmd_{c}', lang), quote=False)}" for c in commands]
    lines += [
        "",
        escape(t("tg_help_groups", lang, bot=bot_username), quote=False),
        escape(t("tg_help_inline", lang, bot=bot_username), quote=False),
    ]
    return Reply(["\n".join(lines)], None, lang)


def command_list(lang: Lang, group: bool) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands."""
    return [(c, t(f"tg_cmd_{c}", lang)) for c in (GROUP_COMMANDS if group else PRIVATE_COMMANDS)]


def ask_usage(assistant: Assistant, lang: Lang, bot_username: str | None = None) -> Reply:
    examples = listing.example_questions(assistant.kb, lang, 1)
    example = examples[0][1] if examples else "RPL?"
    key, extra = (
        ("tg_mention_usage", {"bot": bot_username}) if bot_username else ("tg_ask_usage", {})
    )
    return Reply([escape(t(key, lang, example=example, **extra), quote=False)], None, lang)


def plain(key: str, lang: Lang, **values: object) -> Reply:
    return Reply([escape(t(key, lang, **values), quote=False)], None, lang)


def language_picker(lang: Lang, stored: str | None) -> Reply:
    current = LANG_NAMES[stored] if stored else t("tg_lang_follow", lang)
    text = (
        f"{escape(t('tg_lang_prompt', lang))}\n{escape(t('tg_lang_current', lang, name=current))}"
    )
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if stored == code else "") + name, callback_data=cb_lang(code)
            )
        ]
        for code, name in LANG_NAMES.items()
    ]
    rows.append(
        [
            InlineKeyboardButton(
                ("✓ " if not stored else "") + t("tg_lang_follow", lang),
                callback_data=cb_lang("auto"),
            )
        ]
    )
    return Reply([text], keyboard(rows), lang)


def language_set(lang: Lang, stored: str | None) -> Reply:
    if stored:
        return plain("tg_lang_set", lang, name=LANG_NAMES[stored])
    return plain("tg_lang_set_auto", lang)


def topics(kb: KnowledgeBase, lang: Lang) -> Reply:
    rows = [
        [
            InlineKeyboardButton(
                label(listing.topic_title(tp, lang)), callback_data=cb_page(tp.id, 0, lang)
            )
        ]
        for tp in listing.topics_with_entries(kb)
    ]
    text = f"<b>{escape(t('tg_schemes_title', lang))}</b>\n{escape(t('tg_schemes_prompt', lang))}"
    return Reply([text], keyboard(rows), lang)


def cb_events(lang: Lang, page: int | None = None) -> str:
    """/events itself (page None) or a page of its older events: ev:<l>:m / ev:<l>:<page>."""
    return f"ev:{LANG_LETTER[lang]}:{'m' if page is None else page}"


def parse_events_callback(data: str | None) -> tuple[Lang, int | None] | None:
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != "ev" or parts[1] not in LETTER_LANG:
        return None
    if parts[2] == "m":
        return LETTER_LANG[parts[1]], None
    return (LETTER_LANG[parts[1]], int(parts[2])) if parts[2].isdigit() else None


def _event_line(assistant: Assistant, item: Dated, lang: Lang, today: date) -> str:
    """One event or deadline: its date (in the past tense once over), title, place or closing day."""
    when = item.entry.when
    assert when is not None
    span = render_span(when.start, when.end, lang)
    state = item.state(today)
    if state == "past":
        key = "tg_event_held" if item.kind == "event" else "tg_event_closed"
        head = t(
            key,
            lang,
            date=span if item.kind == "event" else render_date(when.end or when.start, lang),
        )
    else:
        head = span
    text = f"• {escape(head)}\n  {escape(assistant.title(item.entry, lang))}"
    if item.kind == "deadline" and state != "past" and when.end:
        if state == "upcoming":
            text += (
                f"\n  ⏳ {escape(t('tg_event_opens', lang, date=render_date(when.start, lang)))}"
            )
        text += f"\n  ⏳ {escape(t('tg_event_closes', lang, date=render_date(when.end, lang)))}"
    if item.entry.place is not None and state != "past":
        text += f"\n  📍 {escape(item.entry.place.text(lang))}"
    return text


def _event_button(
    assistant: Assistant, item: Dated, lang: Lang, today: date
) -> list[InlineKeyboardButton]:
    title = assistant.title(item.entry, lang)
    prefix = f"{t('tg_event_past_mark', lang)} · " if item.state(today) == "past" else ""
    return [
        InlineKeyboardButton(label(prefix + title), callback_data=cb_entry(item.entry.id, lang))
    ]


MAX_PAST = 5  # past events /events shows; older ones are behind its "Earlier events" button


def events(assistant: Assistant, today: date, lang: Lang, max_current: int = 10) -> Reply:
    """Deadlines still open first, then upcoming events (or that the documents list none), events on
    now, and the latest MAX_PAST past ones in the past tense; older ones behind a button, paged."""
    max_past = MAX_PAST
    line = timeline(assistant.kb, today)
    head = f"<b>{escape(t('tg_events_title', lang))}</b> {escape(t('tg_events_asof', lang, date=render_date(today.isoformat(), lang)))}"
    sections: list[str] = [head]
    rows: list[list[InlineKeyboardButton]] = []

    def section(key: str, items: list[Dated], limit: int, note: str = "") -> None:
        if not items and not note:
            return
        lines = [f"<b>{escape(t(key, lang))}</b>"] + ([escape(note)] if note else [])
        lines += [_event_line(assistant, item, lang, today) for item in items[:limit]]
        sections.append("\n".join(lines))
        rows.extend(_event_button(assistant, item, lang, today) for item in items[:limit])

    section("tg_events_deadlines", line.deadlines, max_current)
    no_upcoming = (
        t("tg_events_no_upcoming", lang)
        if not line.upcoming and (line.past or line.ongoing)
        else ""
    )
    section("tg_events_upcoming", line.upcoming, max_current, no_upcoming)
    section("tg_events_ongoing", line.ongoing, max_current)
    section("tg_events_past", line.past, max_past)
    rows = rows[:20]
    if len(line.past) > max_past:
        sections.append(escape(t("tg_events_more_past", lang, count=len(line.past) - max_past)))
        rows.append(
            [InlineKeyboardButton(t("tg_events_older", lang), callback_data=cb_events(lang, 0))]
        )
    if len(sections) == 1:
        sections.append(escape(t("tg_events_none", lang)))
    return Reply(pack(sections), keyboard(rows), lang)


def older_events(assistant: Assistant, today: date, lang: Lang, page: int) -> Reply:
    """A page of the past events /events does not show (those after its first MAX_PAST), the latest first."""
    older = timeline(assistant.kb, today).past[MAX_PAST:]
    shown, page, pages = listing.paginate(older, page, listing.PAGE_SIZE)
    lines = [
        f"<b>{escape(t('tg_events_older_title', lang))}</b> "
        f"{escape(t('tg_events_asof', lang, date=render_date(today.isoformat(), lang)))}"
    ]
    if older:
        lines.append(
            escape(t("tg_events_older_page", lang, page=page + 1, pages=pages, count=len(older)))
        )
        lines += [_event_line(assistant, item, lang, today) for item in shown]
    else:
        lines.append(escape(t("tg_events_none", lang)))
    rows = [_event_button(assistant, item, lang, today) for item in shown]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(t("tg_prev", lang), callback_data=cb_events(lang, page - 1))
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(t("tg_next", lang), callback_data=cb_events(lang, page + 1))
        )
    rows.append(nav)
    rows.append([InlineKeyboardButton(t("tg_events_back", lang), callback_data=cb_events(lang))])
    return Reply(pack(["\n".join(lines)]), keyboard(rows), lang)


def about(kb: KnowledgeBase, lang: Lang) -> Reply:
    lines = [f"<b>{escape(t('tg_about_title', lang))}</b>", escape(t("tg_about_intro", lang))]
    for source in sorted(
        kb.sources.values(), key=lambda s: (s.date or "0000", s.id), reverse=True
    ):
        title = source.title.text(lang)
        publisher = source.publisher.text(lang)
        when = render_date(source.date, lang) if source.date else t("tg_about_undated", lang)
        lines.append(f"• {escape(title)}\n  {escape(publisher)} · {escape(when)}")
    lines += [
        "",
        escape(
            t(
                "tg_about_counts",
                lang,
                entries=len(kb.entries),
                topics=len(listing.topics_with_entries(kb)),
            )
        ),
        escape(t("tg_about_note", lang)),
    ]
    return Reply(pack(["\n".join(lines)]), None, lang)


def pack(pieces: Iterable[str], sep: str = "\n\n") -> list[str]:
    """Already escaped pieces joined by `sep` into messages under Telegram's size limit; a piece is
    never split across two messages."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) + len(sep) > MAX_TEXT:
            parts.append(current)
            current = ""
        current = f"{current}{sep}{piece}" if current else piece
    parts.append(current)
    return parts


# -- inline mode -------------------------------------------------------------------------------------


def inline_results(
    assistant: Assistant, entry_ids: Sequence[str], lang: Lang
) -> list[InlineQueryResultArticle]:
    results = []
    for eid in entry_ids:
        entry = assistant.kb.entries.get(eid)
        if entry is None:
            continue
        answer_text = " ".join(assistant.answer_text(entry, lang).split())
        results.append(
            InlineQueryResultArticle(
                id=ref(f"{LANG_LETTER[lang]}{entry.id}", ""),
                title=label(assistant.title(entry, lang), 100),
                description=label(answer_text, 120),
                input_message_content=InputTextMessageContent(
                    entry_html(assistant, entry, lang),
                    # HTML by the Application's Defaults; a shared answer keeps Telegram's preview
                    link_preview_options=LinkPreviewOptions(is_disabled=False),
                ),
            )
        )
    return results
