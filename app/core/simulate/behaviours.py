"""Behaviour models: what a plugin answers at a hook, when the config alone decides it.

Each model reads the ConfigSet and the simulated transaction and returns a Decision. When the
answer depends on the outside world (DNS, a backend, a database lookup) the model says so in
`depends`; a plugin with no model is UNKNOWN at decisive hooks, never silently CONT.
Models follow the plugins' real source (Haraka 3.3.4, haraka-plugin-wildduck 6.x).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from app.core.model import Catalog, ConfigSet
from app.core.parsers.ini import truthy

CONT, OK, DENY, DENYSOFT, UNKNOWN = "CONT", "OK", "DENY", "DENYSOFT", "UNKNOWN"

# Hooks whose answers never decide an SMTP reply (Haraka ignores or never asks for one).
NON_DECISIVE = {
    "init_master", "init_child", "init_http", "init_wss", "connect_init", "disconnect",
    "reset_transaction", "deny", "log", "capabilities", "queue_ok", "delivered", "send_email",
    "get_mx", "bounce", "deferred", "pre_send_trans_email", "unrecognized_command", "quit",
    "rset", "vrfy", "noop", "help", "max_data_exceeded", "data_post_delay", "lookup_rdns",
}
# Plugins that only observe (their hooks return CONT whatever happens).
OBSERVER_ROLES = {"logging", "monitoring", "tls", "auth", "other_observer"}
QUEUE_PLUGINS = {"queue/smtp_forward", "queue/smtp_proxy", "queue/lmtp", "queue/qmail-queue",
                 "queue/discard", "queue/quarantine", "queue/smtp_bridge", "queue/rabbitmq",
                 "queue/rabbitmq_amqplib"}


@dataclass
class Decision:
    retval: str
    msg: str = ""
    depends: str = ""          # what this answer rests on, in words
    note: str = ""
    could: list[str] = field(default_factory=list)   # for UNKNOWN: answers it may give
    assumes: dict[str, str] = field(default_factory=dict)   # file not given -> what this answer assumed of it


@dataclass
class SimContext:
    cs: ConfigSet
    catalog: Catalog
    envelope: dict[str, Any]
    hook: str = ""
    rcpt: str | None = None
    relaying: bool = False
    local_sender: bool = False
    resolved: list[str] = field(default_factory=list)   # recipients wildduck resolved
    unknown_plugins: list[str] = field(default_factory=list)  # listed, but hooks unknown

    @property
    def rcpt_domain(self) -> str:
        return (self.rcpt or "").rpartition("@")[2].lower()

    def given(self, name: str) -> bool:
        return self.cs.get(name) is not None

    def list_file(self, name: str) -> list[str]:
        f = self.cs.get(name)
        return [str(v).strip() for v in f.parsed] if f is not None and isinstance(f.parsed, list) else []


Model = Callable[[SimContext], Decision]
MODELS: dict[tuple[str, str], Model] = {}


def model(plugin: str, *hooks: str):
    def wrap(fn: Model) -> Model:
        for hook in hooks:
            MODELS[(plugin, hook)] = fn
        return fn
    return wrap


# ----------------------------------------------------------------- rcpt_to.in_host_list

def in_host_list(ctx: SimContext, domain: str) -> bool:
    if domain in {d.lower() for d in ctx.list_file("host_list")}:
        return True
    for pattern in ctx.list_file("host_list_regex"):
        try:
            if re.fullmatch(pattern, domain, re.I):
                return True
        except re.error:
            continue
    return False


@model("rcpt_to.in_host_list", "mail")
def _in_host_list_mail(ctx: SimContext) -> Decision:
    sender_domain = str(ctx.envelope.get("from", "")).rpartition("@")[2].lower()
    ctx.local_sender = bool(sender_domain) and in_host_list(ctx, sender_domain)
    return Decision(CONT, note="notes whether the sender's domain is local")


HOST_LIST_ASSUMED = ("on an inbound MX it lists the domains the server receives mail for, "
                     "so {domain} is taken to be listed")


@model("rcpt_to.in_host_list", "rcpt")
def _in_host_list_rcpt(ctx: SimContext) -> Decision:
    if not ctx.rcpt_domain:
        return Decision(CONT, note="recipient has no domain")
    if not ctx.given("host_list") and not ctx.given("host_list_regex"):
        # the file was not pasted, not proven empty: assume what an inbound MX has in it
        return Decision(OK, note=f"{ctx.rcpt_domain} is taken to be listed in config/host_list (not given)",
                        assumes={"config/host_list": HOST_LIST_ASSUMED.format(domain=ctx.rcpt_domain)})
    if in_host_list(ctx, ctx.rcpt_domain):
        return Decision(OK, note=f"{ctx.rcpt_domain} is listed in config/host_list (or host_list_regex)")
    if ctx.relaying and ctx.local_sender:
        return Decision(OK, note="relaying client sending from a local domain")
    return Decision(CONT, note=f"{ctx.rcpt_domain} is not a local domain; another plugin may accept it")


# ----------------------------------------------------------------- wildduck

@model("wildduck", "rcpt")
def _wildduck_rcpt(ctx: SimContext) -> Decision:
    unknown = {u.lower() for u in ctx.envelope.get("unknown_users") or []}
    if (ctx.rcpt or "").lower() in unknown:
        return Decision(DENY, "5.1.1 No such user", note="WildDuck has no user or address for it")
    ctx.resolved.append(ctx.rcpt or "")
    return Decision(OK, depends="the address exists in WildDuck (users/addresses in MongoDB)",
                    note="RESOLVED: the user is looked up in MongoDB and remembered for the queue hook")


@model("wildduck", "mail")
def _wildduck_mail(ctx: SimContext) -> Decision:
    return Decision(CONT, depends="sender checks (rate limits, SRS) pass")


@model("wildduck", "data_post")
def _wildduck_data_post(ctx: SimContext) -> Decision:
    return Decision(CONT, note="runs its own SPF/DKIM/ARC/DMARC/BIMI checks and collects rspamd results")


@model("wildduck", "queue")
def _wildduck_queue(ctx: SimContext) -> Decision:
    if not ctx.resolved:
        return Decision(OK, "Message processed",
                        note="no recipient was resolved by wildduck at rcpt, so it stores the message for "
                             "nobody and still answers OK")
    return Decision(OK, "Message processed", depends="MongoDB/Redis reachable and the user not over quota",
                    note="STORED for " + ", ".join(ctx.resolved))


# ----------------------------------------------------------------- queue plugins

def _queue_ok(ctx: SimContext) -> Decision:
    name = ctx.envelope.get("_plugin", "")
    if name in ("queue/discard", "queue/quarantine"):
        return Decision(CONT, depends=f"whether another plugin asked {name} to act (notes / queue.wants)",
                        note="acts only when another plugin marked the transaction; otherwise passes it on")
    return Decision(OK, depends=f"{name} can hand the message to its next hop",
                    could=[OK, DENYSOFT])   # answers either way, so later queue plugins never run


for _p in QUEUE_PLUGINS:
    MODELS[(_p, "queue")] = _queue_ok
    MODELS[(_p, "queue_outbound")] = _queue_ok


# ----------------------------------------------------------------- relay, access

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


@model("relay", "connect_init", "connect")
def _relay_acl(ctx: SimContext) -> Decision:
    relay_cfg = ctx.cs.ini("relay.ini").get("relay", {})
    if truthy(relay_cfg.get("all")):
        ctx.relaying = True
        return Decision(CONT, note="relay.ini [relay] all=true: every client may relay")
    if _ip_in(str(ctx.envelope.get("ip", "")), ctx.list_file("relay_acl_allow")):
        ctx.relaying = True
        return Decision(CONT, note="client IP is in relay_acl_allow: relaying enabled")
    return Decision(CONT)


@model("relay", "rcpt")
def _relay_rcpt(ctx: SimContext) -> Decision:
    relay_cfg = ctx.cs.ini("relay.ini").get("relay", {})
    if truthy(relay_cfg.get("all")):
        return Decision(OK, note="relay.ini [relay] all=true: relay accepts every recipient")
    if truthy(relay_cfg.get("dest_domains")):
        domains = ctx.cs.ini("relay_dest_domains.ini").get("domains", {})
        action = str(domains.get(ctx.rcpt_domain, "")).lower()
        if "accept" in action:
            return Decision(OK, note=f"{ctx.rcpt_domain} is an accepted destination in relay_dest_domains.ini")
    return Decision(CONT)


@model("queue/smtp_forward", "rcpt")
def _forward_check_rcpt(ctx: SimContext) -> Decision:
    return Decision(UNKNOWN, depends="the forward host's answer to RCPT TO (check_recipient=true)",
                    could=[OK, DENY, DENYSOFT])


def _access_list(ctx: SimContext, kind: str, color: str) -> list[str]:
    prefix = {"rcpt": "rcpt_to.access", "mail": "mail_from.access"}[kind]
    return [v.lower() for v in ctx.list_file(f"{prefix}.{color}list")]


def _re_listed(ctx: SimContext, kind: str, color: str, value: str) -> bool:
    prefix = {"rcpt": "rcpt_to.access", "mail": "mail_from.access"}[kind]
    for pattern in ctx.list_file(f"{prefix}.{color}list_regex"):
        try:
            if re.search(pattern, value, re.I):
                return True
        except re.error:
            continue
    return False


@model("access", "rcpt")
def _access_rcpt(ctx: SimContext) -> Decision:
    rcpt = (ctx.rcpt or "").lower()
    accept = truthy(ctx.cs.ini("access.ini").get("rcpt", {}).get("accept"))
    if rcpt and (rcpt in _access_list(ctx, "rcpt", "white") or _re_listed(ctx, "rcpt", "white", rcpt)):
        if accept:
            return Decision(OK, note="recipient is on the rcpt allow list and access.ini [rcpt] accept=true")
        return Decision(CONT, note="recipient is on the rcpt allow list (accept is off: passes on)")
    if rcpt and (rcpt in _access_list(ctx, "rcpt", "black") or _re_listed(ctx, "rcpt", "black", rcpt)):
        return Decision(DENY, f"{rcpt} That recipient is not allowed")
    return Decision(CONT)


@model("access", "mail")
def _access_mail(ctx: SimContext) -> Decision:
    sender = str(ctx.envelope.get("from", "")).lower()
    if sender and sender in _access_list(ctx, "mail", "black"):
        return Decision(DENY, f"{sender} That sender cannot send mail here")
    return Decision(CONT)


@model("access", "connect", "helo", "ehlo", "data_post")
def _access_other(ctx: SimContext) -> Decision:
    return Decision(CONT, depends="the client is on no access block list")


# ----------------------------------------------------------------- content checks with safe defaults

PRIVATE_NETS = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",
    "::1/128", "fc00::/7", "fe80::/10")]


def _is_private(ip: str) -> bool:
    """Haraka's notion (haraka-net-utils is_private_ip): RFC 1918, loopback, link-local, CGNAT, ULA.
    Not Python's is_private, which also counts documentation ranges such as 192.0.2.0/24."""
    try:
        addr = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return False
    return any(addr.version == n.version and addr in n for n in PRIVATE_NETS)


