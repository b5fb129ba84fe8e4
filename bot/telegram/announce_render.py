"""HTML texts and keyboards of announcements (bot/telegram/announce.py); no I/O here. Every tag,
title and admin text is escaped, as in admin_render.py.

Callback data (<id>: the broadcast; <op>: an edit or delete job):

    an:aud:<id>         the audience choices            an:all:<id>         every subscribed group
    an:tag:<id>:<tag>   toggle groups with this tag     an:lang:<id>:<lang> groups of this language
    an:pin:<id>         pin on/off                      an:test:<id>        a test copy to the admin
    an:when:<id>        the schedule choices            an:at:<id>:<min>    send at this minute (Unix time / 60)
    an:back:<id>        back to the main choices        an:x:<id>           cancel a scheduled announcement
    an:e:<id>           edit every delivered copy       an:d:<id>           delete every delivered copy
    op:ok:<op>          confirm an edit or delete job   op:no:<op>          cancel it

The preview's question is the "panel": it ends with the tag 📣 #A<id>, and the admin replies to it
with another language's version or a time; the request for a corrected text ends with ✏️ #E<id>.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import render_date, t
from bot.kb.text import LANGS, Lang
from bot.telegram.admin_render import LANG_NAMES, broadcast_report, plain
from bot.telegram.render import Reply, label

PANEL_TAG = re.compile(r"📣 #A(\d+)\b")
EDIT_TAG = re.compile(r"✏️ #E(\d+)\b")
CB_ANNOUNCE = re.compile(r"^an:(aud|all|tag|lang|pin|test|when|at|back|x|e|d):(\d+)(?::(.+))?$")
CB_OP = re.compile(r"^op:(ok|no):(\d+)$")
MAX_TAG_BUTTONS = 24
MAX_SCHEDULED = 30


def when_text(moment: datetime, lang: Lang) -> str:
    """'15 March 2026 10:05' / '2026年3月15日 10:05' (the moment in the workers' time zone)."""
    return f"{render_date(moment.date().isoformat(), lang)} {moment:%H:%M}"


def audience_text(announcement: dict, lang: Lang) -> str:
    if announcement["tags"]:
        return t("an_aud_tags", lang, tags=", ".join(f"#{tag}" for tag in announcement["tags"]))
    if announcement["audience_lang"]:
        return t(
            "an_aud_lang",
            lang,
            lang=LANG_NAMES.get(announcement["audience_lang"], announcement["audience_lang"]),
        )
    return t("an_aud_all", lang)


def panel(
    announcement: dict,
    versions: list[dict],
    count: int,
    lang: Lang,
    *,
    mode: str = "main",
    tag_counts: dict[str, int] | None = None,
    lang_counts: dict[str, int] | None = None,
    presets: list[tuple[str, int]] | None = None,
) -> Reply:
    """The preview's question: audience, versions, pin, and the choices of `mode` (main | audience | when)."""
    bid = announcement["id"]
    lines = [
        t("bc_preview", lang, id=bid, count=count),
        t("an_line_audience", lang, audience=audience_text(announcement, lang)),
        t(
            "an_line_versions",
            lang,
            versions=" · ".join(LANG_NAMES.get(v["lang"], v["lang"]) for v in versions),
        ),
        t("an_line_pin_on" if announcement["pin"] else "an_line_pin_off", lang),
        "",
        t("an_panel_hint", lang, id=bid),
    ]
    rows: list[list[InlineKeyboardButton]] = [
        [
            InlineKeyboardButton(t("bc_confirm", lang), callback_data=f"bc:ok:{bid}"),
            InlineKeyboardButton(t("bc_cancel", lang), callback_data=f"bc:no:{bid}"),
        ]
    ]
    if mode == "audience":
        chosen = set(announcement["tags"])
        everyone = not chosen and not announcement["audience_lang"]
        rows.append(
            [
                InlineKeyboardButton(
                    ("✓ " if everyone else "") + t("an_btn_all", lang),
                    callback_data=f"an:all:{bid}",
                )
            ]
        )
        buttons = [
            InlineKeyboardButton(
                f"{'✓ ' if tag in chosen else ''}#{tag} ({n})", callback_data=f"an:tag:{bid}:{tag}"
            )
            for tag, n in list((tag_counts or {}).items())[:MAX_TAG_BUTTONS]
        ]
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append(
            [
                InlineKeyboardButton(
                    f"{'✓ ' if announcement['audience_lang'] == code else ''}"
                    f"{LANG_NAMES[code]} ({(lang_counts or {}).get(code, 0)})",
                    callback_data=f"an:lang:{bid}:{code}",
                )
                for code in LANGS
            ]
        )
        rows.append([InlineKeyboardButton(t("an_btn_back", lang), callback_data=f"an:back:{bid}")])
    elif mode == "when":
        rows += [
            [InlineKeyboardButton(text, callback_data=f"an:at:{bid}:{minute}")]
            for text, minute in presets or []
        ]
        rows.append([InlineKeyboardButton(t("an_btn_back", lang), callback_data=f"an:back:{bid}")])
        lines[-1] = t("an_when_hint", lang, id=bid)
    else:
        rows.append(
            [
                InlineKeyboardButton(t("an_btn_audience", lang), callback_data=f"an:aud:{bid}"),
                InlineKeyboardButton(t("an_btn_test", lang), callback_data=f"an:test:{bid}"),
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(
                    t("an_btn_pin_on" if announcement["pin"] else "an_btn_pin_off", lang),
                    callback_data=f"an:pin:{bid}",
                ),
                InlineKeyboardButton(t("an_btn_when", lang), callback_data=f"an:when:{bid}"),
            ]
        )
    return Reply(
        ["\n".join(escape(line, quote=False) for line in lines)], InlineKeyboardMarkup(rows), lang
    )


def presets(now: datetime, lang: Lang) -> list[tuple[str, int]]:
    """Ready-made times: in an hour, tomorrow at 09:00 and at 18:00 (minutes since the epoch)."""
    hour = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    tomorrow = (now + timedelta(days=1)).replace(second=0, microsecond=0)
    out = [(t("an_btn_in_hour", lang, time=f"{hour:%H:%M}"), hour)]
    out += [
        (t("an_btn_tomorrow", lang, time=f"{h:02d}:00"), tomorrow.replace(hour=h, minute=0))
        for h in (9, 18)
    ]
    return [(text, int(moment.timestamp() // 60)) for text, moment in out]


def test_note(broadcast_id: int, version_lang: str, lang: Lang) -> Reply:
    return plain(
        "an_test_note", lang, id=broadcast_id, version=LANG_NAMES.get(version_lang, version_lang)
    )


def scheduled_list(rows: list[dict], tz, lang: Lang, counts: dict[int, int]) -> Reply:  # noqa: ANN001 - tzinfo
    """/scheduled: each waiting announcement with its time, audience and a Cancel button."""
    if not rows:
        return plain("an_sched_none", lang)
    lines = [f"<b>{escape(t('an_sched_title', lang))}</b>"]
    buttons = []
    for row in rows[:MAX_SCHEDULED]:
        moment = datetime.fromisoformat(row["send_at"]).astimezone(tz)
        preview = label(re.sub(r"<[^>]+>", "", row["html"] or "") or t("an_sched_copy", lang), 50)
        lines.append(
            escape(
                t(
                    "an_sched_line",
                    lang,
                    id=row["id"],
                    when=when_text(moment, lang),
                    count=counts.get(row["id"], 0),
                    audience=audience_text(row, lang),
                    preview=preview,
                ),
                quote=False,
            )
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    t("an_btn_cancel_id", lang, id=row["id"]), callback_data=f"an:x:{row['id']}"
                )
            ]
        )
    return Reply(["\n".join(lines)], InlineKeyboardMarkup(buttons), lang)


def scheduled_done(
    broadcast_id: int, moment: datetime, count: int, audience: str, lang: Lang
) -> Reply:
    return plain(
        "an_scheduled",
        lang,
        id=broadcast_id,
        when=when_text(moment, lang),
        count=count,
        audience=audience,
    )


def finished_report(
    broadcast: dict, counts: dict[str, int], inactive: int, pins: list[dict], lang: Lang
) -> Reply:
    """The broadcast's report, what pinning did, and the edit/delete everywhere buttons."""
    base = broadcast_report(broadcast, counts, inactive, lang)
    lines = [base.parts[0]]
    if pins:
        failed = [p for p in pins if p["status"] != "pinned"]
        lines.append(
            escape(
                t("an_pin_report", lang, pinned=len(pins) - len(failed), total=len(pins)),
                quote=False,
            )
        )
        for row in failed[:20]:
            lines.append(
                f"• {escape(label(row.get('title') or str(row['chat_id']), 40))} <code>{row['chat_id']}</code>: "
                f"{escape(label(row['error'] or '', 80))}"
            )
        if len(failed) > 20:
            lines.append(escape(t("subs_more", lang, count=len(failed) - 20)))
    markup = None
    if counts.get("sent"):
        bid = broadcast["id"]
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t("an_btn_edit", lang), callback_data=f"an:e:{bid}"),
                    InlineKeyboardButton(t("an_btn_delete", lang), callback_data=f"an:d:{bid}"),
                ]
            ]
        )
    return Reply(["\n".join(lines)], markup, lang)


