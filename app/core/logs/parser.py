"""One line of text -> LogEvent: clean, strip shipper prefixes, detect the format, classify.

Never raises: whatever the bytes were, the worst outcome is a LogEvent of kind `other`.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from app.core.logs.classify import classify
from app.core.logs.formats import detect
from app.core.logs.prefixes import is_journal_marker, strip_prefix
from app.core.model import LogEvent
from ingest.textio import MAX_LINE, clean_line


def parse_line(line: str, lineno: int = 0, file: str = "") -> LogEvent | None:
    """Parse one log line. None for blank lines and journald markers; never raises."""
    try:
        return parse_event(line, lineno, file)[0]
    except Exception:  # noqa: BLE001 - a parser bug must not stop a triage of a huge file
        return LogEvent(lineno, file, line[:MAX_LINE] if isinstance(line, str) else "", "other")


def parse_lines(lines: Iterable[str], file: str = "") -> Iterator[LogEvent]:
    """Parse lines in order, numbering them from 1; blank lines are skipped but counted."""
    for lineno, line in enumerate(lines, 1):
        event = parse_line(line, lineno, file)
        if event is not None:
            yield event


def parse_event(line: str, lineno: int, file: str) -> tuple[LogEvent | None, str | None]:
    """`parse_line` without its safety net, plus the NAME of the line's format (None: no format's line)."""
    if not line:
        return None, None
    last = line[-1]
    if last == "\r" or last == "\n" or "\x1b" in line or "\x00" in line:   # line ends, colours, NULs
        line = clean_line(line.rstrip("\n"))
        if not line:
            return None, None
    if len(line) > MAX_LINE:
        line = line[:MAX_LINE]
    fmt, text, timestamp = detect(line), line, None
    if fmt is None:
        text, timestamp, fmt = strip_prefix(line)
    head = fmt.parse(text) if fmt is not None else None
    if head is None:
        return _unformatted(text, timestamp, lineno, file), None
    level, uuid, origin, message, extras = head
    kind, fields = classify(message, level, origin, extras)
    return LogEvent(lineno, file, text, kind, level, None if uuid == "-" else uuid, origin, timestamp, fields), fmt.NAME


def _unformatted(text: str, timestamp: str | None, lineno: int, file: str) -> LogEvent | None:
    """Lines Haraka prints with console.log (no level): a few tell us version and settings."""
    stripped = text.strip()
    if not stripped or is_journal_marker(stripped):
        return None
    if stripped.startswith("Starting up Haraka version"):
        return LogEvent(lineno, file, text, "startup", None, None, None, timestamp,
                        {"event": "starting", "version": stripped[26:].strip()})
    if stripped.startswith(("loglevel: ", "log format: ")):
        key, _, value = stripped.partition(": ")
        return LogEvent(lineno, file, text, "startup", None, None, None, timestamp,
                        {"event": key.replace(" ", "_"), "value": value.strip()})
    return LogEvent(lineno, file, text, "other", None, None, None, timestamp, {})
