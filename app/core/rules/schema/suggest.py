"""The nearest valid word for a typo, so an error can say what to write instead."""
from __future__ import annotations

import difflib
from typing import Iterable


def nearest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=cutoff)
    return close[0] if close else None
