"""Conversation history on the local disk, secrets masked before anything is written.

One JSON file per session under <data dir>/history/: the pasted context (file name → text) and
the turns. `append()` adds a turn under a lock shared by every process (fcntl, `history/.lock`)
and replaces the file atomically, so follow-ups asked at the same time on one `--session` are all
kept; `clear()` removes one session or all of them. The stored context is redacted too, so a
session reloaded from disk re-runs the checks on masked secrets, which no rule needs.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from app.core.redact import redact_obj
from ingest.atomic import locked, write_atomic
from ingest.integrity import set_aside

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

    def _lock(self):
        return locked(self.dir / ".lock")

    def _write(self, session_id: str, record: dict[str, Any]) -> Path:
        ctx = record.get("context") or {}
        if isinstance(ctx.get("log_text"), str) and len(ctx["log_text"]) > MAX_LOG_CHARS:
            ctx["log_text"] = ctx["log_text"][-MAX_LOG_CHARS:]      # the latest part of a huge log
        target = self.path(session_id)
        write_atomic(target, json.dumps(record, ensure_ascii=False, indent=1))
        return target

    def save(self, session_id: str, record: dict[str, Any], known_secrets: frozenset[str] = frozenset()) -> Path:
        """Replace the stored session with `record` (redacted)."""
        with self._lock():
            return self._write(session_id, redact_obj(dict(record, updated=time.time()), known_secrets))

    def append(self, session_id: str, context: dict[str, Any], turns: list[dict[str, Any]],
               known_secrets: frozenset[str] = frozenset()) -> int:
        """Add `turns` after the stored ones (those other processes added meanwhile included) and
        store `context` as the session's context; returns how many turns the session now holds."""
        new = redact_obj({"context": context, "turns": turns}, known_secrets)
        with self._lock():
            old = self.load(session_id)
            if old is None and self.path(session_id).exists():     # unreadable: kept aside, never overwritten
                set_aside(self.path(session_id))
            kept = [t for t in (old or {}).get("turns") or [] if isinstance(t, dict)]
            record = {"id": session_id, "context": new["context"], "turns": kept + new["turns"],
                      "updated": time.time()}
            self._write(session_id, record)
        return len(record["turns"])

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
        if not targets:
            return 0
        with self._lock():
            for p in targets:
                if p.exists():
                    p.unlink()
                    n += 1
        return n
