"""Pick the test transaction to simulate when the user did not give one.

Prefer what the logs show really happened (the client IP, its HELO, the sender, the recipients),
then the domains the config says are local (host_list), so the simulation exercises *their*
failure.
"""
from __future__ import annotations

from typing import Any, Iterable

from app.core.model import ConfigSet, LogEvent

DEFAULT_IP = "192.0.2.10"          # TEST-NET-1: an outside sender, not in any relay ACL
DEFAULT_HELO = "mail.example.net"
DEFAULT_FROM = "sender@example.net"


def local_domains(cs: ConfigSet) -> list[str]:
    f = cs.get("host_list")
    doms = [d.lower() for d in (f.parsed or [])] if f is not None and isinstance(f.parsed, list) else []
    return doms


def seen_in_logs(events: Iterable[LogEvent]) -> dict[str, Any]:
    """The first client IP, HELO and sender the logs show, and up to five recipients."""
    env: dict[str, Any] = {"ip": None, "helo": None, "from": None, "rcpt": [], "headers": {}}
    for ev in events:
        f = ev.fields
        ip = f.get("ip") or f.get("remote_ip")         # connect lines say ip=, older shapes remote_ip=
        if env["ip"] is None and ip:
            env["ip"] = ip
        if env["helo"] is None and f.get("helo"):
            env["helo"] = f["helo"]
        if env["from"] is None and ev.kind == "sender" and f.get("mail_from") is not None:
            env["from"] = f["mail_from"].strip("<>")
        rcpt = f.get("rcpt")
        if rcpt and "@" in rcpt and rcpt not in env["rcpt"] and len(env["rcpt"]) < 5:
            env["rcpt"].append(rcpt.strip("<>"))
    return env


def default_envelope(cs: ConfigSet, events: Iterable[LogEvent] = (), given: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
    env = seen_in_logs(events)
    if not env["rcpt"]:
        doms = local_domains(cs)
        env["rcpt"] = [f"user@{doms[0]}" if doms else "user@example.com"]
    env["ip"] = env["ip"] or DEFAULT_IP
    env["helo"] = env["helo"] or DEFAULT_HELO
    env["from"] = DEFAULT_FROM if env["from"] is None else env["from"]
    for key, value in (given or {}).items():
        if key == "from" and value in ("", "<>"):
            env[key] = ""            # the null sender (bounces) is a real envelope, not "unset"
        elif value not in (None, "", []):
            env[key] = list(value) if key == "rcpt" else value
    return env
