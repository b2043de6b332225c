"""Haraka's LOGFMT format: `level=INFO uuid=... origin=... message="..." key=value ...`.

Object arguments become extra keys after `message` (hook results, recipient codes,
disconnect stats). Haraka always writes level, uuid, origin, message first, so we fold the
line into the DEFAULT shape (`message key=value ...`) and classify both formats alike.
"""
from __future__ import annotations

import re

from app.core.logs.fields import parse_kv, unquote
from app.core.logs.formats.haraka_default import LEVELS

NAME = "logfmt"
RANK = 30          # detect() asks formats by rank, most common first
# how a line of this format shows its level anywhere in a pasted block (case-insensitive): what
# tells a paste or an upload that it is a log, even wrapped or cut
LEVEL_MARK = r"\blevel=(?:debug|info|notice|warn|error|crit|protocol)\b"
_LEVELS = frozenset(LEVELS)
_HEAD = re.compile(r'level=(\w+) uuid=(\S*) origin=(\S*) message=("(?:[^"\\]|\\.)*"|\S*) ?')


def claims(text: str) -> bool:
    return text.startswith("level=")


def parse(text: str) -> tuple[str, str, str, str, None] | None:
    """(level, uuid, origin, message + ' ' + extra pairs, None), or None when `text` is not in this format."""
    m = _HEAD.match(text)
    if m is not None:
        level, uuid, origin, message = m.groups()
        rest = text[m.end():]
    else:  # keys in another order: take them apart one by one
        pairs = parse_kv(text)
        level, uuid, origin = pairs.pop("level", ""), pairs.pop("uuid", "-"), pairs.pop("origin", "core")
        message = pairs.pop("message", "")
        rest = " ".join(f"{k}={_requote(v)}" for k, v in pairs.items())
    level = level.upper()
    if level not in _LEVELS:
        return None
    if message[:1] == '"':
        message = unquote(message)
    if message[:1] == " ":
        message = message.lstrip(" ")
    if rest:
        message = f"{message} {rest}" if message else rest
    return level, uuid or "-", origin or "core", message, None


def _requote(value: str) -> str:
    if value == "" or any(c in value for c in ' ="\\'):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value
