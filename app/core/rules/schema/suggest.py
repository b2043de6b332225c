"""The nearest valid word for a typo, so an error can say what to write instead."""
from __future__ import annotations

import difflib
from typing import Iterable


def nearest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest choice; one that differs only in case (`deny` for DENY) wins outright."""
    options = sorted(set(choices))
    same = [c for c in options if c.casefold() == str(word).casefold()]
    if same:
        return same[0]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=cutoff)
    return close[0] if close else None
