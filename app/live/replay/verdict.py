"""One line per recipient saying what really became of it, from the replies and the log."""
from __future__ import annotations

from app.core.logs.loud import without_uuid
from app.core.model import LogEvent
from app.live.replay.words import say
from app.live.smtp import Session


def wildduck_actions(events: list[LogEvent]) -> dict[str, set[str]]:
    """Recipients the (stand-in) wildduck plugin logged as RESOLVED and as STORED."""
    out: dict[str, set[str]] = {"resolved": set(), "stored": set()}
    for ev in events:
        action = ev.fields.get("wildduck_action")
        if action in ("RESOLVED", "STORED"):
            out[action.lower()].add(ev.fields.get("rcpt", "").lower())
    return out


def verdict(session: Session, events: list[LogEvent], stores_with_wildduck: bool, forwarded: set[str],
            lang: str = "en") -> list[str]:
    """Per recipient: refused, stored, accepted-but-never-resolved, queued or forwarded."""
    if session.failure is not None and session.failure.kind not in ("reply",):
        return [say(lang, "v_failed", message=session.failure.message)]
    done = wildduck_actions(events)
    end = session.get("data_end")
    end_line = without_uuid(end.line) if end is not None else ""
    out = []
    for rcpt in session.rcpts:
        reply = session.get("rcpt", rcpt)
        if reply is None or reply.code is None or reply.code >= 400:
            out.append(say(lang, "v_refused", rcpt=rcpt, reply=reply.line if reply else "no reply"))
        elif not session.sent:
            out.append(say(lang, "v_not_sent", rcpt=rcpt, reply=end_line or (session.failure.message
                                                                             if session.failure else "")))
        elif rcpt.lower() in done["stored"]:
            out.append(say(lang, "v_stored", rcpt=rcpt))
        elif stores_with_wildduck:
            out.append(say(lang, "v_shadowed", rcpt=rcpt, reply=end_line))
        elif rcpt.lower() in forwarded:
            out.append(say(lang, "v_forwarded", rcpt=rcpt))
        else:
            out.append(say(lang, "v_queued", rcpt=rcpt, reply=end_line))
    return out
