"""What a line means for the mail, in words an admin acts on.

Why: "retval=DENYSOFT" is a fact; "the sender keeps the message and retries, so it arrives late or
bounces after days" is what the admin needs. The wording follows Haraka's semantics of hook results
(see the haraka-hook-flow note): the first OK or DENY* ends a hook; a plugin that logs an error and
calls next() without a code lets the next plugin run.
"""
from __future__ import annotations

STAGE = {"connect": "the connection", "connect_init": "the connection", "lookup_rdns": "the connection",
         "helo": "HELO", "ehlo": "EHLO", "mail": "MAIL FROM (the sender)", "rcpt": "RCPT TO (this recipient)",
         "rcpt_ok": "the recipient", "data": "DATA", "data_post": "the message after DATA",
         "queue": "the message at queueing", "queue_outbound": "the relayed message at queueing",
         "auth": "authentication", "unrecognized_command": "a command", "max_data_exceeded": "the message size"}


def refusal(code: str, hook: str | None) -> str:
    what = STAGE.get(hook or "", f"the {hook} step" if hook else "the command")
    code = code.upper()
    if code.startswith("DENYSOFT"):
        text = (f"Haraka refused {what} temporarily (4xx): the sending server keeps the message and "
                "retries, so mail arrives late or bounces after the sender's retry time.")
    elif code == "DISCONNECT":
        text = f"Haraka dropped the connection at {what}."
    else:
        text = (f"Haraka refused {what} permanently (5xx): the sending server gives up and bounces "
                "the message to its sender.")
    if code.endswith("DISCONNECT") and code != "DISCONNECT":
        text += " The connection is then closed."
    return text


def reply(code: str) -> str:
    if code[:1] == "4":
        return "Haraka answered with a temporary failure (4xx): the sender will retry later."
    return "Haraka answered with a permanent failure (5xx): the sender bounces the message."


def log_line(level: str, emitter: str, hook: str | None, kind: str, then=None, server: str | None = None) -> str:
    if server:
        return stack_line(level, server, hook, kind)
    where = f" while running the {hook} hook" if hook and hook != "any" else ""
    who = "Haraka itself" if emitter == "core" else f"the {emitter} plugin"
    if then is not None:             # the code that printed it answers right after: say what the client got
        said = f" “{then.template.replace('{}', '…')}”" if then.template.strip() else ""
        return (f"Printed by {who}{where}, which then answers {then.code.replace('|', ' or ')}{said}. "
                + refusal(then.code.split("|")[-1], hook))
    if kind == "throw":
        return (f"An error thrown by {who}{where}. Unless something catches it, a connection is dropped; "
                "at start-up Haraka stops.")
    if level in ("CRIT", "ALERT", "EMERG"):
        return (f"A critical error from {who}{where}: at start-up Haraka may not be listening at all; in a "
                "connection the connection is usually dropped.")
    if level == "ERROR":
        return (f"An error reported by {who}{where}. If it then lets the hook continue, the check it "
                "performs is skipped for this message; if it answers DENYSOFT, the sender is told to retry.")
    return f"A warning from {who}{where}: mail usually still flows, but what it warns about is not working as configured."


def stack_line(level: str, server: str, hook: str | None, kind: str) -> str:
    """A line WildDuck or ZoneMTA printed (`server`: 'WildDuck (LMTP)'), or an error its API answers."""
    where = f" in its {hook} hook" if hook and hook != "any" else ""
    if kind == "api":
        return (f"An error {server} answers API calls with: the request failed and nothing was changed; the "
                "code in the reply says why (a webmail or script sees it, not the SMTP sender).")
    if kind == "throw":
        return (f"An error thrown by {server}{where}: the operation fails; thrown at start-up or outside a request, "
                "the process exits and its supervisor (systemd, docker) restarts it.")
    if level in ("ERROR", "CRIT", "ALERT", "EMERG"):
        return (f"An error reported by {server}{where}: the operation it names failed (a delivery, a mailbox "
                "update, an API call); if it is a database or Redis error, every later operation fails the same way.")
    return f"A warning from {server}{where}: mail still flows, but what it warns about is not working as configured."
