"""Counting a log for triage: lines by kind, level and format, SMTP outcomes, refusals, errors.

`LogSummary` reads lines, feeds the transaction tracker and folds every finished transaction
into counters, then drops it, so memory stays flat. Summaries of parts of a file (read by
other processes) merge into one; `result()` turns the counters into a `TriageReport`.
Examples keep the earliest few `file:line` per key (app.core.logs.tally), so the report does
not depend on how the work was split.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from app.core.logs.classify import CRIT_LEVELS
from app.core.logs.formats.haraka_default import GELF_ECHO, gelf_echo_level
from app.core.logs.formats.haraka_default import NAME as DEFAULT_FORMAT
from app.core.logs.loud import LOUD, LOUD_FIELDS, loud_key
from app.core.logs.parser import parse_event
from app.core.logs.report import FileStats, TriageReport, timeline
from app.core.logs.shard import shard_batch
from app.core.logs.tally import Tally, normalise_reply, where
from app.core.logs.transactions import INFO_OR_FINER, TRACKED_KINDS, Transaction, TransactionTracker
from app.core.model import LogEvent
from ingest.textio import MAX_LINE

_SPECIAL_KINDS = frozenset({"timeout", "load_error", "plugin_load", "startup", "crit"})   # counted by on_event
_WILDDUCK_KEYS = ("resolved", "stored", "forwarded", "message_processed", "processed_without_store", "deferred",
                  "rejected", "dropped", "db_opened", "db_failed")


class _Reading:
    """One file being read: its lines by (kind, level, format NAME), blank lines, and whether it logs at INFO."""
    __slots__ = ("name", "counts", "blank", "info_seen")

    def __init__(self, name: str):
        self.name = name
        self.counts: dict[tuple, int] = {}
        self.blank = 0
        self.info_seen = False


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
        self.rejections = Tally()
        self.deferrals = Tally()
        self.crit = Tally()
        self.timeouts = Tally()
        self.load_errors = Tally()
        self.processed_without_store = Tally()
        self.loud = Tally()                      # lines to explain, by logs.loud.loud_key
        self.wd: Counter = Counter()
        self.wd_codes: Counter = Counter()
        self.plugins_loaded: dict[str, None] = {}
        # Haraka version -> (file index, line, file) of the last start-up line naming it
        self.versions: dict[str, tuple[int, int, str]] = {}

    # ------------------------------------------------------------------ reading
    def read(self, name: str, batches: Iterable[list[str]], stats: FileStats,
             shard: tuple[int, int] | None = None, first_line: int = 1) -> None:
        """Parse, count and track every line (or, with `shard=(k, n)`, the lines of connections in shard k).

        `first_line` numbers the first line read (a region cut from the middle of a file)."""
        reading = _Reading(name)
        total = first_line - 1
        for batch in batches:
            numbered = zip(*shard_batch(batch, total + 1, *shard)) if shard else enumerate(batch, total + 1)
            total += len(batch)
            self._read_lines(reading, numbered)
        stats.lines, stats.blank = stats.lines + total - (first_line - 1), stats.blank + reading.blank
        self._add_line_counts(reading.counts, stats)

    def _read_lines(self, reading: _Reading, numbered: Iterable[tuple[int, str]]) -> None:
        """Parse and count one batch of (number, line); what the loop needs is looked up once per batch."""
        counts, name, take = reading.counts, reading.name, self._take
        get = counts.get
        skip_gelf = not self.want_timelines
        for n, line in numbered:
            if skip_gelf and GELF_ECHO in line and self._gelf_echo(reading, line):
                continue
            try:
                ev, fmt = parse_event(line, n, name)
            except Exception:  # noqa: BLE001 - as parse_line: a parser bug must not stop a big triage
                ev, fmt = LogEvent(n, name, line[:MAX_LINE], "other"), None
            if ev is None:
                reading.blank += 1
                continue
            key = (ev.kind, ev.level, fmt)
            counts[key] = get(key, 0) + 1
            if ev.level is not None or ev.kind != "other":
                take(reading, ev)

    def _gelf_echo(self, reading: _Reading, line: str) -> bool:
        """WildDuck's GELF echo outside any connection: only counted, unless timelines are wanted."""
        level = gelf_echo_level(line)
        if level is None:
            return False
        key = ("plugin_line", level, DEFAULT_FORMAT)
        reading.counts[key] = reading.counts.get(key, 0) + 1
        if not reading.info_seen and level in INFO_OR_FINER:
            self._mark_info(reading)
        return True

    def _take(self, reading: _Reading, ev: LogEvent) -> None:
        """Count what is counted outside transactions (on_event) and feed the tracker what it tracks."""
        kind, level = ev.kind, ev.level
        if level is not None and not reading.info_seen and level in INFO_OR_FINER:
            self._mark_info(reading)
        if level in LOUD or kind == "hook_result" or kind == "protocol":
            self._count_loud(ev)
        # errors, timeouts, load problems, startup facts, and WildDuck's database state (outside connections)
        if kind in _SPECIAL_KINDS or level is not None and (
                level in CRIT_LEVELS
                or kind == "plugin_line" and ev.uuid is None and ev.fields.get("wildduck_action", "")[:3] == "DB_"):
            self.on_event(ev)
        # the tracker's kinds, but of plugin lines only WildDuck's inside a connection (timelines: everything)
        if self.want_timelines or kind in TRACKED_KINDS and (
                kind != "plugin_line" or ev.uuid is not None and "wildduck_action" in ev.fields):
            done = self.tracker.feed_marked(ev)
            if done:
                for t in done:
                    self.absorb(t)

    def _count_loud(self, ev: LogEvent) -> None:
        """A line to explain (WARN+, a refusal, a 4xx/5xx reply), counted by what makes it the same."""
        key = loud_key(ev)
        if key is not None:
            self.loud.add(key, (self.file_index, ev.lineno), where(ev.file, ev.lineno, ev.uuid))

    def _mark_info(self, reading: _Reading) -> None:
        """The file logs at INFO or finer, so every hook answer but CONT is in it (see the tracker)."""
        self.tracker.mark_info(reading.name)
        reading.info_seen = True

    def _add_line_counts(self, counts: dict[tuple, int], stats: FileStats) -> None:
        formats: Counter = Counter()
        for (kind, level, fmt), count in counts.items():
            self.lines[(kind, level)] += count
            if level is None and kind == "other":
                stats.unparsed += count
            else:
                stats.parsed += count
            if level is not None:
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
                              where(ev.file, ev.lineno, ev.uuid))
        elif kind == "timeout":
            self.timeouts.add((f.get("plugin"), f.get("hook")), order, where(ev.file, ev.lineno, ev.uuid))
        elif kind == "load_error":
            self.load_errors.add((f.get("plugin"), f.get("error")), order, where(ev.file, ev.lineno, ev.uuid))
        elif kind == "plugin_load":
            self.plugins_loaded.setdefault(f.get("plugin", ""), None)
        elif kind == "startup":
            if f.get("version"):
                self._version(f["version"], (self.file_index, ev.lineno, ev.file))
        elif ev.level in CRIT_LEVELS:
            self.crit.add((f.get("plugin"), (f.get("error") or ev.raw)[:200]), order,
                          where(ev.file, ev.lineno, ev.uuid))

    # ------------------------------------------------------------------ transactions
    def absorb(self, t: Transaction) -> None:
        """Fold one finished transaction (or a connection without one) into the counters."""
        self.outcomes[t.outcome] += 1
        for refusal in t.refused_before:
            self._refusal(refusal.hook, refusal, t)
        if t.is_transaction:
            self._count_transaction(t)
        elif t.connection_reply is not None:
            self._refusal(t.connection_reply.hook, t.connection_reply, t)
        self._keep_timeline(t)

    def _count_transaction(self, t: Transaction) -> None:
        self.numbers["transactions"] += 1
        if t.sender is not None and t.sender.outcome != "accepted":
            self._refusal("mail", t.sender, t)
        self._count_recipients(t)
        if t.data is not None and t.data.outcome != "accepted":
            self._refusal("data", t.data, t)
        if t.queue is not None and t.queue.outcome != "accepted":
            self._refusal("queue", t.queue, t)
        self._count_message(t)
        self._wildduck(t)

    def _count_recipients(self, t: Transaction) -> None:
        for r in t.recipients:
            self.recipients[r.outcome] += 1
            if r.outcome == "rejected" or r.outcome == "deferred":
                tally = self.rejections if r.outcome == "rejected" else self.deferrals
                tally.add(("rcpt", r.hook, r.plugin, r.code, normalise_reply(r.reply)),
                          (self.file_index, r.line or 0), where(t.file, r.line, t.uuid))
                if r.retval == "OK":
                    self.numbers["misleading_ok"] += 1

    def _count_message(self, t: Transaction) -> None:
        """A message is accepted when the queue said OK, else deferred, or rejected at DATA / queue."""
        if t.queue is not None and t.queue.outcome == "accepted":
            self.numbers["messages_accepted"] += 1
        elif t.outcome == "deferred":
            self.numbers["messages_deferred"] += 1
        elif t.outcome == "rejected" and t.stage in ("data", "queue"):
            self.numbers["messages_rejected"] += 1

    def _refusal(self, stage: str, step, t: Transaction) -> None:
        tally = self.rejections if step.outcome == "rejected" else self.deferrals
        tally.add((stage, step.hook, step.plugin, step.code, normalise_reply(step.text)),
                  (self.file_index, step.line or 0), where(t.file, step.line, t.uuid))

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
                self.processed_without_store.add(("",), (self.file_index, q.line or 0), where(t.file, q.line, t.uuid))

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
        for name in ("rejections", "deferrals", "crit", "timeouts", "load_errors", "processed_without_store", "loud"):
            getattr(self, name).merge(getattr(other, name))
        for p in other.plugins_loaded:
            self.plugins_loaded.setdefault(p, None)
        for v, at in other.versions.items():
            self._version(v, at)

    def _version(self, version: str, at: tuple[int, int, str]) -> None:
        if version not in self.versions or at > self.versions[version]:
            self.versions[version] = at

    def result(self) -> TriageReport:
        """The report of everything counted (open connections are finished first)."""
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
        rep.kinds, rep.levels = _most_first(kinds), _most_first(levels)
        numbers = self.numbers
        rep.connections, rep.transactions = numbers["connections"], numbers["transactions"]
        rep.messages_accepted = numbers["messages_accepted"]
        rep.messages_deferred = numbers["messages_deferred"]
        rep.messages_rejected = numbers["messages_rejected"]
        rep.misleading_ok = numbers["misleading_ok"]
        rep.outcomes = _most_first(self.outcomes)
        rep.recipients = {k: self.recipients.get(k, 0) for k in ("accepted", "rejected", "deferred", "unknown")}
        rep.rejections = self.rejections.rows(("stage", "hook", "plugin", "code", "reply"))
        rep.deferrals = self.deferrals.rows(("stage", "hook", "plugin", "code", "reply"))
        rep.crit = self.crit.rows(("plugin", "message"))
        rep.timeouts = self.timeouts.rows(("plugin", "hook"))
        rep.load_errors = self.load_errors.rows(("plugin", "error"))
        rep.loud = self.loud.rows(LOUD_FIELDS)
        rep.plugins_loaded = [p for p in self.plugins_loaded if p]
        rep.haraka_versions = list(self.versions)
        rep.haraka_startups = [{"version": v, "file": at[2], "line": at[1], "order": at[0] * 10**9 + at[1]}
                               for v, at in self.versions.items()]
        rep.wildduck = self._wildduck_result()
        return rep

    def _wildduck_result(self) -> dict[str, Any]:
        """The known WildDuck counters (0 when unseen), then any other action, the error codes and examples."""
        wd, pws = self.wd, self.processed_without_store
        wd["processed_without_store"] = sum(pws.counts.values())
        result: dict[str, Any] = {k: wd.get(k, 0) for k in _WILDDUCK_KEYS}
        result.update({k: v for k, v in sorted(wd.items()) if k not in result})
        result["error_codes"] = _most_first(self.wd_codes)
        result["processed_without_store_examples"] = [text for _, text in pws.examples.get(("",), [])]
        return result


def _most_first(counts: Counter) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
