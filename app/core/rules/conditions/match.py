"""What a condition answers: holds or not, the evidence, the template values, and what it could
not decide for lack of a file."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.model import Evidence


@dataclass
class Match:
    """`ok` is the verdict. A condition about a file that was not given is neither true nor false:
    it comes back not ok with that file in `unknown`, and all/any/not combine such answers the
    way three-valued (Kleene) logic does, so a rule is "not checked" rather than silently passed.
    `assumes` carries what a simulated answer took for granted about files that were not given."""
    ok: bool
    evidence: list[Evidence] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    assumes: dict[str, str] = field(default_factory=dict)
    # for an undecided match: some part of the condition did hold, so the rule applies to this
    # setup as far as it can be seen (a rule undecided on nothing at all is not worth asking about)
    partial: bool = False


def undecided(files: list[str], partial: bool = False) -> Match:
    """Neither true nor false: these files were not given (each named once)."""
    return Match(False, unknown=list(dict.fromkeys(files)), partial=partial)
