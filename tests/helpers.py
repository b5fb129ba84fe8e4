"""Shared test helpers: an engine over the small fixture knowledge base, built once per session."""

from __future__ import annotations

import ast
import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.assistant import Assistant
from bot.kb.index import DICT_NAME, Index, ensure_index
from bot.kb.loader import KnowledgeBase, load_knowledge
from bot.rules import Rules, load_rules

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "knowledge"


INDEX_CACHE = ROOT / "var" / "test-indexes"
JIEBA_CACHE = "jieba.cache"  # in an INDEX_CACHE entry: jieba's cache of the entry's dictionary
T = TypeVar("T")


def load_yaml(text: str) -> Any:
    """yaml.safe_load's result, parsed by libyaml when PyYAML has it (as the bot's own loaders
    do): pure-Python parsing of the knowledge files costs seconds per test run."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A hash of the bot's code: an index built by other code is never reused."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "bot").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_index_cached(name: str, knowledge: Path, index: Path) -> None:
    """Build the index of `knowledge` at `index`, or copy the one an earlier test run built from the
    same knowledge files with the same bot code (var/test-indexes/, a few seconds saved per run).
    The engine's own freshness check (version and content digest) still runs on the copy."""
    from bot.kb.loader import content_digest

    key = f"{name}-{content_digest(knowledge)[:16]}-{_code_digest()}"
    cached = INDEX_CACHE / key
    dictionary = index.with_name(f"{index.stem}.{DICT_NAME}")
    index.parent.mkdir(parents=True, exist_ok=True)
    if (cached / index.name).exists():
        # jieba's cache last, so that it is newer than the dictionary (jieba checks).
        for path in sorted(cached.iterdir(), key=lambda p: p.name == JIEBA_CACHE):
            name_here = jieba_cache_name(dictionary) if path.name == JIEBA_CACHE else path.name
            shutil.copy(path, index.parent / name_here)
    ensure_index(knowledge, index)
    if (cached / JIEBA_CACHE).exists():
        return
    if not cached.exists():
        INDEX_CACHE.mkdir(parents=True, exist_ok=True)
        for old in INDEX_CACHE.glob(f"{name}-*"):  # from other files or code: not needed again
            shutil.rmtree(old, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=INDEX_CACHE))
        for path in index.parent.iterdir():
            if path.name.startswith(index.stem) and path.is_file():
                shutil.copy(path, staging / path.name)
        try:
            staging.rename(cached)  # whole or not at all, if another run got there first
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    _keep_jieba_cache(cached, dictionary)


def _keep_jieba_cache(entry: Path, dictionary: Path) -> None:
    """Make jieba's cache of the entry's dictionary once, keep it in the entry (JIEBA_CACHE) and
    give this run's copy at `dictionary` its own: opening an index then loads it (~0.1 s) rather
    than building it (~0.3 s). jieba names a cache after its dictionary's path."""
    from bot.kb.text import Segmenter

    work = Path(tempfile.mkdtemp(prefix=".jieba-", dir=INDEX_CACHE))
    try:
        copy = shutil.copy(entry / dictionary.name, work / dictionary.name)
        Segmenter(Path(copy), work)
        made = work / jieba_cache_name(Path(copy))
        if made.exists():
            shutil.copy(made, dictionary.parent / jieba_cache_name(dictionary))
            os.replace(made, entry / JIEBA_CACHE)
    except OSError:  # the entry was replaced meanwhile by another run: nothing to keep
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)


@lru_cache(maxsize=1)
def bot_syntax() -> dict[Path, ast.Module]:
    """Every module of bot/ parsed, once per session: the import-layer and catalog-key scans both
    read them all (a quarter of a second a pass)."""
    return {
        path: ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted((ROOT / "bot").rglob("*.py"))
    }


def each(items: Iterable[T], check: Callable[[T], object], name: Callable[[T], str] = str) -> None:
    """Run `check` on every item, then fail once, naming each item that failed and how. For a rule
    every knowledge entry (211) or catalog message (390) must keep: one test over all of them, as
    pytest's own cost per test (about a millisecond) was most of the time of one test per item."""
    failures = []
    for item in items:
        try:
            check(item)
        except AssertionError as exc:
            failures.append(f"{name(item)}: {exc}")
    assert not failures, f"{len(failures)} failed:\n" + "\n".join(failures)


