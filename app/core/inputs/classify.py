"""Decide what a file is (kind) and what Haraka would call it (canonical name)."""
from __future__ import annotations

import re

from app.core.parsers.flat import list_values

HARAKA_LIST_FILES = {
    "plugins", "host_list", "host_list_regex", "me", "databytes", "smtpgreeting",
    "internalcmd_key", "connection_close_message", "deny_includes_uuid", "plugin_timeout",
    "loglevel", "nodes", "early_talker.ini", "dhparams.pem",
}
LIST_NAME_RE = re.compile(r"(?:white|black|allow|block)list(?:_regex)?$|_regex$|_allow$|^access\.domains$|_acl$|\.timeout$")
LOG_LINE_RE = re.compile(r"\[(?:DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|ALERT|EMERG|PROTOCOL)\]\s*\[|"
                         r"\blevel=(?:debug|info|notice|warn|error|crit|protocol)\b|"
                         r"\"level\"\s*:\s*\"(?:DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|PROTOCOL)\"", re.I)
PLUGIN_NAME_RE = re.compile(r"^[@\w][\w.\-/@]*$")


def kind_for_name(name: str) -> str | None:
    base = name.rsplit("/", 1)[-1].lower()
    if base == "plugins":
        return "plugins"
    if base.endswith(".ini"):
        return "ini"
    if base.endswith((".yaml", ".yml")):
        return "yaml"
    if base.endswith(".toml"):
        return "toml"
    if base.endswith(".json"):
        return "json"
    if base.endswith(".log") or base in {"syslog", "messages", "maillog", "mail.log"}:
        return "log"
    if base.endswith((".pem", ".crt", ".key")):
        return "pem"
    if base in HARAKA_LIST_FILES or LIST_NAME_RE.search(base):
        return "list"
    if "config/" in name.replace("\\", "/") and not base.endswith((".md", ".txt", ".js", ".sh", ".conf", ".cf")):
        return "list"   # Haraka's other config files are flat lists (rcpt_to.access.whitelist, ...)
    return None


def kind_for_content(lines: list[str]) -> str:
    """Guess a nameless paste: a plugins list, a log, ini, yaml, or plain context."""
    sample = [l for l in lines[:400] if l.strip()]
    if not sample:
        return "context"
    if sum(1 for l in sample if LOG_LINE_RE.search(l)) >= max(1, len(sample) // 4):
        return "log"
    values = [v for _, v in list_values(lines[:400])]
    if values and all(PLUGIN_NAME_RE.match(v) for v in values) and any(
            v in KNOWN_PLUGIN_HINTS or v.startswith(("queue/", "rcpt_to.", "auth/", "mail_from.")) for v in values):
        return "plugins"
    if any(re.match(r"^\s*\[[^\]]+\]\s*$", l) for l in sample) and any("=" in l for l in sample):
        return "ini"
    if sum(1 for l in sample if re.match(r"^\s*[\w\-\"']+\s*:(\s|$)", l)) >= max(1, len(sample) // 3):
        return "yaml"
    return "context"


KNOWN_PLUGIN_HINTS = {
    "wildduck", "tls", "spf", "dkim", "dkim_verify", "rspamd", "karma", "relay", "access", "limit",
    "headers", "helo.checks", "dns-list", "dnsbl", "greylist", "redis", "clamd", "spamassassin",
    "fcrdns", "syslog", "toobusy", "early_talker", "mail_from.is_resolvable", "rcpt_to.in_host_list",
    "qmail-deliverable", "bounce", "data.headers", "uribl", "asn", "geoip", "status", "process_title",
}


def canonical_name(name: str, kind: str) -> str:
    """`config/<base>` for Haraka config files, the name as given (without leading ./) otherwise."""
    name = name.replace("\\", "/").lstrip("./") if not name.startswith("../") else name.replace("\\", "/")
    m = re.search(r"(?:^|/)config/(.+)$", name)
    if m:
        return "config/" + m.group(1)
    base = name.rsplit("/", 1)[-1]
    if kind in {"plugins", "ini", "list"} or base == "wildduck.yaml":
        return "config/" + base
    return name
