"""Counting a log for triage: lines by kind and level, SMTP outcomes, refusals, errors.

`LogSummary` reads lines, feeds the transaction tracker and folds every finished transaction
into counters, then drops it, so memory stays flat. Summaries of parts of a file (read by
other processes) merge into one; `result()` turns the counters into a `TriageReport`.
Examples keep the earliest few `file:line` per key, so the report does not depend on how the
work was split.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from app.core.logs.formats.haraka_default import GELF_ECHO, gelf_echo_level
from app.core.logs.formats.haraka_default import NAME as DEFAULT_FORMAT
from app.core.logs.parser import parse_event
from app.core.logs.shard import shard_batch
from app.core.logs.transactions import INFO_OR_FINER, TRACKED_KINDS, Transaction, TransactionTracker
from app.core.model import LogEvent
from app.core.textio import MAX_LINE

MAX_EXAMPLES = 3
CRIT_LEVELS = frozenset({"CRIT", "ALERT", "EMERG"})

_UUID_SUFFIX = re.compile(r"\s*\((?:[0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27}(?:\.\d+)?)\)")
_ANGLE = re.compile(r"<[^<>]*>")


@dataclass
class FileStats:
    name: str
    lines: int = 0          # physical lines read
    parsed: int = 0         # lines recognised as Haraka output (any format)
    unparsed: int = 0       # text lines that are not Haraka log lines
    blank: int = 0          # empty lines and journald markers
    formats: dict[str, int] = field(default_factory=dict)   # default | logfmt | json -> lines
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
    timelines: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["files"] = [dict(f.__dict__) for f in self.files]
        return d


class _Tally:
    """Counters with the earliest few `file:line` examples per key (deterministic, mergeable)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.examples: dict[tuple, list[tuple[tuple[int, int], str]]] = {}

    def add(self, key: tuple, order: tuple[int, int], example: str) -> None:
        self.counts[key] += 1
        ex = self.examples.get(key)
        if ex is None:
            self.examples[key] = [(order, example)]
        elif len(ex) < MAX_EXAMPLES or order < ex[-1][0]:
            ex.append((order, example))
            ex.sort()
            del ex[MAX_EXAMPLES:]

    def merge(self, other: "_Tally") -> None:
        self.counts.update(other.counts)
        for key, ex in other.examples.items():
            mine = self.examples.setdefault(key, [])
            mine.extend(ex)
            mine.sort()
            del mine[MAX_EXAMPLES:]

    def rows(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = []
        for key, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], repr(kv[0]))):
            row = dict(zip(names, key))
            row["count"] = n
            row["examples"] = [text for _, text in self.examples.get(key, [])]
            rows.append(row)
        return rows


def _where(file: str, line: int | None, uuid: str | None = None) -> str:
    loc = f"{file}:{line}" if line else file
    return f"{loc} ({uuid})" if uuid else loc


def _normalise_reply(text: str) -> str:
    """Reply text without the per-message uuid and addresses, so equal causes group together."""
    if not text:
        return ""
    cached = _NORMALISED.get(text)
    if cached is None:
        cached = _ANGLE.sub("<…>", _UUID_SUFFIX.sub("", text)).strip() if ("(" in text or "<" in text) \
            else text.strip()
        if len(_NORMALISED) < 10000:
            _NORMALISED[text] = cached
    return cached


_NORMALISED: dict[str, str] = {}


