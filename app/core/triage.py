"""Log triage: a pflogsumm-style summary of Haraka / WildDuck logs.

`triage()` reads each log once (big files with several processes, app.core.logs.parallel), counts
every line and every SMTP transaction (app.core.logs.summary) and returns a `TriageReport`;
`render_text()` prints it. Memory stays flat on logs of any size. The numbers come from real
SMTP outcomes (see app.core.logs.transactions), not from Haraka's misleading `code=OK` summaries.
"""
from __future__ import annotations

import os
from typing import Iterable

from app.core.errors import InputError
from app.core.logs.parallel import batched, default_workers, read_file
from app.core.logs.reader import open_log
from app.core.logs.report import FileStats, TriageReport, timeline
from app.core.logs.summary import LogSummary

__all__ = ["FileStats", "TriageReport", "render_text", "timeline", "triage"]

DEFAULT_MAX_TIMELINES = 200


def triage(sources: Iterable, timelines: bool = False, max_timelines: int = DEFAULT_MAX_TIMELINES,
           workers: int | None = None) -> TriageReport:
    """Summarise logs. `sources`: paths, or (name, lines) pairs. Unreadable paths raise InputError.

    A file of PARALLEL_MIN_BYTES or more is read by `workers` processes (default: the CPUs
    available, at most MAX_WORKERS; 1 disables it). Timelines always use a single pass.
    """
    summary = LogSummary(timelines, max_timelines)
    for index, source in enumerate(sources):
        summary.file_index = index
        if isinstance(source, tuple):
            name, lines = source
            stats = FileStats(name=str(name))
            summary.files.append(stats)
            summary.read(str(name), batched(lines), stats)
            continue
        path = os.fspath(source)
        try:
            open_log(path).close()
        except OSError as exc:
            raise InputError(f"cannot read log: {exc.strerror or exc}", path) from None
        stats = FileStats(name=path)
        summary.files.append(stats)
        n = 1 if timelines else (workers if workers is not None else default_workers(path))
        read_file(summary, path, stats, n)
    return summary.result()


# ---------------------------------------------------------------------- text rendering

def render_text(report: TriageReport, timelines: bool = False) -> str:
    out: list[str] = []
    w = out.append
    w(f"mxdoctor triage: {len(report.files)} file(s), {report.lines_read:,} lines read, "
      f"{report.lines_parsed:,} Haraka lines, {report.lines_unparsed:,} other text")
    for f in report.files:
        fmt = ", ".join(f"{k} {v:,}" for k, v in sorted(f.formats.items(), key=lambda kv: -kv[1])) or "no Haraka lines"
        w(f"  {f.name}: {f.lines:,} lines ({fmt})")
        for note in f.notes:
            w(f"    note: {note}")
    if report.haraka_versions:
        w(f"  Haraka version: {', '.join(report.haraka_versions)}")
    if report.plugins_loaded:
        w(f"  plugins Haraka loaded (in order): {', '.join(report.plugins_loaded)}")
    w("")
    w("Traffic")
    w(f"  {report.connections:>8,}  connections")
    w(f"  {report.transactions:>8,}  transactions (MAIL FROM)")
    w(f"  {report.messages_accepted:>8,}  messages accepted (queued, 250)")
    w(f"  {report.messages_deferred:>8,}  messages deferred (4xx)")
    w(f"  {report.messages_rejected:>8,}  messages rejected at DATA/queue (5xx)")
    rc = report.recipients
    w(f"  recipients: {rc.get('accepted', 0):,} accepted, {rc.get('rejected', 0):,} rejected, "
      f"{rc.get('deferred', 0):,} deferred, {rc.get('unknown', 0):,} unknown")
    if report.misleading_ok:
        w(f"  note: {report.misleading_ok:,} recipient(s) were logged as code=OK but the client was refused "
          "(no rcpt plugin accepted them: 550 I cannot deliver mail)")
    if report.outcomes:
        w("  outcomes: " + ", ".join(f"{k} {v:,}" for k, v in report.outcomes.items()))
    for title, rows in (("Rejections (5xx)", report.rejections), ("Deferrals (4xx)", report.deferrals)):
        if rows:
            w("")
            w(title)
            w(f"  {'count':>7}  {'stage':<6} {'plugin':<24} reply")
            for row in rows[:25]:
                plugin = row["plugin"] or "(none answered)"
                w(f"  {row['count']:>7,}  {row['stage'] or '-':<6} {plugin:<24} {row['code'] or ''} "
                  f"{row['reply'] or '(empty reply)'}")
                w(f"           e.g. {row['examples'][0]}")
    wd = report.wildduck
    if any(v for k, v in wd.items() if isinstance(v, int)) or wd.get("error_codes"):
        w("")
        w("WildDuck")
        w(f"  resolved {wd['resolved']:,}, stored {wd['stored']:,}, forwarded {wd['forwarded']:,}, "
          f"\"Message processed\" {wd['message_processed']:,}")
        if wd["processed_without_store"]:
            w(f"  !! {wd['processed_without_store']:,} message(s) got \"250 Message processed\" but WildDuck stored "
              "nothing (no RESOLVED user: did an earlier rcpt plugin accept the recipient?)")
            for ex in wd["processed_without_store_examples"]:
                w(f"     e.g. {ex}")
        extra = [f"{k} {wd[k]:,}" for k in ("deferred", "rejected", "dropped", "db_failed") if wd.get(k)]
        if extra:
            w("  " + ", ".join(extra))
        if wd.get("error_codes"):
            w("  error codes: " + ", ".join(f"{k} x{v}" for k, v in wd["error_codes"].items()))
    if report.crit or report.timeouts or report.load_errors:
        w("")
        w("Errors")
        for row in report.load_errors:
            w(f"  {row['count']:>7,}  load error: {row['plugin']}: {row['error']}   e.g. {row['examples'][0]}")
        for row in report.timeouts:
            w(f"  {row['count']:>7,}  timeout: plugin {row['plugin']} on hook {row['hook']}   "
              f"e.g. {row['examples'][0]}")
        for row in report.crit[:25]:
            who = f"{row['plugin']}: " if row["plugin"] else ""
            w(f"  {row['count']:>7,}  CRIT {who}{row['message']}   e.g. {row['examples'][0]}")
    if timelines and report.timelines:
        w("")
        w("Timelines")
        for tl in report.timelines:
            w(f"  {tl['uuid']}  {tl['outcome']}" + (f" at {tl['stage']}" if tl["stage"] else "") +
              (f"  from {tl['remote_ip']}" if tl["remote_ip"] else "") +
              (f"  MAIL FROM:<{tl['mail_from']}>" if tl["mail_from"] is not None else ""))
            for r in tl["recipients"]:
                who = f" by {r['plugin']}" if r["plugin"] else ""
                w(f"    RCPT <{r['address']}>: {r['outcome']} {r['code'] or ''} {r['reply']}{who} [{r['basis']}]")
            for e in tl["events"]:
                w(f"    {e['line']:>7}  {e['kind']:<12} {e['text']}")
    return "\n".join(out) + "\n"
