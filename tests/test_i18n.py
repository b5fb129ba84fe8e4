"""The message catalog: every key in both languages with the same placeholders; dates per language."""

from __future__ import annotations

import string

import opencc
import pytest

from bot.i18n import render_date, render_span, t
from bot.i18n.catalog import MESSAGES

S2T = opencc.OpenCC("s2t")
# Characters OpenCC's s2t rewrites but Hong Kong Traditional writes as they are (秘書處, 群組, 平台).
HK_FORMS = set("秘群台峰")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_and_the_same_placeholders(key):
    entry = MESSAGES[key]
    assert entry.get("zh") and entry.get("en"), key
    assert fields(entry["zh"]) == fields(entry["en"]), key
    if "zh-Hans" in entry:
        assert fields(entry["zh-Hans"]) == fields(entry["en"]), key


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_traditional_messages_use_no_simplified_only_characters(key):
    wrong = [
        c
        for c in MESSAGES[key]["zh"]
        if "\u4e00" <= c <= "\u9fff" and S2T.convert(c) != c and c not in HK_FORMS
    ]
    assert not wrong, f"{key}: {''.join(wrong)}"


def test_simplified_is_derived_from_traditional():
    assert t("choose", "zh-Hans") == "我不太肯定你想问哪一项，请选择："


@pytest.mark.parametrize(
    "iso, lang, text",
    [
        ("2028-08-31", "zh-Hant", "2028年8月31日"),
        ("2028-08-31", "en", "31 August 2028"),
        ("2023-09", "en", "September 2023"),
        ("2023-09", "zh-Hans", "2023年9月"),
        ("2026", "en", "2026"),
    ],
)
def test_dates_render_per_language(iso, lang, text):
    assert render_date(iso, lang) == text


def test_spans_render_per_language():
    assert render_span("2023-09-01", "2028-08-31", "en") == "1 September 2023 to 31 August 2028"
    assert render_span("2023-07-26", "2023-07-26", "zh-Hant") == "2023年7月26日"
