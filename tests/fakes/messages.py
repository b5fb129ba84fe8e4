"""Reading what the bot sent, as a person sees it: the buttons under a message, its visible text.

Each helper takes a recorded call (`Call`, whose `params` hold what the bot sent) or a message dict
(a call's `result`, or a message the fake server stores).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: engine tests read messages without aiohttp and the fake server
    from .telegram_server import Call, FakeTelegramServer

JSON = dict[str, Any]


def keyboard(call_or_message: Call | JSON) -> list[list[JSON]]:
    """The rows of inline buttons under a message (empty without a keyboard)."""
    params = getattr(call_or_message, "params", None)
    source = params if params is not None else call_or_message
    assert isinstance(source, dict)
    markup = source.get("reply_markup") or {}
    return markup.get("inline_keyboard", [])


def inline_buttons(call_or_message: Call | JSON) -> list[JSON]:
    """Every inline button, row after row, as the Bot API describes it."""
    return [b for row in keyboard(call_or_message) for b in row]


def buttons(call_or_message: Call | JSON) -> list[tuple[str, str]]:
    """(label, what it does) per button: its callback data, or the URL it opens ("" for others)."""
    return [
        (b["text"], b.get("callback_data") or b.get("url", ""))
        for b in inline_buttons(call_or_message)
    ]


def labels(call_or_message: Call | JSON) -> list[str]:
    return [label for label, _ in buttons(call_or_message)]


def data_of(call_or_message: Call | JSON) -> list[str]:
    """The callback data of every button ("" for a button that carries none)."""
    return [b.get("callback_data", "") for b in inline_buttons(call_or_message)]


def by_label(call_or_message: Call | JSON, label: str) -> JSON:
    """The button labelled `label`; fails naming the labels there are."""
    found = [b for b in inline_buttons(call_or_message) if b["text"] == label]
    assert found, f"no {label!r} in {labels(call_or_message)}"
    return found[0]


def visible(html_text: str) -> str:
    """The text without its HTML tags, as the reader sees it."""
    return re.sub(r"<[^>]+>", "", html_text)


def to(chat_id: int | str) -> Callable[[Call], bool]:
    """A predicate for `wait_for` and `push_and_wait`: calls addressed to `chat_id`."""
    return lambda call: str(call.chat_id) == str(chat_id)


def texts(server: FakeTelegramServer, chat_id: int | str) -> list[str]:
    """The texts of the messages sent to `chat_id`, in order."""
    return [c.params.get("text", "") for c in server.sent_messages(chat_id)]


async def wait_text(
    server: FakeTelegramServer, chat_id: int | str, needle: str, timeout: float = 5.0
) -> Call:
    """The latest message sent to `chat_id` containing `needle`, once there is one."""
    calls = await server.wait_for(
        "sendMessage",
        1,
        timeout,
        lambda c: str(c.chat_id) == str(chat_id) and needle in (c.params.get("text") or ""),
    )
    return calls[-1]