IP_LITERAL = re.compile(r"^\[?(?:\d{1,3}\.){3}\d{1,3}\]?$|^\[?IPv6:", re.I)


@model("helo.checks", "helo", "ehlo", "connect", "mail", "rcpt", "data", "data_post")
def _helo_checks(ctx: SimContext) -> Decision:
    reject = ctx.cs.ini("helo.checks.ini").get("reject", {})
    enabled = [k for k, v in reject.items() if truthy(v)]
    if not enabled:
        return Decision(CONT, note="helo.checks only records results unless [reject] options are on")
    skip = ctx.cs.ini("helo.checks.ini").get("skip", {})
    if _is_private(str(ctx.envelope.get("ip", ""))) and truthy(skip.get("private_ip", True)):
        return Decision(CONT, note="the client IP is private, and helo.checks skips private IPs by default")
    helo = str(ctx.envelope.get("helo", ""))
    if "bare_ip" in enabled and IP_LITERAL.match(helo) and not helo.startswith("["):
        return Decision(DENY, "Invalid address format in HELO", note="[reject] bare_ip is on and the HELO is a bare IP")
    return Decision(UNKNOWN, depends=f"helo.checks rejects on {', '.join(sorted(enabled))}", could=[DENY])


@model("headers", "data_post", "data")
def _headers(ctx: SimContext) -> Decision:
    reject = ctx.cs.ini("headers.ini").get("reject", {})
    headers = {k.lower() for k in (ctx.envelope.get("headers") or {})}
    if truthy(reject.get("missing_required")) and headers and not {"from", "date"} <= headers:
        missing = next(h for h in ("From", "Date") if h.lower() not in headers)
        return Decision(DENY, f"Required header '{missing}' missing", note="[reject] missing_required is on")
    if any(truthy(v) for k, v in reject.items() if k != "delivered_to"):
        return Decision(UNKNOWN, depends="header checks configured to reject", could=[DENY])
    return Decision(CONT, note="header checks record results; by default they reject only on Delivered-To loops")


