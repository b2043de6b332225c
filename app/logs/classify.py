"""Decide what a Haraka log message is about (LogEvent.kind) and pull out its fields.

Works on (message, level, origin, extras) from any of the three formats: in DEFAULT the
`key=value` facts are inside the message text, in LOGFMT/JSON they arrive as extras. Checks
are ordered by how often the lines occur in a real log and use cheap `startswith` tests
before any regex, because this runs once per line on logs of hundreds of megabytes.
"""
from __future__ import annotations

import re

from app.logs.fields import parse_kv, strip_brackets
from app.logs.wildduck import parse_wildduck

# origins Haraka itself uses; anything else is a plugin name
CORE_ORIGINS = frozenset({"core", "server", "plugins", "outbound", "logger", "connection", "haraka",
                          "master", "cluster", "transaction", "config", "tls_socket", "-"})
CRIT_LEVELS = frozenset({"CRIT", "ALERT", "EMERG"})

_ERROR_CODE = re.compile(r"\[(ERR[A-Z]\d\d)\]")
_ADDR_HEAD = re.compile(r"(recipient|sender) <(.*?)>(?= |$)")
_TIMEOUT = re.compile(r"Plugin (\S+) timed out on hook (\S+)")
_PLUGIN_FAILED = re.compile(r"Plugin (\S+) failed:? ?(.*)", re.S)
_LOAD_ERRORS = (
    re.compile(r"(?:Caught exception:)?Loading plugin (\S+) failed: (.*)", re.S),
    re.compile(r"compiling '([^']+)' failed(.*)", re.S),
    re.compile(r"Loading '([^']+)' failed: (.*?)(?: - skipping)?$", re.S),
    re.compile(r"Loading (\S+) failed: (.*)", re.S),
)
_STACK_AT = re.compile(r"\s{2,}at |\n")
_RUNNING = re.compile(r"running (\w+) hooks?(?: in (\S+) plugin)?$")
_REGISTERED = re.compile(r"registered hook (\w+) to (\S+)\.(\w+) priority (-?\d+)")

Fields = dict[str, str]


def _kv(message: str, start: int, extras: Fields | None) -> Fields:
    if extras is not None:
        return extras
    return parse_kv(message[start:]) if start < len(message) else {}


def _add_error_code(fields: Fields, text: str) -> Fields:
    if "[ERR" in text:
        m = _ERROR_CODE.search(text)
        if m:
            fields["error_code"] = m.group(1)
    return fields


def _summary(text: str) -> str:
    """An error message without the stack frames Haraka appends."""
    m = _STACK_AT.search(text)
    return (text[:m.start()] if m else text).strip()


