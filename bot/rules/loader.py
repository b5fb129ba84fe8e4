"""rules.yaml → validated Rules, or every error with file, rule (or fact) id and field.

Called by bot.kb.loader with the entries and sources already loaded (to check references), and by
the search index with the stored raw data and no sources (those were checked when it was built).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from pydantic import ValidationError

from bot.kb.schema import Entry, KnowledgeError, Source
from bot.rules.cues import CueIndex
from bot.rules.schema import CompiledRule, Condition, Document, Fact, Rule, Rules

TOP_KEYS = ("documents", "facts", "rules")
Item = TypeVar("Item", Document, Fact, Rule)  # the models of the three lists, each with an `id`


def jsonable(raw: Any) -> Any:
    """The parsed YAML with dates as ISO text, so the index can store it as JSON."""
    if isinstance(raw, dict):
        return {str(k): jsonable(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return [jsonable(v) for v in raw]
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()
    return raw


def load_rules(
    file_name: str, raw: Any, entries: dict[str, Entry], sources: dict[str, Source]
) -> tuple[Rules | None, list[KnowledgeError]]:
    errors: list[KnowledgeError] = []

    def err(item: str | None, field: str | None, message: str) -> None:
        errors.append(KnowledgeError(file_name, item, field, message))

    if not isinstance(raw, dict):
        err(None, None, "the file must be a mapping with `documents:`, `facts:` and `rules:`")
        return None, errors
    for key in raw:
        if key not in TOP_KEYS:
            err(None, str(key), f"unknown section; expected {', '.join(TOP_KEYS)}")
    data = jsonable(raw)

    documents = _parse_list(data, "documents", Document, err)
    facts = _parse_list(data, "facts", Fact, err)
    specs = _parse_list(data, "rules", Rule, err)
    for key in TOP_KEYS:
        if not data.get(key):
            err(None, key, f"missing or empty: list the {key}")

    for doc in documents.values():
        source = sources.get(doc.id)
        if not sources:
            continue
        if source is None:
            err(
                doc.id,
                "id",
                f"unknown document {doc.id!r}: it must be a source id in sources.yaml",
            )
        elif (doc.title.zh, doc.title.en) != (source.title.zh, source.title.en):
            err(doc.id, "title", "differs from the title in sources.yaml; copy it from there")

    _check_facts(facts, err)
    compiled = [
        rule
        for spec in specs.values()
        if (rule := _compile_rule(spec, facts, documents, entries, err)) is not None
    ]
    if errors:
        return None, errors
    return Rules(
        raw=data, facts=facts, rules=compiled, documents=documents, cues=CueIndex(facts.values())
    ), []


def _parse_list(data: dict, key: str, model: type[Item], err) -> dict[str, Item]:
    """Validate each item on its own, so one broken rule does not hide errors in the others."""
    items = data.get(key)
    if items is None:
        return {}
    if not isinstance(items, list):
        err(None, key, "must be a list")
        return {}
    parsed: dict[str, Item] = {}
    for i, item in enumerate(items):
        name = (
            str(item.get("id")) if isinstance(item, dict) and item.get("id") else f"{key} #{i + 1}"
        )
        if not isinstance(item, dict):
            err(name, None, "must be a mapping")
            continue
        try:
            obj = model.model_validate(item)
        except ValidationError as exc:
            for e in exc.errors():
                err(name, ".".join(str(p) for p in e["loc"]) or None, e["msg"])
            continue
        if obj.id in parsed:
            err(obj.id, "id", f"duplicate id in {key}")
            continue
        parsed[obj.id] = obj
    return parsed


def _check_facts(facts: dict[str, Fact], err) -> None:
    for fact in facts.values():
        seen: dict[str, Any] = {}
        for i, option in enumerate(fact.options):
            for cue in option.cues:
                key = cue.casefold()
                if key in seen and seen[key] != option.value:
                    err(
                        fact.id,
                        f"options.{i}.cues",
                        f"cue {cue!r} is also given for {seen[key]!r}",
                    )
                seen[key] = option.value
            for other, value in option.implies.items():
                target = facts.get(other)
                if target is None or other == fact.id:
                    err(fact.id, f"options.{i}.implies.{other}", f"unknown fact {other!r}")
                elif target.kind == "number" or target.option(value) is None:
                    err(
                        fact.id,
                        f"options.{i}.implies.{other}",
                        f"{value!r} is not an option of {other}",
                    )
    if facts and not any(f.topic for f in facts.values()):
        err(
            None,
            "facts",
            "mark one fact `topic: true` (the industry) so free-text questions can find rules",
        )


def _compile_rule(
    spec: Rule,
    facts: dict[str, Fact],
    documents: dict[str, Document],
    entries: dict[str, Entry],
    err,
) -> CompiledRule | None:
    ok = True

    def bad(field: str, message: str) -> None:
        nonlocal ok
        ok = False
        err(spec.id, field, message)

    conditions: list[Condition] = []
    for fid, wanted in spec.when.items():
        fact = facts.get(fid)
        if fact is None:
            bad(f"when.{fid}", f"unknown fact {fid!r}; facts are: {', '.join(facts)}")
            continue
        if fact.kind == "number":
            if (
                not isinstance(wanted, dict)
                or not wanted
                or set(wanted) - {"min", "max"}
                or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool)
                    for v in wanted.values()
                )
            ):
                bad(f"when.{fid}", "a number fact needs {min: N} and/or {max: N}")
                continue
            conditions.append(Condition(fid, min=wanted.get("min"), max=wanted.get("max")))
            continue
        values = wanted if isinstance(wanted, list) else [wanted]
        unknown = [v for v in values if fact.option(v) is None]
        if not values or unknown:
            allowed = ", ".join(
                str(o.value).lower() if isinstance(o.value, bool) else o.value
                for o in fact.options
            )
            bad(
                f"when.{fid}",
                f"{unknown[0] if unknown else values!r} is not an option of {fid} ({allowed})",
            )
            continue
        conditions.append(Condition(fid, values=tuple(values)))
    if ok and not any(facts[c.fact].topic for c in conditions):
        topics = [f.id for f in facts.values() if f.topic]
        bad("when", f"a rule needs a condition on {' or '.join(topics) or 'a topic fact'}")
    for key, notes in (("quotes", spec.quotes), ("vague", spec.vague), ("if_not", spec.if_not)):
        for fid in notes:
            if fid not in spec.when:
                bad(f"{key}.{fid}", f"{fid!r} is not a condition of this rule (its `when`)")
    for fid in spec.when:
        if fid in facts and not str(spec.quotes.get(fid, "")).strip():
            bad(f"quotes.{fid}", "quote the document's exact words that state this condition")
    if spec.source.doc not in documents:
        bad("source.doc", f"unknown document {spec.source.doc!r}; list it under `documents:`")
    if entries and spec.entry is not None and spec.entry not in entries:
        bad("entry", f"no entry with id {spec.entry!r}")
    if not ok:
        return None
    order = list(facts)
    conditions.sort(key=lambda c: order.index(c.fact))
    return CompiledRule(spec, tuple(conditions))
