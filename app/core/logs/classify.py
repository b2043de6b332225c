"""Decide what a Haraka log message is about (LogEvent.kind) and pull out its fields.

Works on (message, level, origin, extras) from any log format: in DEFAULT the `key=value`
facts are inside the message text, in LOGFMT/JSON they arrive as extras. MATCHERS is an
ordered table of small functions, one per kind of line; each answers (kind, fields) for a
line it knows and None otherwise, and the first answer wins. This runs once per line on logs
of hundreds of megabytes, so the table is ordered by how often the lines occur, every matcher
tries a cheap `startswith` before any regex, and each entry declares the first characters of
the messages it can answer, so a message meets only the few matchers that could know it.
"""
from __future__ import annotations

import re
from typing import Callable

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

Fields = dict[str, str]
Match = tuple[str, Fields] | None
Matcher = Callable[[str, str | None, str, Fields | None], Match]


def classify(message: str, level: str | None, origin: str, extras: Fields | None = None) -> tuple[str, Fields]:
    """(kind, fields) for one parsed Haraka line. `extras`: JSON keys beside the message, if any."""
    for matcher in _CANDIDATES.get(message[:1], _ANY_MESSAGE):
        found = matcher(message, level, origin, extras)
        if found is not None:
            return found
    return "other", {}


# ---------------------------------------------------------------------- the SMTP summary lines

