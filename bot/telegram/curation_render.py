"""HTML texts and keyboards of /review, knowledge files over Telegram and the /stats chart's caption;
no I/O here. Every question, title and error is escaped.

Callback data:

    rv:t:<item>:<n>   teach review item <item> as a phrasing of its n-th likely entry
    rv:n:<item>       not in the documents          rv:s:<item>   skip
    kc:u:<change>     undo knowledge change <change>
    ku:ok:<upload>    save an uploaded file          ku:no:<upload>  cancel it
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import render_date, t
from bot.kb.text import Lang
from bot.telegram.admin_render import _lines_to_parts
from bot.telegram.render import Reply, label

if TYPE_CHECKING:
    from bot.editing.files import ChangeSummary
    from bot.editing.review import Item
    from bot.kb.loader import KnowledgeBase, KnowledgeError
    from bot.store import Stats

CB_REVIEW = re.compile(r"^rv:(t|n|s):(\d+)(?::(\d))?$")
CB_UNDO = re.compile(r"^kc:u:(\d+)$")
CB_UPLOAD = re.compile(r"^ku:(ok|no):(\d+)$")
MAX_CAPTION = 1024
MAX_ERRORS = 40


def _e(text: str) -> str:
    return escape(text, quote=False)


def _titles(ids: Sequence[str], kb: KnowledgeBase, lang: Lang) -> str:
    sep = "; " if lang == "en" else "、"
    return sep.join(label(kb.entries[i].title.text(lang), 50) for i in ids if i in kb.entries)


# -- /review ------------------------------------------------------------------------------------------


def review_header(total: int, shown: int, lang: Lang) -> Reply:
    return Reply([_e(t("rv_header", lang, count=total, shown=shown))], None, lang)


def review_item(
    item_id: int, item: Item, candidates: Sequence[str], kb: KnowledgeBase, lang: Lang
) -> Reply:
    lines = [
        f"<b>{_e(t('rv_item', lang, question=label(item.question, 200), count=item.count))}</b>"
    ]
    others = [label(x, 80) for x in item.texts[1:4]]
    if others:
        lines.append(_e(t("rv_variants", lang, texts=" / ".join(others))))
    kind = item.kinds.most_common(1)[0][0] if item.kinds else "decline"
    replied = [i for i in item.replied if i in kb.entries][:3]
    if kind == "choose" and replied:
        lines.append(_e(t("rv_replied_choose", lang, titles=_titles(replied, kb, lang))))
    elif kind == "answer" and replied:
        lines.append(_e(t("rv_replied_answer", lang, titles=_titles(replied, kb, lang))))
    else:
        lines.append(_e(t("rv_replied_decline", lang)))
    lines.append(_e(t("rv_candidates" if candidates else "rv_no_candidates", lang)))
    rows = [
        [
            InlineKeyboardButton(
                t("rv_teach_button", lang, title=label(kb.entries[c].title.text(lang), 48)),
                callback_data=f"rv:t:{item_id}:{n}",
            )
        ]
        for n, c in enumerate(candidates)
        if c in kb.entries
    ]
    rows.append(
        [
            InlineKeyboardButton(t("rv_dismiss_button", lang), callback_data=f"rv:n:{item_id}"),
            InlineKeyboardButton(t("rv_skip_button", lang), callback_data=f"rv:s:{item_id}"),
        ]
    )
    return Reply(["\n".join(lines)], InlineKeyboardMarkup(rows), lang)


def undo_markup(change_id: int | None, lang: Lang) -> InlineKeyboardMarkup | None:
    if change_id is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("ch_undo_button", lang), callback_data=f"kc:u:{change_id}")]]
    )


def taught(
    question: str,
    title: str,
    file: str,
    entry_id: str,
    form: str,
    answered: bool,
    change_id: int | None,
    lang: Lang,
) -> Reply:
    lines = [
        _e(
            t(
                "rv_taught",
                lang,
                question=label(question, 200),
                title=title,
                file=file,
                entry=entry_id,
                form=t(f"rv_form_{form}", lang),
            )
        )
    ]
    if not answered:
        lines.append(_e(t("rv_taught_unsure", lang, question=label(question, 200))))
    return Reply(["\n\n".join(lines)], undo_markup(change_id, lang), lang)


def errors_report(head: str, errors: Sequence[KnowledgeError], lang: Lang) -> Reply:
    """A refusal: the heading, then every error with its file, entry and field."""
    lines = [_e(head)] + [f"• <code>{_e(str(err))}</code>" for err in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        lines.append(_e(f"… (+{len(errors) - MAX_ERRORS})"))
    return Reply(_lines_to_parts(lines), None, lang)


# -- knowledge files -----------------------------------------------------------------------------------


def upload_question(
    upload_id: int, file: str, summary: ChangeSummary, new_file: bool, lang: Lang
) -> Reply:
    lines = []
    if new_file:
        lines.append(_e(t("kn_new_file", lang, file=file)))
    lines.append(
        _e(
            t(
                "kn_diff",
                lang,
                file=file,
                added=len(summary.added),
                changed=len(summary.changed),
                removed=len(summary.removed),
            )
        )
    )
    for key, ids in (
        ("adm_reload_added", summary.added),
        ("adm_reload_changed", summary.changed),
        ("adm_reload_removed", summary.removed),
    ):
        if ids:
            lines.append(
                _e(
                    t(
                        key,
                        lang,
                        ids=", ".join(ids[:20])
                        + (f" … (+{len(ids) - 20})" if len(ids) > 20 else ""),
                    )
                )
            )
    if summary.figures:
        lines.append(_e(t("kn_figures", lang)))
        for change in summary.figures[:20]:
            lines.append(
                _e(
                    t(
                        "kn_figure_line",
                        lang,
                        entry=change.entry_id,
                        before=", ".join(change.before) or "–",
                        after=", ".join(change.after) or "–",
                    )
                )
            )
    rows = [
        [
            InlineKeyboardButton(t("kn_confirm_button", lang), callback_data=f"ku:ok:{upload_id}"),
            InlineKeyboardButton(t("kn_cancel_button", lang), callback_data=f"ku:no:{upload_id}"),
        ]
    ]
    parts = _lines_to_parts(lines)
    return Reply(parts, InlineKeyboardMarkup(rows), lang)


# -- the /stats chart's caption --------------------------------------------------------------------------


def stats_caption(figures: Stats, subjects: Sequence[tuple[str, int]], lang: Lang) -> str:
    """The figures beside the chart, in sections while they fit a caption (1,024 characters)."""
    first, last = (render_date(d.isoformat(), lang) for d in (figures.first_day, figures.last_day))
    head = [
        f"<b>{_e(t('st_title', lang, first=first, last=last))}</b>",
        _e(
            t(
                "st_summary",
                lang,
                questions=figures.questions,
                users=figures.users,
                answered=figures.answered,
                rate=round(100 * figures.answer_rate),
            )
        ),
        # Beside the questions: topics opened by button, /check results, 👍/👎.
        _e(
            t(
                "mx_st_use",
                lang,
                buttons=figures.buttons,
                checks=figures.checks,
                up=figures.helpful,
                down=figures.unhelpful,
            )
        ),
    ]
    sections = [
        [_e(t("st_per_lang", lang))]
        + [
            f"• {_e(code)}: {n} ({a}, {round(100 * a / n) if n else 0}%)"
            for code, n, a in figures.per_lang
        ]
    ]
    if subjects:
        sections.append(
            [_e(t("st_chart_top", lang))]
            + [f"• {_e(label(name, 40))}: {n}" for name, n in subjects[:5]]
        )
    if figures.unanswered:
        sections.append(
            [_e(t("st_unanswered", lang))]
            + [
                f"{i}. {_e(label(text, 60))} ×{n}"
                for i, (text, n) in enumerate(figures.unanswered[:5], 1)
            ]
        )
    sections.append(
        [_e(t("st_per_day", lang))] + [f"{day[5:]}  {n} / {a}" for day, n, a in figures.per_day]
    )
    text = "\n".join(head)
    for section in sections:
        candidate = text + "\n\n" + "\n".join(section)
        if _visible(candidate) <= MAX_CAPTION:
            text = candidate
    return text


def _visible(html: str) -> int:
    from html import unescape

    return len(unescape(re.sub(r"<[^>]+>", "", html)))
