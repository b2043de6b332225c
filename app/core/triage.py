"""Log triage: a pflogsumm-style summary of Haraka / WildDuck logs.

`triage()` reads each log once (big files with several processes, app.core.logs.parallel), counts
every line and every SMTP transaction (app.core.logs.summary) and returns a `TriageReport`;
`render_text()` prints it. Memory stays flat on logs of any size. The numbers come from real
SMTP outcomes (see app.core.logs.transactions), not from Haraka's misleading `code=OK` summaries.
"""
from __future__ import annotations

import os
import re
from typing import Iterable

from app.core.errors import InputError
from app.core.logs.parallel import batched, default_workers, read_file
from app.core.logs.reader import open_log
from app.core.logs.report import FileStats, TriageReport, timeline
from app.core.logs.summary import LogSummary

__all__ = ["FileStats", "TriageReport", "render_text", "timeline", "triage"]

DEFAULT_MAX_TIMELINES = 200


def triage(sources: Iterable, timelines: bool = False, max_timelines: int = DEFAULT_MAX_TIMELINES,
           workers: int | None = None, explain: bool = False, haraka_version: str | None = None) -> TriageReport:
    """Summarise logs. `sources`: paths, or (name, lines) pairs. Unreadable paths raise InputError.

    A file of PARALLEL_MIN_BYTES or more is read by `workers` processes (default: the CPUs
    available, at most MAX_WORKERS; 1 disables it). Timelines always use a single pass.
    `haraka_version` (--haraka-version) is shown over what the start-up lines say.
    """
    from app.core.versions import override
    override(haraka_version)
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
    report = summary.result()
    versions = _versions(report, haraka_version)
    report.versions = versions.to_dict()
    if explain:
        from app.core.versions import exact_haraka
        report.explained = explain_rows(report.loud, exact_haraka(versions))
    return report


def _versions(report: TriageReport, haraka_version: str | None):
    from app.core.versions import Versions, assumed_haraka, override
    from app.core.versionscan import new_found
    found = [new_found("haraka", s["version"], s["file"], s["line"], "log", s["order"]) for s in report.haraka_startups]
    return Versions(found=override(haraka_version) + [f for f in found if f is not None], assumed=assumed_haraka())


# "MongoError: connect ECONNREFUSED ...": an error's own first line, which says what went wrong; a
# counted line starting so is the error, not a frame of one (those start "at ", "- ", "{" ...)
_ERROR_FIRST_LINE = re.compile(r"\w*Error: \S")


def explain_rows(rows: list[dict], version: str | None) -> list[dict]:
    """Each counted loud line explained once: emitter, hook, what it means, the source line.
    Stack frames and error-object fields (counted as lines of their own) are left out."""
    from app.core.explain import explain_events
    from app.core.explain.explain import continuation
    from app.core.logs.loud import LOUD_FIELDS, event_of
    out = []
    for row in rows:
        key = tuple(row[name] for name in LOUD_FIELDS)
        if key[0] == "error" and continuation(key[4]) and not _ERROR_FIRST_LINE.match(key[4].strip()):
            continue
        [x] = explain_events([event_of(key)], version)
        m = x.message
        out.append({"count": row["count"], "category": x.category, "emitter": x.emitter, "hook": x.hook,
                    "code": key[2], "text": key[4], "template": m.template if m else None,
                    "source": m.link(version) if m else None, "effect": x.effect,
                    "system": x.system.code if x.system else None, "examples": row["examples"]})
    return out


# ---------------------------------------------------------------------- text rendering

def render_text(report: TriageReport, timelines: bool = False) -> str:
    """The report as text: files read, traffic, refusals, WildDuck, errors (and timelines when asked)."""
    out = _files(report) + _traffic(report) + _refusals("Rejections (5xx)", report.rejections) \
        + _refusals("Deferrals (4xx)", report.deferrals) + _wildduck(report.wildduck) + _errors(report) \
        + _explained(report.explained)
    if timelines:
        out += _timelines(report.timelines)
    return "\n".join(out) + "\n"


def _files(report: TriageReport) -> list[str]:
    out = [f"mxdoctor triage: {len(report.files)} file(s), {report.lines_read:,} lines read, "
           f"{report.lines_parsed:,} Haraka lines, {report.lines_unparsed:,} other text"]
    for f in report.files:
        fmt = ", ".join(f"{k} {v:,}" for k, v in sorted(f.formats.items(), key=lambda kv: -kv[1])) or "no Haraka lines"
        out.append(f"  {f.name}: {f.lines:,} lines ({fmt})")
        out += [f"    note: {note}" for note in f.notes]
    if report.versions:
        out.append(f"  {report.versions['line']}")
    if len(report.haraka_versions) > 1:
        out.append(f"  Haraka versions started in these logs: {', '.join(report.haraka_versions)}")
    if report.plugins_loaded:
        out.append(f"  plugins Haraka loaded (in order): {', '.join(report.plugins_loaded)}")
    return out


