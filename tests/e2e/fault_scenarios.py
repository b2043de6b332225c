"""The injected faults of the Haraka fault corpus: one scenario = one config + what the client says.

Each scenario builds its config for a given Haraka version (plugin names and config files moved
between 2.8 and 3.x), then talks SMTP to the running Haraka and says how many connections it
opened, so the generator can wait for as many disconnect lines. Backends that are "down" are
loopback ports where nothing listens (their usual ports when those are closed, see
fault_corpus.pick_dead_ports); DNS is down for every scenario (a preload points node's resolvers
at a closed loopback port, see DEAD_DNS_JS), so no lookup ever leaves 127.0.0.1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .fault_talk import (
    ALICE,
    HELO,
    NOBODY,
    SENDER,
    Talk,
    big_message,
    helo_fallback,
    limit_abuse,
    one_mail,
    starttls_mail,
)

PLUGIN_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "haraka_plugins"
LOCAL = "example.com"

# local plugins written into the instance's plugins/ dir (others come from tests/fixtures)
LOCAL_JS = {
    "stuck": """\
// mxdoctor fault corpus: a mail hook that never calls next(), so Haraka's plugin timeout
// (config/plugin_timeout) answers for it.
'use strict'

exports.hook_mail = function (next, connection, params) {
    connection.loginfo(this, 'holding MAIL FROM without ever calling next()')
}
""",
    "wants_lmtp": """\
// mxdoctor fault corpus: routes every message to queue/lmtp (what a recipient plugin such as
// qmail-deliverable does); Haraka 3.0.x's queue/lmtp declines a message nobody routed to it.
'use strict'

exports.hook_data_post = function (next, connection) {
    connection.transaction.notes.set('queue.wants', 'lmtp')
    next()
}
""",
}


@dataclass(frozen=True)
class Ctx:
    """What a scenario's config may depend on: the Haraka version, the dead ports, the TLS files."""
    version: str
    ports: dict[str, int]
    tls: dict[str, dict[str, str]] = field(default_factory=dict)   # variant -> file -> PEM text
    package_dir: Path | None = None                      # node_modules/Haraka of this version

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def at_least(self, *want: int) -> bool:
        return tuple(int(x) for x in self.version.split(".")) >= want

    @property
    def old(self) -> bool:
        """Haraka 2.x, whose bundled DNS list plugin is still dnsbl (dns-list from 3.0)."""
        return self.major < 3


@dataclass
class FaultScenario:
    id: str
    fault: str                                           # one line: what is injected
    build: Callable[[Ctx], dict[str, str]]               # config/ files; 'plugins' is config/plugins
    talk: Talk                                           # SMTP client side
    local_plugins: tuple[str, ...] = ()                  # plugins/<name>.js in the instance
    signs: str = ""                                      # regex: lines where the fault shows
    loglevel: str = "info"
    wait_for: str | None = None                          # regex to wait for after the disconnects
    settle: float = 0.5                                  # seconds to let late async lines arrive
    skip: Callable[[Ctx], str | None] = lambda ctx: None  # why this version cannot run it

    def plugin_files(self) -> dict[str, str]:
        out = {}
        for name in self.local_plugins:
            out[f"{name}.js"] = LOCAL_JS.get(name) or (PLUGIN_FIXTURES / f"{name}.js").read_text()
        return out


def _plugins(*names: str) -> str:
    return "".join(f"{n}\n" for n in names)


def _base(ctx: Ctx, *plugins: str, **files: str) -> dict[str, str]:
    """config/plugins plus host_list, with file names given as keyword args (dots as __)."""
    cfg = {"plugins": _plugins(*plugins), "host_list": f"{LOCAL}\n"}
    cfg.update({name.replace("__", "."): text for name, text in files.items()})
    return cfg


def _redis_ini(ctx: Ctx) -> str:
    return f"[server]\nhost=127.0.0.1\nport={ctx.ports['redis']}\n"


def _redis_down(ctx: Ctx) -> dict[str, str]:
    redis = f"[redis]\nhost=127.0.0.1\nport={ctx.ports['redis']}\n"
    return _base(ctx, "redis", "karma", "limit", "rcpt_to.in_host_list", "queue_standin",
                 redis__ini=_redis_ini(ctx), karma__ini=redis + "[tarpit]\ndelay=0\n",
                 limit__ini="tarpit_delay=0\n" + redis + "[concurrency]\nmax=3\n"
                            "[rate_conn]\n127=0\ndefault=5\n")


def _greylist(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "greylist", "queue_standin",
                 redis__ini=_redis_ini(ctx),
                 greylist__ini=f"[redis]\nhost=127.0.0.1\nport={ctx.ports['redis']}\ndb=11\n"
                               "[skip]\ndnswlorg=false\nmailspikewl=false\n")