def edit_request(broadcast_id: int, copies: int, versions: list[dict], lang: Lang) -> Reply:
    key = "an_edit_ask_versions" if len(versions) > 1 else "an_edit_ask"
    names = " · ".join(LANG_NAMES.get(v["lang"], v["lang"]) for v in versions)
    return plain(key, lang, id=broadcast_id, count=copies, versions=names)


def op_question(op: dict, copies: int, lang: Lang) -> Reply:
    key = "an_op_edit_q" if op["kind"] == "edit" else "an_op_delete_q"
    rows = [
        [
            InlineKeyboardButton(t("an_btn_confirm_op", lang), callback_data=f"op:ok:{op['id']}"),
            InlineKeyboardButton(t("bc_cancel", lang), callback_data=f"op:no:{op['id']}"),
        ]
    ]
    return Reply(
        [escape(t(key, lang, id=op["broadcast_id"], count=copies), quote=False)],
        InlineKeyboardMarkup(rows),
        lang,
    )


def op_progress(op: dict, counts: dict[str, int], lang: Lang) -> str:
    done = counts.get("done", 0) + counts.get("failed", 0)
    key = "an_op_edit_progress" if op["kind"] == "edit" else "an_op_delete_progress"
    return escape(
        t(
            key,
            lang,
            id=op["broadcast_id"],
            done=done,
            total=op["total"],
            ok=counts.get("done", 0),
            failed=counts.get("failed", 0),
        ),
        quote=False,
    )


def op_report(
    op: dict, counts: dict[str, int], errors: list[tuple[str, int]], lang: Lang
) -> Reply:
    key = "an_op_edit_report" if op["kind"] == "edit" else "an_op_delete_report"
    lines = [
        escape(
            t(
                key,
                lang,
                id=op["broadcast_id"],
                total=op["total"],
                ok=counts.get("done", 0),
                failed=counts.get("failed", 0),
            ),
            quote=False,
        )
    ]
    lines += [f"• {escape(label(error, 80))} ×{n}" for error, n in errors[:5]]
    return Reply(["\n".join(lines)], None, lang)


def tags_reply(tags: list[str], lang: Lang, key: str = "an_tags_now") -> Reply:
    shown = " ".join(f"#{tag}" for tag in tags) or t("an_tags_none_word", lang)
    return plain(key, lang, tags=shown)