def _traffic(report: TriageReport) -> list[str]:
    rc = report.recipients
    out = ["", "Traffic",
           f"  {report.connections:>8,}  connections",
           f"  {report.transactions:>8,}  transactions (MAIL FROM)",
           f"  {report.messages_accepted:>8,}  messages accepted (queued, 250)",
           f"  {report.messages_deferred:>8,}  messages deferred (4xx)",
           f"  {report.messages_rejected:>8,}  messages rejected at DATA/queue (5xx)",
           f"  recipients: {rc.get('accepted', 0):,} accepted, {rc.get('rejected', 0):,} rejected, "
           f"{rc.get('deferred', 0):,} deferred, {rc.get('unknown', 0):,} unknown"]
    if report.misleading_ok:
        out.append(f"  note: {report.misleading_ok:,} recipient(s) were logged as code=OK but the client was refused "
                   "(no rcpt plugin accepted them: 550 I cannot deliver mail)")
    if report.outcomes:
        out.append("  outcomes: " + ", ".join(f"{k} {v:,}" for k, v in report.outcomes.items()))
    return out


def _refusals(title: str, rows: list[dict]) -> list[str]:
    if not rows:
        return []
    out = ["", title, f"  {'count':>7}  {'stage':<6} {'plugin':<24} reply"]
    for row in rows[:25]:
        plugin = row["plugin"] or "(none answered)"
        out.append(f"  {row['count']:>7,}  {row['stage'] or '-':<6} {plugin:<24} {row['code'] or ''} "
                   f"{row['reply'] or '(empty reply)'}")
        out.append(f"           e.g. {row['examples'][0]}")
    return out


def _wildduck(wd: dict) -> list[str]:
    if not (any(v for k, v in wd.items() if isinstance(v, int)) or wd.get("error_codes")):
        return []
    out = ["", "WildDuck",
           f"  resolved {wd['resolved']:,}, stored {wd['stored']:,}, forwarded {wd['forwarded']:,}, "
           f"\"Message processed\" {wd['message_processed']:,}"]
    if wd["processed_without_store"]:
        out.append(f"  !! {wd['processed_without_store']:,} message(s) got \"250 Message processed\" but WildDuck "
                   "stored nothing (no RESOLVED user: did an earlier rcpt plugin accept the recipient?)")
        out += [f"     e.g. {ex}" for ex in wd["processed_without_store_examples"]]
    extra = [f"{k} {wd[k]:,}" for k in ("deferred", "rejected", "dropped", "db_failed") if wd.get(k)]
    if extra:
        out.append("  " + ", ".join(extra))
    if wd.get("error_codes"):
        out.append("  error codes: " + ", ".join(f"{k} x{v}" for k, v in wd["error_codes"].items()))
    return out


def _errors(report: TriageReport) -> list[str]:
    if not (report.crit or report.timeouts or report.load_errors):
        return []
    out = ["", "Errors"]
    out += [f"  {row['count']:>7,}  load error: {row['plugin']}: {row['error']}   e.g. {row['examples'][0]}"
            for row in report.load_errors]
    out += [f"  {row['count']:>7,}  timeout: plugin {row['plugin']} on hook {row['hook']}   e.g. {row['examples'][0]}"
            for row in report.timeouts]
    for row in report.crit[:25]:
        who = f"{row['plugin']}: " if row["plugin"] else ""
        out.append(f"  {row['count']:>7,}  CRIT {who}{row['message']}   e.g. {row['examples'][0]}")
    return out


def _explained(rows: list[dict], limit: int = 30) -> list[str]:
    if not rows:
        return []
    out = ["", "Explained (every WARN+ line, refusal and 4xx/5xx reply, by who printed it)"]
    for row in rows[:limit]:
        hook = f" at {row['hook']}" if row["hook"] else ""
        out.append(f"  {row['count']:>7,}  {row['emitter']}{hook} {row['code']}: {row['text'][:120]}")
        out.append(f"           {row['source'] or 'no indexed message has this text'}"
                   + (f"  [{row['system']}]" if row["system"] else ""))
    if len(rows) > limit:
        out.append(f"  … and {len(rows) - limit} more kinds of line (--format json lists them all)")
    return out


def _timelines(timelines: list[dict]) -> list[str]:
    if not timelines:
        return []
    out = ["", "Timelines"]
    for tl in timelines:
        out.append(f"  {tl['uuid']}  {tl['outcome']}" + (f" at {tl['stage']}" if tl["stage"] else "") +
                   (f"  from {tl['remote_ip']}" if tl["remote_ip"] else "") +
                   (f"  MAIL FROM:<{tl['mail_from']}>" if tl["mail_from"] is not None else ""))
        for r in tl["recipients"]:
            who = f" by {r['plugin']}" if r["plugin"] else ""
            out.append(f"    RCPT <{r['address']}>: {r['outcome']} {r['code'] or ''} {r['reply']}{who} [{r['basis']}]")
        out += [f"    {e['line']:>7}  {e['kind']:<12} {e['text']}" for e in tl["events"]]
    return out
