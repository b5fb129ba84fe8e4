"""Event reminders: dated entries of the knowledge base announced to subscribed groups ahead of time.

An event or a deadline (bot/kb/dates.py: not a report's or a figure's date) has occasions: its start
(an opening, an event's day), and for a deadline also its end (the last day). Dates are partial ISO dates; a
year alone is too vague to announce, a month counts from its first day (start) or last day (end).
An occasion is due from REMINDER_HOUR local time REMINDER_DAYS days before it until the day
itself, so a bot that was down on the first day still reminds, late but in time; past occasions
are never announced.

The job (job queue, every REMINDER_CHECK_SECONDS) sends each due occasion once to each active
subscribed group with reminders on. "Once" holds across restarts: a `reminders_sent` row is
committed before the send (same rule as broadcasts, bot/store/admin.py). The clock is injectable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from html import escape
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import render_date, t
from bot.kb import dates
from bot.kb.dates import Occasion
from bot.kb.text import Lang

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.kb.loader import KnowledgeBase
    from bot.store import Store
    from bot.telegram.broadcast import Pacer

logger = logging.getLogger(__name__)


def due(kb: KnowledgeBase, now: datetime, days: int, hour: int) -> list[Occasion]:
    """Occasions whose reminder is due at `now` (an aware datetime in the workers' time zone)."""
    today = now.date()
    out = []
    for occasion in dates.occasions(kb):  # the same windows /events lists
        if occasion.day < today:
            continue
        opens = datetime.combine(
            occasion.day - timedelta(days=max(0, days)),
            time(hour=min(max(hour, 0), 23)),
            tzinfo=now.tzinfo,
        )
        if now >= opens:
            out.append(occasion)
    return out


def reminder_html(
    assistant: Assistant, occasion: Occasion, lang: Lang, today: date
) -> tuple[str, InlineKeyboardMarkup]:
    """The reminder message (escaped HTML) and its "details" button."""
    from bot.telegram.render import cb_entry

    entry = occasion.entry
    date_text = render_date(occasion.iso, lang)
    when = t("rm_on_day" if len(occasion.iso) == 10 else "rm_in_month", lang, date=date_text)
    if occasion.kind == "end":
        key = "rm_end"
    else:
        key = "rm_start_event" if entry.type == "event" else "rm_start"
    lines = [t(key, lang, title=assistant.title(entry, lang), when=when)]
    left = (occasion.day - today).days
    if len(occasion.iso) == 10:
        lines[0] += (" " if lang == "en" else "") + (
            t("rm_today", lang)
            if left == 0
            else t("rm_tomorrow", lang)
            if left == 1
            else t("rm_days_left", lang, days=left)
        )
    if entry.place is not None:
        place = entry.place.text(lang)
        lines.append(f"📍 {place}")
    lines.append(t("rm_more", lang))
    html = "\n".join(escape(line, quote=False) for line in lines)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("rm_details", lang), callback_data=cb_entry(entry.id, lang))]]
    )
    return html, markup


class Reminders:
    """Sends the reminders due; `run()` is what the job queue calls."""

    def __init__(
        self,
        assistant: Assistant,
        store: Store,
        pacer: Pacer,
        *,
        days: int,
        hour: int,
        now: Callable[[], datetime],
        running: Callable[[], bool] = lambda: True,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.pacer = pacer
        self.days = days
        self.hour = hour
        self.now = now
        self.running = running

    async def run(self, bot) -> int:  # noqa: ANN001 - telegram.Bot
        """Send every due reminder not sent yet; the number sent."""
        from bot.telegram.broadcast import send_to_group

        now = self.now()
        items = due(self.assistant.kb, now, self.days, self.hour)
        if not items:
            return 0
        groups = self.store.subscriptions(active=True, reminders=True)
        if not groups:
            return 0
        done = {
            (r["entry_id"], r["occasion"], r["on_date"], r["chat_id"])
            for r in self.store.reminders_sent()
        }
        sent = 0
        for occasion in items:
            on_date = occasion.day.isoformat()
            for group in groups:
                chat_id = group["chat_id"]
                if (occasion.entry.id, occasion.kind, on_date, chat_id) in done:
                    continue
                if not self.running():
                    return sent
                lang: Lang = group["lang"] or "zh-Hant"
                html, markup = reminder_html(self.assistant, occasion, lang, now.date())
                await self.pacer.acquire(chat_id)
                if not self.store.claim_reminder(
                    occasion.entry.id, occasion.kind, on_date, chat_id
                ):
                    continue
                outcome = await send_to_group(bot, chat_id, html=html, reply_markup=markup)
                if outcome.status == "retry":
                    # Nothing was delivered (429, no connection, a moved group): forget the claim, the next run
                    # tries again. A 5xx or a dropped connection is "uncertain" instead: never sent again.
                    self.store.release_reminder(occasion.entry.id, occasion.kind, on_date, chat_id)
                    if outcome.moved_to is not None:
                        self.store.migrate_chat(chat_id, outcome.moved_to)
                    continue
                self.store.finish_reminder(
                    occasion.entry.id,
                    occasion.kind,
                    on_date,
                    chat_id,
                    outcome.status,
                    outcome.message_id,
                )
                if outcome.inactive:
                    self.store.deactivate_group(chat_id, outcome.error or "")
                if outcome.status == "sent":
                    sent += 1
                else:
                    logger.warning(
                        "reminder %s/%s to %s: %s (%s)",
                        occasion.entry.id,
                        occasion.kind,
                        chat_id,
                        outcome.status,
                        outcome.error,
                    )
        if sent:
            logger.info("sent %d reminder(s)", sent)
        return sent
