"""Haraka's DEFAULT log format: `[LEVEL] [UUID] [ORIGIN] message`.

UUID is `-` outside a connection, `CONN-UUID` before MAIL FROM and `CONN-UUID.N` inside the
N-th transaction. Messages built from objects carry logfmt pairs in the message text itself.
A plain `split` does the work (no UUID or origin contains a space); a regex covers the rest.
"""
from __future__ import annotations

import re

NAME = "default"
RANK = 10          # detect() asks formats by rank, most common first
# how a line of this format shows its level anywhere in a pasted block (case-insensitive): what
# tells a paste or an upload that it is a log, even wrapped or cut
LEVEL_MARK = r"\[(?:DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|ALERT|EMERG|PROTOCOL)\]\s*\["
LEVELS = ("DATA", "PROTOCOL", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "EMERG")
LEVEL_TAGS = {f"[{name}]": name for name in LEVELS}
_HEAD = re.compile(r"\[(" + "|".join(LEVELS) + r")\] +\[([^\]\s]*)\] +\[([^\]]*)\] ?")
GELF_ECHO = "] [-] [wildduck] GELF {"


def claims(text: str) -> bool:
    return text[:1] == "["


def parse(text: str) -> tuple[str, str, str, str, None] | None:
    """(level, uuid, origin, message, None), or None when `text` is not in this format."""
    parts = text.split(" ", 3)
    if len(parts) >= 3:
        level = LEVEL_TAGS.get(parts[0])
        uuid, origin = parts[1], parts[2]
        if level is not None and uuid[:1] == "[" and uuid[-1:] == "]" and origin[:1] == "[" and origin[-1:] == "]":
            message = parts[3] if len(parts) == 4 else ""
            if message[:1] == " ":
                message = message.lstrip(" ")
            return level, uuid[1:-1], origin[1:-1], message, None
    m = _HEAD.match(text)
    if m is None:
        return _cut(text)
    message = text[m.end():]
    if message[:1] == " ":
        message = message.lstrip(" ")
    return m.group(1), m.group(2), m.group(3), message, None


_UUID = re.compile(r"-|[0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27}(?:\.\d+)?")
_TWO = re.compile(r"\[(" + "|".join(LEVELS) + r")\] +\[([^\]\s]*)\] ?")


def _cut(text: str) -> tuple[str, str, str, str, None] | None:
    """A line pasted with one of its brackets gone (`[ERROR] [core] ...`, `[ERROR] [UUID] ...`): the
    second bracket is the uuid when it looks like one, else the origin."""
    m = _TWO.match(text)
    if m is None:
        return None
    message = text[m.end():].lstrip(" ")
    if _UUID.fullmatch(m.group(2)):
        return m.group(1), m.group(2), "core", message, None
    return m.group(1), "-", m.group(2), message, None


def gelf_echo_level(line: str) -> str | None:
    """The level of a wildduck plugin's `GELF {...}` echo outside any connection (`line` holds GELF_ECHO).

    Read by position: the triage only counts these lines, and a busy WildDuck logs one per event."""
    level = LEVEL_TAGS.get(line[:line.find("]") + 1])
    if level is not None and line.find(GELF_ECHO) == len(level) + 1:
        return level
    return None


def without_head(text: str) -> str:
    """`text` without its `[LEVEL] [UUID] [ORIGIN] ` head, to show the message; other text unchanged."""
    if claims(text) and "] [" in text:
        return text.split("] ", 3)[-1].lstrip(" ")
    return text
