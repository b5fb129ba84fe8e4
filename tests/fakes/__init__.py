"""Test doubles for the Telegram Bot API (fake HTTP server and update builders).

The names below are imported when first used: the package itself imports nothing, so an engine
test that reads messages with tests.fakes.messages does not start aiohttp and the fake server.
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULE_OF = {
    "Call": "telegram_server",
    "Failure": "telegram_server",
    "FakeTelegramServer": "telegram_server",
    "UploadedFile": "telegram_server",
    "running_fake_server": "telegram_server",
    "MessageIds": "updates",
    "UpdateBuilder": "updates",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
