"""The shape of the knowledge files: what an admin may write, validated before anything is served.

Every field an admin can get wrong has a precise error (file, entry id, field) from the loader;
these models are the single statement of what is allowed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.kb.text import to_simplified

ENTRY_TYPES = (
    "scheme",
    "programme",
    "organisation",
    "qualification",
    "event",
    "report",
    "figure",
    "fact",
    "rule",
    "recommendation",
    "initiative",
    "agreement",
    "faq",
)
QUESTION_FORMS = ("zh-Hant", "yue", "zh-Hans", "en")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
# A partial ISO date: a year, a month or a day; the precision is kept for rendering.
PARTIAL_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class KnowledgeError:
    """A problem in a knowledge file, where an admin can find it (the loaders report these)."""

    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f" · entry {self.entry}"
        if self.field:
            where += f" · field {self.field}"
        return f"{where}: {self.message}"


class Strict(BaseModel):
    # defer_build: the validators are built when something is first validated (loading the YAML
    # files), not at import; a process that only reads a built index (see `stored`) never needs them.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


M = TypeVar("M", bound=BaseModel)


@cache
def _fields_of(model: type[BaseModel]) -> tuple[tuple[str, str, type[BaseModel] | None], ...]:
    """(alias, name, nested model) of each field: `Bilingual`, `Bilingual | None`, `list[Bilingual]`."""
    out = []
    for name, info in model.model_fields.items():
        nested = next(
            (
                c
                for c in (info.annotation, *get_args(info.annotation))
                if isinstance(c, type) and issubclass(c, BaseModel)
            ),
            None,
        )
        out.append((info.alias or name, name, nested))
    return tuple(out)


def stored(model: type[M], data: Mapping[str, Any]) -> M:
    """A model from what `model_dump(by_alias=True)` of a validated one gave (the search index holds
    these): built without validating again, which is both redundant and the slowest part of start-up.
    Equal to `model.model_validate(data)`, fields set included; tests check this for every entry."""
    values: dict[str, Any] = {}
    for alias, name, nested in _fields_of(model):
        key = alias if alias in data else name
        if key not in data:
            continue
        value = data[key]
        if nested is not None and value is not None:
            value = (
                [stored(nested, v) for v in value]
                if isinstance(value, list)
                else stored(nested, value)
            )
        values[key] = value
    return model.model_construct(**values)


# A space YAML folding put between two Chinese characters (or Chinese punctuation).
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)


class Bilingual(Strict):
    """Text written in Traditional Chinese and English; Simplified is derived unless overridden."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    zh_hans: str | None = Field(default=None, alias="zh-Hans")

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=True,
        defer_build=True,
    )

    def text(self, lang: str) -> str:
        """The text for a reader of `lang` (zh-Hant, zh-Hans or en)."""
        if lang == "en":
            return self.en
        if lang == "zh-Hans":
            return self.zh_hans or to_simplified(self.zh)
        return self.zh

    @field_validator("zh", "zh_hans")
    @classmethod
    def _no_folding_gaps(cls, value: str | None) -> str | None:
        """YAML's folded style (>-) joins lines with a space; Chinese text has none between characters."""
        return _CJK_GAP.sub("", value) if value else value


def _check_partial_date(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value)
    if not PARTIAL_DATE_RE.match(value):
        raise ValueError(f"{value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date: {exc}") from None
    return value


def first_day(value: str) -> date:
    """The first day a partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) covers."""
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(value: str) -> date:
    """The last day a partial ISO date covers."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 12, 31)


class When(Strict):
    """A date or a span; `start`/`end` are partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD)."""

    start: str
    end: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _iso(cls, value: object) -> str | None:
        return _check_partial_date(None if value is None else str(value))

    @model_validator(mode="after")
    def _ordered(self) -> When:
        # Compared by days, not text: a span from 2023-09-15 to "2023-09" (that month) is fine.
        if self.end is not None and last_day(self.end) < first_day(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class SourceRef(Strict):
    doc: str = Field(description="id of a document in sources.yaml")
    section: str = Field(min_length=1, description="heading or passage of the document")


class Questions(Strict):
    """Sample questions in the four forms workers write; paraphrases, not copies of eval sets."""

    zh_hant: list[str] = Field(alias="zh-Hant", min_length=1)
    yue: list[str] = Field(min_length=1)
    zh_hans: list[str] = Field(alias="zh-Hans", min_length=1)
    en: list[str] = Field(min_length=1)

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=True,
        defer_build=True,
    )

    def all(self) -> list[str]:
        return [*self.zh_hant, *self.yue, *self.zh_hans, *self.en]

    def first(self, lang: str) -> str:
        """The first sample question in the reader's form (Cantonese first for a Traditional reader)."""
        if lang == "en":
            return self.en[0]
        if lang == "zh-Hans":
            return self.zh_hans[0]
        return (self.yue or self.zh_hant)[0]


class Entry(Strict):
    id: str
    type: Literal[ENTRY_TYPES]  # type: ignore[valid-type]
    topic: str
    title: Bilingual
    answer: Bilingual
    aliases: list[str] = Field(default_factory=list)
    questions: Questions
    parent: str | None = None
    related: list[str] = Field(default_factory=list)
    when: When | None = None
    place: Bilingual | None = None
    # A state that can change (an office holder, a count, an open round, "is working on"): replies
    # say the document's date with it ("As at January 2024, ...").
    changeable: bool = False
    # The entry records what the documents do NOT give ("no VPAS eligibility is stated"): a question
    # that lands on it is declined with this text, never answered as if it were a fact.
    not_stated: bool = False
    source: SourceRef

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("use lower-case letters, digits and hyphens, e.g. rpl-elderly-care")
        return value


class Source(Strict):
    id: str
    file: str = Field(description="file name under shared/seeds/")
    title: Bilingual
    short: Bilingual | None = Field(
        default=None, description="a short name for the source line under replies"
    )
    publisher: Bilingual
    date: str | None = Field(
        default=None, description="the document's own date, when it states one"
    )
    date_note: Bilingual | None = Field(
        default=None, description="how to read relative dates in the document ('last year' ...)"
    )

    @field_validator("date", mode="before")
    @classmethod
    def _iso(cls, value: object) -> str | None:
        return _check_partial_date(None if value is None else str(value))


class Topic(Strict):
    id: str
    title: Bilingual
    order: int = 100


class SourcesFile(Strict):
    sources: list[Source] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)


class EntriesFile(Strict):
    entries: list[Entry] = Field(default_factory=list)
