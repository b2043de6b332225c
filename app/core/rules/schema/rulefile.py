"""A rule file as a model: its keys, their types, and which of its words are translatable.

`when` is typed here for the JSON Schema editors read; the loader checks it predicate by
predicate (`validate.check_when`), which gives one clear message per mistake instead of the
dozen a union of 30 predicates would."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator

from app.core.rules.schema.types import Strict, Versions

SEVERITIES = ("error", "warning", "info")
ID_PATTERN = r"^[A-Z]{2,5}\d{3,4}$"
LANG_PATTERN = r"^[a-z]{2}(?:-[A-Za-z]{2,4})?$"
# the words of a rule a reader sees; every one may be given per language under i18n.<lang>
TRANSLATABLE = ("title", "explanation", "fix_summary", "manual")


class Citation(Strict):
    """A page of kb/notes or an address: exactly one of the two (one model, so a typo in either key
    is reported against both, not against whichever a union tried first)."""
    note: str | None = Field(None, description="a page id under kb/notes (or a team note)")
    url: str | None = Field(None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _one(self) -> Citation:
        if (self.note is None) == (self.url is None):
            raise ValueError("a citation is {note: <page id>} or {url: https://...}, one per item: "
                             + ("write them as two citations" if self.note else "give one of them"))
        return self


def _citation_kind(value: Any) -> str:
    return "map" if isinstance(value, dict) else "text"


CitationItem = Annotated[Union[Annotated[Citation, Tag("map")], Annotated[str, Tag("text")]],
                         Discriminator(_citation_kind)]


class Fix(Strict):
    summary: str = Field("", description="one sentence: what to change (translatable)")
    ops: list[dict[str, Any]] = Field(default_factory=list, description="fix operations, one key each")


class Example(Strict):
    name: str | None = None
    files: dict[str, str | None] | None = Field(None, description="file name -> text")
    logs: str | None = None
    envelope: dict[str, Any] | None = Field(None, description="{rcpt: [addresses], mail: address}")
    versions: Versions | None = None


class Examples(Strict):
    fail: list[Example] = Field(default_factory=list, description="inputs the rule must fire on")
    pass_: list[Example] = Field(default_factory=list, alias="pass", description="inputs it must stay silent on")


class Translation(Strict):
    """The rule's words in one language; technical tokens stay as written, slots as in English."""
    title: str | None = None
    explanation: str | None = None
    fix_summary: str | None = None
    manual: list[str] | None = Field(None, description="one per `manual` fix op, in order")


class RuleFile(Strict):
    """One mxdoctor rule (kb/rules/*.yaml, or a team's rule folder)."""
    id: str = Field(pattern=ID_PATTERN, description="stable code, e.g. MXD101 (team rules: own prefix)")
    title: str
    severity: Literal[SEVERITIES]  # type: ignore[valid-type]
    category: str
    tags: list[str] = Field(default_factory=list)
    symptom_of: list[str] = Field(default_factory=list, description="rule ids this rule is a log symptom of")
    versions: Versions | None = None
    when: dict[str, Any] = Field(description="a predicate, or all/any/not of conditions")
    explanation: str
    fix: Fix | None = None
    i18n: dict[str, Translation] = Field(default_factory=dict, description="lang code (zh, ...) -> words")
    citations: list[CitationItem] = Field(default_factory=list)
    examples: Examples | None = None
