"""Repeating jobs of the bot (PTB's JobQueue); later features add theirs in `register_jobs`."""
from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application

from bot.telegram.context import BotContext

logger = logging.getLogger(__name__)

KNOWLEDGE_POLL_SECONDS = 5.0


async def refresh_knowledge(context: BotContext) -> None:
    """Swap in an index rebuilt by `bot.py reload`; answers keep flowing meanwhile. With the admin
    operations installed, this goes through their Reloader (never at the same time as a /reload)
    and ADMIN_CHAT_ID is told what changed."""
    from bot.telegram.operations import notify_reload, operations

    ops = operations(context.bot_data)
    if ops is not None:
        report = await ops.reloader.refresh()
    else:
        report = await asyncio.to_thread(context.assistant.refresh_if_rebuilt)
    if report is not None:
        logger.info("knowledge reloaded: %d entries (%d added, %d changed, %d removed)",
                    report.entries, len(report.added), len(report.changed), len(report.removed))
        await notify_reload(context.application, report)


def register_jobs(application: Application, knowledge_poll: float = KNOWLEDGE_POLL_SECONDS) -> None:
    from bot.telegram.operations import install

    install(application)  # admin operations: broadcasts resumed at start, event reminders (bot/telegram/operations.py)
    jobs = application.job_queue
    if jobs is None:  # PTB installed without the job-queue extra
        logger.warning("no job queue: knowledge rebuilt by `bot.py reload` is picked up only on restart")
        return
    if knowledge_poll > 0 and hasattr(application.bot_data["services"].assistant, "refresh_if_rebuilt"):
        jobs.run_repeating(refresh_knowledge, interval=knowledge_poll, first=knowledge_poll, name="refresh-knowledge")
