"""What became of each recipient as one machine-readable word, the run's overall word, and the
exit code, so a replay can gate a deploy (`mxdoctor replay ... && deploy`).

The words are the simulator's outcomes (kb/outcomes.yaml) where they fit, plus what only a real
run can show: a reply refused or deferred at a given stage, and a session that broke off.
"""
from __future__ import annotations

from app.core.model import LogEvent
from app.live.smtp import Session

ARRIVED = ("stored", "queued", "outbound")     # accepted and stored or queued: exit 0
OK, NOT_ARRIVING, BAD_INPUT, NO_START = 0, 1, 2, 3
EXIT_CODES = {OK: "every recipient's mail was accepted and stored or queued",
              NOT_ARRIVING: "the replay shows mail not arriving (refused, deferred, processed but not stored)",
              BAD_INPUT: "bad input (config dir, address, version) or no node/npm",
              NO_START: "Haraka did not start with this config (its log says why)"}
EARLY = {"banner": "connect", "ehlo": "helo", "mail": "mail", "data": "data"}


def _refused(code: int, where: str) -> str:
    return f"{'deferred' if code < 500 else 'rejected'}_at_{where}"


def _early(session: Session) -> str | None:
    """A refusal before any recipient (the connection, EHLO, MAIL) ends the mail of all of them."""
    for stage in ("banner", "ehlo", "mail"):
        reply = session.get(stage)
        if reply is not None and reply.code is not None and reply.code >= 400:
            return _refused(reply.code, EARLY[stage])
    return None


def _declined(events: list[LogEvent]) -> bool:
    """No queue plugin took the message: Haraka's queue line says neither OK nor a refusal."""
    codes = [ev.fields.get("code", "").upper() for ev in events if ev.kind == "queue"]
    return bool(codes) and not any(c == "OK" or c.startswith("DENY") for c in codes)


def _after_rcpt(session: Session, events: list[LogEvent]) -> str:
    data = session.get("data")
    if data is not None and data.code is not None and data.code >= 400:
        return _refused(data.code, "data")
    end = session.get("data_end")
    if end is None or end.code is None:
        return "session_failed"
    if end.code >= 500:
        return "rejected_after_data"
    if end.code >= 400:
        return "queue_declined" if _declined(events) else "deferred_after_data"
    return ""


def outcomes(session: Session | None, events: list[LogEvent], stored: set[str], stand_in_stores: bool) -> dict:
    """{recipient: outcome} for every --rcpt (empty when Haraka never answered)."""
    if session is None:
        return {}
    early = _early(session)
    out = {}
    for rcpt in session.rcpts:
        reply = session.get("rcpt", rcpt)
        if early:
            out[rcpt] = early
        elif reply is None or reply.code is None:
            out[rcpt] = "session_failed"
        elif reply.code >= 400:
            out[rcpt] = _refused(reply.code, "rcpt")
        else:
            after = _after_rcpt(session, events)
            out[rcpt] = after or ("stored" if rcpt.lower() in stored else
                                  "processed_not_stored" if stand_in_stores else "queued")
    return out


def overall(per_rcpt: dict[str, str], haraka_error: str) -> str:
    """One word for the run: the recipients' common outcome, `no_recipients` when each was refused
    at RCPT, `mixed` when they differ."""
    if haraka_error:
        return "haraka_did_not_start"
    kinds = set(per_rcpt.values())
    if not kinds:
        return "session_failed"
    if all(k.endswith("_at_rcpt") for k in kinds):
        return "no_recipients"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def exit_code(per_rcpt: dict[str, str], haraka_error: str) -> int:
    if haraka_error:
        return NO_START
    return OK if per_rcpt and all(k in ARRIVED for k in per_rcpt.values()) else NOT_ARRIVING


def exit_code_help() -> str:
    return "exit codes: " + "; ".join(f"{code} = {what}" for code, what in EXIT_CODES.items())
