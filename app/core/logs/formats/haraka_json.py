"""Haraka's JSON format: one object per line with level, uuid, origin, message and extras.

Extras keep their JSON types; we turn them into strings so every format yields the same
fields. An address object (`params` of a hook result) becomes its `original` text and a DSN
object (the `msg` of a refused recipient) its `reply` text, as the other formats print them.
"""
from __future__ import annotations

import json

from app.core.logs.formats.haraka_default import LEVELS

NAME = "json"
RANK = 20          # detect() asks formats by rank, most common first
# how a line of this format shows its level anywhere in a pasted block (case-insensitive): what
# tells a paste or an upload that it is a log, even wrapped or cut
LEVEL_MARK = r'"level"\s*:\s*"(?:DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|PROTOCOL)"'
_LEVELS = frozenset(LEVELS)
_loads = json.loads


def _as_text(value) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        for key in ("original", "reply"):   # an address object; a DSN (its SMTP reply text)
            text = value.get(key)
            if isinstance(text, str):
                return text
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def claims(text: str) -> bool:
    return text[:1] == "{"


def parse(text: str) -> tuple[str, str, str, str, dict[str, str]] | None:
    """(level, uuid, origin, message, extras), or None when `text` is not a Haraka JSON line."""
    try:
        obj = _loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    level = obj.pop("level", None)
    if not isinstance(level, str) or level.upper() not in _LEVELS:
        return None
    uuid = _as_text(obj.pop("uuid", "-")) or "-"
    origin = _as_text(obj.pop("origin", "core")) or "core"
    message = _as_text(obj.pop("message", ""))
    if message.startswith(" "):
        message = message.lstrip(" ")
    return level.upper(), uuid, origin, message, {str(k): _as_text(v) for k, v in obj.items()}
