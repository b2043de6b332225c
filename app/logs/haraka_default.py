"""Haraka's DEFAULT log format: `[LEVEL] [UUID] [ORIGIN] message`.

UUID is `-` outside a connection, `CONN-UUID` before MAIL FROM and `CONN-UUID.N` inside the
N-th transaction. Messages built from objects carry logfmt pairs in the message text itself.
"""
from __future__ import annotations

import re

LEVELS = ("DATA", "PROTOCOL", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "EMERG")
_HEAD = re.compile(r"\[(" + "|".join(LEVELS) + r")\] \[([^\]\s]*)\] \[([^\]]*)\] ?")


def parse_default(text: str) -> tuple[str, str, str, str, None] | None:
    """(level, uuid, origin, message, None), or None when `text` is not in this format."""
    m = _HEAD.match(text)
    if m is None:
        return None
    message = text[m.end():]
    if message.startswith(" "):
        message = message.lstrip(" ")
    return m.group(1), m.group(2), m.group(3), message, None
