"""One line of text -> LogEvent: clean, strip shipper prefixes, detect the format, classify.

Never raises: whatever the bytes were, the worst outcome is a LogEvent of kind `other`.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from app.core.logs.classify import classify
from app.core.logs.haraka_default import _LEVEL_TAGS, parse_default
from app.core.logs.haraka_json import parse_json
from app.core.logs.haraka_logfmt import parse_logfmt
from app.core.logs.prefixes import is_journal_marker, strip_prefix
from app.core.model import LogEvent
from app.core.textio import MAX_LINE, clean_line



def parse_line(line: str, lineno: int = 0, file: str = "") -> LogEvent | None:
    """Parse one log line. None for blank lines and journald markers; never raises."""
    try:
        return _parse(line, lineno, file)
    except Exception:  # noqa: BLE001 - a parser bug must not stop a triage of a huge file
        return LogEvent(lineno, file, line[:MAX_LINE] if isinstance(line, str) else "", "other")


def parse_lines(lines: Iterable[str], file: str = "") -> Iterator[LogEvent]:
    """Parse lines in order, numbering them from 1; blank lines are skipped but counted."""
    for lineno, line in enumerate(lines, 1):
        event = parse_line(line, lineno, file)
        if event is not None:
            yield event


def _parse(line: str, lineno: int, file: str) -> LogEvent | None:
    if not line:
        return None
    last = line[-1]
    if last == "\r" or last == "\n" or "\x1b" in line or "\x00" in line:
        line = clean_line(line.rstrip("\n"))
        if not line:
            return None
    if len(line) > MAX_LINE:
        line = line[:MAX_LINE]
    c = line[0]
    if c == "[":   # the common case first: DEFAULT format, no shipper prefix (see haraka_default)
        p = line.split(" ", 3)
        if len(p) == 4:
            level, uuid, origin, message = p
            level = _LEVEL_TAGS.get(level)
            if level is not None and uuid[-1:] == "]" and origin[:1] == "[" and origin[-1:] == "]" \
                    and uuid[:1] == "[":
                if message[:1] == " ":
                    message = message.lstrip(" ")
                uuid, origin = uuid[1:-1], origin[1:-1]
                kind, fields = classify(message, level, origin, None)
                return LogEvent(lineno, file, line, kind, level, None if uuid == "-" else uuid, origin, None, fields)
        parsed = parse_default(line)
        if parsed is None:
            return _unformatted(line, None, lineno, file)
        level, uuid, origin, message = parsed
        kind, fields = classify(message, level, origin, None)
        return LogEvent(lineno, file, line, kind, level, None if uuid == "-" else uuid, origin, None, fields)
    timestamp = None
    if c == "{" or line.startswith("level="):
        text = line
    else:
        if line.isspace():
            return None
        text, timestamp = strip_prefix(line)
        c = text[:1]
    extras = None
    if c == "[":
        parsed = parse_default(text)
    elif c == "{":
        parsed = parse_json(text)
        if parsed is not None:
            parsed, extras = parsed[:4], parsed[4]
    elif c == "l" and text.startswith("level="):
        parsed = parse_logfmt(text)
    else:
        parsed = None
    if parsed is None:
        return _unformatted(text, timestamp, lineno, file)
    level, uuid, origin, message = parsed
    kind, fields = classify(message, level, origin, extras)
    return LogEvent(lineno, file, text, kind, level, None if uuid == "-" else uuid, origin, timestamp, fields)


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
