"""Which lines of a Haraka log the explainer must explain, and who printed each (pure Python).

A line counts when it is WARN or above, or when it is a refusal:
  hook         a hook result with retval DENY/DENYSOFT/DENYDISCONNECT/DENYSOFTDISCONNECT
               (hook=... plugin=... retval=...; emitter = its plugin= field)
  result       a transaction summary whose code is a DENY* (sender/recipient/queue ... code=DENY)
  reply        a PROTOCOL line 'S: 4xx/5xx' (the reply itself, logged at protocol level)
  last_reply   the disconnect summary whose lr= is a 4xx/5xx reply
The emitter of a WARN+ line is the log's origin field ([origin] / origin= / "origin":) when that
names a plugin of the scenario, 'core' when it names a part of Haraka itself; a few lines that
core's origin hides but a plugin's code prints are attributed by hand (HAND below).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

WARN_UP = ("WARN", "ERROR", "CRIT", "ALERT", "EMERG")
LEVELS = ("DATA", "PROTOCOL", "DEBUG", "INFO", "NOTICE") + WARN_UP
DENY_CODES = ("DENY", "DENYSOFT", "DENYDISCONNECT", "DENYSOFTDISCONNECT")
# origins Haraka's own modules log with (3.x names its modules; 2.8 says core for all of them)
CORE_ORIGINS = {"core", "server", "plugins", "connection", "outbound", "transaction", "tls_socket",
                "config", "logger", "haraka", "queue", "messagestream", "-", ""}

_DEFAULT = re.compile(r"^\[([A-Z]+)\] \[([^\]]*)\] \[([^\]]*)\] ?(.*)$")
_KV = re.compile(r'([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)')
_REPLY = re.compile(r"^S: ([45]\d\d)[ -]")
_LR = re.compile(r"^[45]\d\d\b")

# (regex on the message, emitter, why): lines whose origin field says core while a plugin's code
# printed them. Filled from reading the plugins' sources; each entry names the printing code.
HAND: list[tuple[re.Pattern, str, str]] = []


@dataclass
class Line:
    """One parsed log line: level, origin and the key=value fields (from logfmt/JSON, or parsed
    out of the message in the default format)."""
    level: str
    origin: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)


def parse(text: str, fmt: str) -> Line | None:
    """A Haraka logger line in the given format; None for lines printed outside the logger."""
    if fmt == "json":
        return _parse_json(text)
    if fmt == "logfmt":
        return _parse_logfmt(text)
    m = _DEFAULT.match(text)
    if not m or m.group(1) not in LEVELS:
        return None
    return Line(m.group(1), m.group(3), m.group(4), _kv(m.group(4)))


def _parse_json(text: str) -> Line | None:
    if not text.startswith("{"):
        return None
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict) or obj.get("level") not in LEVELS:
        return None
    fields = {k: _str(v) for k, v in obj.items()}
    message = fields.get("message", "")
    return Line(fields["level"], fields.get("origin", ""), message, {**_kv(message), **fields})


def _parse_logfmt(text: str) -> Line | None:
    fields = _kv(text)
    if fields.get("level") not in LEVELS:
        return None
    message = fields.get("message", "")
    return Line(fields["level"], fields.get("origin", ""), message, {**_kv(message), **fields})


def _str(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _kv(text: str) -> dict[str, str]:
    out = {}
    for key, value in _KV.findall(text):
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out.setdefault(key, value)
    return out


def refusal_kind(line: Line) -> str | None:
    """hook / result / reply / last_reply, or None when the line refuses nothing."""
    f = line.fields
    if f.get("retval") in DENY_CODES and "hook" in f and "plugin" in f:
        return "hook"
    if f.get("code") in DENY_CODES:
        return "result"
    if line.level == "PROTOCOL" and _REPLY.match(line.message):
        return "reply"
    if _LR.match(f.get("lr", "")) and re.match(r"^disconnect\b", line.message):
        return "last_reply"
    return None


def emitter(line: Line, kind: str | None, plugins: set[str]) -> tuple[str, str]:
    """(emitter, how it was found) for a WARN+ line or a refusal."""
    if kind == "hook":
        return line.fields["plugin"], "plugin field"
    for rx, who, _why in HAND:
        if rx.search(line.message):
            return who, "hand"
    origin = line.origin
    if origin in plugins:
        return origin, "origin field"
    if origin in CORE_ORIGINS or origin.startswith("outbound"):
        return "core", "origin field (core)"
    return f"?{origin}", "unknown origin"


def explainable(lines: list[str], fmt: str, plugins: set[str]) -> list[dict]:
    """The manifest entries of a log: every WARN+ line and refusal, numbered from 1."""
    out = []
    for n, text in enumerate(lines, 1):
        line = parse(text, fmt)
        if line is None:
            continue
        kind = refusal_kind(line)
        if kind is None and line.level not in WARN_UP:
            continue
        who, how = emitter(line, kind, plugins)
        entry = {"n": n, "level": line.level, "kind": kind or "warn", "emitter": who, "how": how,
                 "text": text}
        if kind and line.level in WARN_UP:
            entry["kind"] = f"warn+{kind}"
        out.append(entry)
    return out


def plugin_names(plugins_file: str) -> set[str]:
    """Plugin names of a config/plugins text (comments and blanks skipped)."""
    return {ln.strip() for ln in plugins_file.splitlines() if ln.strip() and not ln.strip().startswith("#")}
