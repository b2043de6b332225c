"""Conversation history on the local disk, secrets masked before anything is written.

One JSON file per session under <data dir>/history/: the pasted context (file name → text) and
the turns. Written atomically; `clear()` removes one session or all of them. The stored context
is redacted too, so a session reloaded from disk re-runs the checks on masked secrets, which no
rule needs.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from app.core.redact import redact_obj
from ingest.atomic import write_atomic

SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")
MAX_LOG_CHARS = 4_000_000


def safe_id(session_id: str) -> str:
    return SAFE_ID.sub("_", session_id)[:80] or "default"


class HistoryStore:
    def __init__(self, home: Path | None = None):
        from ingest.home import data_home
        self.dir = (home or data_home()) / "history"

    def path(self, session_id: str) -> Path:
        return self.dir / f"{safe_id(session_id)}.json"

    def save(self, session_id: str, record: dict[str, Any], known_secrets: frozenset[str] = frozenset()) -> Path:
        record = redact_obj(dict(record, updated=time.time()), known_secrets)
        ctx = record.get("context") or {}
        if isinstance(ctx.get("log_text"), str) and len(ctx["log_text"]) > MAX_LOG_CHARS:
            ctx["log_text"] = ctx["log_text"][-MAX_LOG_CHARS:]      # the latest part of a huge log
        target = self.path(session_id)
        write_atomic(target, json.dumps(record, ensure_ascii=False, indent=1))
        return target

    def load(self, session_id: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path(session_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def sessions(self) -> list[str]:
        return sorted(p.stem for p in self.dir.glob("*.json")) if self.dir.is_dir() else []

    def clear(self, session_id: str | None = None) -> int:
        targets = [self.path(session_id)] if session_id else list(self.dir.glob("*.json")) if self.dir.is_dir() else []
        n = 0
        for p in targets:
            if p.exists():
                p.unlink()
                n += 1
        return n
