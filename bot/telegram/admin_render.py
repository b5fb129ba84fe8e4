"""HTML texts and keyboards of the admin operations; no I/O here. Same rules as render.py: every
piece of knowledge, user or admin text is escaped, texts are split below Telegram's limit.

Callback data:

    bc:ok:<id>    confirm broadcast <id>        bc:no:<id>   cancel it
    ip:<query>    pass the question logged as <query> to a person
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import render_date, t
from bot.kb.text import Lang
from bot.telegram import render
from bot.telegram.render import MAX_TEXT, Reply, label

if TYPE_CHECKING:
    from bot.assistant import ReloadReport
    from bot.store import Stats

CB_CONFIRM = re.compile(r"^bc:(ok|no):(\d{1,18})$")
CB_PERSON = re.compile(r"^ip:(\d{1,18})$")
INBOX_TAG = re.compile(r"^[^#\n]{0,4}#Q(\d+)\b")  # the first line of an inbox item
LANG_NAMES = {"zh-Hant": "繁", "zh-Hans": "简", "en": "EN"}
MAX_IDS = 20  # entry ids listed per line of a reload summary
MAX_RELOAD_ERRORS = (
    15  # errors listed in a refused reload's report (one message; check-knowledge lists all)
)
MAX_ERROR_CHARS = 300
MAX_GROUPS = 60


def plain(key: str, lang: Lang, **values: object) -> Reply:
    return Reply([escape(t(key, lang, **values), quote=False)], None, lang)


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS])
    return shown + (f" … (+{len(ids) - MAX_IDS})" if len(ids) > MAX_IDS else "")


# -- reload ---------------------------------------------------------------------------------------


def reload_report(
    report: ReloadReport,
    lang: Lang,
    *,
    from_cli: bool = False,
    declared: dict[str, set[str]] | None = None,
) -> Reply:
    """What a reload changed, or its errors: root causes first (every file's first error before the
    rest), the errors they caused folded into a count (bot/telegram/reload_report.py)."""
    if not report.ok:
        from bot.telegram.reload_report import fold

        # Root errors first, their consequences folded ("and 38 errors caused by it"); one message
        # whatever the number: the first roots, then a pointer to the full list.
        roots = fold(report.errors, declared)
        total = max(getattr(report, "total_errors", 0), len(report.errors))
        # Errors the report did not carry (a child process sends the first ones and the count) are roots too.
        count = len(roots) + max(0, total - len(report.errors))
        lines = [escape(t("adm_reload_failed", lang, count=count), quote=False)]
        budget = MAX_TEXT - 400
        used = len(lines[0])
        shown = 0
        for root in roots[:MAX_RELOAD_ERRORS]:
            line = f"• <code>{escape(str(root.error)[:MAX_ERROR_CHARS], quote=False)}</code>"
            if root.caused:
                line += " " + escape(t("mx_reload_caused", lang, count=root.caused), quote=False)
            if used + len(line) + 1 > budget:
                break
            lines.append(line)
            used += len(line) + 1
            shown += 1
        if count > shown:
            lines.append(escape(t("adm_reload_more", lang, count=count - shown), quote=False))
        return Reply(["\n".join(lines)], None, lang)
    key = "adm_reload_cli" if from_cli else "adm_reload_ok"
    lines = [
        escape(
            t(
                key,
                lang,
                entries=report.entries,
                added=len(report.added),
                changed=len(report.changed),
                removed=len(report.removed),
            ),
            quote=False,
        )
    ]
    for what, ids in (
        ("adm_reload_added", report.added),
        ("adm_reload_changed", report.changed),
        ("adm_reload_removed", report.removed),
    ):
        if ids:
            lines.append(escape(t(what, lang, ids=_ids(ids)), quote=False))
    return Reply(_lines_to_parts(lines), None, lang)


def _lines_to_parts(lines: Iterable[str]) -> list[str]:
    """Escaped lines joined into messages under the size limit (an over-long line is cut)."""
    return render.pack((line[: MAX_TEXT - 10] for line in lines), sep="\n")


# -- subscriptions -----------------------------------------------------------------------------------


def subscribers(rows: list[dict], lang: Lang) -> Reply:
    if not rows:
        return plain("subs_none", lang)
    active = [r for r in rows if r["active"]]
    lines = [
        f"<b>{escape(t('subs_title', lang, active=len(active), inactive=len(rows) - len(active)))}</b>"
    ]
    for row in rows[:MAX_GROUPS]:
        notes = []
        if not row["active"]:
            notes.append(t("subs_inactive", lang))
        if not row["reminders"]:
            notes.append(t("subs_no_reminders", lang))
        title = row.get("title") or "?"
        line = f"• {escape(label(title, 40))} <code>{row['chat_id']}</code> {LANG_NAMES.get(row['lang'], '')}"
        if row.get("tags"):  # announcements: the group's tags
            line += " " + escape(" ".join(f"#{tag}" for tag in row["tags"]))
        if notes:
            line += f" ({escape(', '.join(notes))})"
        lines.append(line)
    if len(rows) > MAX_GROUPS:
        lines.append(escape(t("subs_more", lang, count=len(rows) - MAX_GROUPS)))
    return Reply(_lines_to_parts(lines), None, lang)


# -- broadcasts ----------------------------------------------------------------------------------------


def broadcast_question(broadcast_id: int, count: int, lang: Lang) -> Reply:
    rows = [
        [
            InlineKeyboardButton(t("bc_confirm", lang), callback_data=f"bc:ok:{broadcast_id}"),
            InlineKeyboardButton(t("bc_cancel", lang), callback_data=f"bc:no:{broadcast_id}"),
        ]
    ]
    return Reply(
        [escape(t("bc_preview", lang, id=broadcast_id, count=count), quote=False)],
        InlineKeyboardMarkup(rows),
        lang,
    )


def _figures(counts: dict[str, int]) -> dict[str, int]:
    return {
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0),
        "uncertain": counts.get("uncertain", 0),
    }


def broadcast_progress(broadcast: dict, counts: dict[str, int], lang: Lang) -> str:
    figures = _figures(counts)
    done = sum(figures.values())
    return escape(
        t("bc_progress", lang, id=broadcast["id"], done=done, total=broadcast["total"], **figures),
        quote=False,
    )


def broadcast_report(broadcast: dict, counts: dict[str, int], inactive: int, lang: Lang) -> Reply:
    lines = [
        escape(
            t("bc_report", lang, id=broadcast["id"], total=broadcast["total"], **_figures(counts)),
            quote=False,
        )
    ]
    if inactive:
        lines.append(escape(t("bc_report_inactive", lang, count=inactive), quote=False))
    if counts.get("uncertain"):
        lines.append(
            escape(t("bc_report_uncertain", lang, count=counts["uncertain"]), quote=False)
        )
    return Reply(["\n".join(lines)], None, lang)


def broadcasts(rows: list[dict], lang: Lang) -> Reply:
    if not rows:
        return plain("bc_list_none", lang)
    lines = [f"<b>{escape(t('bc_list_title', lang))}</b>"]
    for row in rows:
        when = render_date((row["confirmed_at"] or row["created_at"])[:10], lang)
        status = (
            t(f"bc_status_{row['status']}", lang)
            if row["status"] in ("sending", "done", "cancelled", "scheduled", "missed")
            else row["status"]
        )
        lines.append(
            escape(
                t(
                    "bc_list_line",
                    lang,
                    id=row["id"],
                    date=when,
                    status=status,
                    total=row["total"],
                    **_figures(row["counts"]),
                ),
                quote=False,
            )
        )
    return Reply(_lines_to_parts(lines), None, lang)


# -- stats ----------------------------------------------------------------------------------------------


def stats(figures: Stats, lang: Lang) -> Reply:
    first, last = (render_date(d.isoformat(), lang) for d in (figures.first_day, figures.last_day))
    lines = [f"<b>{escape(t('st_title', lang, first=first, last=last))}</b>"]
    use = escape(
        t(
            "mx_st_use",
            lang,
            buttons=figures.buttons,
            checks=figures.checks,
            up=figures.helpful,
            down=figures.unhelpful,
        )
    )
    if not figures.questions:
        lines.append(escape(t("st_none", lang)))
        if figures.buttons or figures.checks:
            lines.append(use)
        return Reply(["\n".join(lines)], None, lang)
    rate = round(100 * figures.answer_rate)
    lines.append(
        escape(
            t(
                "st_summary",
                lang,
                questions=figures.questions,
                users=figures.users,
                answered=figures.answered,
                rate=rate,
            )
        )
    )
    lines.append(use)
    lines += ["", escape(t("st_per_day", lang))]
    lines += [f"<code>{day}</code>  {n} / {a}" for day, n, a in figures.per_day]
    lines += ["", escape(t("st_per_lang", lang))]
    for code, n, a in figures.per_lang:
        share = round(100 * a / n) if n else 0
        lines.append(f"• {escape(code)}: {n} ({a}, {share}%)")
    if figures.unanswered:
        lines += ["", escape(t("st_unanswered", lang))]
        lines += [
            f"{i}. {escape(label(text, 80))} ×{n}"
            for i, (text, n) in enumerate(figures.unanswered, 1)
        ]
    return Reply(_lines_to_parts(lines), None, lang)


# -- the human inbox --------------------------------------------------------------------------------------


def with_person_button(reply: Reply, query_id: int) -> Reply:
    """A decline with an "ask a person" button under it."""
    button = [
        InlineKeyboardButton(t("ib_button", reply.lang), callback_data=f"ip:{int(query_id)}")
    ]
    rows = [list(row) for row in reply.markup.inline_keyboard] if reply.markup is not None else []
    return Reply(reply.parts, InlineKeyboardMarkup([*rows, button]), reply.lang)


def inbox_item(item_id: int, question: str, asker_lang: str, group: bool, lang: Lang) -> str:
    """The question as the admin chat sees it; starts with the #Q tag replies are matched by."""
    where = t("ib_where_group" if group else "ib_where_private", lang)
    head = t("ib_admin_item", lang, id=item_id, lang=asker_lang, where=where)
    return "\n\n".join(
        [
            escape(head, quote=False),
            f"<blockquote>{escape(question, quote=False)}</blockquote>",
            f"<i>{escape(t('ib_admin_hint', lang))}</i>",
        ]
    )


def inbox_answer(question: str, answer_html: str | None, lang: Lang) -> str:
    """The staff's answer as the worker sees it (header, then the admin's own formatting)."""
    head = escape(t("ib_reply_header", lang, question=label(question, 80)), quote=False)
    return f"{head}\n\n{answer_html}" if answer_html else head
