"""Closing a connection: each transaction's recipients settled, WildDuck's facts linked, its outcome set.

Haraka logs `code=OK` for a recipient no rcpt plugin accepted, so a recipient without proof
of acceptance is settled here: a relaying connection accepts it; the message's accept count
accepts or refuses the undecided ones when it accounts for all of them; in a log written at
INFO level or finer (where every hook answer but CONT is logged) nobody accepted it, so the
client got `550 I cannot deliver mail`.
"""
from __future__ import annotations

from app.core.logs.connection import Connection
from app.core.logs.records import Recipient, Transaction


def connection_entry(conn: Connection, complete: bool) -> Transaction:
    """A connection that never reached MAIL FROM, as an entry of its own (outcome: why it ended)."""
    t = Transaction(uuid=conn.uuid, connection_uuid=conn.uuid, file=conn.file, first_line=conn.first_line,
                    last_line=conn.last_line, timestamp=conn.timestamp, complete=complete,
                    events=conn.events, problems=conn.problems)
    _fill_connection(t, conn)
    t.connection_reply = conn.rejected
    t.refused_before, conn.refusals = [r for r in conn.refusals if r is not conn.rejected], []
    t._seq = conn.seq
    if conn.rejected is not None:
        t.outcome, t.stage = "connection_rejected", conn.rejected.hook
    else:
        t.outcome = "no_transaction" if complete else "incomplete"
    return t


def settle(txn: Transaction, conn: Connection, complete: bool, info_logged: bool, keep_events: bool) -> Transaction:
    """A transaction of a closing connection, finished: `complete` when its disconnect line was seen."""
    del txn._hooks, txn._crit
    txn.complete = complete
    txn._seq = conn.seq
    if conn.refusals:               # counted once, with the connection's first transaction to close
        txn.refused_before, conn.refusals = conn.refusals, []
    _fill_connection(txn, conn)
    if keep_events and conn.events:
        txn.events = conn.events + txn.events
    settle_recipients(txn, conn.relay, info_logged)
    link_wildduck(txn)
    set_outcome(txn)
    return txn


def _fill_connection(t: Transaction, conn: Connection) -> None:
    t.remote_ip, t.remote_host, t.helo, t.relaying = conn.ip, conn.rdns, conn.helo, conn.relay


def settle_recipients(txn: Transaction, relaying: bool | None, info_logged: bool) -> None:
    """Decide the recipients Haraka logged as code=OK without proof of acceptance."""
    pending = [r for r in txn.recipients if r.outcome == "unknown"]
    if not pending:
        return
    if relaying:
        for r in pending:
            r.outcome, r.code, r.basis = "accepted", 250, "relaying"
            r.reply = r.reply or f"recipient <{r.address}> OK"
        return
    if _settled_by_counts(txn, pending):
        return
    if info_logged:
        for r in pending:
            _refused_by_nobody(r, "no_plugin_accepted")


def _settled_by_counts(txn: Transaction, pending: list[Recipient]) -> bool:
    """The `message` line's accept count (`rcpts=A/T/R`) decides when it leaves no doubt."""
    head = txn.message["rcpts"].split("/", 1)[0] if txn.message and "rcpts" in txn.message else ""
    if not head.isdigit():
        return False
    missing = int(head) - sum(1 for r in txn.recipients if r.outcome == "accepted")
    if missing == len(pending):
        for r in pending:
            r.outcome, r.code, r.basis = "accepted", 250, "counts"
            r.reply = f"recipient <{r.address}> OK"
        return True
    if missing <= 0:
        for r in pending:
            _refused_by_nobody(r, "counts")
        return True
    return False


def _refused_by_nobody(r: Recipient, basis: str) -> None:
    r.outcome, r.code, r.basis = "rejected", 550, basis
    r.reply = f"I cannot deliver mail for <{r.address}>"
    if r.retval == "OK":
        r.notes.append("Haraka logged code=OK but no rcpt plugin accepted this recipient; the client got 550")


def link_wildduck(txn: Transaction) -> None:
    """Recipients get the WildDuck user they RESOLVED to and whether WildDuck STORED the message for them."""
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


def set_outcome(txn: Transaction) -> None:
    """The transaction's outcome is the verdict of the last step it reached."""
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
