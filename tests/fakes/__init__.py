"""Test doubles for the Telegram Bot API (fake HTTP server and update builders)."""

from .telegram_server import (
    Call,
    Failure,
    FakeTelegramServer,
    UploadedFile,
    running_fake_server,
)
from .updates import MessageIds, UpdateBuilder

__all__ = [
    "Call",
    "Failure",
    "FakeTelegramServer",
    "MessageIds",
    "UpdateBuilder",
    "UploadedFile",
    "running_fake_server",
]
