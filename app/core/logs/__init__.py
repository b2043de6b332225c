"""Haraka / WildDuck log parsing: lines -> LogEvents -> transactions with their real outcomes.

Public API:
    parse_line(line, lineno, file) -> LogEvent | None
    parse_lines(lines, file) -> Iterator[LogEvent]
    read_log(path) -> Iterator[LogEvent]          (streams any file: binary / invalid UTF-8 safe)
    group_transactions(events) -> list[Transaction]
    iter_transactions(events, keep_events) -> Iterator[Transaction]   (streaming form)

A line's way through: reader (bytes -> lines) -> parser: prefixes (shipper prefixes), formats
(which log format, and its fields; one module per format) and classify (what the line is about)
-> transactions (routing to connections: connection, steps, settle, verdicts; records hold the
result) -> summary (triage counts: tally, report; parallel, regions and shard split big files).
"""
from __future__ import annotations

import os
from typing import Iterator

from app.core.logs.parser import parse_line, parse_lines
from app.core.logs.reader import LineReader, open_log
from app.core.logs.transactions import (
    Recipient,
    Reply,
    Transaction,
    TransactionTracker,
    group_transactions,
    iter_transactions,
)
from app.core.model import LogEvent

__all__ = ["LogEvent", "LineReader", "open_log", "Recipient", "Reply", "Transaction", "TransactionTracker",
           "group_transactions", "iter_transactions", "parse_line", "parse_lines", "read_log"]


def read_log(path: str | os.PathLike, file: str | None = None) -> Iterator[LogEvent]:
    """Stream the events of a log file of any size (gzip/bzip2/xz too). `file` names it in events.

    Opening errors (missing file, permission) raise OSError before the first event; content never raises.
    """
    stream = open_log(path)
    return _events(stream, file if file is not None else os.fspath(path))


def _events(stream, name: str) -> Iterator[LogEvent]:
    with stream:
        yield from parse_lines(LineReader(stream).lines(), name)
