"""Decide what a Haraka log message is about (LogEvent.kind) and pull out its fields.

Works on (message, level, origin, extras) from any of the three formats: in DEFAULT the
`key=value` facts are inside the message text, in LOGFMT/JSON they arrive as extras. Checks
are ordered by how often the lines occur in a real log and use cheap `startswith` tests
before any regex, because this runs once per line on logs of hundreds of megabytes.
"""
from __future__ import annotations

import re

from app.core.logs import shapes
from app.core.logs.wildduck import parse_wildduck

# origins Haraka itself uses; anything else is a plugin name
CORE_ORIGINS = frozenset({"core", "server", "plugins", "outbound", "logger", "connection", "haraka",
                          "master", "cluster", "transaction", "config", "tls_socket", "-"})
CRIT_LEVELS = frozenset({"CRIT", "ALERT", "EMERG"})

_ERROR_CODE = re.compile(r"\[(ERR[A-Z]\d\d)\]")
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


def classify(message: str, level: str | None, origin: str, extras: Fields | None = None) -> tuple[str, Fields]:
    """(kind, fields) for one parsed Haraka line. `extras`: JSON keys beside the message, if any."""
    # hook results: `hook=rcpt plugin=x function=hook_rcpt params=<a@b> retval=OK msg="..."`
    if extras is None:
        if message[:5] == "hook=":
            fields = shapes.hook_result(message)
            if "address" not in fields:
                _hook_address(fields)
            if "[ERR" in fields.get("msg", ""):
                _add_error_code(fields, fields["msg"])
            return "hook_result", fields
    elif "hook" in extras and "retval" in extras and not message:
        return _hook_result(dict(extras))

    if origin not in CORE_ORIGINS:
        return _plugin_line(message, level, origin)

    c = message[:1]
    if c == "r" and message.startswith("recipient <"):
        fields = shapes.address_line(message, "rcpt") if extras is None else _address_extras(message, "rcpt", extras)
        return "recipient", fields if "[ERR" not in fields.get("msg", "") else _add_error_code(fields, fields["msg"])
    if c == "s" and message.startswith("sender <"):
        fields = shapes.address_line(message, "mail_from") if extras is None else \
            _address_extras(message, "mail_from", extras)
        return "sender", fields if "[ERR" not in fields.get("msg", "") else _add_error_code(fields, fields["msg"])
    if c == "m" and (message == "message" or message.startswith("message ")):
        fields = dict(extras) if extras is not None else shapes.message_summary(message[8:])
        return "message", fields if "[ERR" not in fields.get("msg", "") else _add_error_code(fields, fields["msg"])
    if c == "q" and (message == "queue" or message.startswith("queue ")):
        fields = dict(extras) if extras is not None else shapes.code_msg(message[6:])
        return "queue", fields if "[ERR" not in fields.get("msg", "") else _add_error_code(fields, fields["msg"])
    if c == "d" and (message == "disconnect" or message.startswith("disconnect ")):
        return "disconnect", dict(extras) if extras is not None else shapes.disconnect(message[11:])
    if c == "c" and (message == "connect" or message.startswith("connect ")):
        return "connect", dict(extras) if extras is not None else shapes.connect(message[8:])
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
    if origin == "outbound":
        return "outbound", _outbound(message)
    if c == "[" and message.startswith("[smtp_client] "):
        return "smtp_client", dict(_KV.findall(message[14:]))
    if message.startswith(("tls key ", "tls cert ")) and "could not be loaded" in message:
        what, _, rest = message[4:].partition(" ")
        return "tls_error", {"what": what, "path": rest.split(" could not", 1)[0].strip(),
                             "error": "could not be loaded"}
    if message.startswith("Starting up Haraka version"):
        return "startup", {"event": "starting", "version": message[26:].strip()}
    if message == "Shutting down":
        return "startup", {"event": "shutdown"}
    if level in CRIT_LEVELS:
        return "crit", {"error": _summary(message.removeprefix("Caught exception:"))}
    if origin == "server":
        return _server_line(message)
    return "other", {}


def _hook_address(fields: Fields) -> None:
    params = fields.get("params", "")
    if params[:1] == "<" and params[-1:] == ">":
        fields["address"] = params[1:-1]


def _hook_result(fields: Fields) -> tuple[str, Fields]:
    _hook_address(fields)
    return "hook_result", _add_error_code(fields, fields.get("msg", ""))


def _address_extras(message: str, key: str, extras: Fields) -> Fields:
    """JSON: the address is in the message text, the codes in the extras."""
    lt, gt = message.find("<"), message.rfind(">")
    fields = dict(extras)
    fields[key] = message[lt + 1:gt] if -1 < lt < gt else message.partition(" ")[2]
    return fields


def _protocol(message: str) -> Fields:
    direction, text = message[0], message[3:]
    if direction == "S":
        return {"direction": "S", "code": text[:3], "text": text}
    state = text.rfind(" state=")      # Haraka appends the connection state to client lines
    if state != -1 and text[state + 7:].isdigit():
        text = text[:state]
    verb, _, arg = text.partition(" ")
    fields = {"direction": "C", "verb": verb.lower(), "arg": arg, "text": text}
    lt, gt = arg.find("<"), arg.rfind(">")
    if -1 < lt < gt:
        fields["address"] = arg[lt + 1:gt]
    return fields


_KV = re.compile(r"(\w+)=(\S+)")
_OUTBOUND = [
    (re.compile(r"Transaction delivery for domain: (?P<domain>\S+)"), "delivery"),
    (re.compile(r"bouncing mail: (?P<reason>.*?)(?: for domain: (?P<domain>\S+))?$"), "bounce"),
    (re.compile(r"Double bounce: (?P<reason>.*)"), "double_bounce"),
    (re.compile(r"Created transaction: (?P<queue_id>\S+)"), "created"),
    (re.compile(r"Sending email via params"), "sending"),
    (re.compile(r"Adding missing (?P<header>[\w-]+) header"), "header_added"),
    (re.compile(r"(?:delivered|Delivered) file=(?P<file>\S+)"), "delivered"),
    (re.compile(r"[Tt]emp fail(?:ure)?(?: for)? (?P<reason>.*)"), "temp_fail"),
]


def _outbound(message: str) -> Fields:
    """Haraka's own outbound queue (relayed mail): delivery, bounces, new queue files."""
    for rx, event in _OUTBOUND:
        m = rx.search(message)
        if m:
            return {"event": event, **{k: v for k, v in m.groupdict().items() if v}}
    return {"event": "other", "msg": message[:200]}


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