class LogSummary:
    """Everything counted so far. Workers each fill one and the parent merges them."""

    def __init__(self, timelines: bool = False, max_timelines: int = 0):
        self.tracker = TransactionTracker(keep_events=timelines)
        self.want_timelines = timelines
        self.max_timelines = max_timelines
        self.timelines: list[dict[str, Any]] = []
        self.files: list[FileStats] = []
        self.file_index = 0
        self.lines: Counter = Counter()          # (kind, level) -> lines
        self.numbers: Counter = Counter()        # transactions, messages_*, misleading_ok, connections
        self.outcomes: Counter = Counter()
        self.recipients: Counter = Counter()
        self.rejections = _Tally()
        self.deferrals = _Tally()
        self.crit = _Tally()
        self.timeouts = _Tally()
        self.load_errors = _Tally()
        self.processed_without_store = _Tally()
        self.wd: Counter = Counter()
        self.wd_codes: Counter = Counter()
        self.plugins_loaded: dict[str, None] = {}
        self.versions: dict[str, None] = {}

    # ------------------------------------------------------------------ reading
    def read(self, name: str, batches: Iterable[list[str]], stats: FileStats,
             shard: tuple[int, int] | None = None, first_line: int = 1) -> None:
        """Parse, count and track every line (or, with `shard=(k, n)`, the lines of connections in shard k).

        `first_line` numbers the first line read (a region cut from the middle of a file)."""
        counts: dict[tuple, int] = {}
        get, parse = counts.get, parse_event
        feed, absorb, on_event, mark_info = self.tracker.feed_marked, self.absorb, self.on_event, self.tracker.mark_info
        tracked, special = TRACKED_KINDS, _SPECIAL_KINDS
        info_seen = False
        want_timelines = self.want_timelines
        skip_gelf = not want_timelines
        total, blank = first_line - 1, 0
        for batch in batches:
            numbered = zip(*shard_batch(batch, total + 1, *shard)) if shard else enumerate(batch, total + 1)
            total += len(batch)
            for n, line in numbered:
                # prefilter: WildDuck's GELF echo lines (uuid `-`) only need counting unless timelines are wanted
                if skip_gelf and GELF_ECHO in line:
                    level = gelf_echo_level(line)
                    if level is not None:
                        key = ("plugin_line", level, DEFAULT_FORMAT)
                        counts[key] = get(key, 0) + 1
                        if not info_seen and level in INFO_OR_FINER:
                            mark_info(name)
                            info_seen = True
                        continue
                try:
                    ev, fmt = parse(line, n, name)
                except Exception:  # noqa: BLE001 - as parse_line: a parser bug must not stop a big triage
                    ev, fmt = LogEvent(n, name, line[:MAX_LINE], "other"), None
                if ev is None:
                    blank += 1
                    continue
                kind, level = ev.kind, ev.level
                key = (kind, level, fmt)
                counts[key] = get(key, 0) + 1
                if level is None:
                    if kind == "other":
                        continue
                    if kind in special:
                        on_event(ev)
                else:
                    if not info_seen and level in INFO_OR_FINER:
                        mark_info(name)
                        info_seen = True
                    if kind in special or level in CRIT_LEVELS or (
                            kind == "plugin_line" and ev.uuid is None
                            and ev.fields.get("wildduck_action", "")[:3] == "DB_"):
                        on_event(ev)
                if want_timelines or kind in tracked and (
                        kind != "plugin_line" or (ev.uuid is not None and "wildduck_action" in ev.fields)):
                    done = feed(ev)
                    if done:
                        for t in done:
                            absorb(t)
        stats.lines, stats.blank = stats.lines + total - (first_line - 1), stats.blank + blank
        formats: Counter = Counter()
        for (kind, level, fmt), count in counts.items():
            self.lines[(kind, level)] += count
            if level is None:
                if kind == "other":
                    stats.unparsed += count
                else:
                    stats.parsed += count
            else:
                stats.parsed += count
                formats[fmt] += count
        for fmt, count in formats.items():
            stats.formats[fmt] = stats.formats.get(fmt, 0) + count

    def on_event(self, ev: LogEvent) -> None:
        """Events counted outside transactions: errors, timeouts, load problems, startup facts."""
        kind, f = ev.kind, ev.fields
        order = (self.file_index, ev.lineno)
        if kind == "plugin_line":
            action = f.get("wildduck_action")
            if action is not None and action.startswith("DB_"):
                self.wd[action.lower()] += 1
            if ev.level in CRIT_LEVELS:
                self.crit.add((f.get("plugin"), (f.get("error") or ev.raw)[:200]), order,
                              _where(ev.file, ev.lineno, ev.uuid))
        elif kind == "timeout":
            self.timeouts.add((f.get("plugin"), f.get("hook")), order, _where(ev.file, ev.lineno, ev.uuid))
        elif kind == "load_error":
            self.load_errors.add((f.get("plugin"), f.get("error")), order, _where(ev.file, ev.lineno, ev.uuid))
        elif kind == "plugin_load":
            self.plugins_loaded.setdefault(f.get("plugin", ""), None)
        elif kind == "startup":
            if f.get("version"):
                self.versions.setdefault(f["version"], None)
        elif ev.level in CRIT_LEVELS:
            self.crit.add((f.get("plugin"), (f.get("error") or ev.raw)[:200]), order,
                          _where(ev.file, ev.lineno, ev.uuid))

    # ------------------------------------------------------------------ transactions
    def absorb(self, t: Transaction) -> None:
        self.outcomes[t.outcome] += 1
        if not t.is_transaction:
            r = t.connection_reply
            if r is not None:
                tally = self.rejections if r.outcome == "rejected" else self.deferrals
                tally.add((r.hook, r.hook, r.plugin, r.code, _normalise_reply(r.text)), (self.file_index, r.line or 0),
                          _where(t.file, r.line, t.uuid))
            self._keep_timeline(t)
            return
        numbers = self.numbers
        numbers["transactions"] += 1
        if t.sender is not None and t.sender.outcome != "accepted":
            self._refusal("mail", t.sender, t)
        for r in t.recipients:
            self.recipients[r.outcome] += 1
            if r.outcome == "rejected" or r.outcome == "deferred":
                tally = self.rejections if r.outcome == "rejected" else self.deferrals
                tally.add(("rcpt", r.hook, r.plugin, r.code, _normalise_reply(r.reply)),
                          (self.file_index, r.line or 0), _where(t.file, r.line, t.uuid))
                if r.retval == "OK":
                    numbers["misleading_ok"] += 1
        if t.data is not None and t.data.outcome != "accepted":
            self._refusal("data", t.data, t)
        if t.queue is not None and t.queue.outcome != "accepted":
            self._refusal("queue", t.queue, t)
        if t.queue is not None and t.queue.outcome == "accepted":
            numbers["messages_accepted"] += 1
        elif t.outcome == "deferred":
            numbers["messages_deferred"] += 1
        elif t.outcome == "rejected" and t.stage in ("data", "queue"):
            numbers["messages_rejected"] += 1
        self._wildduck(t)
        self._keep_timeline(t)

    def _refusal(self, stage: str, step, t: Transaction) -> None:
        tally = self.rejections if step.outcome == "rejected" else self.deferrals
        tally.add((stage, step.hook, step.plugin, step.code, _normalise_reply(step.text)),
                  (self.file_index, step.line or 0), _where(t.file, step.line, t.uuid))

    def _wildduck(self, t: Transaction) -> None:
        wd = self.wd
        if t.resolved:
            wd["resolved"] += len(t.resolved)
        if t.stored:
            wd["stored"] += len(t.stored)
        if t.forwarded:
            wd["forwarded"] += len(t.forwarded)
        for e in t.wildduck_errors:
            wd[e["action"].lower()] += 1
        for code in t.error_codes:
            self.wd_codes[code] += 1
        q = t.queue
        if q is not None and q.outcome == "accepted" and (q.plugin == "wildduck" or
                                                          q.text.startswith("Message processed")):
            wd["message_processed"] += 1
            if t.processed_without_store:
                self.processed_without_store.add(("",), (self.file_index, q.line or 0), _where(t.file, q.line, t.uuid))

    def _keep_timeline(self, t: Transaction) -> None:
        if self.want_timelines and len(self.timelines) < self.max_timelines:
            self.timelines.append(timeline(t))

    # ------------------------------------------------------------------ merging and the result
    def close(self) -> "LogSummary":
        """Finish connections still open at the end of the input; the tracker is dropped."""
        for t in self.tracker.finish():
            self.absorb(t)
        self.numbers["connections"] += self.tracker.connections
        self.tracker = None
        return self

    def merge(self, other: "LogSummary") -> None:
        for name in ("lines", "numbers", "outcomes", "recipients", "wd", "wd_codes"):
            getattr(self, name).update(getattr(other, name))
        for name in ("rejections", "deferrals", "crit", "timeouts", "load_errors", "processed_without_store"):
            getattr(self, name).merge(getattr(other, name))
        for p in other.plugins_loaded:
            self.plugins_loaded.setdefault(p, None)
        for v in other.versions:
            self.versions.setdefault(v, None)

    def result(self) -> TriageReport:
        if self.tracker is not None:
            self.close()
        rep = TriageReport(files=self.files, timelines=self.timelines)
        rep.lines_read = sum(f.lines for f in rep.files)
        rep.lines_parsed = sum(f.parsed for f in rep.files)
        rep.lines_unparsed = sum(f.unparsed for f in rep.files)
        kinds: Counter = Counter()
        levels: Counter = Counter()
        for (kind, level), count in self.lines.items():
            kinds[kind] += count
            if level is not None:
                levels[level] += count
        rep.kinds = dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        rep.levels = dict(sorted(levels.items(), key=lambda kv: (-kv[1], kv[0])))
        numbers = self.numbers
        rep.connections, rep.transactions = numbers["connections"], numbers["transactions"]
        rep.messages_accepted = numbers["messages_accepted"]
        rep.messages_deferred = numbers["messages_deferred"]
        rep.messages_rejected = numbers["messages_rejected"]
        rep.misleading_ok = numbers["misleading_ok"]
        rep.outcomes = dict(sorted(self.outcomes.items(), key=lambda kv: (-kv[1], kv[0])))
        rep.recipients = {k: self.recipients.get(k, 0) for k in ("accepted", "rejected", "deferred", "unknown")}
        rep.rejections = self.rejections.rows(("stage", "hook", "plugin", "code", "reply"))
        rep.deferrals = self.deferrals.rows(("stage", "hook", "plugin", "code", "reply"))
        rep.crit = self.crit.rows(("plugin", "message"))
        rep.timeouts = self.timeouts.rows(("plugin", "hook"))
        rep.load_errors = self.load_errors.rows(("plugin", "error"))
        rep.plugins_loaded = [p for p in self.plugins_loaded if p]
        rep.haraka_versions = list(self.versions)
        wd = self.wd
        keys = ("resolved", "stored", "forwarded", "message_processed", "processed_without_store", "deferred",
                "rejected", "dropped", "db_opened", "db_failed")
        pws = self.processed_without_store
        wd["processed_without_store"] = sum(pws.counts.values())
        rep.wildduck = {k: wd.get(k, 0) for k in keys}
        rep.wildduck.update({k: v for k, v in sorted(wd.items()) if k not in rep.wildduck})
        rep.wildduck["error_codes"] = dict(sorted(self.wd_codes.items(), key=lambda kv: (-kv[1], kv[0])))
        rep.wildduck["processed_without_store_examples"] = [text for _, text in pws.examples.get(("",), [])]
        return rep


_SPECIAL_KINDS = frozenset({"timeout", "load_error", "plugin_load", "startup", "crit"})


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
    raw = e.raw
    if raw.startswith("[") and "] [" in raw:
        raw = raw.split("] ", 3)[-1].lstrip(" ")     # drop `[LEVEL] [uuid] [origin]`
    return raw if len(raw) <= 300 else raw[:297] + "..."
