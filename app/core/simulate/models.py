"""The behaviour models: the few plugin decisions that take code to read from the config.

A model looks at the config and the transaction and says which of its cases holds, with the
values its texts need. What the plugin answers in each case (the code, the reply text, the words
for what it rests on), which plugin and hook run the model and which config files, sections and
keys it reads are data, in kb/simulator/behaviours.yaml. Models follow the plugins' real source
(Haraka 3.3.4, haraka-plugin-wildduck 6.x).
"""
from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable

from app.core.parsers.ini import truthy
from app.core.simulate.context import SimContext

# What a `reads:` entry holds: a config file name, `file.ini [section]`, `file.ini [section] key`,
# or a list of plain names.
FILE, SECTION, SETTING, NAMES = "file", "section", "setting", "names"

Reads = dict[str, Any]
Outcome = tuple[str, dict[str, str]]     # (case, values for the case's texts)


@dataclass(frozen=True)
class Model:
    run: Callable[[SimContext, Reads], Outcome]
    cases: tuple[str, ...]
    reads: dict[str, str]           # name -> FILE | SECTION | SETTING | NAMES
    values: tuple[str, ...] = ()    # what the texts may say besides {plugin} and {hook}


MODELS: dict[str, Model] = {}


def model(name: str, cases: tuple[str, ...], reads: dict[str, str] | None = None, values: tuple[str, ...] = ()):
    def wrap(fn: Callable[[SimContext, Reads], Outcome]) -> Callable[[SimContext, Reads], Outcome]:
        MODELS[name] = Model(fn, cases, reads or {}, values)
        return fn
    return wrap


def _matches_any(patterns: list[str], value: str, match: Callable) -> bool:
    """Whether a pattern of a *_regex file matches (a pattern Python cannot compile never does)."""
    for pattern in patterns:
        try:
            if match(pattern, value, re.I):
                return True
        except re.error:
            continue
    return False


# ----------------------------------------------------------------- local domains (host_list)

def in_host_list(ctx: SimContext, domain: str, reads: Reads) -> bool:
    if domain in {d.lower() for d in ctx.list_file(reads["list"])}:
        return True
    return _matches_any(ctx.list_file(reads["regex"]), domain, re.fullmatch)


@model("sender_is_local", cases=("noted",), reads={"list": FILE, "regex": FILE})
def _sender_is_local(ctx: SimContext, reads: Reads) -> Outcome:
    sender_domain = str(ctx.envelope.get("from", "")).rpartition("@")[2].lower()
    ctx.local_sender = bool(sender_domain) and in_host_list(ctx, sender_domain, reads)
    return "noted", {}


@model("recipient_domain_is_local", cases=("no_domain", "not_given", "listed", "local_sender", "not_listed"),
       reads={"list": FILE, "regex": FILE}, values=("domain",))
def _recipient_domain_is_local(ctx: SimContext, reads: Reads) -> Outcome:
    values = {"domain": ctx.rcpt_domain}
    if not ctx.rcpt_domain:
        return "no_domain", values
    if not ctx.given(reads["list"]) and not ctx.given(reads["regex"]):
        return "not_given", values       # not pasted is not proven empty: assume an inbound MX's list
    if in_host_list(ctx, ctx.rcpt_domain, reads):
        return "listed", values
    if ctx.relaying and ctx.local_sender:
        return "local_sender", values
    return "not_listed", values


# ----------------------------------------------------------------- the mailbox store (looks up, then stores)

@model("mailbox_lookup", cases=("unknown_user", "resolved"))
def _mailbox_lookup(ctx: SimContext, reads: Reads) -> Outcome:
    unknown = {u.lower() for u in ctx.envelope.get("unknown_users") or []}
    if (ctx.rcpt or "").lower() in unknown:
        return "unknown_user", {}
    ctx.resolved.append(ctx.rcpt or "")
    return "resolved", {}


@model("mailbox_store", cases=("nothing_resolved", "stored"), values=("recipients",))
def _mailbox_store(ctx: SimContext, reads: Reads) -> Outcome:
    return ("stored" if ctx.resolved else "nothing_resolved"), {"recipients": ", ".join(ctx.resolved)}


# ----------------------------------------------------------------- relaying

