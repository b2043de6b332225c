"""Lines the haraka-plugin-wildduck plugin logs, turned into fields.

The plugin writes `ACTION key=value ...` lines (index.js): RESOLVED at rcpt, STORED /
DEFERRED / REJECTED / DROPPED per recipient at queue, SRS and forwarding notes, and
`Database connection opened|failed.` at start. `error=` and `result=` run to the end of the
line (free text / JSON), and `user=` is `address[objectid]`. Without GELF configured it also
logs every GELF record as `GELF {json}`; we keep the queue id so it can join a transaction.
"""
from __future__ import annotations

import re

from app.core.logs.fields import fast_kv

# GELF record keys worth keeping, and the field names they become; failure keys only when present
_GELF_KEYS = (('"short_message":', "gelf_message"), ('"_queue_id":', "queue_id"))
_GELF_FAILURE_KEYS = (('"_error":', "error"), ('"_failure_msg":', "error"), ('"_err_code":', "error_code"))
_TAIL_KEYS = (" error=", " result=")
ONE_WORD = frozenset({"RESOLVED", "STORED", "DEFERRED", "REJECTED", "DROPPED", "FORWARDING", "AUTOREPLY",
                      "RATELIMITED", "RATELIMITERR", "PIPEFAIL", "QUEUEERROR", "FORWARDSKIP"})
TWO_WORDS = frozenset({"SRS USING", "SRS FAILED", "QUEUED FORWARD", "QUEUED AUTOREPLY", "AUTOREPLY ERROR",
                       "FILTER ACTIONS"})
KNOWN_ACTIONS = ONE_WORD | TWO_WORDS
_ERROR_LEVELS = frozenset({"ERROR", "CRIT", "ALERT", "EMERG"})


def parse_wildduck(message: str, level: str | None) -> dict[str, str]:
    """Fields for one wildduck plugin message; always has `wildduck_action`."""
    word, _, rest = message.partition(" ")
    if (word == "RESOLVED" or word == "STORED") and rest[:5] == "rcpt=":
        fields = _resolved_or_stored(word, rest)
        if fields is not None:
            return fields
    if word in ONE_WORD and not (word == "AUTOREPLY" and rest.startswith("ERROR ")):
        return _action(word, rest)
    second, _, tail = rest.partition(" ")
    if f"{word} {second}" in TWO_WORDS:
        return _action(f"{word} {second}", tail)
    if word == "GELF" and rest[:1] == "{":
        return _gelf(message)
    if word == "Database" and rest.startswith("connection "):
        return _database(rest)
    return {"wildduck_action": "ERROR" if level in _ERROR_LEVELS else "OTHER"}


def _action(action: str, rest: str) -> dict[str, str]:
    """`ACTION key=value ...`, where `error=` and `result=` (and FORWARDING's `target=`) run to the end."""
    fields: dict[str, str] = {"wildduck_action": action.replace(" ", "_")}
    head = rest[:_take_tail(fields, rest, _TAIL_KEYS + ((" target=",) if action == "FORWARDING" else ()))]
    if action == "FILTER ACTIONS":
        fields["actions"] = head.strip()
    elif action == "QUEUEERROR":
        fields.setdefault("error", head.strip())
    elif "=" in head:
        _take_pairs(fields, head)
    return fields


def _take_tail(fields: dict[str, str], rest: str, keys: tuple[str, ...]) -> int:
    """Put the free-text keys (the earliest one runs to the end of the line) in `fields`; where they start."""
    cut = len(rest)
    for key in keys:
        bare = key[1:]                      # "error=": free text to the end of the line
        if rest.startswith(bare):           # `DEFERRED error=...`
            fields[bare[:-1]] = rest[len(bare):]
            return 0
        i = rest.find(key)
        if i != -1 and i < cut:
            fields[bare[:-1]] = rest[i + len(key):]
            cut = i
    return cut


def _take_pairs(fields: dict[str, str], head: str) -> None:
    """`key=value` pairs; `user=` and `address=` are `address[objectid]`, split into the two."""
    for key, value in fast_kv(head).items():
        if (key == "user" or key == "address") and value[-1:] == "]":
            lb = value.rfind("[")
            if lb != -1:
                fields[key] = value[:lb]
                fields[f"{key}_id"] = value[lb + 1:-1]
                continue
        fields[key.replace("-", "_")] = value


def _database(rest: str) -> dict[str, str]:
    """`Database connection opened.` / `Database connection failed. <error>`."""
    if rest.startswith("connection opened"):
        return {"wildduck_action": "DB_OPENED"}
    if rest.startswith("connection failed"):
        return {"wildduck_action": "DB_FAILED", "error": rest[len("connection failed"):].lstrip(". ")}
    return {"wildduck_action": "OTHER"}


def _resolved_or_stored(action: str, rest: str) -> dict[str, str] | None:
    """`rcpt=A user=B[id]` (+ ` result=JSON` for STORED): one line per recipient, so read by position."""
    sp = rest.find(" user=", 5)
    if sp == -1:
        return None
    user = rest[sp + 6:]
    fields = {"wildduck_action": action}
    if action == "STORED":
        user, sep, result = user.partition(" result=")
        if not sep:
            return None
        fields["result"] = result
    lb = user.rfind("[")
    if lb == -1 or user[-1:] != "]" or " " in user or " " in rest[5:sp]:
        return None
    fields["rcpt"] = rest[5:sp]
    fields["user"] = user[:lb]
    fields["user_id"] = user[lb + 1:-1]
    return fields


def _gelf(message: str) -> dict[str, str]:
    """A few keys of the JSON record, found by position (these lines are many; json.loads is dearer)."""
    fields = {"wildduck_action": "GELF"}
    keys = _GELF_KEYS + _GELF_FAILURE_KEYS if '"_e' in message or '"_failure' in message else _GELF_KEYS
    for key, name in keys:
        i = message.find(key)
        if i == -1:
            continue
        i += len(key)
        if message[i:i + 1] == '"':
            j = message.find('"', i + 1)
            while j != -1 and message[j - 1] == "\\" and _escaped(message, j):
                j = message.find('"', j + 1)
            value = message[i + 1:j if j != -1 else len(message)]
            if "\\" in value:
                value = _JSON_ESCAPE.sub(lambda m: _JSON_ESCAPES.get(m.group(0), m.group(0)), value)
        else:
            j = i
            while j < len(message) and message[j] not in ",}":
                j += 1
            value = message[i:j]
        fields.setdefault(name, value)
    return fields


def _escaped(text: str, quote: int) -> bool:
    """Is the quote at `quote` escaped, i.e. preceded by an odd number of backslashes?"""
    k = quote - 1
    while k >= 0 and text[k] == "\\":
        k -= 1
    return (quote - 1 - k) % 2 == 1


_JSON_ESCAPE = re.compile(r'\\.')
_JSON_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t", "\\/": "/"}
