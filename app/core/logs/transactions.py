"""Group parsed events into SMTP connections and transactions, with each step's REAL outcome.

Haraka's summary lines can mislead: when every rcpt plugin answers CONT, the `recipient <x>`
line still says `code=OK` while the client gets `550 I cannot deliver mail for <x>`. So a
recipient counts as accepted only with evidence: the SMTP reply itself (PROTOCOL level), a
`hook=rcpt ... retval=OK` result, a relaying connection, or the message's accept count.
In a log written at INFO level or finer, a hook answer that is not CONT is always logged,
so a code=OK recipient with no OK hook result was refused.

The tracker streams: a connection's transactions are returned when its `disconnect` line
arrives, so memory holds only open connections (capped), not the whole log.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Iterable, Iterator

from app.core.logs.records import Recipient, Reply, Transaction
from app.core.model import LogEvent

__all__ = ["Recipient", "Reply", "Transaction", "TransactionTracker", "group_transactions", "iter_transactions"]

DENY_CODES = {"DENY": 550, "DENYDISCONNECT": 550}
DENYSOFT_CODES = {"DENYSOFT": 450, "DENYSOFTDISCONNECT": 450}
INFO_OR_FINER = frozenset({"INFO", "DEBUG", "PROTOCOL", "DATA"})
CONNECTION_HOOKS = frozenset({"connect_init", "lookup_rdns", "connect", "helo", "ehlo", "unrecognized_command",
                              "proxy", "capabilities"})
WILDDUCK_FORWARDS = frozenset({"QUEUED_FORWARD", "FORWARDING", "SRS_USING"})
WILDDUCK_ERRORS = frozenset({"DEFERRED", "REJECTED", "DROPPED", "PIPEFAIL", "QUEUEERROR", "SRS_FAILED",
                             "RATELIMITED", "RATELIMITERR", "AUTOREPLY_ERROR", "AUTOREPLY", "ERROR"})
MAX_OPEN_CONNECTIONS = 20000
MAX_DEFERRED_EVENTS = 500_000
MAX_REMEMBERED_CLOSED = 10000


def _verdict(retval: str | None, ok_code: int = 250) -> tuple[str, int | None]:
    if retval in DENY_CODES:
        return "rejected", 550
    if retval in DENYSOFT_CODES:
        return "deferred", 450
    return "accepted", ok_code


LAST_REPLY_RE = re.compile(r"^([45]\d\d)[ -](.+)$")


def _code_from_last_reply(txn: Transaction, lr: str) -> None:
    """A plugin may refuse with its own code (wildduck: 554 for a full mailbox), but the recipient
    line only says DENY; the disconnect line's lr= has the reply the client really got."""
    m = LAST_REPLY_RE.match(lr.strip())
    if not m:
        return
    code, text = int(m.group(1)), m.group(2).strip()
    for r in reversed(txn.recipients):
        if r.outcome == _outcome_for_code(code) and r.reply and text.endswith(r.reply.strip()):
            r.code = code
            return


def _outcome_for_code(code: int) -> str:
    return "accepted" if code < 400 else ("deferred" if code < 500 else "rejected")