@model("dkim", "data_post", "data")
def _dkim(ctx: SimContext) -> Decision:
    return Decision(CONT, note="verification adds results and headers; it does not reject by default")


@model("limit", "connect", "helo", "ehlo", "mail", "rcpt", "data", "data_post", "unrecognized_command")
def _limit(ctx: SimContext) -> Decision:
    return Decision(CONT, depends="the client stays under the configured limits")


@model("early_talker", "connect", "helo", "ehlo", "mail", "rcpt", "data", "data_post")
def _early_talker(ctx: SimContext) -> Decision:
    return Decision(CONT, depends="the client waits for the banner")


@model("toobusy", "connect", "connect_pre")
def _toobusy(ctx: SimContext) -> Decision:
    return Decision(CONT, depends="the server is not overloaded")


@model("bounce", "mail", "rcpt", "data", "data_post")
def _bounce(ctx: SimContext) -> Decision:
    if ctx.envelope.get("from") in ("", "<>"):
        return Decision(UNKNOWN, depends="bounce checks on a null sender", could=[DENY])
    return Decision(CONT)


# ----------------------------------------------------------------- checks that reject only when told to

GATED = {
    # plugin: (ini file, sections whose truthy keys turn on rejection, what the verdict rests on)
    "spf": ("spf.ini", ("deny", "defer"), "the SPF result of the sender's domain (DNS)"),
    "fcrdns": ("fcrdns.ini", ("reject",), "the client's forward-confirmed reverse DNS"),
}


