"""What the transaction tracker hands out: a transaction, its recipients, and SMTP verdicts.

Plain dataclasses, JSON-ready with `to_dict()`. `Reply` is the verdict at one SMTP step
(sender, DATA, queue, connection); a `Recipient` carries its own, plus what WildDuck did.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.model import LogEvent


@dataclass
class Reply:
    """The verdict at one SMTP step and the reply the client got (or would have got)."""
    outcome: str                 # accepted | rejected | deferred
    code: int | None = None      # SMTP reply code: 250, 450, 451, 550 ...
    text: str = ""               # reply text
    retval: str | None = None    # Haraka's logged code (OK, CONT, DENY, DENYSOFT ...)
    hook: str | None = None      # hook whose answer decided it
    plugin: str | None = None    # plugin that answered (None when no plugin answered)
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Recipient:
    """One RCPT TO and what really happened to it."""
    address: str
    outcome: str = "unknown"     # accepted | rejected | deferred | unknown
    code: int | None = None      # SMTP reply code the client got (known or derived)
    reply: str = ""
    retval: str | None = None    # the code Haraka logged on the `recipient` line (may be a misleading OK)
    hook: str | None = None
    plugin: str | None = None
    basis: str = ""              # smtp_reply | hook_result | logged_code | relaying | counts | no_plugin_accepted
    line: int | None = None
    user: str | None = None      # WildDuck user it resolved to (RESOLVED line)
    user_id: str | None = None
    stored: bool = False         # WildDuck logged STORED for it
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, notes=list(self.notes))


@dataclass
class Transaction:
    """One MAIL FROM ... (DATA) transaction, or a connection that never reached MAIL FROM."""
    uuid: str                    # "CONN-UUID.N"; just "CONN-UUID" for a connection without a transaction
    connection_uuid: str
    file: str = ""
    first_line: int | None = None
    last_line: int | None = None
    timestamp: str | None = None
    remote_ip: str | None = None
    remote_host: str | None = None
    helo: str | None = None
    relaying: bool | None = None
    mail_from: str | None = None
    sender: Reply | None = None
    recipients: list[Recipient] = field(default_factory=list)
    message: dict[str, str] | None = None      # mid, size, rcpts (accept/tempfail/reject), delay
    data: Reply | None = None                  # data_post verdict (from the `message` line)
    queue: Reply | None = None                 # queue verdict (from the `queue` line)
    connection_reply: Reply | None = None      # connect/helo/ehlo rejection (connection-only entries)
    # connection-stage refusals the client got past (an EHLO denied, then HELO accepted): still refusals
    refused_before: list[Reply] = field(default_factory=list)
    resolved: list[dict[str, Any]] = field(default_factory=list)   # WildDuck RESOLVED
    stored: list[dict[str, Any]] = field(default_factory=list)     # WildDuck STORED
    forwarded: list[dict[str, Any]] = field(default_factory=list)  # WildDuck SRS/FORWARDING/QUEUED FORWARD
    wildduck_errors: list[dict[str, Any]] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)           # ERRC01.. ERRQ07 seen in replies
    problems: list[str] = field(default_factory=list)              # CRIT / timeouts during it
    outcome: str = "incomplete"  # accepted | rejected | deferred | no_recipients | abandoned |
                                 # connection_rejected | no_transaction | incomplete
    stage: str | None = None     # connect | helo | mail | rcpt | data | queue: where the outcome was decided
    complete: bool = False       # its connection's `disconnect` line was seen
    events: list[LogEvent] = field(default_factory=list)

    @property
    def is_transaction(self) -> bool:
        return "." in self.uuid

    @property
    def accepted_recipients(self) -> list[Recipient]:
        return [r for r in self.recipients if r.outcome == "accepted"]

    @property
    def processed_without_store(self) -> bool:
        """WildDuck's queue answered OK ("Message processed") yet stored, forwarded or dropped nothing."""
        q = self.queue
        if q is None or q.outcome != "accepted":
            return False
        if q.plugin != "wildduck" and not q.text.startswith("Message processed"):
            return False
        dropped = any(e.get("action") == "DROPPED" for e in self.wildduck_errors)
        return not self.stored and not self.forwarded and not dropped

    def to_dict(self, events: bool = False) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if not k.startswith("_") and k != "events"}
        for key in ("sender", "data", "queue", "connection_reply"):
            d[key] = d[key].to_dict() if d[key] is not None else None
        d["recipients"] = [r.to_dict() for r in self.recipients]
        d["refused_before"] = [r.to_dict() for r in self.refused_before]
        d["processed_without_store"] = self.processed_without_store
        if events:
            d["events"] = [e.to_dict() for e in self.events]
        return d
