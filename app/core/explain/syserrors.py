"""The error words of the OS, node and client libraries (ECONNREFUSED, EADDRINUSE, PEM routines...),
read from kb/explain/system-errors.yaml, so a line says what failed whoever printed it."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, field_validator

from app.core.kbfile import load_kb


class SystemError_(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    match: str
    means: str
    fix: str

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class SystemErrors(BaseModel):
    model_config = ConfigDict(extra="forbid")
    errors: list[SystemError_]


@dataclass(frozen=True)
class Found:
    code: str
    means: str
    fix: str


def _compiled(table: SystemErrors) -> list[tuple[re.Pattern[str], SystemError_]]:
    return [(_regex(e.match), e) for e in table.errors]


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def system_error(text: str, who: str) -> Found | None:
    """The first kb entry found in `text`, worded for `who` (the plugin, or Haraka)."""
    for pattern, entry in _compiled(load_kb(SystemErrors, "explain", "system-errors.yaml")):
        m = pattern.search(text)
        if m:
            where = (m.groupdict().get("where") or "").rstrip(".,;)") or "the address in the line"
            return Found(entry.code, entry.means.format(where=where, who=who), entry.fix.format(where=where, who=who))
    return None
