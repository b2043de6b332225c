"""Space separated directives: redis.conf / sentinel.conf / users.acl, netrc, msmtprc, fetchmailrc.

- `requirepass pw`, `masterauth pw`, `sentinel auth-pass mymaster pw`;
- Redis ACL rules (`user alice on >pw1 >pw2 #<sha256> ~* +@all`, also `ACL SETUSER`): every
  `>password`, `<password` and `#hash`;
- Redis `AUTH [user] pw` typed at a redis-cli prompt (not SMTP's `AUTH PLAIN`, which
  app.core.redact.smtplog reads);
- `password pw` as a line of its own (msmtprc, fetchmailrc) or inside a netrc `machine` line;
- Postfix sasl_passwd: `[relay.example.com]:587 user@example.com:pw`.
"""
from __future__ import annotations

import re

from app.core.redact.names import DIRECTIVES
from app.core.redact.spans import Spans

REDIS_RE = re.compile(r"(?i)^\s*(?:requirepass|masterauth|sentinel\s+auth-pass\s+\S+)\s+(?P<v>\S.*?)\s*$")
ACL_LINE_RE = re.compile(r"(?i)^\s*(?:[\w.:\-]+>\s*)?(?:user|acl\s+setuser)\s+\S+\s")
ACL_RULE_RE = re.compile(r"(?<=\s)(?:[<>](?P<pw>\S+)|#(?P<hash>[0-9a-fA-F]{64}))")
SMTP_MECHS = {"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "CRAM-MD5", "DIGEST-MD5", "NTLM", "GSSAPI", "EXTERNAL",
              "ANONYMOUS", "SCRAM-SHA-1", "SCRAM-SHA-256"}
REDIS_AUTH_RE = re.compile(r"(?i)(?:^|>\s*|\bredis-cli\b[^\n]*?\s)AUTH\s+(?P<args>\S+(?:\s+\S+)?)\s*$")
DIRECTIVE_RE = re.compile(r"^\s*(?P<key>[\w-]+)\s+(?P<v>\"[^\"]*\"|'[^']*'|\S+)\s*$")
SASL_PASSWD_RE = re.compile(r"^\s*(?:\[[\w.\-]+\]|[\w\-]+\.[\w.\-]+)(?::\d+)?\s+[^\s:]+:(?P<v>\S+)\s*$")
NETRC_RE = re.compile(r"\bmachine\s+\S+.*?\bpassword\s+(?P<v>\S+)")


def scan_line(line: str, offset: int, spans: Spans) -> None:
    stripped = line.lstrip()
    if not stripped:
        return
    low = stripped[:40].lower()
    if low.startswith(("requirepass", "masterauth", "sentinel")):
        m = REDIS_RE.match(line)
        if m:
            spans.add_group(m, "v", offset)
    if ("user " in low or "setuser" in low) and ACL_LINE_RE.match(line):
        for m in ACL_RULE_RE.finditer(line):
            spans.add_group(m, "pw", offset, check=False)
            spans.add_group(m, "hash", offset, check=False)
    if "auth " in line.lower():
        _redis_auth(line, offset, spans)
    d = DIRECTIVE_RE.match(line)
    if d and DIRECTIVES.match(d.group("key")):
        s, e = d.span("v")
        if d.group("v")[0] in "\"'":
            s, e = s + 1, e - 1
        spans.add(offset + s, offset + e)
    if ":" in line:
        m = SASL_PASSWD_RE.match(line)
        if m:
            spans.add_group(m, "v", offset)
    if "machine" in line and "password" in line:
        for m in NETRC_RE.finditer(line):
            spans.add_group(m, "v", offset)


def _redis_auth(line: str, offset: int, spans: Spans) -> None:
    m = REDIS_AUTH_RE.search(line)
    if m is None:
        return
    args = m.group("args").split()
    if args[0].upper() in SMTP_MECHS or "C:" in line[:m.start()]:
        return
    last = args[-1]
    start = m.end("args") - len(last)
    spans.add(offset + start, offset + m.end("args"))
