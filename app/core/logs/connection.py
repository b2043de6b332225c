"""An SMTP connection while its log lines stream past: what is known of it so far."""
from __future__ import annotations

from app.core.logs.records import Reply, Transaction
from app.core.model import LogEvent


class Connection:
    """Open connection state, with its transactions by the "N" of their "CONN.N" uuid."""
    __slots__ = ("uuid", "file", "seq", "first_line", "last_line", "timestamp", "ip", "rdns", "helo", "relay",
                 "events", "txns", "hooks", "rejected", "refusals", "pending_rcpt", "problems", "routes")

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
        self.refusals: list[Reply] = []      # every connection-stage refusal, also those the client got past
        self.pending_rcpt: tuple[str, str] | None = None   # (transaction "N", address) awaiting its reply
        self.problems: list[str] = []
        self.routes: list[str] = []          # line uuids routed to it (dropped when it closes)

    def open_transaction(self, tail: str, ev: LogEvent) -> Transaction:
        """Transaction "CONN.tail" starts at `ev` (a tail that is not a number is filed as "0").

        While open it keeps the hook answers seen (`_hooks`, by (hook, address)) and the last
        problem not yet told to a recipient (`_crit`); closing it drops both."""
        if not tail.isdigit():
            tail = "0"
        txn = self.txns[tail] = Transaction(uuid=f"{self.uuid}.{tail}", connection_uuid=self.uuid, file=ev.file,
                                            first_line=ev.lineno, timestamp=ev.timestamp)
        txn._hooks = {}
        txn._crit = None
        return txn
