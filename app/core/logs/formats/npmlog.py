"""npmlog lines, as WildDuck and ZoneMTA print them: `ERR! LMTP message`, `WARN Queue ...`, `info API ...`.

npmlog writes `LEVEL PREFIX message` with LEVEL one of its display words (ERR!, WARN, notice, http,
timing, info, verb, sill) and PREFIX the first argument of the call (`log.error('LMTP', ...)`):
the origin of the line, by which the message index finds the messages that prefix prints. A
multi-line message repeats `LEVEL PREFIX ` on every line. Shippers' prefixes (docker compose's
`wildduck_1  | `, journald's `host wildduck[123]: `, ISO timestamps) are peeled by
app.core.logs.prefixes before the line gets here.

Without a GELF server WildDuck prints each GELF record as `info Gelf {json}`: the message is then
the record's short_message without the component word WildDuck puts first (`WILDDUCK `),
its other keys are the extras, and a record that reports a failure (`_failure`, `_error`) is read
at WARN, since npmlog's level (always info) says nothing about it.
"""
from __future__ import annotations

import json

NAME = "npmlog"
RANK = 40          # detect() asks formats by rank, most common first: Haraka's own formats win
# how a line of this format shows its level anywhere in a pasted block (the registry searches all
# marks case-insensitively; this one is case-sensitive, so prose such as "info about" is not a log)
LEVEL_MARK = r"(?-i:(?:^|[\s|])(?:ERR!|WARN|info|verb|sill|http|notice) [A-Z][\w./\-\[\]]* )"
LEVELS = {"ERR!": "ERROR", "WARN": "WARN", "notice": "NOTICE", "http": "INFO", "timing": "INFO", "info": "INFO",
          "verb": "DEBUG", "sill": "DEBUG"}
_HEADS = tuple(f"{word} " for word in LEVELS)
GELF_PREFIX = "Gelf"
_FAILURE_KEYS = ("_failure", "_error", "_err_code")


def claims(text: str) -> bool:
    return text.startswith(_HEADS)


def parse(text: str) -> tuple[str, str, str, str, dict[str, str] | None] | None:
    """(level, '-', prefix, message, extras), or None when `text` is not an npmlog line."""
    word, _, rest = text.partition(" ")
    level = LEVELS.get(word)
    if level is None:
        return None
    rest = rest.lstrip(" ")
    prefix, _, message = rest.partition(" ")
    if not prefix:
        return None
    if prefix == GELF_PREFIX and message[:1] == "{":
        return _gelf(level, message)
    return level, "-", prefix, message.lstrip(" "), None


def _gelf(level: str, message: str) -> tuple[str, str, str, str, dict[str, str] | None]:
    try:
        record = json.loads(message)
    except (ValueError, RecursionError):
        return level, "-", GELF_PREFIX, message, None
    if not isinstance(record, dict):
        return level, "-", GELF_PREFIX, message, None
    short = str(record.pop("short_message", "") or "")
    component = str(record.get("_component") or record.get("facility") or "").upper()
    if component and short.startswith(component + " "):      # WildDuck puts the component first
        short = short[len(component) + 1:]
    if level == "INFO" and any(record.get(k) not in (None, "", "no", False) for k in _FAILURE_KEYS):
        level = "WARN"
    extras = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in record.items()}
    return level, "-", GELF_PREFIX, short, extras
