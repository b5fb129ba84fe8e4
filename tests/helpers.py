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
