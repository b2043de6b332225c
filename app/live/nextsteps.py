"""What to look for after `probe --send`: the test message's id in Haraka's log, WildDuck's
RESOLVED/STORED lines, and the mongosh query that finds it in WildDuck's database (only when the
server accepted it: after a 4xx/5xx at the final dot Haraka's log is the one place it shows).

Why: a 250 after the final dot says a queue plugin took the message, not that it reached a
mailbox (a canonical host_list can shadow wildduck's recipient check and still answer 250). The
id makes the message findable in every place it should have left a trace.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from app.core.catalog import load_catalog, mailbox_stores
from app.core.mailstore import addrview, mongo_target
from app.core.model import Catalog, ConfigSet
from app.live.smtp import Session

LOG_PLACEHOLDER = "<haraka.log>"
_TXN = re.compile(r"\(([0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}(?:\.\d+)?)\)")


@dataclass
class NextSteps:
    probe_id: str
    message_id: str                  # the Message-ID header the test message carried
    transaction: str = ""            # Haraka's transaction id, when its reply after the dot named it
    wildduck: bool | None = None     # the config lists a plugin that stores in WildDuck (None: no config)
    accepted: bool = True            # the server took it (2xx after the final dot); else only Haraka's log has it
    commands: list[dict] = field(default_factory=list)   # {"what": key, "command": text}
    expect: list[str] = field(default_factory=list)      # the lines that say it arrived

    def to_dict(self) -> dict:
        return asdict(self)


def transaction_id(session: Session) -> str:
    """Haraka's transaction id from the reply after the final dot ('... (E064531C-....1)')."""
    reply = session.get("data_end")
    m = _TXN.search(reply.text) if reply is not None else None
    return m.group(1) if m else ""


def next_steps(session: Session, config: ConfigSet | None = None, catalog: Catalog | None = None) -> NextSteps | None:
    """The commands that find the probe's test message; None when none was sent."""
    if not session.probe_id or session.get("data_end") is None:
        return None
    domain = session.helo.strip("[]") or "mxdoctor.invalid"
    steps = NextSteps(session.probe_id, f"<{session.probe_id}@{domain}>", transaction_id(session),
                      accepted=session.sent)
    if config is not None:
        steps.wildduck = bool(mailbox_stores(catalog or load_catalog(), config.plugin_names()))
    steps.commands.append({"what": "haraka_log", "command": f"grep -F '{session.probe_id}' {LOG_PLACEHOLDER}"})
    if steps.transaction:
        steps.commands.append({"what": "haraka_txn", "command": f"grep -F '{steps.transaction}' {LOG_PLACEHOLDER}"})
    if not steps.accepted:         # refused after the dot: no mailbox has it, the log says why
        return steps
    steps.expect.append(f"[core] message mid={steps.message_id} ...")
    if steps.wildduck is not False:
        accepted = [r.target for r in session.replies if r.stage == "rcpt" and r.code and r.code < 400 and r.target]
        rcpt = accepted[0] if accepted else (session.rcpts[0] if session.rcpts else "")
        steps.commands.append({"what": "wildduck_log",
                               "command": f"grep -E 'RESOLVED|STORED' {LOG_PLACEHOLDER} | grep -F 'rcpt={rcpt}'"})
        shell = mongo_target(config).shell()
        steps.commands.append({"what": "mongosh", "command": (
            f"{shell} --eval 'db.addresses.findOne({{addrview: \"{addrview(rcpt)}\"}}, {{user: 1}}); "
            f"db.messages.find({{msgid: \"{steps.message_id}\"}}, {{mailbox: 1, user: 1, idate: 1}}).limit(5)'")})
        steps.expect += [f"[wildduck] RESOLVED rcpt={rcpt} user=...", f"[wildduck] STORED rcpt={rcpt} user=..."]
    return steps
