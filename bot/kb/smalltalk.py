"""Thanks and greetings: a friendly word back, never an entry picked at random.

In a group, "thanks" in reply to the bot addresses it; answering that with some entry that happens
to contain "thank" would be both wrong and noisy. Matched on the folded (Simplified, lower-case)
text with punctuation and emoji removed.
"""

from __future__ import annotations

import re

_THANKS = re.compile(
    r"^(thanks?( you| a lot| so much)?|thx|ty|many thanks|多谢晒?|唔该晒?|谢谢(你|晒)?|感谢|thank u)$"
)
_GREETING = re.compile(
    r"^(hi|hello|hey|good (morning|afternoon|evening)|你好|您好|哈佬|哈啰|早晨|早安|午安|晚安|喂)$"
)
_OK = re.compile(
    r"^(ok|okay|好的|好|收到|明白|知道了|明白了|了解|noted|got it|ok thanks|好嘅|冇问题)$"
)
_STRIP = re.compile(r"[^\w\s]+")


def small_talk(folded: str) -> str | None:
    """The catalog key of the reply to a thanks, greeting or acknowledgement; None otherwise."""
    text = " ".join(_STRIP.sub(" ", folded).split())
    if _THANKS.match(text):
        return "smalltalk_thanks"
    if _GREETING.match(text):
        return "smalltalk_hello"
    if _OK.match(text):
        return "smalltalk_ok"
    return None