def bot_py(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python bot.py *args` in a new process from the repository root, with exactly `env`; its
    output captured as text."""
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def bot_main(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`bot.py *args` run in this process (bot.cli.main), as `bot_py` runs it in a new one: from
    the repository root, with exactly `env` as the environment and `stdin` as its input; its
    stdout, stderr (logging included) and exit status captured. A fraction of the ~0.7 s a new
    Python process with the bot's imports takes. An exception the command does not handle
    propagates (a new process would print it)."""
    import io
    import logging
    from contextlib import chdir, redirect_stderr, redirect_stdout
    from unittest import mock

    from bot.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    # As in a new process: no handlers yet, so the CLI's logging.basicConfig writes to its stderr.
    root.handlers.clear()
    try:
        with (
            mock.patch.dict(os.environ, env, clear=True),
            chdir(ROOT),
            mock.patch.object(sys, "stdin", io.StringIO(stdin or "")),
            redirect_stdout(out),
            redirect_stderr(err),
        ):
            try:
                main(list(args))
                code: int | str | None = 0
            except SystemExit as exc:
                code = exc.code
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
    if isinstance(code, str):  # SystemExit("message"): printed, status 1
        print(code, file=err)
    out.flush()
    err.flush()
    return subprocess.CompletedProcess(
        ["bot.py", *args],
        code if isinstance(code, int) else 0 if code is None else 1,
        out.buffer.getvalue().decode("utf-8"),
        err.buffer.getvalue().decode("utf-8"),
    )


def session_dir(prefix: str) -> Path:
    """A new temporary folder, removed when the test process ends (they were left in /tmp)."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    return base


@lru_cache(maxsize=1)
def fixture_index_dir() -> Path:
    """A private copy of the fixture knowledge and its built index, for this test process."""
    base = session_dir("vt-fixture-")
    shutil.copytree(FIXTURE_KB, base / "knowledge")
    build_index_cached("fixture", base / "knowledge", base / "var" / "index.sqlite")
    return base


def fixture_copy(target: Path) -> tuple[Path, Path]:
    """A private copy of the fixture knowledge under `target`, to edit, with its index beside it
    (copied, not built again): the knowledge folder and the index path."""
    base = fixture_index_dir()
    knowledge = target / "knowledge"
    shutil.copytree(base / "knowledge", knowledge)
    index = target / "var" / "index.sqlite"
    index.parent.mkdir(parents=True, exist_ok=True)
    for path in (base / "var").iterdir():
        if path.name.startswith(index.stem) and path.is_file():  # the index and its dictionary
            shutil.copy(path, index.parent / path.name)
    # jieba's cache of the same dictionary, under the name jieba gives it for the copy (from the
    # dictionary's path): opening the copy then loads it instead of building it (~0.2 s).
    cache = base / "var" / jieba_cache_name(base / "var" / f"{index.stem}.{DICT_NAME}")
    if cache.exists():
        shutil.copy(
            cache, index.parent / jieba_cache_name(index.parent / f"{index.stem}.{DICT_NAME}")
        )
    return knowledge, index


def jieba_cache_name(dictionary: Path) -> str:
    """The file name jieba (Tokenizer.initialize) gives its cache of `dictionary`."""
    digest = hashlib.md5(os.path.abspath(dictionary).encode("utf-8", "replace")).hexdigest()
    return f"jieba.u{digest}.cache"


@lru_cache(maxsize=1)
def fixture_index() -> Index:
    """The fixture knowledge's index, opened once per session. An Index is a read-only view that
    Assistants may share (Assistant.swap does), and an open loads jieba's dictionary (~0.3 s)."""
    return Index(fixture_index_dir() / "var" / "index.sqlite")


def fixture_assistant(**kwargs) -> Assistant:
    """The engine over the small fixture knowledge base (a new Assistant on the shared index)."""
    return Assistant(fixture_index(), **kwargs)


@lru_cache(maxsize=1)
def real_knowledge() -> KnowledgeBase:
    """knowledge/ loaded once per session, for tests that read it (never change it)."""
    return load_knowledge(ROOT / "knowledge")


@lru_cache(maxsize=1)
def real_rules() -> Rules:
    """knowledge/rules.yaml on its own (no entries or sources to check against), loaded once."""
    raw = load_yaml((ROOT / "knowledge" / "rules.yaml").read_text(encoding="utf-8"))
    rules, errors = load_rules("rules.yaml", raw, {}, {})
    assert rules is not None and errors == [], errors
    return rules


@lru_cache(maxsize=1)
def real_index_dir() -> Path:
    """A private index over the real knowledge/ (the files are read in place, never written)."""
    base = session_dir("vt-real-")
    build_index_cached("real", ROOT / "knowledge", base / "index.sqlite")
    return base


@lru_cache(maxsize=1)
def real_index() -> Index:
    """The index over the real knowledge/, opened once per session (see fixture_index): opening it
    also reads and checks every entry, most of a second."""
    return Index(real_index_dir() / "index.sqlite")


def real_assistant(**kwargs) -> Assistant:
    """The engine over the real knowledge base: for behaviour that depends on what the documents say."""
    return Assistant(real_index(), **kwargs)
