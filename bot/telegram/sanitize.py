"""Text from Telegram that Python can hold but not encode: lone UTF-16 surrogates.

JSON may carry "\\ud800" without its pair; Python decodes it into a str that cannot be encoded as
UTF-8, so writing it to the state database or sending it on fails. Updates fetched by polling are
scrubbed as they are parsed (bot/telegram/app.py PollingRequest); `scrub_text` is applied again
where a user's words enter the bot (questions), which also covers webhook mode.
"""

from __future__ import annotations

import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def scrub_text(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub(REPLACEMENT, text) if _LONE_SURROGATE.search(text) else text


def scrub(value: Any) -> Any:
    """The same for every string in parsed JSON (dicts, lists, keys included)."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k) if isinstance(k, str) else k: scrub(v) for k, v in value.items()}
    return value
