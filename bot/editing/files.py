"""Knowledge files as an admin changes them: validate a candidate beside the live files, replace
atomically keeping a backup, and summarise what a change does.

A file with errors is never written: the candidate is validated in a scratch copy of the knowledge
folder first. The replacement is a write to a temporary file in the same folder, fsync, then
os.replace: a crash leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.kb.loader import KnowledgeBase, knowledge_files, load_knowledge
from bot.kb.schema import Entry

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,60}\.yaml$")
MAX_FILE_BYTES = 2 * 1024 * 1024
BACKUPS_KEPT = 30  # per file
_NUMBER = re.compile(r"\d+(?:[,.]\d+)*")


def sha256(content: bytes | None) -> str:
    return hashlib.sha256(content).hexdigest() if content is not None else ""


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def validate_with(knowledge_dir: Path, name: str, content: bytes | None) -> KnowledgeBase:
    """The knowledge as it would be with file `name` holding `content` (None: without the file);
    raises KnowledgeInvalid with every error. The live folder is not touched."""
    with tempfile.TemporaryDirectory(prefix="kb-check-") as scratch:
        staged = Path(scratch)
        for path in knowledge_files(knowledge_dir):
            if path.name != name:
                shutil.copyfile(path, staged / path.name)
        words = knowledge_dir / "cantonese_words.txt"
        if words.exists():
            shutil.copyfile(words, staged / words.name)
        if content is not None:
            (staged / name).write_bytes(content)
        return load_knowledge(staged)


def replace_file(
    knowledge_dir: Path, name: str, content: bytes | None, backup_dir: Path | None
) -> bytes | None:
    """Put `content` in place of knowledge file `name` atomically (None removes it); the old bytes are
    returned and, when `backup_dir` is given, kept there as NAME.<UTC time>.yaml."""
    target = knowledge_dir / name
    old = read_bytes(target)
    if old is not None and backup_dir is not None:
        backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        _write_atomic(backup_dir / f"{target.stem}.{stamp}.yaml", old)
        _prune(backup_dir, target.stem)
    if content is None:
        target.unlink(missing_ok=True)
    else:
        _write_atomic(target, content)
    _sync_dir(knowledge_dir)
    return old


def _write_atomic(target: Path, content: bytes) -> None:
    # The temporary name does not end in .yaml, so a reload meanwhile never reads it.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _prune(backup_dir: Path, stem: str) -> None:
    backups = sorted(backup_dir.glob(f"{stem}.*.yaml"))
    for old in backups[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)


# -- what a change does ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    entry_id: str
    before: list[str]
    after: list[str]


@dataclass(frozen=True)
class ChangeSummary:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def as_json(self) -> dict:
        return {"added": self.added, "changed": self.changed, "removed": self.removed}


def figures(entry: Entry) -> list[str]:
    """The numbers and dates an entry states (answer in both languages, its dates), in order."""
    found = _NUMBER.findall(entry.answer.zh) + _NUMBER.findall(entry.answer.en)
    if entry.when is not None:
        found += [entry.when.start] + ([entry.when.end] if entry.when.end else [])
    return found


def summarise(old: KnowledgeBase, new: KnowledgeBase) -> ChangeSummary:
    """Entries added, changed and removed; and the changed entries whose figures differ."""
    added = sorted(set(new.entries) - set(old.entries))
    removed = sorted(set(old.entries) - set(new.entries))
    changed = sorted(
        i for i in set(old.entries) & set(new.entries) if old.entries[i] != new.entries[i]
    )
    moved = []
    for entry_id in changed:
        before, after = figures(old.entries[entry_id]), figures(new.entries[entry_id])
        if sorted(set(before)) != sorted(set(after)):
            gone = [f for f in dict.fromkeys(before) if f not in after]
            came = [f for f in dict.fromkeys(after) if f not in before]
            moved.append(FigureChange(entry_id, gone, came))
    return ChangeSummary(added, changed, removed, moved)