def _ip_in(ip: str, cidrs: list[str]) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for c in cidrs:
        try:
            if addr in ipaddress.ip_network(c.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


@model("relay_client", cases=("relay_all", "acl_allows", "neither"), reads={"all": SETTING, "acl": FILE})
def _relay_client(ctx: SimContext, reads: Reads) -> Outcome:
    """Sets whether the client relays, which later hooks (and the queue hook chosen) depend on."""
    if truthy(ctx.setting(reads["all"])):
        ctx.relaying = True
        return "relay_all", {}
    if _ip_in(str(ctx.envelope.get("ip", "")), ctx.list_file(reads["acl"])):
        ctx.relaying = True
        return "acl_allows", {}
    return "neither", {}


@model("relay_destination", cases=("relay_all", "accepted_destination", "neither"),
       reads={"all": SETTING, "dest_domains": SETTING, "destinations": SECTION}, values=("domain",))
def _relay_destination(ctx: SimContext, reads: Reads) -> Outcome:
    values = {"domain": ctx.rcpt_domain}
    if truthy(ctx.setting(reads["all"])):
        return "relay_all", values
    if truthy(ctx.setting(reads["dest_domains"])):
        action = str(ctx.section(reads["destinations"]).get(ctx.rcpt_domain, "")).lower()
        if "accept" in action:
            return "accepted_destination", values
    return "neither", values


# ----------------------------------------------------------------- access lists

def _listed(ctx: SimContext, exact: str, regex: str, value: str) -> bool:
    return value in [v.lower() for v in ctx.list_file(exact)] or \
        _matches_any(ctx.list_file(regex), value, re.search)


@model("recipient_access", cases=("allowed_accept", "allowed_passes", "blocked", "neither"),
       reads={"accept": SETTING, "allow": FILE, "allow_regex": FILE, "block": FILE, "block_regex": FILE},
       values=("rcpt",))
def _recipient_access(ctx: SimContext, reads: Reads) -> Outcome:
    rcpt = (ctx.rcpt or "").lower()
    if rcpt and _listed(ctx, reads["allow"], reads["allow_regex"], rcpt):
        return ("allowed_accept" if truthy(ctx.setting(reads["accept"])) else "allowed_passes"), {"rcpt": rcpt}
    if rcpt and _listed(ctx, reads["block"], reads["block_regex"], rcpt):
        return "blocked", {"rcpt": rcpt}
    return "neither", {"rcpt": rcpt}


@model("sender_access", cases=("blocked", "neither"), reads={"block": FILE}, values=("sender",))
def _sender_access(ctx: SimContext, reads: Reads) -> Outcome:
    sender = str(ctx.envelope.get("from", "")).lower()
    blocked = sender and sender in [v.lower() for v in ctx.list_file(reads["block"])]
    return ("blocked" if blocked else "neither"), {"sender": sender}


# ----------------------------------------------------------------- content checks with safe defaults

@functools.lru_cache(maxsize=4)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(n) for n in cidrs)


def is_private(ip: str, cidrs: list[str]) -> bool:
    """Haraka's notion (haraka-net-utils is_private_ip), not Python's is_private, which also
    counts documentation ranges such as 192.0.2.0/24."""
    try:
        addr = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return False
    return any(addr.version == n.version and addr in n for n in _networks(tuple(cidrs)))


IP_LITERAL = re.compile(r"^\[?(?:\d{1,3}\.){3}\d{1,3}\]?$|^\[?IPv6:", re.I)


@model("helo_checks", cases=("records_only", "private_ip", "bare_ip", "rejects"),
       reads={"reject": SECTION, "skip_private": SETTING, "bare_ip": SETTING, "private_networks": NAMES},
       values=("enabled",))
def _helo_checks(ctx: SimContext, reads: Reads) -> Outcome:
    enabled = sorted(k for k, v in ctx.section(reads["reject"]).items() if truthy(v))
    values = {"enabled": ", ".join(enabled)}
    if not enabled:
        return "records_only", values
    private = is_private(str(ctx.envelope.get("ip", "")), reads["private_networks"])
    if private and truthy(ctx.setting(reads["skip_private"], True)):     # skipped unless turned off
        return "private_ip", values
    helo = str(ctx.envelope.get("helo", ""))
    if truthy(ctx.setting(reads["bare_ip"])) and IP_LITERAL.match(helo) and not helo.startswith("["):
        return "bare_ip", values
    return "rejects", values


@model("header_checks", cases=("missing_required", "rejects", "records_only"),
       reads={"reject": SECTION, "missing_required": SETTING, "required": NAMES, "loop_check": NAMES},
       values=("missing",))
def _header_checks(ctx: SimContext, reads: Reads) -> Outcome:
    """`loop_check` names the [reject] keys that are on by default (the Delivered-To loop check)."""
    headers = {k.lower() for k in (ctx.envelope.get("headers") or {})}
    missing = [h for h in reads["required"] if h.lower() not in headers]
    if truthy(ctx.setting(reads["missing_required"])) and headers and missing:
        return "missing_required", {"missing": missing[0]}
    if any(truthy(v) for k, v in ctx.section(reads["reject"]).items() if k not in reads["loop_check"]):
        return "rejects", {"missing": ""}
    return "records_only", {"missing": ""}


@model("null_sender", cases=("null_sender", "other"))
def _null_sender(ctx: SimContext, reads: Reads) -> Outcome:
    return ("null_sender" if ctx.envelope.get("from") in ("", "<>") else "other"), {}


@model("reject_switches", cases=("records_only", "can_reject"), reads={"file": FILE, "sections": NAMES},
       values=("file", "sections", "switches"))
def _reject_switches(ctx: SimContext, reads: Reads) -> Outcome:
    """Checks that only record results unless a section of theirs turns rejection on; a relaying
    client is judged by the *_relay sections too."""
    sections = list(reads["sections"])
    if ctx.relaying:
        sections += [f"{s}_relay" for s in reads["sections"]]
    cfg = ctx.cs.ini(reads["file"])
    on = [f"[{s}] {k}" for s in sections for k, v in cfg.get(s, {}).items() if truthy(v)]
    values = {"file": reads["file"], "sections": ", ".join(f"[{s}]" for s in sections), "switches": ", ".join(on)}
    return ("can_reject" if on else "records_only"), values
