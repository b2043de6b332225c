"""Group parsed events into SMTP connections and transactions, with each step's REAL outcome.

Haraka's summary lines can mislead: when every rcpt plugin answers CONT, the `recipient <x>`
line still says `code=OK` while the client gets `550 I cannot deliver mail for <x>`. So a
recipient counts as accepted only with evidence: the SMTP reply itself (PROTOCOL level), a
`hook=rcpt ... retval=OK` result, a relaying connection, or the message's accept count.
In a log written at INFO level or finer, a hook answer that is not CONT is always logged,
so a code=OK recipient with no OK hook result was refused.

The tracker routes each event to its open connection and transaction (app.core.logs.connection),
lets the handler of its kind record what it says (app.core.logs.steps), and settles each
transaction when its connection closes (app.core.logs.settle). It streams: a connection's
transactions are returned when its `disconnect` line arrives, so memory holds only open
connections (capped), not the whole log.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterable, Iterator

from app.core.logs.connection import Connection
from app.core.logs.records import Recipient, Reply, Transaction
from app.core.logs.settle import connection_entry, settle
from app.core.logs.steps import HANDLERS
from app.core.model import LogEvent

__all__ = ["Recipient", "Reply", "Transaction", "TransactionTracker",
           "group_transactions", "iter_transactions"]

INFO_OR_FINER = frozenset({"INFO", "DEBUG", "PROTOCOL", "DATA"})
TRACKED_KINDS = frozenset(HANDLERS)
MAX_OPEN_CONNECTIONS = 20000
MAX_DEFERRED_EVENTS = 500_000
MAX_REMEMBERED_CLOSED = 10000


class TransactionTracker:
    """Feed events in log order; collect finished transactions from `feed()` and `finish()`."""

    def __init__(self, keep_events: bool = False, max_open: int = MAX_OPEN_CONNECTIONS,
                 defer_unknown: bool = False, max_deferred: int | None = None):
        self.keep_events = keep_events
        self.max_open = max_open
        self.connections = 0
        # Reading a region cut from the middle of a file: a connection first met at any line but its
        # `connect` line may have begun earlier, so its events are set aside for whoever saw the start.
        self.defer_unknown = defer_unknown
        self.max_deferred = MAX_DEFERRED_EVENTS if max_deferred is None else max_deferred
        self.deferred: list[LogEvent] = []
        self.deferred_overflow = False
        self._deferred_uuids: set[str] = set()
        self._open: dict[str, Connection] = {}
        self._route: dict[str, tuple[Connection, Transaction | None]] = {}   # line uuid -> where it belongs
        self._evicted: list[Transaction] = []
        self._closed: OrderedDict[str, None] = OrderedDict()   # recently closed: late lines are ignored
        self._info_files: set[str] = set()
        self._seq = 0

    # ------------------------------------------------------------------ streaming
    def feed(self, ev: LogEvent) -> list[Transaction] | None:
        """Account for one event; returns transactions finished by it (usually None)."""
        if ev.level in INFO_OR_FINER and ev.file not in self._info_files:
            self._info_files.add(ev.file)
        return self.feed_marked(ev)

    def feed_marked(self, ev: LogEvent) -> list[Transaction] | None:
        """`feed` for a caller that reports INFO-level files itself with `mark_info` (saves a check per line)."""
        kind = ev.kind
        handler = HANDLERS.get(kind)
        if handler is None and not self.keep_events:
            return None
        uuid = ev.uuid
        route = self._route.get(uuid)
        if route is None:
            route = self._new_route(ev, kind, uuid)
            if route is None:
                return None
        conn, txn = route
        if txn is not None:
            txn.last_line = ev.lineno
            if self.keep_events:
                txn.events.append(ev)
        elif self.keep_events:
            conn.events.append(ev)
        if handler is not None:
            handler(conn, txn, ev)
            if kind == "disconnect":
                done = self._finish(conn, complete=True)
                if self._evicted:
                    done += self._evicted
                    self._evicted = []
                return done
        if self._evicted:
            done, self._evicted = self._evicted, []
            return done
        return None

    def _new_route(self, ev: LogEvent, kind: str, uuid: str | None) -> tuple[Connection, Transaction | None] | None:
        """First event of a connection or transaction uuid: find or open what it belongs to."""
        joined = uuid is None      # a uuid-less line naming its transaction (WildDuck GELF `_queue_id`)
        if joined:
            uuid = ev.fields.get("queue_id") if kind == "plugin_line" else None
            if not uuid:
                return None
        conn_uuid, _, tail = uuid.partition(".")
        conn = self._open.get(conn_uuid)
        if conn is None:
            conn = None if joined else self._open_connection(conn_uuid, ev, kind)
            if conn is None:
                return None
        txn = None
        if tail:
            txn = conn.txns.get(tail)
            if txn is None:
                if joined:
                    return None
                txn = conn.open_transaction(tail, ev)
        route = (conn, txn)
        if not joined:
            self._route[uuid] = route
            conn.routes.append(uuid)
        return route

    def _open_connection(self, conn_uuid: str, ev: LogEvent, kind: str) -> Connection | None:
        """A connection's first line opens it, unless it closed already or may have begun before this region."""
        if conn_uuid in self._closed:
            return None
        if self.defer_unknown and (kind != "connect" or conn_uuid in self._deferred_uuids):
            self._defer(conn_uuid, ev)
            return None
        self._seq += 1
        conn = self._open[conn_uuid] = Connection(conn_uuid, ev, self._seq)
        if len(self._open) > self.max_open:
            self._evicted += self._finish(next(iter(self._open.values())), complete=False)
        return conn

    def _defer(self, conn_uuid: str, ev: LogEvent) -> None:
        self._deferred_uuids.add(conn_uuid)
        if len(self.deferred) < self.max_deferred:
            self.deferred.append(ev)
        else:
            self.deferred_overflow = True

    # ------------------------------------------------------------------ handing state between processes
    def take_open(self) -> list[Connection]:
        """Remove and return the open connections (to continue them elsewhere with `adopt`)."""
        conns = list(self._open.values())
        self._open.clear()
        self._route.clear()
        return conns

    def adopt(self, conns: list[Connection]) -> None:
        """Continue connections another tracker started (see `take_open`)."""
        for conn in conns:
            self._open[conn.uuid] = conn
            for uuid in conn.routes:
                tail = uuid.partition(".")[2]
                txn = (conn.txns.get(tail) or conn.txns.get("0")) if tail else None
                self._route[uuid] = (conn, txn)

    def closed_recently(self) -> list[str]:
        return list(self._closed)

    def remember_closed(self, uuids: list[str]) -> None:
        """Connections another tracker closed: their late lines are ignored here too."""
        for uuid in uuids:
            self._closed[uuid] = None
        while len(self._closed) > MAX_REMEMBERED_CLOSED:
            self._closed.popitem(last=False)

    def saw_info(self, file: str) -> bool:
        return file in self._info_files

    def mark_info(self, file: str) -> None:
        """Tell the tracker `file` was written at INFO level or finer (hook answers are logged)."""
        self._info_files.add(file)

    def finish(self) -> list[Transaction]:
        """Flush connections still open at the end of the input (their outcome may be `incomplete`)."""
        done: list[Transaction] = []
        for conn in list(self._open.values()):
            done += self._finish(conn, complete=False)
        return done

    # ------------------------------------------------------------------ closing
    def _finish(self, conn: Connection, complete: bool) -> list[Transaction]:
        self._open.pop(conn.uuid, None)
        route = self._route
        for uuid in conn.routes:
            route.pop(uuid, None)
        self._closed[conn.uuid] = None
        if len(self._closed) > MAX_REMEMBERED_CLOSED:
            self._closed.popitem(last=False)
        self.connections += 1
        if not conn.txns:
            return [connection_entry(conn, complete)]
        info = conn.file in self._info_files
        return [settle(txn, conn, complete, info, self.keep_events) for txn in conn.txns.values()]


def iter_transactions(events: Iterable[LogEvent], keep_events: bool = True) -> Iterator[Transaction]:
    """Stream transactions as their connections close, then those left open at the end."""
    tracker = TransactionTracker(keep_events=keep_events)
    for ev in events:
        done = tracker.feed(ev)
        if done:
            yield from done
    yield from tracker.finish()


def group_transactions(events: Iterable[LogEvent]) -> list[Transaction]:
    """All transactions (and transaction-less connections) with their events, in the order they started."""
    result = list(iter_transactions(events, keep_events=True))
    return sorted(result, key=lambda t: (t._seq, _txn_number(t.uuid)))


def _txn_number(uuid: str) -> int:
    tail = uuid.partition(".")[2]
    return int(tail) if tail.isdigit() else 0
