"""What a log triage hands out: the report, each file's line counts, and a transaction's timeline.

Plain dataclasses, JSON-ready with `to_dict()`; app.core.logs.summary fills them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.logs.formats.haraka_default import without_head
from app.core.logs.records import Transaction
from app.core.model import LogEvent


@dataclass
class FileStats:
    name: str
    lines: int = 0          # physical lines read
    parsed: int = 0         # lines recognised as Haraka output (any format)
    unparsed: int = 0       # text lines that are not Haraka log lines
    blank: int = 0          # empty lines and journald markers
    formats: dict[str, int] = field(default_factory=dict)   # a format's NAME -> lines
    notes: list[str] = field(default_factory=list)


@dataclass
class TriageReport:
    files: list[FileStats] = field(default_factory=list)
    lines_read: int = 0
    lines_parsed: int = 0
    lines_unparsed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    connections: int = 0
    transactions: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)       # per transaction / bare connection
    messages_accepted: int = 0     # queue answered OK (250)
    messages_deferred: int = 0     # 4xx at DATA / queue
    messages_rejected: int = 0     # 5xx at DATA / queue
    recipients: dict[str, int] = field(default_factory=dict)     # accepted | rejected | deferred | unknown
    misleading_ok: int = 0         # recipients logged code=OK that the client saw refused
    rejections: list[dict[str, Any]] = field(default_factory=list)
    deferrals: list[dict[str, Any]] = field(default_factory=list)
    wildduck: dict[str, Any] = field(default_factory=dict)
    crit: list[dict[str, Any]] = field(default_factory=list)
    timeouts: list[dict[str, Any]] = field(default_factory=list)
    load_errors: list[dict[str, Any]] = field(default_factory=list)
    plugins_loaded: list[str] = field(default_factory=list)
    haraka_versions: list[str] = field(default_factory=list)
    haraka_startups: list[dict[str, Any]] = field(default_factory=list)   # each version's last start-up line
    versions: dict[str, Any] = field(default_factory=dict)     # app.core.versions.Versions.to_dict()
    timelines: list[dict[str, Any]] = field(default_factory=list)
    # every WARN+ line, refusal and 4xx/5xx reply, counted by logs.loud.loud_key (LOUD_FIELDS)
    loud: list[dict[str, Any]] = field(default_factory=list)
    explained: list[dict[str, Any]] = field(default_factory=list)   # the same rows, explained (triage(explain=True))

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["files"] = [dict(f.__dict__) for f in self.files]
        return d


def timeline(t: Transaction) -> dict[str, Any]:
    """One transaction as an ordered list of what happened, for `--timelines`."""
    return {
        "uuid": t.uuid, "outcome": t.outcome, "stage": t.stage, "file": t.file,
        "remote_ip": t.remote_ip, "helo": t.helo, "mail_from": t.mail_from,
        "recipients": [{"address": r.address, "outcome": r.outcome, "code": r.code, "reply": r.reply,
                        "plugin": r.plugin, "basis": r.basis} for r in t.recipients],
        "events": [{"line": e.lineno, "kind": e.kind, "level": e.level, "text": _event_text(e)} for e in t.events],
    }


def _event_text(e: LogEvent) -> str:
    raw = without_head(e.raw)
    return raw if len(raw) <= 300 else raw[:297] + "..."