def hook_result(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`hook=rcpt plugin=x function=hook_rcpt params=<a@b> retval=OK msg="..."` (in JSON: the extras)."""
    if extras is not None:
        if "hook" in extras and "retval" in extras and not message:
            fields = dict(extras)
            _hook_address(fields)
            return "hook_result", _add_error_code(fields, fields.get("msg", ""))
        return None
    if message[:5] != "hook=":
        return None
    fields = shapes.hook_result(message)
    if "address" not in fields:
        _hook_address(fields)
    return "hook_result", _with_error_code(fields) if "[ERR" in fields.get("msg", "") else fields


def plugin_line(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """Any line a plugin logs itself (its origin is not Haraka's); the wildduck plugin's are read into fields."""
    if origin in CORE_ORIGINS:
        return None
    fields = parse_wildduck(message, level) if origin.endswith("wildduck") else {}
    fields["plugin"] = origin
    return "plugin_line", fields


def recipient(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`recipient <a@b> code=OK msg="" sender=c@d`."""
    if not message.startswith("recipient <"):
        return None
    fields = _address_fields(message, "rcpt", extras)
    return "recipient", _with_error_code(fields) if "[ERR" in fields.get("msg", "") else fields


def sender(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`sender <a@b> code=OK msg=""`."""
    if not message.startswith("sender <"):
        return None
    fields = _address_fields(message, "mail_from", extras)
    return "sender", _with_error_code(fields) if "[ERR" in fields.get("msg", "") else fields


def message_summary(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`message mid=<..> size=N rcpts=A/T/R delay=S code=C msg=M`: the DATA verdict."""
    if not (message == "message" or message.startswith("message ")):
        return None
    fields = dict(extras) if extras is not None else shapes.message_summary(message[8:])
    return "message", _with_error_code(fields) if "[ERR" in fields.get("msg", "") else fields


def queue(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`queue code=C msg=M`: the queue verdict."""
    if not (message == "queue" or message.startswith("queue ")):
        return None
    fields = dict(extras) if extras is not None else shapes.code_msg(message[6:])
    return "queue", _with_error_code(fields) if "[ERR" in fields.get("msg", "") else fields


def disconnect(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`disconnect ip=.. rdns=.. helo=.. relay=Y ... lr="550 text" time=S`."""
    if not (message == "disconnect" or message.startswith("disconnect ")):
        return None
    return "disconnect", dict(extras) if extras is not None else shapes.disconnect(message[11:])


def connect(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`connect ip=A port=P local_ip=B local_port=Q`."""
    if not (message == "connect" or message.startswith("connect ")):
        return None
    return "connect", dict(extras) if extras is not None else shapes.connect(message[8:])


def protocol(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`S: 250 ...` / `C: RCPT TO:<a@b> state=N` (PROTOCOL level): what was really said on the wire."""
    if not (message[:1] in ("S", "C") and message[1:3] == ": "):
        return None
    direction, text = message[0], message[3:]
    if direction == "S":
        return "protocol", {"direction": "S", "code": text[:3], "text": text}
    state = text.rfind(" state=")      # Haraka appends the connection state to client lines
    if state != -1 and text[state + 7:].isdigit():
        text = text[:state]
    verb, _, arg = text.partition(" ")
    fields = {"direction": "C", "verb": verb.lower(), "arg": arg, "text": text}
    lt, gt = arg.find("<"), arg.rfind(">")
    if -1 < lt < gt:
        fields["address"] = arg[lt + 1:gt]
    return "protocol", fields


# ---------------------------------------------------------------------- plugins: runs, failures, loading

def plugin_trouble(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`Plugin X timed out on hook H` / `Plugin X failed: error`."""
    if not message.startswith("Plugin "):
        return None
    m = _TIMEOUT.match(message)
    if m:
        return "timeout", {"plugin": m.group(1), "hook": m.group(2)}
    m = _PLUGIN_FAILED.match(message)
    if m:
        return "crit", {"plugin": m.group(1), "error": _summary(m.group(2))}
    return None


def hook_run(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`running rcpt hooks` / `running rcpt hook in X plugin` (DEBUG)."""
    m = _RUNNING.match(message) if message.startswith("running ") else None
    if m is None:
        return None
    return "hook_run", {"hook": m.group(1), "plugin": m.group(2)} if m.group(2) else {"hook": m.group(1)}


def plugin_load(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`[plugins] loading X`: the plugins Haraka loads, in order."""
    if origin != "plugins" or not message.startswith("loading "):
        return None
    return "plugin_load", {"plugin": message[8:].strip()}


def hook_registered(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`[plugins] registered hook H to X.method priority N`."""
    m = _REGISTERED.match(message) if origin == "plugins" and message.startswith("registered hook ") else None
    if m is None:
        return None
    return "hook_registered", {"hook": m.group(1), "plugin": m.group(2), "method": m.group(3), "priority": m.group(4)}


def load_error(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """A plugin that failed to load or compile (the shapes differ between Haraka versions)."""
    if "failed" not in message or not ("Loading" in message or message.startswith("compiling '")):
        return None
    for pattern in _LOAD_ERRORS:
        m = pattern.match(message)
        if m:
            return "load_error", {"plugin": m.group(1), "error": _summary(m.group(2)) or "compile failed"}
    return None


# ---------------------------------------------------------------------- the rest of the server

def outbound(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """Haraka's own outbound queue (relayed mail): delivery, bounces, new queue files."""
    if origin != "outbound":
        return None
    for rx, event in _OUTBOUND:
        m = rx.search(message)
        if m:
            return "outbound", {"event": event, **{k: v for k, v in m.groupdict().items() if v}}
    return "outbound", {"event": "other", "msg": message[:200]}


def smtp_client(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`[smtp_client] key=value ...`: connections Haraka makes to forward mail."""
    if not message.startswith("[smtp_client] "):
        return None
    return "smtp_client", dict(_KV.findall(message[14:]))


def tls_error(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`tls key /path could not be loaded` / `tls cert ...`."""
    if not (message.startswith(("tls key ", "tls cert ")) and "could not be loaded" in message):
        return None
    what, _, rest = message[4:].partition(" ")
    return "tls_error", {"what": what, "path": rest.split(" could not", 1)[0].strip(), "error": "could not be loaded"}


def startup(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`Starting up Haraka version X` and `Shutting down`."""
    if message.startswith("Starting up Haraka version"):
        return "startup", {"event": "starting", "version": message[26:].strip()}
    if message == "Shutting down":
        return "startup", {"event": "shutdown"}
    return None


def critical(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """Any other line at CRIT or worse: an uncaught exception, usually."""
    if level not in CRIT_LEVELS:
        return None
    return "crit", {"error": _summary(message.removeprefix("Caught exception:"))}


def server(message: str, level: str | None, origin: str, extras: Fields | None) -> Match:
    """`[server] Listening on ...` and the cluster's workers starting."""
    if origin != "server":
        return None
    if message.startswith("Listening on"):
        return "startup", {"event": "listening", "address": message[13:].strip()}
    if message.startswith("worker started") or (message.startswith("worker ") and " listening on " in message):
        return "startup", {"event": "worker_started"}
    return None


# In the order they are tried: (the first characters of the messages a matcher can answer, None for
# any message; the matcher). `classify` offers a message only to the entries its first character allows.
MATCHERS: tuple[tuple[tuple[str, ...] | None, Matcher], ...] = (
    (("h", ""), hook_result),           # "": a JSON hook result has no message, only extras
    (None, plugin_line),
    (("r",), recipient),
    (("s",), sender),
    (("m",), message_summary),
    (("q",), queue),
    (("d",), disconnect),
    (("c",), connect),
    (("S", "C"), protocol),
    (("P",), plugin_trouble),
    (("r",), hook_run),
    (("l",), plugin_load),
    (("r",), hook_registered),
    (None, load_error),
    (None, outbound),
    (("[",), smtp_client),
    (("t",), tls_error),
    (("S",), startup),
    (None, critical),
    (None, server),
)


def by_first_character() -> tuple[dict[str, tuple[Matcher, ...]], tuple[Matcher, ...]]:
    """For each first character some matcher declares: the matchers that may answer, in table order;
    and the matchers for any other message."""
    chars = {c for starts, _ in MATCHERS if starts is not None for c in starts}
    index = {c: tuple(m for starts, m in MATCHERS if starts is None or c in starts) for c in chars}
    return index, tuple(m for starts, m in MATCHERS if starts is None)


_CANDIDATES, _ANY_MESSAGE = by_first_character()


# ---------------------------------------------------------------------- shared helpers

def _address_fields(message: str, key: str, extras: Fields | None) -> Fields:
    """The address (under `key`) and codes of a sender/recipient line; in JSON the codes are extras."""
    if extras is None:
        return shapes.address_line(message, key)
    lt, gt = message.find("<"), message.rfind(">")
    fields = dict(extras)
    fields[key] = message[lt + 1:gt] if -1 < lt < gt else message.partition(" ")[2]
    return fields


def _hook_address(fields: Fields) -> None:
    params = fields.get("params", "")
    if params[:1] == "<" and params[-1:] == ">":
        fields["address"] = params[1:-1]


def _with_error_code(fields: Fields) -> Fields:
    """`fields` with the WildDuck error code (`[ERRQ07]`) its reply text carries (callers check for `[ERR`)."""
    return _add_error_code(fields, fields["msg"])


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
