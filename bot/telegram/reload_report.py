"""A refused reload's errors, root causes first (issue 11, point 6). No Telegram here.

One missing field makes its whole file fail validation; every entry of that file is then missing, so
each `related`, `parent` or rule `entry` pointing into it is reported too — forty errors for one
mistake. Here an error is a *consequence* when it names an id that a failing file declares (or that
an erroneous entry has); it is folded into that file's first root error ("and 38 errors caused by
it"). Roots come ordered so that every file's first error is shown first, then the rest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

REFERENCE = re.compile(
    r"(?:no entry with id|unknown document|unknown topic|unknown fact)\s+['\"]([^'\"]+)['\"]"
)
DECLARED_ID = re.compile(r"^\s*-\s*id:\s*['\"]?([A-Za-z0-9_.-]+)", re.MULTILINE)


class ErrorLike(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def entry(self) -> str | None: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class Root:
    error: ErrorLike
    caused: int = 0


def declared_ids(directory: Path, files: Iterable[str]) -> dict[str, set[str]]:
    """The ids each of `files` declares, read loosely (works on a file YAML cannot parse)."""
    out: dict[str, set[str]] = {}
    for name in set(files):
        path = directory / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        out[name] = set(DECLARED_ID.findall(text))
    return out


def fold(errors: Sequence[ErrorLike], declared: dict[str, set[str]] | None = None) -> list[Root]:
    """Root errors (each file's first one first), each with how many errors it caused."""
    declared = declared or {}
    reference = [REFERENCE.search(e.message) for e in errors]
    roots = [e for e, ref in zip(errors, reference, strict=True) if ref is None]
    failing = {e.file for e in roots}
    # id -> the file whose failure made it missing
    origin: dict[str, str] = {}
    for file in failing:
        for entry_id in declared.get(file, ()):
            origin.setdefault(entry_id, file)
    for e in roots:
        if e.entry:
            origin.setdefault(e.entry, e.file)
    caused: dict[str, int] = defaultdict(int)
    for e, ref in zip(errors, reference, strict=True):
        if ref is None:
            continue
        source = origin.get(ref.group(1))
        if source is not None and source in failing:
            caused[source] += 1
        else:
            roots.append(e)  # a reference to something that never existed: a root of its own
    firsts: dict[str, ErrorLike] = {}
    for e in roots:
        firsts.setdefault(e.file, e)
    ordered = list(firsts.values()) + [e for e in roots if firsts.get(e.file) is not e]
    return [Root(e, caused.pop(e.file, 0) if firsts.get(e.file) is e else 0) for e in ordered]
