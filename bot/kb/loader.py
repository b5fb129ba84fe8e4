"""Knowledge files (YAML) → a validated, immutable KnowledgeBase, or every error with file/entry/field.

An admin's broken edit must never take answers down, so loading is all-or-nothing: the caller
keeps serving the previous KnowledgeBase whenever `load_knowledge` reports errors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from bot.kb.readings import Readings
from bot.kb.schema import EntriesFile, Entry, KnowledgeError, Source, SourcesFile, Topic

SOURCES_FILE = "sources.yaml"
RULES_FILE = "rules.yaml"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML, with dates kept as text: the schema checks them and reports a bad one precisely."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


class KnowledgeInvalid(Exception):
    def __init__(self, errors: list[KnowledgeError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the knowledge files")
        self.errors = errors


@dataclass(frozen=True)
class KnowledgeBase:
    entries: Mapping[str, Entry]
    sources: Mapping[str, Source]
    topics: Mapping[str, Topic]
    files: Mapping[str, str] = field(default_factory=dict)  # entry id -> file it came from
    rules: Any = None  # eligibility rules (bot.rules), when rules.yaml exists
    digest: str = ""
    readings: Readings = field(default_factory=Readings)  # the index's, when it has them

    def __post_init__(self) -> None:
        kids: dict[str, list[Entry]] = {}
        for e in self.entries.values():
            if e.parent:
                kids.setdefault(e.parent, []).append(e)
        object.__setattr__(self, "_children", kids)

    def children(self, entry_id: str) -> list[Entry]:
        return list(self._children.get(entry_id, ()))  # type: ignore[attr-defined]


def knowledge_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def content_digest(directory: Path) -> str:
    """A hash of every knowledge file's name and bytes: the index is stale when it changes."""
    h = hashlib.sha256()
    for path in knowledge_files(directory):
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    extra = directory / "cantonese_words.txt"
    if extra.exists():
        h.update(extra.read_bytes())
    return h.hexdigest()


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _validation_errors(
    file: str, exc: ValidationError, raw: Any, list_key: str
) -> list[KnowledgeError]:
    errors = []
    for err in exc.errors():
        loc = err["loc"]
        entry_id = None
        rest = loc
        if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
            try:
                entry_id = str(raw[list_key][loc[1]].get("id") or f"#{loc[1] + 1}")
            except (KeyError, IndexError, TypeError, AttributeError):
                entry_id = f"#{loc[1] + 1}"
            rest = loc[2:]
        errors.append(KnowledgeError(file, entry_id, _field_path(rest) or None, err["msg"]))
    return errors


MAX_FILE_BYTES = 16 * 1024 * 1024  # one knowledge file; about 15,000 entries of the usual size
MAX_NODES = 1_000_000  # YAML nodes (mappings, lists, scalars) in one file, aliases expanded


def _sections(file_name: str) -> tuple[str, ...]:
    """The top-level keys a knowledge file may have."""
    if file_name == SOURCES_FILE:
        return tuple(SourcesFile.model_fields)
    if file_name == RULES_FILE:
        from bot.rules.loader import TOP_KEYS

        return TOP_KEYS
    return tuple(EntriesFile.model_fields)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_nodes(root: yaml.Node, file_name: str) -> KnowledgeError | None:
    """Refuse, before anything is constructed, what could make a small file expand into a huge
    object, and top-level sections the schema does not know.

    Aliases (`&name` … `*name`) are shared nodes in the composed graph; a file whose aliases would
    expand to more than MAX_NODES nodes (the YAML "billion laughs"), or that refers to itself, is
    refused. The expanded size is counted once per shared node, so this takes time linear in the
    file, whatever it would expand to."""
    if isinstance(root, yaml.MappingNode):
        allowed = _sections(file_name)
        for key, _ in root.value:
            if isinstance(key, yaml.ScalarNode) and key.value not in allowed:
                return KnowledgeError(
                    file_name,
                    None,
                    str(key.value)[:80],
                    f"unknown section (line {key.start_mark.line + 1}); expected {', '.join(allowed)}",
                )
    size: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            visiting.discard(key)
            size[key] = min(1 + sum(size[id(child)] for child in _children(node)), MAX_NODES + 1)
            if size[key] > MAX_NODES:
                return KnowledgeError(
                    file_name,
                    None,
                    None,
                    f"expands to more than {MAX_NODES:,} YAML nodes (line {node.start_mark.line + 1}; "
                    "aliases `*name` count every time they are used): split the file or write less",
                )
            continue
        if key in size:
            continue
        visiting.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in visiting:
                return KnowledgeError(
                    file_name,
                    None,
                    None,
                    f"a YAML alias refers to itself (line {child.start_mark.line + 1})",
                )
            if id(child) not in size:
                stack.append((child, False))
    return None


