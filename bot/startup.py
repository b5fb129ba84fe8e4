"""Opening the engine for a process that answers questions: `bot.py ask` and `console` (bot/cli.py)
and the Telegram bot (bot/telegram/app.py). Here rather than in either, so the Telegram layer never
imports the command line (tests/test_architecture.py).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config

if TYPE_CHECKING:
    from bot.assistant import Assistant

logger = logging.getLogger(__name__)


def open_assistant(config: Config) -> Assistant:
    """The Assistant on the configured knowledge, its index built or refreshed as needed. Broken
    knowledge files never take answers down: the last good index is served; with no index to fall
    back on, the errors are printed and the process exits with status 1."""
    from bot.assistant import Assistant
    from bot.config import today_in
    from bot.kb.loader import KnowledgeInvalid

    today = today_in(config.timezone)
    try:
        return Assistant.open(Path(config.knowledge_dir), config.index_path, today)
    except KnowledgeInvalid as exc:
        if config.index_path.exists():
            # A broken edit never takes answers down: keep serving the last good index.
            logger.error(
                "knowledge files have errors; serving the last good index: %s", exc.errors[0]
            )
            from bot.kb.index import Index

            return Assistant(Index(config.index_path), today)
        for err in exc.errors:
            print(err, file=sys.stderr)
        raise SystemExit(1) from exc
