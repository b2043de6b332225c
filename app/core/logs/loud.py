"""Which log lines must be explained ("loud" lines): what went wrong, or what was refused.

Why: an admin pastes a log because something failed. Every event at WARN or above, every hook
that answered DENY/DENYSOFT (with or without disconnect) and every 4xx/5xx reply Haraka sent is
a fact about the failure; none of them may pass as "no problem found".
"""
from __future__ import annotations

from app.core.logs.formats import detect
from app.core.logs.tally import UUID_SUFFIX as _UUID_SUFFIX
from app.core.logs.tally import normalise_reply
from app.core.model import LogEvent

LOUD = {"WARN", "ERROR", "CRIT", "ALERT", "EMERG"}
LOUD_FIELDS = ("category", "tag", "code", "hook", "text")   # the parts of a loud_key, as triage rows name them
REFUSALS = {"DENY", "DENYSOFT", "DENYDISCONNECT", "DENYSOFTDISCONNECT", "DISCONNECT"}


# Haraka's summary line of each step, and the hook whose answer it reports
RESULT_KINDS = {"sender": "mail", "recipient": "rcpt", "message": "data_post", "queue": "queue"}


def category(ev: LogEvent) -> str | None:
    """'refusal' (a hook said DENY*), 'result' (a step's summary line says DENY*), 'reply' (Haraka
    sent 4xx/5xx, or a connection's last reply was one), 'error' (WARN+), or None."""
    kind = ev.kind
    if kind == "hook_result":
        return "refusal" if ev.fields.get("retval", "").upper() in REFUSALS else None
    if kind == "protocol":
        code = ev.fields.get("code", "")
        return "reply" if ev.fields.get("direction") == "S" and code[:1] in ("4", "5") else None
    if kind in RESULT_KINDS and ev.fields.get("code", "").upper() in REFUSALS:
        return "result"
    if kind == "disconnect" and ev.fields.get("lr", "")[:1] in ("4", "5"):
        return "reply"
    if ev.level in LOUD:
        return "error"
    return None


def reply_text(ev: LogEvent) -> str:
    """The reply of a `S: 4xx ...` line, or a disconnect line's last reply (lr=)."""
    return without_uuid(ev.fields.get("text") or ev.fields.get("lr", ""))


def without_uuid(text: str) -> str:
    """Haraka appends " (UUID.N)" to a reply it sends; the code that wrote the reply did not."""
    return _UUID_SUFFIX.sub("", text) if "(" in text else text


def message_text(ev: LogEvent) -> str:
    """The line's message, without its level, uuid and origin (what the emitter passed)."""
    fmt = detect(ev.raw)
    head = fmt.parse(ev.raw) if fmt is not None else None
    if head is None:
        return ev.raw
    message, extras = head[3], head[4]
    if not message and extras:
        return str(extras.get("msg") or extras.get("message") or "")
    return message


def loud_key(ev: LogEvent) -> tuple[str, str, str, str, str] | None:
    """What makes loud lines the same for counting (category, emitter tag, level or code, hook, text
    without uuids and addresses), or None for a quiet line. The triage counts by it and explains
    each key once, so explaining a big log costs per distinct line, not per line."""
    cat = category(ev)
    if cat is None:
        return None
    f = ev.fields
    if cat == "refusal":
        return cat, f.get("plugin") or "", f.get("retval", ""), f.get("hook", ""), normalise_reply(f.get("msg", ""))
    if cat == "reply":
        text = reply_text(ev)
        return cat, "", text[:3], "", normalise_reply(text)
    if cat == "result":
        return cat, ev.kind, f.get("code", ""), RESULT_KINDS[ev.kind], normalise_reply(f.get("msg", ""))
    return cat, ev.origin or "", ev.level or "", "", normalise_reply(message_text(ev))


def event_of(key: tuple[str, str, str, str, str], file: str = "", lineno: int = 0) -> LogEvent:
    """A stand-in event for a counted key, good enough to explain it."""
    cat, tag, code, hook, text = key
    if cat == "refusal":
        return LogEvent(lineno, file, text, "hook_result", "INFO", None, "core", None,
                        {"plugin": tag, "retval": code, "hook": hook, "msg": text})
    if cat == "reply":
        return LogEvent(lineno, file, text, "protocol", "PROTOCOL", None, "core", None,
                        {"direction": "S", "code": code, "text": text})
    if cat == "result":
        return LogEvent(lineno, file, text, tag, "NOTICE", None, "core", None, {"code": code, "msg": text})
    return LogEvent(lineno, file, f"[{code}] [-] [{tag or 'core'}] {text}", "other", code, None, tag or "core")