def _gated(plugin: str, ctx: SimContext) -> Decision:
    ini, sections, what = GATED[plugin]
    cfg = ctx.cs.ini(ini)
    if ctx.relaying:
        sections = sections + tuple(f"{s}_relay" for s in sections)
    on = [f"[{s}] {k}" for s in sections for k, v in cfg.get(s, {}).items() if truthy(v)]
    if not on:
        return Decision(CONT, note=f"records results only: no {', '.join(f'[{s}]' for s in sections)} "
                                   f"option in {ini} is on (the defaults)")
    return Decision(UNKNOWN, depends=f"{what}; {ini} rejects on {', '.join(on)}", could=[DENY, DENYSOFT])


for _name, (_ini, _sections, _what) in GATED.items():
    for _hook in ("connect", "helo", "ehlo", "mail", "rcpt", "data_post"):
        MODELS[(_name, _hook)] = (lambda n: (lambda ctx: _gated(n, ctx)))(_name)


# ----------------------------------------------------------------- outside-world dependents

DNS_DEPENDENT = {
    "dns-list": ("DNS block lists answering for the client IP", [DENY]),
    "mail_from.is_resolvable": ("the sender domain resolving to an MX or A record (DNS)", [DENY, DENYSOFT]),
    "karma": ("the client's karma score", [DENY]),
    "greylist": ("whether this sender/recipient/IP triplet was seen before (Redis)", [DENYSOFT]),
    "rspamd": ("rspamd's verdict", [DENY, DENYSOFT]),
    "spamassassin": ("spamd's verdict", [DENY, DENYSOFT]),
    "clamd": ("clamd's verdict and reachability", [DENY, DENYSOFT]),
    "uribl": ("URI block lists (DNS)", [DENY]),
    "qmail-deliverable": ("the qmail-deliverabled daemon's answer about the recipient", [OK, DENY, DENYSOFT]),
    "asn": ("ASN lookups", []),
    "geoip": ("GeoIP lookups", []),
}


def _local(info, method: str) -> Decision | None:
    """A local plugin's answer read from its source (see simulate.localplugins)."""
    answers = info.answers.get(method) or []
    if answers == ["TIMEOUT"]:
        return Decision(DENYSOFT, "plugin timeout", note=f"{method} never calls next(): Haraka gives up after "
                        "the plugin timeout and answers DENYSOFT 'plugin timeout'")
    if len(answers) == 1 and answers[0] != "UNKNOWN":
        return Decision(answers[0], note=f"{method} always calls next({'' if answers[0] == 'CONT' else answers[0]})")
    if answers:
        return Decision(UNKNOWN, depends=f"which branch {method} takes", could=[a for a in answers if a != "CONT"])
    return None


def decide(plugin: str, hook: str, ctx: SimContext, method: str = "") -> Decision:
    """The modelled answer of `plugin` at `hook`, or UNKNOWN with what it depends on."""
    info = ctx.catalog.get(plugin)
    if info is not None and info.source == "local" and method:
        local = _local(info, method)
        if local is not None:
            return local
    fn = MODELS.get((plugin, hook))
    if fn is not None:
        ctx.envelope["_plugin"] = plugin
        try:
            return fn(ctx)
        finally:
            ctx.envelope.pop("_plugin", None)
    if hook in NON_DECISIVE:
        return Decision(CONT)
    if plugin in DNS_DEPENDENT:
        what, could = DNS_DEPENDENT[plugin]
        if not could:
            return Decision(CONT, depends=what)
        return Decision(UNKNOWN, depends=what, could=could)
    roles = set(info.roles) if info else set()
    if roles and roles <= OBSERVER_ROLES | {"headers", "logging"}:
        return Decision(CONT)
    return Decision(UNKNOWN, depends=f"what {plugin} decides at {hook}", could=[OK, DENY, DENYSOFT])
