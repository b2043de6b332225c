"""The error words of the OS, node and client libraries (ECONNREFUSED, EADDRINUSE, PEM routines...),
read from kb/explain/system-errors.yaml, so a line says what failed whoever printed it.

Each entry's `means` and `fix` are English; `i18n: {zh: {means, fix}}` has them in the other
languages, with the same slots ({where}: the address the line names, {who}: the plugin or Haraka)."""
from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from app.core.explain.words import LANGS, OTHER_LANGS, code, say, spaced
from app.core.kbfile import load_kb

SLOTS = {"where", "who"}


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid")
    means: str
    fix: str

    @field_validator("means", "fix")
    @classmethod
    def _slots(cls, value: str) -> str:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        if used - SLOTS:
            raise ValueError(f"unknown slots {sorted(used - SLOTS)}: only {{where}} and {{who}} are filled")
        return value


class SystemError_(Words):
    code: str
    match: str
    i18n: dict[str, Words] = {}

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value

    @model_validator(mode="after")
    def _every_language(self) -> SystemError_:
        missing = [lang for lang in OTHER_LANGS if lang not in self.i18n]
        if missing or set(self.i18n) - set(LANGS):
            raise ValueError(f"{self.code}: i18n must have exactly {list(OTHER_LANGS)}, has {sorted(self.i18n)}")
        return self

    def words(self, lang: str) -> Words:
        return self if lang == "en" else self.i18n[lang]


class SystemErrors(BaseModel):
    model_config = ConfigDict(extra="forbid")
    errors: list[SystemError_]


@dataclass(frozen=True)
class Found:
    code: str
    means: str
    fix: str
    # {lang: {"means": ..., "fix": ...}}: the same words in the other languages
    i18n: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)

    def words(self, lang: str) -> dict[str, str]:
        """{"means", "fix"} in `lang` (English: the plain fields)."""
        return {"means": self.means, "fix": self.fix} if lang == "en" else self.i18n[lang]


def _compiled(table: SystemErrors) -> list[tuple[re.Pattern[str], SystemError_]]:
    return [(_regex(e.match), e) for e in table.errors]


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _worded(entry: SystemError_, lang: str, where: str, who: str) -> dict[str, str]:
    """The entry's means and fix in `lang`, for the address `where` ('' when the line names none)."""
    place = code(lang, where) if where else say(lang, "the_address")
    texts = entry.words(lang)
    return {"means": spaced(lang, texts.means.format(where=place, who=who)),
            "fix": spaced(lang, texts.fix.format(where=place, who=who))}


def system_error(text: str, who: str) -> Found | None:
    """The first kb entry found in `text`, worded for `who` (the plugin, or Haraka)."""
    for pattern, entry in _compiled(load_kb(SystemErrors, "explain", "system-errors.yaml")):
        m = pattern.search(text)
        if m:
            where = (m.groupdict().get("where") or "").rstrip(".,;)")
            en = _worded(entry, "en", where, who)
            return Found(entry.code, en["means"], en["fix"],
                         {lang: _worded(entry, lang, where, who) for lang in OTHER_LANGS})
    return None