class _Conn:
    """Open connection state while its lines stream past."""
    __slots__ = ("uuid", "file", "seq", "first_line", "last_line", "timestamp", "ip", "rdns", "helo", "relay",
                 "events", "txns", "hooks", "rejected", "pending_rcpt", "problems", "routes")

    def __init__(self, uuid: str, ev: LogEvent, seq: int):
        self.uuid = uuid
        self.file = ev.file
        self.seq = seq
        self.first_line = self.last_line = ev.lineno
        self.timestamp = ev.timestamp
        self.ip = self.rdns = self.helo = None
        self.relay: bool | None = None
        self.events: list[LogEvent] = []
        self.txns: dict[str, Transaction] = {}   # by the "N" of "CONN.N"
        self.hooks: dict[tuple[str, str], tuple] = {}
        self.rejected: Reply | None = None
        self.pending_rcpt: tuple[str, str] | None = None   # (transaction "N", address) awaiting its reply
        self.problems: list[str] = []
        self.routes: list[str] = []          # line uuids routed to it (dropped when it closes)


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
        self._open: dict[str, _Conn] = {}
        self._route: dict[str, tuple[_Conn, Transaction | None]] = {}   # line uuid -> where it belongs
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
        handler = _HANDLERS.get(kind)
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
            handler(self, conn, txn, ev)
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

    def _new_route(self, ev: LogEvent, kind: str, uuid: str | None) -> tuple[_Conn, Transaction | None] | None:
        """First event of a connection or transaction uuid: find or open what it belongs to."""
        joined = False      # a uuid-less line naming its transaction (WildDuck GELF `_queue_id`)
        if uuid is None:
            uuid = ev.fields.get("queue_id") if kind == "plugin_line" else None
            if not uuid:
                return None
            joined = True
        conn_uuid, _, tail = uuid.partition(".")
        conn = self._open.get(conn_uuid)
        if conn is None:
            if joined or conn_uuid in self._closed:
                return None
            if self.defer_unknown and (kind != "connect" or conn_uuid in self._deferred_uuids):
                self._defer(conn_uuid, ev)
                return None
            self._seq += 1
            conn = self._open[conn_uuid] = _Conn(conn_uuid, ev, self._seq)
            if len(self._open) > self.max_open:
                self._evicted += self._finish(next(iter(self._open.values())), complete=False)
        txn = None
        if tail:
            txn = conn.txns.get(tail)
            if txn is None:
                if joined:
                    return None
                if not tail.isdigit():
                    tail = "0"
                txn = conn.txns[tail] = Transaction(uuid=f"{conn_uuid}.{tail}", connection_uuid=conn_uuid,
                                                    file=ev.file, first_line=ev.lineno, timestamp=ev.timestamp)
                txn._hooks = {}
                txn._crit = None
        route = (conn, txn)
        if not joined:
            self._route[uuid] = route
            conn.routes.append(uuid)
        return route

    def _defer(self, conn_uuid: str, ev: LogEvent) -> None:
        self._deferred_uuids.add(conn_uuid)
        if len(self.deferred) < self.max_deferred:
            self.deferred.append(ev)
        else:
            self.deferred_overflow = True

    # ------------------------------------------------------------------ handing state between processes
    def take_open(self) -> list[_Conn]:
        """Remove and return the open connections (to continue them elsewhere with `adopt`)."""
        conns = list(self._open.values())
        self._open.clear()
        self._route.clear()
        return conns

    def adopt(self, conns: list[_Conn]) -> None:
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

    # ------------------------------------------------------------------ per kind
    def _on_hook_result(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        f = ev.fields
        hook, retval = f.get("hook", ""), f.get("retval", "")
        entry = (f.get("plugin"), retval, f.get("msg", ""), ev.lineno)
        hooks = txn._hooks if txn is not None else conn.hooks
        hooks[(hook, f.get("address", ""))] = entry
        if hook in CONNECTION_HOOKS and (retval in DENY_CODES or retval in DENYSOFT_CODES):
            outcome, code = _verdict(retval)
            conn.rejected = Reply(outcome, code, f.get("msg", ""), retval, hook, f.get("plugin"), ev.lineno)
        if txn is not None and "error_code" in f and f["error_code"] not in txn.error_codes:
            txn.error_codes.append(f["error_code"])

    def _on_sender(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        if txn is None:
            return
        f = ev.fields
        txn.mail_from = f.get("mail_from", "")
        retval = f.get("code")
        outcome, code = _verdict(retval)
        hook = txn._hooks.get(("mail", txn.mail_from))
        text = f.get("msg") or f"sender <{txn.mail_from}> " + ("OK" if outcome == "accepted" else "denied")
        txn.sender = Reply(outcome, code, text, retval, "mail",
                           hook[0] if hook and hook[1] == retval else None, ev.lineno)

    def _on_recipient(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        if txn is None:
            return
        f = ev.fields
        address, retval, msg = f.get("rcpt", ""), f.get("code"), f.get("msg", "")
        r = Recipient(address=address, retval=retval, line=ev.lineno)
        hooks = txn._hooks
        answered = hooks.get(("rcpt", address))
        ok_hook = hooks.get(("rcpt_ok", ""))
        if retval in DENY_CODES or retval in DENYSOFT_CODES:
            r.outcome, r.code = _verdict(retval)
            r.reply = msg or f"recipient <{address}> denied"
            for hook_name, h in (("rcpt_ok", ok_hook), ("rcpt", answered)):
                if h and h[1] == retval:
                    r.hook, r.plugin, r.basis = hook_name, h[0], "hook_result"
                    break
            else:
                r.basis = "logged_code"
        elif answered and answered[1] == "OK":
            r.outcome, r.code, r.reply = "accepted", 250, msg or f"recipient <{address}> OK"
            r.hook, r.plugin, r.basis = "rcpt", answered[0], "hook_result"
        if txn._crit is not None:
            r.notes.append(txn._crit)
            txn._crit = None
        if "error_code" in f and f["error_code"] not in txn.error_codes:
            txn.error_codes.append(f["error_code"])
        txn.recipients.append(r)

    def _on_protocol(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        f = ev.fields
        if f.get("direction") == "C":
            conn.pending_rcpt = (ev.uuid.partition(".")[2], f.get("address", "")) \
                if f.get("verb") == "rcpt" and ev.uuid else None
            return
        pending = conn.pending_rcpt
        if pending is None or f.get("text", "")[3:4] == "-":
            return
        conn.pending_rcpt = None
        target = conn.txns.get(pending[0])
        code = f.get("code", "")
        if target is None or not code.isdigit():
            return
        for r in reversed(target.recipients):
            if r.address == pending[1]:
                r.code, r.reply, r.basis = int(code), f.get("text", "")[4:], "smtp_reply"
                r.outcome = _outcome_for_code(r.code)
                break

    def _on_message(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        if txn is None:
            return
        f = ev.fields
        txn.message = {k: f[k] for k in ("mid", "size", "rcpts", "delay") if k in f}
        retval = f.get("code")
        outcome, code = _verdict(retval)
        hook = txn._hooks.get(("data_post", ""))
        plugin = hook[0] if hook and hook[1] == retval and outcome != "accepted" else None
        txn.data = Reply(outcome, code, f.get("msg", ""), retval, "data_post", plugin, ev.lineno)
        if "error_code" in f and f["error_code"] not in txn.error_codes:
            txn.error_codes.append(f["error_code"])

    def _on_queue(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        if txn is None:
            return
        f = ev.fields
        retval, msg = f.get("code"), f.get("msg", "")
        hooks = txn._hooks
        hook = hooks.get(("queue", "")) or hooks.get(("queue_outbound", ""))
        if retval in ("CONT", None, ""):
            # hook_queue answered CONT everywhere: Haraka replies 451 (no queue plugin took it)
            reply = Reply("deferred", 451, msg.strip() or "Queuing declined or disabled, try later", retval,
                          "queue", None, ev.lineno)
        else:
            outcome, code = _verdict(retval)
            reply = Reply(outcome, code, msg, retval, "queue", hook[0] if hook else None, ev.lineno)
        txn.queue = reply
        if "error_code" in f and f["error_code"] not in txn.error_codes:
            txn.error_codes.append(f["error_code"])

    def _on_connect(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        conn.ip = ev.fields.get("ip") or conn.ip
        conn.timestamp = conn.timestamp or ev.timestamp

    def _on_disconnect(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        f = ev.fields
        conn.last_line = ev.lineno
        conn.ip = f.get("ip") or conn.ip
        conn.rdns = f.get("rdns") or conn.rdns
        conn.helo = f.get("helo") or conn.helo
        if "relay" in f:
            conn.relay = f["relay"] == "Y"
        last = txn if txn is not None else next(reversed(conn.txns.values()), None)
        if last is not None:                # lr= is the connection's last reply: its last transaction's
            _code_from_last_reply(last, f.get("lr", ""))

    def _on_problem(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        f = ev.fields
        if ev.kind == "timeout":
            text = f"plugin {f.get('plugin')} timed out on hook {f.get('hook')}"
        elif f.get("plugin"):
            text = f"plugin {f.get('plugin')} failed: {f.get('error', '')}"
        else:
            text = f.get("error", ev.raw)
        (txn.problems if txn is not None else conn.problems).append(text)
        if txn is not None:
            txn._crit = text

    def _on_plugin_line(self, conn: _Conn, txn: Transaction | None, ev: LogEvent) -> None:
        f = ev.fields
        action = f.get("wildduck_action")
        if action is None or txn is None:
            return
        if action == "RESOLVED":
            txn.resolved.append({"rcpt": f.get("rcpt"), "user": f.get("user"), "user_id": f.get("user_id"),
                                 "line": ev.lineno})
        elif action == "STORED":
            txn.stored.append({"rcpt": f.get("rcpt"), "user": f.get("user"), "user_id": f.get("user_id"),
                               "result": f.get("result"), "line": ev.lineno})
        elif action in WILDDUCK_FORWARDS:
            txn.forwarded.append({"action": action, "rcpt": f.get("rcpt"), "target": f.get("target"),
                                  "line": ev.lineno})
        elif action in WILDDUCK_ERRORS:
            txn.wildduck_errors.append({"action": action, "rcpt": f.get("rcpt"), "error": f.get("error"),
                                        "line": ev.lineno})

    # ------------------------------------------------------------------ closing
    def _finish(self, conn: _Conn, complete: bool) -> list[Transaction]:
        self._open.pop(conn.uuid, None)
        route = self._route
        for uuid in conn.routes:
            route.pop(uuid, None)
        self._closed[conn.uuid] = None
        if len(self._closed) > MAX_REMEMBERED_CLOSED:
            self._closed.popitem(last=False)
        self.connections += 1
        if not conn.txns:
            t = Transaction(uuid=conn.uuid, connection_uuid=conn.uuid, file=conn.file, first_line=conn.first_line,
                            last_line=conn.last_line, timestamp=conn.timestamp, complete=complete,
                            events=conn.events, problems=conn.problems)
            self._fill_connection(t, conn)
            t.connection_reply = conn.rejected
            t._seq = conn.seq
            if conn.rejected is not None:
                t.outcome, t.stage = "connection_rejected", conn.rejected.hook
            else:
                t.outcome = "no_transaction" if complete else "incomplete"
            return [t]
        done = []
        info = conn.file in self._info_files
        for txn in conn.txns.values():
            del txn._hooks, txn._crit
            txn.complete = complete
            txn._seq = conn.seq
            self._fill_connection(txn, conn)
            if self.keep_events and conn.events:
                txn.events = conn.events + txn.events
            _settle_recipients(txn, conn.relay, info)
            _link_wildduck(txn)
            _set_outcome(txn)
            done.append(txn)
        return done

    @staticmethod
    def _fill_connection(t: Transaction, conn: _Conn) -> None:
        t.remote_ip, t.remote_host, t.helo, t.relaying = conn.ip, conn.rdns, conn.helo, conn.relay


_HANDLERS = {
    "hook_result": TransactionTracker._on_hook_result,
    "sender": TransactionTracker._on_sender,
    "recipient": TransactionTracker._on_recipient,
    "protocol": TransactionTracker._on_protocol,
    "message": TransactionTracker._on_message,
    "queue": TransactionTracker._on_queue,
    "connect": TransactionTracker._on_connect,
    "disconnect": TransactionTracker._on_disconnect,
    "crit": TransactionTracker._on_problem,
    "timeout": TransactionTracker._on_problem,
    "plugin_line": TransactionTracker._on_plugin_line,
}


TRACKED_KINDS = frozenset(_HANDLERS)


def _settle_recipients(txn: Transaction, relaying: bool | None, info_logged: bool) -> None:
    """Decide the recipients Haraka logged as code=OK without proof of acceptance."""
    pending = [r for r in txn.recipients if r.outcome == "unknown"]
    if not pending:
        return
    if relaying:
        for r in pending:
            r.outcome, r.code, r.basis = "accepted", 250, "relaying"
            r.reply = r.reply or f"recipient <{r.address}> OK"
        return
    accepted_in_message = None
    if txn.message and "rcpts" in txn.message:
        head = txn.message["rcpts"].split("/", 1)[0]
        accepted_in_message = int(head) if head.isdigit() else None
    if accepted_in_message is not None:
        known = sum(1 for r in txn.recipients if r.outcome == "accepted")
        missing = accepted_in_message - known
        if missing == len(pending):
            for r in pending:
                r.outcome, r.code, r.basis = "accepted", 250, "counts"
                r.reply = f"recipient <{r.address}> OK"
            return
        if missing <= 0:
            for r in pending:
                _refused_by_nobody(r, "counts")
            return
    if info_logged:
        for r in pending:
            _refused_by_nobody(r, "no_plugin_accepted")


def _refused_by_nobody(r: Recipient, basis: str) -> None:
    r.outcome, r.code, r.basis = "rejected", 550, basis
    r.reply = f"I cannot deliver mail for <{r.address}>"
    if r.retval == "OK":
        r.notes.append("Haraka logged code=OK but no rcpt plugin accepted this recipient; the client got 550")


def _link_wildduck(txn: Transaction) -> None:
    if not (txn.resolved or txn.stored):
        return
    by_address = {r.address.casefold(): r for r in txn.recipients}
    for item in txn.resolved:
        r = by_address.get((item.get("rcpt") or "").casefold())
        if r is not None:
            r.user, r.user_id = item.get("user"), item.get("user_id")
    for item in txn.stored:
        r = by_address.get((item.get("rcpt") or "").casefold())
        if r is not None:
            r.stored = True
            r.user = r.user or item.get("user")
            r.user_id = r.user_id or item.get("user_id")


def _set_outcome(txn: Transaction) -> None:
    if txn.queue is not None:
        txn.outcome, txn.stage = txn.queue.outcome, "queue"
    elif txn.data is not None and txn.data.outcome != "accepted":
        txn.outcome, txn.stage = txn.data.outcome, "data"
    elif txn.sender is not None and txn.sender.outcome != "accepted":
        txn.outcome, txn.stage = txn.sender.outcome, "mail"
    elif txn.recipients and not txn.accepted_recipients:
        txn.outcome, txn.stage = "no_recipients", "rcpt"
    elif txn.data is not None or not txn.complete:
        txn.outcome = "incomplete"
    else:
        txn.outcome = "abandoned"


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
