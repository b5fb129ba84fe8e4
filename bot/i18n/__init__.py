"""The message catalog: every user-facing string by key, one file per language (bot/i18n/*.yaml,
loaded by bot/i18n/catalog.py), and `t`, the one lookup.

Simplified Chinese is derived from Traditional with OpenCC unless zh-Hans.yaml gives the text.
Placeholders use str.format names, and a test checks every language uses the same ones.
"""

from __future__ import annotations

from functools import lru_cache

from bot.i18n.catalog import CATALOG
from bot.kb.text import Lang, to_simplified


@lru_cache(maxsize=4096)
def _template(key: str, lang: Lang) -> str:
    if lang == "en":
        return CATALOG["en"][key]
    if lang == "zh-Hans":
        return CATALOG["zh-Hans"].get(key) or to_simplified(CATALOG["zh-Hant"][key])
    return CATALOG["zh-Hant"][key]


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The message `key` in `lang`, with placeholders filled."""
    text = _template(key, lang)
    return text.format(**values) if values else text


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def render_date(iso: str, lang: Lang) -> str:
    """'2028-08-31' → '2028年8月31日' / '31 August 2028'; month and year precision kept."""
    parts = [int(p) for p in iso.split("-")]
    if lang == "en":
        if len(parts) == 3:
            return f"{parts[2]} {MONTHS_EN[parts[1] - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS_EN[parts[1] - 1]} {parts[0]}"
        return str(parts[0])
    text = f"{parts[0]}年"
    if len(parts) >= 2:
        text += f"{parts[1]}月"
    if len(parts) == 3:
        text += f"{parts[2]}日"
    return text


def render_span(start: str, end: str | None, lang: Lang) -> str:
    if not end or end == start:
        return render_date(start, lang)
    return t("date_span", lang, start=render_date(start, lang), end=render_date(end, lang))


def lang_from_code(language_code: str | None) -> Lang | None:
    """A client's language (an IETF tag, as Telegram gives it) as a reply language, when it says one."""
    if not language_code:
        return None
    code = language_code.lower().replace("_", "-")
    if code.startswith("en"):
        return "en"
    if code.startswith("zh"):
        if any(tag in code for tag in ("hans", "-cn", "-sg", "-my")):
            return "zh-Hans"
        return "zh-Hant"
    return None