def _read_yaml(path: Path) -> tuple[Any, list[KnowledgeError]]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                KnowledgeError(
                    path.name,
                    None,
                    None,
                    f"the file has {size:,} bytes; the limit is "
                    f"{MAX_FILE_BYTES:,}: split it into several files",
                )
            ]
        loader = _Loader(path.read_text(encoding="utf-8"))
        try:
            node = (
                loader.get_single_node()
            )  # the node graph: an alias is a shared node, not a copy
            if node is None:
                return None, []
            refused = _check_nodes(node, path.name)
            if refused is not None:
                return None, [refused]
            return loader.construct_document(node), []
        finally:
            loader.dispose()
    except UnicodeDecodeError as exc:
        return None, [KnowledgeError(path.name, None, None, f"not UTF-8 text: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [
            KnowledgeError(path.name, None, None, f"YAML syntax error{where}: {problem}")
        ]
    except (ValueError, TypeError) as exc:  # e.g. a constructor rejecting a value
        return None, [KnowledgeError(path.name, None, None, f"YAML value error: {exc}")]


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load and validate every file; raise KnowledgeInvalid with all errors found."""
    errors: list[KnowledgeError] = []
    sources: dict[str, Source] = {}
    topics: dict[str, Topic] = {}
    entries: dict[str, Entry] = {}
    files: dict[str, str] = {}
    rules_raw: tuple[Path, Any] | None = None
    paths = knowledge_files(directory)
    if not (directory / SOURCES_FILE).exists():
        errors.append(
            KnowledgeError(SOURCES_FILE, None, None, "missing: it lists the source documents")
        )
    for path in paths:
        raw, errs = _read_yaml(path)
        errors.extend(errs)
        if errs:
            continue
        if path.name == RULES_FILE:
            rules_raw = (path, raw)
            continue
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            errors.append(
                KnowledgeError(path.name, None, None, "the file must be a mapping with `entries:`")
            )
            continue
        if path.name == SOURCES_FILE:
            try:
                parsed = SourcesFile.model_validate(raw)
            except ValidationError as exc:
                errors.extend(_validation_errors(path.name, exc, raw, "sources"))
                continue
            for s in parsed.sources:
                if s.id in sources:
                    errors.append(KnowledgeError(path.name, s.id, "id", "duplicate source id"))
                sources[s.id] = s
            for t in parsed.topics:
                topics[t.id] = t
            continue
        try:
            parsed_entries = EntriesFile.model_validate(raw)
        except ValidationError as exc:
            errors.extend(_validation_errors(path.name, exc, raw, "entries"))
            continue
        for entry in parsed_entries.entries:
            if entry.id in entries:
                errors.append(
                    KnowledgeError(
                        path.name, entry.id, "id", f"duplicate id (also in {files[entry.id]})"
                    )
                )
                continue
            entries[entry.id] = entry
            files[entry.id] = path.name

    errors.extend(_reference_errors(entries, files, sources, topics))
    rules = None
    if rules_raw is not None:
        from bot.rules.loader import load_rules  # rules refer to entries, so they load last

        rules, rule_errors = load_rules(rules_raw[0].name, rules_raw[1], entries, sources)
        errors.extend(rule_errors)
    if not entries and not errors:
        errors.append(KnowledgeError("knowledge/", None, None, "no entries found"))
    if errors:
        raise KnowledgeInvalid(errors)
    return KnowledgeBase(
        entries=MappingProxyType(entries),
        sources=MappingProxyType(sources),
        topics=MappingProxyType(topics),
        files=MappingProxyType(files),
        rules=rules,
        digest=content_digest(directory),
    )


def _reference_errors(
    entries: dict[str, Entry],
    files: dict[str, str],
    sources: dict[str, Source],
    topics: dict[str, Topic],
) -> list[KnowledgeError]:
    errors = []
    for entry in entries.values():
        file = files[entry.id]
        if entry.source.doc not in sources:
            errors.append(
                KnowledgeError(
                    file, entry.id, "source.doc", f"unknown document {entry.source.doc!r}"
                )
            )
        if entry.topic not in topics:
            errors.append(
                KnowledgeError(file, entry.id, "topic", f"unknown topic {entry.topic!r}")
            )
        if entry.parent is not None and entry.parent not in entries:
            errors.append(
                KnowledgeError(file, entry.id, "parent", f"no entry with id {entry.parent!r}")
            )
        if entry.parent == entry.id:
            errors.append(
                KnowledgeError(file, entry.id, "parent", "an entry cannot be its own parent")
            )
        for i, rel in enumerate(entry.related):
            if rel not in entries:
                errors.append(
                    KnowledgeError(file, entry.id, f"related.{i}", f"no entry with id {rel!r}")
                )
    return errors
