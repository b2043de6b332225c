"""How much of a line a rule's regex reads: its first REGEX_SPAN characters.

A backtracking regex can cost a line's length squared (`.*a.*b` on a line of `a`s); the shapes that
cost that on any long line are refused when the rule loads (`schema/regexsafe.py`), and this cap
bounds what is left to a constant per line. What rules look for (a plugin's message, a reply, a
config value) sits at the start of a line; the rest of a 64 kB line is data.
"""
from __future__ import annotations

REGEX_SPAN = 4096


def span(text: str) -> str:
    """The part of `text` rule regexes search."""
    return text if len(text) <= REGEX_SPAN else text[:REGEX_SPAN]
