"""Config probes: load a plugin again under one changed setting to learn which hooks depend on it.

Why: many plugins decide in register() which hooks to register (relay's `acl`, dkim's `sign`,
limit's sections...). Loading each plugin once more with one setting flipped, in a throwaway
install dir, lets real Haraka tell us the conditional hooks instead of us reading them off the
source. Every probe is (plugin, a short `when` in our words, files to write into the install dir).

A probe marked `baseline` is for a plugin that cannot load under default config at all (its
register() throws): its result stands in for the default hooks, and `when` says what it needed.
`{instance}` in a file's text is replaced with the probe's install dir.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Probe:
    plugin: str
    when: str
    files: dict[str, str] = field(default_factory=dict)
    baseline: bool = False


def _ini(file: str, section: str, key: str, value: str) -> dict[str, str]:
    return {f"config/{file}": f"[{section}]\n{key}={value}\n"}


def _flag(plugin: str, file: str, section: str, key: str, value: bool) -> Probe:
    word = "true" if value else "false"
    return Probe(plugin, f"{file} [{section}] {key}={word}", _ini(file, section, key, word))


_QMAIL_STUB = {
    "config/qmail-queue.path": "{instance}/qmail-queue-stub\n",
    "qmail-queue-stub": "#!/bin/sh\nexit 0\n",
}

_HEADER_CHECKS = ["duplicate_singular", "missing_required", "invalid_return_path", "invalid_date",
                  "user_agent", "direct_to_mx", "from_match", "delivered_to", "mailing_list",
                  "from_phish"]
_HELO_CHECKS = ["proto_mismatch", "match_re", "bare_ip", "dynamic", "big_company", "valid_hostname",
                "rdns_match", "forward_dns", "host_mismatch"]
_LIMIT_SECTIONS = ["concurrency", "errors", "recipients", "unrecognized_commands", "rate_conn",
                   "rate_rcpt_host", "rate_rcpt_sender", "rate_rcpt_null", "rate_rcpt", "outbound",
                   "rate_outbound"]

PROBES: list[Probe] = [
    _flag("relay", "relay.ini", "relay", "acl", False),
    _flag("relay", "relay.ini", "relay", "force_routing", False),
    _flag("relay", "relay.ini", "relay", "all", True),
    _flag("relay", "relay.ini", "relay", "dest_domains", True),
    *[_flag("access", "access.ini", "check", key, False) for key in ("conn", "mail", "rcpt", "any")],
    _flag("auth/flat_file", "auth_flat_file.ini", "core", "constrain_sender", False),
    _flag("auth/auth_vpopmaild", "auth_vpopmaild.ini", "main", "constrain_sender", False),
    _flag("dkim", "dkim.ini", "sign", "enabled", True),
    _flag("dkim", "dkim.ini", "verify", "enabled", False),
    _flag("dns-list", "dns-list.ini", "ips.backscatterer.org", "enable", True),
    _flag("dns-list", "dns-list.ini", "list.dnswl.org", "ok_helo", True),
    _flag("dns-list", "dns-list.ini", "list.dnswl.org", "ok_mail", True),
    *[_flag("headers", "headers.ini", "check", key, False) for key in _HEADER_CHECKS],
    *[_flag("helo.checks", "helo.checks.ini", "check", key, False) for key in _HELO_CHECKS],
    *[_flag("limit", "limit.ini", section, "enabled", True) for section in _LIMIT_SECTIONS],
    _flag("qmail-deliverable", "qmail-deliverable.ini", "main", "check_mail_from", False),
    _flag("queue/smtp_forward", "smtp_forward.ini", "main", "check_sender", True),
    _flag("queue/smtp_forward", "smtp_forward.ini", "main", "check_recipient", True),
    _flag("queue/smtp_forward", "smtp_forward.ini", "main", "enable_outbound", True),
    _flag("queue/smtp_proxy", "smtp_proxy.ini", "main", "enable_outbound", False),
    Probe("queue/qmail-queue", "the qmail-queue binary (config qmail-queue.path, default "
          "/var/qmail/bin/qmail-queue) exists; otherwise register() throws and Haraka does not start",
          _QMAIL_STUB, baseline=True),
    Probe("queue/qmail-queue", "qmail-queue.ini [main] enable_outbound=false",
          {**_QMAIL_STUB, "config/qmail-queue.ini": "[main]\nenable_outbound=false\n"}),
    Probe("toobusy", "the toobusy-js npm module is installed (without it toobusy logs an error "
          "and registers nothing)",
          {"node_modules/toobusy-js/package.json": '{"name": "toobusy-js", "version": "0.0.0"}\n',
           "node_modules/toobusy-js/index.js":
               "module.exports = () => false\nmodule.exports.maxLag = () => 70\n"}),
]


def probes_for(plugin: str) -> list[Probe]:
    return [p for p in PROBES if p.plugin == plugin]


def _key(reg: dict) -> tuple:
    return reg["hook"], reg["method"], reg["priority"]


def diff_hooks(default: list[dict], probed: list[dict], when: str) -> list[dict]:
    """Conditional-hook entries: what the probe added (`effect: adds`) or took away
    (`effect: removes`), each with the probe's `when`. Compared as multisets, so a hook a plugin
    registers twice is counted twice."""
    out: list[dict] = []
    remaining = [_key(r) for r in default]
    for reg in probed:
        if _key(reg) in remaining:
            remaining.remove(_key(reg))
        else:
            out.append({**_plain(reg), "when": when, "effect": "adds"})
    probed_left = [_key(r) for r in probed]
    for reg in default:
        if _key(reg) in probed_left:
            probed_left.remove(_key(reg))
        else:
            out.append({**_plain(reg), "when": when, "effect": "removes"})
    return out


def _plain(reg: dict) -> dict:
    return {"hook": reg["hook"], "method": reg["method"], "priority": reg["priority"]}
