"""The shape of knowledge/rules.yaml: the facts a rule may ask about, and the rules themselves.

A rule is data an admin can read: `when` these facts hold (all of them), within `valid` dates,
the person gets `outcome`; `next_step` says whom to contact; `source` says where the rule is
written. Checks that need more than one item (a condition naming an unknown fact, a duplicate id)
live in the loader, which reports them with the rule id and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from bot.kb.schema import ID_RE, Bilingual, SourceRef, Strict
from bot.kb.text import Lang

# A fact's value: bool facts True/False, choice facts an option value.
Value = bool | str | int | float
FactKind = Literal["bool", "choice", "number"]
FACT_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class Document(Strict):
    """A source document as it is named under every answer (`來源：…`).

    Repeated from sources.yaml on purpose: the search index reloads rules without sources.yaml,
    and the loader checks the two titles agree whenever both are present.
    """

    id: str
    title: Bilingual


class Option(Strict):
    value: bool | str
    label: Bilingual = Field(
        description="a short statement of this value, shown on buttons and in summaries"
    )
    cues: list[str] = Field(
        default_factory=list, description="words in a question that reveal this value"
    )
    implies: dict[str, bool | str] = Field(
        default_factory=dict,
        description="other facts a question reveals with this value, unless it says otherwise",
    )

    @field_validator("cues")
    @classmethod
    def _cues(cls, value: list[str]) -> list[str]:
        for cue in value:
            if not str(cue).strip() or not str(cue).strip("… "):
                raise ValueError("a cue must not be empty")
        return [str(c).strip() for c in value]


class Fact(Strict):
    """Something about the person a rule depends on; asked one at a time in a conversation."""

    id: str
    kind: FactKind
    question: Bilingual
    options: list[Option] = Field(default_factory=list)
    topic: bool = Field(
        default=False, description="says which area a question is about (the industry)"
    )
    current_only: bool = Field(
        default=False,
        description="a cue after a wish (想做…, want to become…) says nothing about the person now",
    )
    not_cues: list[str] = Field(
        default_factory=list, description="phrases that contain a cue but do not reveal it"
    )
    depends: Bilingual | None = Field(
        default=None,
        description="the fact as the end of 'it depends on …': whether you are a registered mechanic",
    )

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not FACT_ID_RE.match(value):
            raise ValueError(
                "use lower-case letters, digits and underscores, starting with a letter, e.g. local_form5"
            )
        return value

    @model_validator(mode="after")
    def _options_fit_kind(self) -> Fact:
        values = [o.value for o in self.options]
        if self.kind == "bool":
            if sorted(values, key=str) != [False, True]:
                raise ValueError(
                    "a bool fact has exactly two options, `value: true` and `value: false`"
                )
        elif self.kind == "choice":
            if len(values) < 2:
                raise ValueError("a choice fact needs at least two options")
            bad = [v for v in values if not isinstance(v, str)]
            if bad:
                raise ValueError(
                    f"choice values must be text; quote {bad[0]!r} (YAML reads yes/no/true/false as booleans)"
                )
            if len(set(values)) != len(values):
                raise ValueError("option values must be unique")
        elif self.options:
            raise ValueError("a number fact has no options")
        return self

    # -- for conversations -----------------------------------------------------------------

    def prompt(self, lang: Lang) -> str:
        return self.question.text(lang)

    def option(self, value: Value) -> Option | None:
        for o in self.options:
            if o.value == value and type(o.value) is type(value):
                return o
        return None

    def choices(self, lang: Lang) -> list[tuple[str, str]]:
        """(callback value, button label) pairs; the callback value goes back through `parse`."""
        return [(encode_value(o.value), o.label.text(lang)) for o in self.options]

    def parse(self, raw: str) -> Value:
        """A button's callback value (or a typed number) back to the fact's value; ValueError if invalid."""
        raw = str(raw).strip()
        if self.kind == "number":
            number = float(raw)
            return int(number) if number.is_integer() else number
        for o in self.options:
            if encode_value(o.value) == raw:
                return o.value
        raise ValueError(f"{raw!r} is not an option of {self.id}")

    def label(self, value: Value, lang: Lang) -> str:
        o = self.option(value)
        return o.label.text(lang) if o is not None else str(value)


def encode_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Validity(Strict):
    """Dates (inclusive) between which a rule applies; either end may be open."""

    from_: date | None = Field(default=None, alias="from")
    until: date | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.from_ and self.until and self.until < self.from_:
            raise ValueError(f"until {self.until} is before from {self.from_}")
        return self


class Rule(Strict):
    id: str
    title: Bilingual
    when: dict[str, Any] = Field(
        min_length=1, description="fact id → value, list of values, or {min, max}"
    )
    valid: Validity | None = None
    outcome: Bilingual
    next_step: Bilingual
    agency: Bilingual | None = Field(
        default=None, description="the agency to contact, when the document names one"
    )
    short: Bilingual = Field(
        description="one sentence: what the person gets, for the line after the verdict"
    )
    quotes: dict[str, str] = Field(
        default_factory=dict,
        description="fact id → the document's exact words stating that condition",
    )
    vague: dict[str, Bilingual] = Field(
        default_factory=dict,
        description="fact id → a note, for a condition the document states without a measure (豐富經驗): "
        "meeting it never makes the rule certain, the reply says 'not necessarily' and why",
    )
    if_not: dict[str, Bilingual] = Field(
        default_factory=dict,
        description="fact id → what the documents say (or do not) when that condition fails",
    )
    about: list[str] = Field(
        default_factory=list,
        description="words that, in a question, make this rule its subject (保健員)",
    )
    entry: str | None = Field(default=None, description="a knowledge entry to read more")
    source: SourceRef

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError(
                "use lower-case letters, digits and hyphens, e.g. rpl-elderly-care-carers"
            )
        return value


@dataclass(frozen=True)
class Condition:
    """One clause of a rule's `when`, resolved against its fact by the loader."""

    fact: str
    values: tuple[Value, ...] = ()  # for bool/choice facts: any of these
    min: float | None = None  # for number facts: inclusive bounds
    max: float | None = None

    def holds(self, value: Value) -> bool:
        if self.values:
            return any(value == v and type(value) is type(v) for v in self.values)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


@dataclass(frozen=True)
class CompiledRule:
    """A validated rule with its conditions in the order their facts are asked."""

    spec: Rule
    conditions: tuple[Condition, ...]

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Rules:
    """Every rule and fact of rules.yaml. `raw` is the parsed file as JSON (dates as ISO text),
    which the search index stores and hands back to `load_rules`."""

    raw: Any
    facts: Mapping[str, Fact]  # in the order questions are asked
    rules: list[CompiledRule]
    documents: Mapping[str, Document]
    cues: Any = field(default=None, compare=False, repr=False)  # bot.rules.cues.CueIndex

    def rule(self, rule_id: str) -> CompiledRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
