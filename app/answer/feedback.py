"""👍/👎 on answers, and the questions nobody answered: raw material for new notes and rules.

Appended as JSON lines to <data dir>/feedback.jsonl, secrets masked, each line in one write under
a lock every process shares (lines from concurrent sessions never interleave). Abstentions are
recorded too (vote None, abstained True), so `mxdoctor feedback --unanswered` lists both the
questions the composer could not answer and the answers users voted down.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from app.core.redact import redact_obj
from ingest.atomic import locked

VOTES = {"up": "up", "down": "down", "+1": "up", "-1": "down", "👍": "up", "👎": "down", None: None}
FEEDBACK_FILE = "feedback.jsonl"


def feedback_path(home: Path | None = None) -> Path:
    from ingest.home import data_home
    return (home or data_home()) / FEEDBACK_FILE


def record_feedback(question: str, answer: str, vote: str | None, *, passages: list[dict[str, Any]] | None = None,
                    abstained: bool = False, rules: list[str] | None = None, lang: str | None = None,
                    comment: str = "", session_id: str | None = None, home: Path | None = None,
                    known_secrets: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """Store one verdict (vote "up" | "down" | None) on an answer; returns the stored (redacted) record.
    `known_secrets` (a Session's) are scrubbed even where no pattern would spot them."""
    if vote not in VOTES:
        raise ValueError("vote must be 'up', 'down' or None")
    record = redact_obj({
        "time": time.time(), "question": question, "answer": answer, "vote": VOTES[vote],
        "abstained": bool(abstained), "rules": list(rules or []), "lang": lang, "comment": comment,
        "session": session_id,
        "passages": [{k: p.get(k) for k in ("n", "title", "url", "heading", "text")} for p in passages or []],
    }, known_secrets)
    path = feedback_path(home)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    with locked(path.with_name(f".{path.name}.lock")):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            while line:
                line = line[os.write(fd, line):]
        finally:
            os.close(fd)
    return record


def load_feedback(home: Path | None = None) -> list[dict[str, Any]]:
    path = feedback_path(home)
    out = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue            # a torn last line from a crash is skipped, not fatal
        if isinstance(rec, dict):
            out.append(rec)
    return out


def unanswered(home: Path | None = None) -> list[dict[str, Any]]:
    """Questions that abstained or were voted down, newest first, each question once."""
    seen: set[str] = set()
    out = []
    for rec in sorted(load_feedback(home), key=lambda r: -float(r.get("time") or 0)):
        if not (rec.get("abstained") or rec.get("vote") == "down"):
            continue
        q = str(rec.get("question", "")).strip()
        if q.lower() in seen:
            continue
        seen.add(q.lower())
        out.append(rec)
    return out


def clear_feedback(home: Path | None = None) -> None:
    path = feedback_path(home)
    if path.exists():
        with locked(path.with_name(f".{path.name}.lock")):
            path.unlink(missing_ok=True)
