"""Normalising, folding and script detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.kb.text import MAX_QUERY_CHARS, detect_lang, fold, normalise, to_simplified


@given(st.text())
def test_normalise_is_idempotent_bounded_and_control_free(text):
    once = normalise(text)
    assert normalise(once) == once
    assert len(once) <= MAX_QUERY_CHARS
    assert not any(ord(c) < 32 for c in once)


@given(st.text())
def test_fold_is_script_blind(text):
    assert fold(to_simplified(text)) == fold(text) or len(text) > MAX_QUERY_CHARS


def test_fold_makes_full_width_case_and_script_the_same():
    assert fold("ＲＰＬ 過往資歷認可") == fold("rpl 过往资历认可") == "rpl 过往资历认可"


@pytest.mark.parametrize(
    "text, lang",
    [
        ("過往資歷認可幾時截止？", "zh-Hant"),
        ("我冇中五可唔可以讀保健員課程", "zh-Hant"),  # Cantonese is answered in Traditional
        ("过往资历认可什么时候截止？", "zh-Hans"),
        ("RPL 幾時截止?", "zh-Hant"),
        ("rpl 几时截止", "zh-Hans"),
        ("Where is the E&M InnoZone (機電創科專區)?", "en"),
        ("When does the exemption end", "en"),
        ("VPES 設喺邊個城市？", "zh-Hant"),
        ("資歷架構", "zh-Hant"),  # shared characters: Hong Kong default
    ],
)
def test_detect_lang(text, lang):
    assert detect_lang(text) == lang


def test_detect_lang_default_for_ambiguous_chinese_can_be_chosen():
    assert detect_lang("中文", default_chinese="zh-Hans") == "zh-Hans"


@pytest.mark.parametrize(
    "word, base",
    [
        ("provinces", "province"),
        ("qualifications", "qualification"),
        ("companies", "company"),
        ("training", "train"),
        ("registered", "register"),
        ("class", "class"),
        ("status", "status"),
        ("rpl", "rpl"),
        ("sector's", "sector"),
        ("vtc's", "vtc"),
    ],
)
def test_english_words_meet_their_base_form(word, base):
    from bot.kb.text import stem

    assert stem(word) == base


def test_variant_characters_hong_kong_keyboards_type_fold_to_the_usual_ones():
    assert fold("招聘廣吿") == fold("招聘廣告")
    assert fold("淸楚") == fold("清楚")
