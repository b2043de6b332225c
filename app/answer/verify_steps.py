"""How the user checks the fix worked: a swaks command, the log lines to expect, a mongosh query.

Filled with what their own input says (the recipient seen in the logs or the first host_list
domain, `config/me`, the port Haraka listens on, the database in wildduck.yaml, the mongo
service in docker-compose) and a visible placeholder where nothing says it, never an invented
value. The commands and log shapes follow kb/notes swaks-testing, logging and mongodb-checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.answer.lang import t
from app.core.catalog import load_catalog, mailbox_stores
from app.core.mailstore import MongoTarget, addrview, mongo_target
from app.core.model import ConfigSet

TEST_SUBJECT = "mxdoctor test"
QUEUE_PLUGIN_RE = re.compile(r"^(?:queue/|smtp_forward|smtp_proxy|lmtp|qmail-queue|rabbitmq)")


@dataclass
class VerifySteps:
    rcpt: str | None = None
    host: str | None = None
    port: int = 25
    wildduck: bool = False
    queue_plugin: str | None = None
    log_name: str | None = None
    mongo_url: str | None = None     # without credentials
    mongo_user: str | None = None
    mongo_db: str = "wildduck"
    compose_service: str | None = None
    known: dict[str, str] = field(default_factory=dict)   # what came from the user's input, and from where

    @property
    def domain(self) -> str | None:
        return self.rcpt.rpartition("@")[2] if self.rcpt else None


def _first_rcpt(events) -> str | None:
    for ev in events:
        r = (ev.fields or {}).get("rcpt")
        if r and "@" in r:
            return r.strip("<>")
    return None


def _listen_port(cs: ConfigSet) -> int | None:
    listen = str((cs.ini("smtp.ini").get("main") or {}).get("listen") or "")
    ports = [int(p) for p in re.findall(r":(\d{2,5})\b", listen)]
    return 25 if 25 in ports else (ports[0] if ports else None)


def _recipient(v: VerifySteps, diagnosis: Any, envelope: dict[str, Any] | None) -> None:
    """The address to test: the one the user gave, else the logs', else postmaster@ a local domain."""
    given = [r for r in (envelope or {}).get("rcpt") or [] if isinstance(r, str) and "@" in r]
    v.rcpt = given[0].strip("<>") if given else _first_rcpt(diagnosis.events)
    if given:
        v.known["rcpt"] = "envelope"
    elif v.rcpt:
        v.known["rcpt"] = "logs"
    else:
        hl = diagnosis.configset.get("host_list")
        doms = [d for d in (hl.parsed or []) if isinstance(d, str) and "." in d] if hl is not None else []
        if doms:
            v.rcpt, v.known["rcpt"] = f"postmaster@{doms[0].lower()}", "config/host_list"


def _server(v: VerifySteps, cs: ConfigSet) -> None:
    """Where to send the test: config/me and the port smtp.ini listens on."""
    me = cs.get("me")
    if me is not None and me.lines and me.lines[0].strip():
        v.host, v.known["host"] = me.lines[0].strip(), "config/me"
    port = _listen_port(cs)
    if port:
        v.port, v.known["port"] = port, "config/smtp.ini"


def _mailbox_store(v: VerifySteps, cs: ConfigSet) -> None:
    """How to reach WildDuck's MongoDB (app.core.mailstore)."""
    target = mongo_target(cs)
    v.mongo_url, v.mongo_user, v.mongo_db = target.url, target.user, target.db
    if target.from_config:
        v.known["mongo"] = "config/wildduck.yaml"
    v.compose_service = target.compose_service


def plan(diagnosis: Any, envelope: dict[str, Any] | None = None) -> VerifySteps:
    """`envelope`: what the user said to simulate (--rcpt), preferred over what the logs show."""
    cs: ConfigSet = diagnosis.configset
    v = VerifySteps()
    _recipient(v, diagnosis, envelope)
    _server(v, cs)
    names = cs.plugin_names()
    v.wildduck = bool(mailbox_stores(load_catalog(), names))     # the steps below are WildDuck's
    v.queue_plugin = next((n for n in names if QUEUE_PLUGIN_RE.match(n)), None)
    # a log read from a file is named as the user named it; a pasted one has no real name
    logs = sorted({ev.file for ev in diagnosis.events if ev.file and not ev.file.startswith(("pasted", "paste"))})
    if logs:
        v.log_name = logs[0]
    _mailbox_store(v, cs)
    return v


def render(v: VerifySteps, lang: str) -> str:
    """One short block: the test message, where to look for it, what the right lines say."""
    rcpt = v.rcpt or t(lang, "placeholder_rcpt")
    host = v.host or t(lang, "placeholder_host")
    port = "" if v.port == 25 else f" --port {v.port}"
    log = v.log_name or t(lang, "placeholder_log")
    lines = [f"swaks --server {host}{port} --to {rcpt} --header 'Subject: {TEST_SUBJECT}'"]
    if v.wildduck:
        lines.append(f"grep -E 'RESOLVED|STORED|Message processed' {log}")
        conn = MongoTarget(v.mongo_url, v.mongo_user, v.mongo_db, v.compose_service).shell()
        lines.append(f"{conn} --eval 'db.addresses.findOne({{addrview: \"{addrview(rcpt)}\"}}, {{user: 1}}); "
                     f"db.messages.find({{subject: \"{TEST_SUBJECT}\"}}, {{mailbox: 1, user: 1}}).sort({{_id: -1}}).limit(5)'")
        expect = t(lang, "verify_expect_wildduck", line=f"[wildduck] RESOLVED rcpt={rcpt}",
                   stored=f"[wildduck] STORED rcpt={rcpt}")
    else:
        plugin = v.queue_plugin or "<queue plugin>"
        lines.append(f"grep -E 'hook=queue|queue code=' {log}")
        expect = t(lang, "verify_expect_queue", line=f"hook=queue plugin={plugin} ... retval=OK")
    head = t(lang, "verify" if v.wildduck else "verify_log_only")
    return "\n".join([head, "", "```", *lines, "```", "", expect])
