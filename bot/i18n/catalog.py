"""The message catalog: one YAML file per language in this directory, loaded once at import.

    zh-Hant.yaml   Traditional Chinese (Hong Kong): every message
    en.yaml        English: every message, the same keys
    zh-Hans.yaml   Simplified Chinese: only the messages OpenCC's conversion of zh-Hant.yaml gets wrong

A translator works on one file; tests/test_i18n.py checks that every key is in every language with
the same placeholders and that every key the code names exists. A key written twice in one file is
refused here (plain YAML would keep the last one silently).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.kb.text import Lang

DIRECTORY = Path(__file__).parent
FULL_LANGS: tuple[Lang, ...] = ("zh-Hant", "en")  # every key; zh-Hans holds overrides only
LANGS: tuple[Lang, ...] = (*FULL_LANGS, "zh-Hans")


class CatalogError(Exception):
    """A catalog file that is not a mapping of keys to texts, or that defines a key twice."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that refuses a key defined twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise CatalogError(f"line {line}: {key!r} is defined twice")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_language(path: Path) -> dict[str, str]:
    """One language's messages, in the file's order (an absent or comment-only file is empty)."""
    if not path.exists():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except CatalogError as exc:
        raise CatalogError(f"{path.name}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CatalogError(f"{path.name}: must be a mapping of message keys to texts")
    for key, text in data.items():
        if not isinstance(key, str) or not isinstance(text, str):
            raise CatalogError(f"{path.name}: {key!r} must be a text")
    return data


def load_catalog(directory: Path = DIRECTORY) -> dict[Lang, dict[str, str]]:
    return {lang: load_language(directory / f"{lang}.yaml") for lang in LANGS}


CATALOG: dict[Lang, dict[str, str]] = load_catalog()