def _spamassassin(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "spamassassin", "queue_standin",
                 spamassassin__ini=f"spamd_socket=127.0.0.1:{ctx.ports['spamd']}\nmax_size=500000\n")


def _clamd(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "clamd", "queue_standin",
                 clamd__ini=f"clamd_socket=127.0.0.1:{ctx.ports['clamd']}\n")


def _rspamd(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "rspamd", "queue_standin",
                 rspamd__ini=f"host=127.0.0.1\nport={ctx.ports['rspamd']}\n"
                             "[check]\nlocal_ip=true\nprivate_ip=true\n")


def _smtp_forward(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "queue/smtp_forward",
                 smtp_forward__ini=f"host=127.0.0.1\nport={ctx.ports['forward']}\nenable_tls=false\n",
                 **{"queue/smtp_forward.timeout": "4\n"})


def _lmtp(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "wants_lmtp", "queue/lmtp",
                 lmtp__ini=f"[main]\nhost=127.0.0.1\nport={ctx.ports['lmtp']}\n")


def _tls(variant: str) -> Callable[[Ctx], dict[str, str]]:
    """tls.ini naming config/tls_files/tls_{key,cert}.pem, which hold ctx.tls[variant] (the
    'missing' variant writes no files)."""
    def build(ctx: Ctx) -> dict[str, str]:
        cfg = _base(ctx, "tls", "rcpt_to.in_host_list", "queue_standin")
        cfg["tls.ini"] = "[main]\nkey=tls_files/tls_key.pem\ncert=tls_files/tls_cert.pem\n"
        for name, pem in ctx.tls.get(variant, {}).items():
            cfg[f"tls_files/{name}"] = pem
        cfg["dhparams.pem"] = ctx.tls["dhparams"]["dhparams.pem"]   # Haraka would spend minutes
        return cfg
    return build


def _limit(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "limit", "rcpt_to.in_host_list", "queue_standin",
                 limit__ini="tarpit_delay=0\n[recipients]\nenabled=true\nmax=2\n"
                            "[unrecognized_commands]\nenabled=true\nmax=1\n"
                            "[errors]\nenabled=true\nmax=1\n")


def _dns(ctx: Ctx) -> dict[str, str]:
    dnsbl = "dnsbl" if ctx.old else "dns-list"
    cfg = _base(ctx, dnsbl, "mail_from.is_resolvable", "rcpt_to.in_host_list", "queue_standin")
    cfg[f"{dnsbl}.ini"] = "[main]\nzones=zen.spamhaus.org\nperiodic_checks=30\n"
    return cfg


def _not_installed(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "wildduck", "queue_standin")


def _timeout(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "stuck", "rcpt_to.in_host_list", "queue_standin", plugin_timeout="2\n")


def _helo(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "helo.checks", "rcpt_to.in_host_list", "queue_standin",
                 helo__checks__ini="[check]\nforward_dns=false\nrdns_match=false\nmismatch=false\n"
                                   "[reject]\nbare_ip=true\n[skip]\nprivate_ip=false\n")


def _host_list(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "queue_standin")


def _relay(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "relay", "rcpt_to.in_host_list", "queue_standin",
                 relay__ini="[relay]\nacl=false\ndest_domains=true\n",
                 relay_dest_domains__ini=f'[domains]\n{LOCAL} = {{ "action": "accept" }}\n')


def _too_big(ctx: Ctx) -> dict[str, str]:
    cfg = _base(ctx, "rcpt_to.in_host_list", "headers", "queue_standin")
    if ctx.at_least(3, 1):      # connection.ini [max] bytes replaced config/databytes in 3.1
        cfg["connection.ini"] = re.sub(r"(?m)^bytes=\d+", "bytes=2000", _stock(ctx, "connection.ini"))
    else:
        cfg["databytes"] = "2000\n"
    return cfg


def _stock(ctx: Ctx, name: str) -> str:
    """The config file this Haraka release ships (haraka -i copies only some of them)."""
    assert ctx.package_dir is not None
    return (ctx.package_dir / "config" / name).read_text(encoding="utf-8")


def _partial_connection_ini(ctx: Ctx) -> dict[str, str]:
    return _base(ctx, "rcpt_to.in_host_list", "queue_standin", connection__ini="[max]\nbytes=2000\n")


def _no_connection_ini(ctx: Ctx) -> str | None:
    if ctx.at_least(3, 1):
        return None
    return f"Haraka {ctx.version} has no config/connection.ini (it came with 3.1; before it the size limit was config/databytes)"