def classify(message: str, level: str | None, origin: str, extras: Fields | None) -> tuple[str, Fields]:
    """(kind, fields) for one parsed Haraka line."""
    # hook results: `hook=rcpt plugin=x function=hook_rcpt params=<a@b> retval=OK msg="..."`
    if extras is None:
        if message.startswith("hook="):
            return _hook_result(parse_kv(message))
    elif "hook" in extras and "retval" in extras and not message:
        return _hook_result(dict(extras))

    if origin not in CORE_ORIGINS:
        return _plugin_line(message, level, origin)

    c = message[:1]
    if c == "r" and message.startswith("recipient <"):
        return _address_line("recipient", "rcpt", message, extras)
    if c == "s" and message.startswith("sender <"):
        return _address_line("sender", "mail_from", message, extras)
    if c == "m" and (message == "message" or message.startswith("message ")):
        fields = dict(_kv(message, 8, extras))
        return "message", _add_error_code(fields, fields.get("msg", ""))
    if c == "q" and (message == "queue" or message.startswith("queue ")):
        fields = dict(_kv(message, 6, extras))
        return "queue", _add_error_code(fields, fields.get("msg", ""))
    if c == "d" and (message == "disconnect" or message.startswith("disconnect ")):
        return "disconnect", dict(_kv(message, 11, extras))
    if c == "c" and (message == "connect" or message.startswith("connect ")):
        return "connect", dict(_kv(message, 8, extras))
    if (c == "S" or c == "C") and message[1:3] == ": ":
        return "protocol", _protocol(message)
    if c == "P" and message.startswith("Plugin "):
        m = _TIMEOUT.match(message)
        if m:
            return "timeout", {"plugin": m.group(1), "hook": m.group(2)}
        m = _PLUGIN_FAILED.match(message)
        if m:
            return "crit", {"plugin": m.group(1), "error": _summary(m.group(2))}
    if c == "r" and message.startswith("running "):
        m = _RUNNING.match(message)
        if m:
            return "hook_run", {"hook": m.group(1), "plugin": m.group(2)} if m.group(2) else {"hook": m.group(1)}
    if origin == "plugins":
        if message.startswith("loading "):
            return "plugin_load", {"plugin": message[8:].strip()}
        if message.startswith("registered hook "):
            m = _REGISTERED.match(message)
            if m:
                return "hook_registered", {"hook": m.group(1), "plugin": m.group(2), "method": m.group(3),
                                           "priority": m.group(4)}
    if "failed" in message and ("Loading" in message or message.startswith("compiling '")):
        for pattern in _LOAD_ERRORS:
            m = pattern.match(message)
            if m:
                return "load_error", {"plugin": m.group(1), "error": _summary(m.group(2)) or "compile failed"}
    if message.startswith("Starting up Haraka version"):
        return "startup", {"event": "starting", "version": message[26:].strip()}
    if message == "Shutting down":
        return "startup", {"event": "shutdown"}
    if level in CRIT_LEVELS:
        return "crit", {"error": _summary(message.removeprefix("Caught exception:"))}
    if origin == "server":
        return _server_line(message)
    return "other", {}


def _hook_result(fields: Fields) -> tuple[str, Fields]:
    params = fields.get("params", "")
    if params.startswith("<") and params.endswith(">"):
        fields["address"] = params[1:-1]
    return "hook_result", _add_error_code(fields, fields.get("msg", ""))


def _address_line(kind: str, key: str, message: str, extras: Fields | None) -> tuple[str, Fields]:
    m = _ADDR_HEAD.match(message)
    if m is None:  # an address with a space or no closing bracket: take what is there
        head, _, rest = message.partition(" ")
        address, start = rest.split(" ", 1)[0], len(message)
        address = strip_brackets(address)
    else:
        address, start = m.group(2), m.end() + 1
    fields = dict(_kv(message, start, extras))
    fields[key] = address
    return kind, _add_error_code(fields, fields.get("msg", ""))


def _protocol(message: str) -> Fields:
    direction, text = message[0], message[3:]
    if direction == "S":
        return {"direction": "S", "code": text[:3], "text": text}
    if text.endswith(tuple(f" state={n}" for n in range(10))):
        text = text[:text.rfind(" state=")]
    verb, _, arg = text.partition(" ")
    fields = {"direction": "C", "verb": verb.lower(), "arg": arg, "text": text}
    lt, gt = arg.find("<"), arg.rfind(">")
    if -1 < lt < gt:
        fields["address"] = arg[lt + 1:gt]
    return fields


def _plugin_line(message: str, level: str | None, origin: str) -> tuple[str, Fields]:
    if origin == "wildduck" or origin.endswith("wildduck"):
        fields = parse_wildduck(message, level)
    else:
        fields = {}
    fields["plugin"] = origin
    return "plugin_line", fields


def _server_line(message: str) -> tuple[str, Fields]:
    if message.startswith("Listening on"):
        return "startup", {"event": "listening", "address": message[13:].strip()}
    if message.startswith("worker started") or (message.startswith("worker ") and " listening on " in message):
        return "startup", {"event": "worker_started"}
    return "other", {}
