"""What each kind of log line tells about an SMTP connection's steps, recorded as it streams past.

One handler per line kind, `(connection, transaction or None, event)`: hook answers are kept
until the summary line of their step (sender, recipient, message, queue) arrives and is turned
into a Reply; PROTOCOL lines give a recipient the reply the client really got; the disconnect
line's last reply corrects a plugin's own refusal code; problems are noted where they happened;
WildDuck's plugin lines record what it resolved, stored, forwarded or failed to do.
"""
from __future__ import annotations

import re

from app.core.logs.connection import Connection
from app.core.logs.records import Recipient, Reply, Transaction
from app.core.logs.verdicts import DENY_CODES, DENYSOFT_CODES, outcome_for_code, verdict
from app.core.model import LogEvent

CONNECTION_HOOKS = frozenset({"connect_init", "lookup_rdns", "connect", "helo", "ehlo", "unrecognized_command",
                              "proxy", "capabilities"})
WILDDUCK_FORWARDS = frozenset({"QUEUED_FORWARD", "FORWARDING", "SRS_USING"})
WILDDUCK_ERRORS = frozenset({"DEFERRED", "REJECTED", "DROPPED", "PIPEFAIL", "QUEUEERROR", "SRS_FAILED",
                             "RATELIMITED", "RATELIMITERR", "AUTOREPLY_ERROR", "AUTOREPLY", "ERROR"})
LAST_REPLY_RE = re.compile(r"^([45]\d\d)[ -](.+)$")


def on_hook_result(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    f = ev.fields
    hook, retval = f.get("hook", ""), f.get("retval", "")
    entry = (f.get("plugin"), retval, f.get("msg", ""), ev.lineno)
    hooks = txn._hooks if txn is not None else conn.hooks
    hooks[(hook, f.get("address", ""))] = entry
    if hook in CONNECTION_HOOKS and (retval in DENY_CODES or retval in DENYSOFT_CODES):
        outcome, code = verdict(retval)
        conn.rejected = Reply(outcome, code, f.get("msg", ""), retval, hook, f.get("plugin"), ev.lineno)
        conn.refusals.append(conn.rejected)
    if txn is not None and "error_code" in f:
        _note_error_code(txn, f["error_code"])


def on_sender(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    if txn is None:
        return
    f = ev.fields
    txn.mail_from = f.get("mail_from", "")
    retval = f.get("code")
    outcome, code = verdict(retval)
    hook = txn._hooks.get(("mail", txn.mail_from))
    text = f.get("msg") or f"sender <{txn.mail_from}> " + ("OK" if outcome == "accepted" else "denied")
    txn.sender = Reply(outcome, code, text, retval, "mail", hook[0] if hook and hook[1] == retval else None, ev.lineno)


def on_recipient(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    """A recipient's logged code; accepted only with an OK hook answer (settled later otherwise)."""
    if txn is None:
        return
    f = ev.fields
    address, retval, msg = f.get("rcpt", ""), f.get("code"), f.get("msg", "")
    r = Recipient(address=address, retval=retval, line=ev.lineno)
    answered = txn._hooks.get(("rcpt", address))
    if retval in DENY_CODES or retval in DENYSOFT_CODES:
        _refused(r, retval, msg, (("rcpt_ok", txn._hooks.get(("rcpt_ok", ""))), ("rcpt", answered)))
    elif answered and answered[1] == "OK":
        r.outcome, r.code, r.reply = "accepted", 250, msg or f"recipient <{address}> OK"
        r.hook, r.plugin, r.basis = "rcpt", answered[0], "hook_result"
    if txn._crit is not None:
        r.notes.append(txn._crit)
        txn._crit = None
    if "error_code" in f:
        _note_error_code(txn, f["error_code"])
    txn.recipients.append(r)


def _refused(r: Recipient, retval: str, msg: str, answers: tuple[tuple[str, tuple | None], ...]) -> None:
    """A recipient logged with a DENY* code, credited to the first hook that answered the same."""
    r.outcome, r.code = verdict(retval)
    r.reply = msg or f"recipient <{r.address}> denied"
    for hook_name, h in answers:
        if h and h[1] == retval:
            r.hook, r.plugin, r.basis = hook_name, h[0], "hook_result"
            return
    r.basis = "logged_code"


def on_protocol(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    """`C: RCPT TO:<a>` then the server's `S: 250 ...`: the reply that recipient really got."""
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
            r.outcome = outcome_for_code(r.code)
            break


def on_message(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    """The DATA verdict (data_post) and the message's counts."""
    if txn is None:
        return
    f = ev.fields
    txn.message = {k: f[k] for k in ("mid", "size", "rcpts", "delay") if k in f}
    retval = f.get("code")
    outcome, code = verdict(retval)
    hook = txn._hooks.get(("data_post", ""))
    plugin = hook[0] if hook and hook[1] == retval and outcome != "accepted" else None
    txn.data = Reply(outcome, code, f.get("msg", ""), retval, "data_post", plugin, ev.lineno)
    if "error_code" in f:
        _note_error_code(txn, f["error_code"])


def on_queue(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    """The queue verdict; CONT from every queue plugin means nobody took the message (451)."""
    if txn is None:
        return
    f = ev.fields
    retval, msg = f.get("code"), f.get("msg", "")
    hook = txn._hooks.get(("queue", "")) or txn._hooks.get(("queue_outbound", ""))
    if retval in ("CONT", None, ""):
        txn.queue = Reply("deferred", 451, msg.strip() or "Queuing declined or disabled, try later", retval,
                          "queue", None, ev.lineno)
    else:
        outcome, code = verdict(retval)
        txn.queue = Reply(outcome, code, msg, retval, "queue", hook[0] if hook else None, ev.lineno)
    if "error_code" in f:
        _note_error_code(txn, f["error_code"])


def on_connect(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    conn.ip = ev.fields.get("ip") or conn.ip
    conn.timestamp = conn.timestamp or ev.timestamp


def on_disconnect(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
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


def _code_from_last_reply(txn: Transaction, lr: str) -> None:
    """A plugin may refuse with its own code (wildduck: 554 for a full mailbox), but the recipient
    line only says DENY; the disconnect line's lr= has the reply the client really got."""
    m = LAST_REPLY_RE.match(lr.strip())
    if not m:
        return
    code, text = int(m.group(1)), m.group(2).strip()
    for r in reversed(txn.recipients):
        if r.outcome == outcome_for_code(code) and r.reply and text.endswith(r.reply.strip()):
            r.code = code
            return


def on_problem(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    """A timeout or crash, noted on the transaction (and told to its next recipient) or the connection."""
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


def on_plugin_line(conn: Connection, txn: Transaction | None, ev: LogEvent) -> None:
    """What WildDuck did for the transaction: RESOLVED, STORED, forwards and failures."""
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


def _note_error_code(txn: Transaction, code: str) -> None:
    """WildDuck's `[ERRxNN]` code from a reply, once per transaction."""
    if code not in txn.error_codes:
        txn.error_codes.append(code)


HANDLERS = {
    "hook_result": on_hook_result,
    "sender": on_sender,
    "recipient": on_recipient,
    "protocol": on_protocol,
    "message": on_message,
    "queue": on_queue,
    "connect": on_connect,
    "disconnect": on_disconnect,
    "crit": on_problem,
    "timeout": on_problem,
    "plugin_line": on_plugin_line,
}