STANDIN = ("queue_standin",)
REFUSED = r"ECONNREFUSED"
SCENARIOS: list[FaultScenario] = [
    FaultScenario("redis_down", "redis, karma and limit (concurrency, rate_conn) all pointed at "
                  "a redis port where nothing listens", _redis_down, one_mail(), STANDIN,
                  signs=REFUSED + r"|redis_publish"),
    FaultScenario("greylist_redis_down", "greylist with its redis port closed", _greylist,
                  one_mail(), STANDIN, signs=REFUSED),
    FaultScenario("spamassassin_down", "spamassassin with spamd_socket on a closed port",
                  _spamassassin, one_mail(), STANDIN, signs=REFUSED),
    FaultScenario("clamd_down", "clamd with clamd_socket on a closed port", _clamd, one_mail(),
                  STANDIN, signs=REFUSED + r"|virus scanner"),
    FaultScenario("rspamd_down", "rspamd (checking local/private IPs too) with host/port on a "
                  "closed port", _rspamd, one_mail(), STANDIN, signs=REFUSED + r"|Plugin rspamd failed"),
    FaultScenario("smtp_forward_down", "queue/smtp_forward forwarding to a closed port "
                  "(queue/smtp_forward.timeout=4)", _smtp_forward, one_mail(),
                  signs=REFUSED + r"|timed out|plugin timeout"),
    FaultScenario("lmtp_down", "queue/lmtp delivering to an LMTP port where nothing listens "
                  "(the message is accepted, outbound then fails and defers it)", _lmtp, one_mail(),
                  ("wants_lmtp",),
                  signs=REFUSED + r"|[Tt]emp.?fail", wait_for=r"(?i)temp.?fail|deferr", settle=1.0),
    FaultScenario("tls_missing_files", "tls plugin whose tls.ini key/cert name files that do not "
                  "exist", _tls("missing"), starttls_mail(), STANDIN,
                  signs=r"tls_files|no valid TLS"),
    FaultScenario("tls_key_mismatch", "tls plugin with a key that does not belong to the cert",
                  _tls("mismatch"), starttls_mail(), STANDIN, signs=r"(?i)key.values.mismatch"),
    FaultScenario("tls_wrong_order", "tls plugin with key and cert swapped (the key file holds "
                  "the certificate, the cert file the key)", _tls("swapped"), starttls_mail(),
                  STANDIN, signs=r"(?i)no.start.line"),
    FaultScenario("limit_exceeded", "limit plugin without redis: [recipients] max=2, "
                  "[unrecognized_commands] max=1, [errors] max=1, exceeded by one client",
                  _limit, limit_abuse(), STANDIN, signs=r"plugin\W+limit\b|\[limit\]|origin\W+limit\b"),
    FaultScenario("dns_unreachable", "DNS down: node's resolvers point at a closed loopback port; "
                  "dnsbl/dns-list zone checks and mail_from.is_resolvable fail",
                  _dns, one_mail(sender="sender@example.net"), STANDIN, settle=1.5,
                  signs=REFUSED + r"|resolver error|did not respond|disabling zone"),
    FaultScenario("plugin_not_installed", "config/plugins lists wildduck, but "
                  "haraka-plugin-wildduck is not installed", _not_installed, one_mail(), STANDIN,
                  signs=r"wildduck"),
    FaultScenario("plugin_timeout", "a local plugin whose mail hook never calls next(), with "
                  "config/plugin_timeout=2", _timeout, one_mail(), ("stuck",) + STANDIN,
                  signs=r"timed out|plugin timeout"),
    FaultScenario("helo_bare_ip", "helo.checks rejecting a bare-IP EHLO; the client falls back to "
                  "HELO with the same bare IP", _helo, helo_fallback(), STANDIN,
                  signs=r"bare_ip|Invalid address format"),
    FaultScenario("rcpt_outside_host_list", "rcpt_to.in_host_list with a recipient outside "
                  "host_list (logged at PROTOCOL level)", _host_list,
                  one_mail(rcpts=[ALICE, NOBODY]), STANDIN, loglevel="protocol",
                  signs=r"cannot deliver mail|nobody@other\.test"),
    FaultScenario("relay_denied", "relay plugin with dest_domains: a recipient domain not in "
                  "relay_dest_domains.ini is refused", _relay, one_mail(rcpts=[NOBODY]), STANDIN,
                  signs=r"not allowed to relay"),
    FaultScenario("message_too_big", "max message size 2000 bytes (config/databytes, or "
                  "connection.ini [max] bytes from 3.1) and a 6 kB message", _too_big,
                  big_message(), STANDIN, signs=r"too big|exceeded"),
    FaultScenario("connection_ini_partial", "a connection.ini holding only [max] bytes=2000 "
                  "(every other section of the stock file left out)", _partial_connection_ini,
                  one_mail(), STANDIN, signs=r"greeting|Caught exception", skip=_no_connection_ini),
]

BY_ID = {s.id: s for s in SCENARIOS}
__all__ = ["ALICE", "BY_ID", "Ctx", "FaultScenario", "HELO", "NOBODY", "SCENARIOS", "SENDER"]
