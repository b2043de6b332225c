"""Which log lines must be explained: what went wrong, or what was refused.

Why: an admin pastes a log because something failed. Every event at WARN or above, every hook
that answered DENY/DENYSOFT (with or without disconnect) and every 4xx/5xx reply Haraka sent is
a fact about the failure; none of them may pass as "no problem found".
"""
from __future__ import annotations

from app.core.logs.formats import detect
from app.core.model import LogEvent

LOUD = {"WARN", "ERROR", "CRIT", "ALERT", "EMERG"}
REFUSALS = {"DENY", "DENYSOFT", "DENYDISCONNECT", "DENYSOFTDISCONNECT", "DISCONNECT"}


def category(ev: LogEvent) -> str | None:
    """'refusal' (a hook said DENY*), 'reply' (Haraka sent 4xx/5xx), 'error' (WARN+), or None."""
    if ev.kind == "hook_result":
        return "refusal" if ev.fields.get("retval", "").upper() in REFUSALS else None
    if ev.kind == "protocol":
        code = ev.fields.get("code", "")
        return "reply" if ev.fields.get("direction") == "S" and code[:1] in ("4", "5") else None
    if ev.level in LOUD:
        return "error"
    return None


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
