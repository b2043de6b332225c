"""Lines the haraka-plugin-wildduck plugin logs, turned into fields.

The plugin writes `ACTION key=value ...` lines (index.js): RESOLVED at rcpt, STORED /
DEFERRED / REJECTED / DROPPED per recipient at queue, SRS and forwarding notes, and
`Database connection opened|failed.` at start. `error=` and `result=` run to the end of the
line (free text / JSON), and `user=` is `address[objectid]`. Without GELF configured it also
logs every GELF record as `GELF {json}`; we keep the queue id so it can join a transaction.
"""
from __future__ import annotations

import re

from app.logs.fields import parse_kv

# leading upper-case words naming the action, e.g. "STORED", "SRS USING", "QUEUED FORWARD"
_ACTION = re.compile(r"([A-Z][A-Z\-]+(?: [A-Z][A-Z\-]+)?)(?= [\w\-]+=| \S|$)")
_USER = re.compile(r"(.*)\[([0-9a-fA-F]{6,}|[^\[\]]+)\]$")
_GELF_KEYS = re.compile(r'"(short_message|_queue_id|_error|_err_code|_failure_msg|_to|_from)":'
                        r'("(?:[^"\\]|\\.)*"|[^,}]*)')
_TAIL_KEYS = (" error=", " result=")

KNOWN_ACTIONS = frozenset({
    "RESOLVED", "STORED", "DEFERRED", "REJECTED", "DROPPED", "SRS USING", "SRS FAILED", "FORWARDING",
    "QUEUED FORWARD", "QUEUED AUTOREPLY", "AUTOREPLY ERROR", "AUTOREPLY", "RATELIMITED",
    "RATELIMITERR", "PIPEFAIL", "QUEUEERROR", "FILTER ACTIONS", "FORWARDSKIP",
})


def parse_wildduck(message: str, level: str | None) -> dict[str, str]:
    """Fields for one wildduck plugin message; always has `wildduck_action`."""
    if message.startswith("GELF {"):
        return _gelf(message)
    if message.startswith("Database connection"):
        if message.startswith("Database connection opened"):
            return {"wildduck_action": "DB_OPENED"}
        if message.startswith("Database connection failed"):
            return {"wildduck_action": "DB_FAILED", "error": message[len("Database connection failed"):].lstrip(". ")}
    m = _ACTION.match(message)
    if m is None or m.group(1) not in KNOWN_ACTIONS:
        return {"wildduck_action": "ERROR" if level in ("ERROR", "CRIT", "ALERT", "EMERG") else "OTHER"}
    action = m.group(1)
    rest = message[m.end():]
    fields: dict[str, str] = {"wildduck_action": action.replace(" ", "_")}
    cut = len(rest)
    for key in _TAIL_KEYS + ((" target=",) if action == "FORWARDING" else ()):
        i = rest.find(key)
        if i != -1 and i < cut:
            fields[key.strip(" =")] = rest[i + len(key):]
            cut = i
    head = rest[:cut]
    if action == "FILTER ACTIONS":
        fields["actions"] = head.strip()
    elif action == "QUEUEERROR":
        fields["error"] = fields.get("error", head.strip())
    elif "=" in head:
        for key, value in parse_kv(head).items():
            if key in ("user", "address"):
                um = _USER.match(value)
                if um:
                    fields[key] = um.group(1)
                    fields[f"{key}_id"] = um.group(2)
                    continue
            fields[key.replace("-", "_")] = value
    return fields


def _gelf(message: str) -> dict[str, str]:
    fields = {"wildduck_action": "GELF"}
    for key, value in _GELF_KEYS.findall(message):
        if value.startswith('"'):
            value = value[1:-1].replace('\\"', '"')
        name = {"short_message": "gelf_message", "_queue_id": "queue_id", "_err_code": "error_code",
                "_failure_msg": "error"}.get(key, key.lstrip("_"))
        fields[name] = value
    return fields
