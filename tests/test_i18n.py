"""The message catalog: one file per language (bot/i18n/<lang>.yaml), every key in every language
with the same placeholders, no key defined twice, every key the code names defined; dates per
language."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import opencc
import pytest

from bot.i18n import render_date, render_span, t
from bot.i18n.catalog import CATALOG, FULL_LANGS, CatalogError, load_catalog, load_language
from tests.helpers import bot_syntax, each

S2T = opencc.OpenCC("s2t")
# Characters OpenCC's s2t rewrites but Hong Kong Traditional writes as they are (秘書處, 群組, 平台).
HK_FORMS = set("秘群台峰")
BOT = Path(__file__).resolve().parent.parent / "bot"
KEYS = sorted(CATALOG["zh-Hant"])


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_file_has_the_same_keys():
    for lang in FULL_LANGS:
        assert set(CATALOG[lang]) == set(KEYS), lang
    assert set(CATALOG["zh-Hans"]) <= set(KEYS), "a zh-Hans text for a key no other language has"


def test_every_message_has_every_language_and_the_same_placeholders():
    def check(key: str) -> None:
        texts = {lang: CATALOG[lang].get(key) for lang in (*FULL_LANGS, "zh-Hans")}
        assert all(texts[lang] for lang in FULL_LANGS), key
        for text in texts.values():
            if text is not None:
                assert fields(text) == fields(texts["en"] or ""), key

    each(KEYS, check)


def test_traditional_messages_use_no_simplified_only_characters():
    def check(key: str) -> None:
        wrong = [
            c
            for c in CATALOG["zh-Hant"][key]
            if "\u4e00" <= c <= "\u9fff" and S2T.convert(c) != c and c not in HK_FORMS
        ]
        assert not wrong, f"{key}: {''.join(wrong)}"

    each(KEYS, check)


def test_a_key_written_twice_is_refused(tmp_path):
    (tmp_path / "en.yaml").write_text("hello: Hello\nbye: Bye\nhello: Hi\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"en.yaml: line 3: 'hello' is defined twice"):
        load_language(tmp_path / "en.yaml")


def test_a_file_of_something_else_than_texts_is_refused(tmp_path):
    (tmp_path / "en.yaml").write_text("hello:\n  - Hello\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="'hello' must be a text"):
        load_language(tmp_path / "en.yaml")


def test_an_overrides_file_with_comments_only_is_empty(tmp_path):
    (tmp_path / "zh-Hant.yaml").write_text("hello: 你好\n", encoding="utf-8")
    (tmp_path / "zh-Hans.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_catalog(tmp_path) == {"zh-Hant": {"hello": "你好"}, "en": {}, "zh-Hans": {}}


def _names(node: ast.expr) -> list[tuple[str, bool]]:
    """The keys (or key prefixes) an argument names: "key", f"prefix_{…}", "a" if … else "b"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, False)]
    if isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
        return [(str(node.values[0].value), True)]
    if isinstance(node, ast.IfExp):
        return _names(node.body) + _names(node.orelse)
    return []  # a key in a variable: checked where it is written, if at all


def _named_keys() -> list[tuple[str, str, bool]]:
    """(where, key or key prefix, is a prefix) for every t(...) call in bot/ that names its key."""
    found = []
    for path, tree in bot_syntax().items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name != "t":
                continue
            where = f"{path.relative_to(BOT.parent)}:{node.lineno}"
            found += [(where, key, prefix) for key, prefix in _names(node.args[0])]
    return found


def test_every_key_the_code_names_is_in_the_catalog():
    named = _named_keys()
    # The scan sees the calls: the eligibility replies name each of their keys.
    assert {key for _, key, _ in named} >= {k for k in KEYS if k.startswith("rl_")}
    missing = [
        f"{where}: {key}"
        for where, key, prefix in named
        if not (any(k.startswith(key) for k in KEYS) if prefix else key in CATALOG["en"])
    ]
    assert not missing


def test_simplified_is_derived_from_traditional():
    assert t("choose", "zh-Hans") == "我不太肯定你想问哪一项，请选择："


def test_a_simplified_text_given_in_the_catalog_wins(monkeypatch):
    from bot.i18n import _template

    monkeypatch.setitem(CATALOG, "zh-Hans", {"choose": "请选一项："})
    _template.cache_clear()
    try:
        assert t("choose", "zh-Hans") == "请选一项："
        assert t("choose", "zh-Hant") == "我不太肯定你想問哪一項，請選擇："
    finally:
        _template.cache_clear()


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
