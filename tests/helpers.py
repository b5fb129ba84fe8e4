"""Shared test helpers: an engine over the small fixture knowledge base, built once per session."""

from __future__ import annotations

import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from bot.assistant import Assistant

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"


@lru_cache(maxsize=1)
def fixture_index_dir() -> Path:
    """A private copy of the fixture knowledge and its built index (removed with the temp dir)."""
    base = Path(tempfile.mkdtemp(prefix="vt-fixture-"))
    shutil.copytree(FIXTURE_KB, base / "knowledge")
    Assistant.open(base / "knowledge", base / "var" / "index.sqlite")
    return base


def fixture_assistant(**kwargs) -> Assistant:
    base = fixture_index_dir()
    return Assistant.open(base / "knowledge", base / "var" / "index.sqlite", **kwargs)


@lru_cache(maxsize=1)
def real_index_dir() -> Path:
    """A private index over the real knowledge/ (the files are read in place, never written)."""
    base = Path(tempfile.mkdtemp(prefix="vt-real-"))
    Assistant.open(ROOT / "knowledge", base / "index.sqlite")
    return base


def real_assistant(**kwargs) -> Assistant:
    """The engine over the real knowledge base: for behaviour that depends on what the documents say."""
    return Assistant.open(ROOT / "knowledge", real_index_dir() / "index.sqlite", **kwargs)
