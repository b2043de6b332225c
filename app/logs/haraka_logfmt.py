"""Haraka's LOGFMT format: `level=INFO uuid=... origin=... message="..." key=value ...`.

Object arguments are merged as extra keys (hook results, recipient codes, disconnect stats),
so the message stays short (`message=disconnect`) and the facts live in the extras.
"""
from __future__ import annotations

from app.logs.fields import parse_kv
from app.logs.haraka_default import LEVELS

_LEVELS = frozenset(LEVELS)


def parse_logfmt(text: str) -> tuple[str, str, str, str, dict[str, str]] | None:
    """(level, uuid, origin, message, extras), or None when `text` is not in this format."""
    pairs = parse_kv(text)
    level = pairs.pop("level", "").upper()
    if level not in _LEVELS:
        return None
    uuid = pairs.pop("uuid", "-")
    origin = pairs.pop("origin", "core")
    message = pairs.pop("message", "")
    if message.startswith(" "):
        message = message.lstrip(" ")
    return level, uuid, origin, message, pairs
