"""Repeating jobs of the bot (PTB's JobQueue), scheduled at start (the Application's post_init);
later features add theirs in `register_jobs`."""

from __future__ import annotations

import logging

from bot.telegram.context import BotContext, Services

logger = logging.getLogger(__name__)

KNOWLEDGE_POLL_SECONDS = 5.0
RETENTION_EVERY_SECONDS = 6 * 3600.0


async def forget_question_texts(context: BotContext) -> None:
    """Question texts older than QUERY_TEXT_DAYS leave the store (issue 15); their counts stay."""
    days = context.services.config.query_text_days
    try:
        # On the event loop, as every store verb: the SQLite connection is not shared across threads' transactions.
        dropped = context.store.forget_question_texts(days)
    except Exception:  # noqa: BLE001 - a busy or full store: the next run tries again
        logger.warning("could not forget old question texts", exc_info=True)
        return
    if dropped:
        logger.info("forgot the texts of %d question(s) older than %d days", dropped, days)


async def refresh_knowledge(context: BotContext) -> None:
    """Swap in an index rebuilt by `bot.py reload`; answers keep flowing meanwhile. This goes through
    the admin operations' Reloader (never at the same time as a /reload) and ADMIN_CHAT_ID is told
    what changed."""
    from bot.telegram.operations import notify_reload

    report = await context.services.reloader.refresh()
    if report is not None:
        logger.info(
            "knowledge reloaded: %d entries (%d added, %d changed, %d removed)",
            report.entries,
            len(report.added),
            len(report.changed),
            len(report.removed),
        )
        await notify_reload(context.application, report)


def register_jobs(services: Services, knowledge_poll: float = KNOWLEDGE_POLL_SECONDS) -> None:
    jobs = services.application.job_queue
    if jobs is None:  # PTB installed without the job-queue extra
        logger.warning(
            "no job queue: knowledge rebuilt by `bot.py reload` is picked up only on restart"
        )
        return
    if services.config.query_text_days > 0:
        jobs.run_repeating(
            forget_question_texts, interval=RETENTION_EVERY_SECONDS, first=1.0, name="retention"
        )
    if knowledge_poll > 0:
        jobs.run_repeating(
            refresh_knowledge,
            interval=knowledge_poll,
            first=knowledge_poll,
            name="refresh-knowledge",
        )
