"""What the state store never keeps verbatim: phone and identity numbers in workers' questions.

A worker may type their HKID or phone number into a question ("我A123456(7)可唔可以報？"); the
answer does not need it and the query log must not keep it. `mask_numbers` replaces, before a
text is stored:

    HKID            one or two letters, six digits, a check digit (with or without brackets)
    phone numbers   Hong Kong 8-digit numbers (2/3/5/6/7/8/9…, optionally "+852", a space or
                    dash in the middle), mainland mobiles (1 + 10 digits)
    long numbers    any other run of 8 or more digits (ID cards, accounts), spaces or dashes inside

Years, amounts, course codes and dates with separators ("2024-01-15") stay readable.
"""

from __future__ import annotations

import re

PHONE = "[電話]"
ID = "[身份證]"
NUMBER = "[號碼]"

_SEP = r"[ \-\u00a0]?"
_HKID = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{6}\s?(?:[(（]\s?[0-9Aa]\s?[)）]|[0-9Aa])(?![A-Za-z0-9])"
)
_PHONE = re.compile(
    rf"(?<!\d)(?:(?:\+|00)?852{_SEP})?[2-9]\d{{3}}{_SEP}\d{{4}}(?!\d)"  # Hong Kong
    rf"|(?<!\d)(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}?\d{{4}}{_SEP}?\d{{4}}(?!\d)"
)  # mainland mobile
_DIGIT_RUN = re.compile(r"(?<!\d)\d+(?:[ \-]\d+)*(?!\d)")


def _long(m: re.Match[str]) -> str:
    """8 or more digits in groups of 3 or more ("4403 0119 9001", not a date's 2024-01-15)."""
    groups = re.split(r"[ \-]", m.group(0))
    if sum(len(g) for g in groups) >= 8 and all(len(g) >= 3 for g in groups):
        return NUMBER
    return m.group(0)


def mask_numbers(text: str | None) -> str:
    """`text` with identity and phone numbers replaced by placeholders ("" for None)."""
    if not text:
        return text or ""
    if not any(ch.isdigit() for ch in text):
        return text
    text = _HKID.sub(ID, text)
    text = _PHONE.sub(PHONE, text)
    return _DIGIT_RUN.sub(_long, text)
