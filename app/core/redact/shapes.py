"""Secrets recognised by their shape, wherever they stand (a config value, a log line, a question):

- credentials in URLs of any scheme (`mongodb+srv://u:p@`, `smtps://`, `git+https://token@`), and
  without one (`wild:pw@mongo:27017/wildduck`, the form a rule title may quote from mongo.url);
- Authorization / Proxy-Authorization values (`Basic`, `Bearer`, `Digest`, `token`);
- well-known token formats (OpenAI, GitHub, GitLab, Slack, AWS, Google, Stripe, SendGrid,
  Mailgun, npm, Vault, JWTs, Telegram bots, Slack webhooks);
- password hashes (`$2y$`, `$6$`, `$apr1$`, `$argon2id$`, rspamd's `$2$`, Dovecot `{SSHA512}`) and
  Dovecot `{PLAIN}` passwords.
"""
from __future__ import annotations

import re

from app.core.redact.spans import Spans

# user[:password]@ after scheme://; the password may hold '@' (greedy up to the last '@' before the host)
URL_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.\-]{1,30}://(?P<user>[^:/@\s\"'<>`]*)(?::(?P<pw>[^\s\"'<>`]*?))?"
                    r"@(?=[^@\s\"'/<>`]*(?:[/\s\"'?#,;`)>\]]|$))")
# user:password@host without a scheme (MongoDB connection strings quoted bare, `host:port`-less forms)
BARE_CRED_RE = re.compile(r"(?<![\w/:@.%+\-])(?P<user>[A-Za-z0-9_][\w.%+\-]{0,63}):(?P<pw>[^\s:@/\"'<>`]{1,128})"
                          r"@(?=[A-Za-z0-9\[][\w.\-\]:]*(?::\d+)?(?:[/\s\"',;?#)`]|$))")
NOT_A_USER = {"mailto", "sip", "sips", "tel", "xmpp", "urn", "news", "from", "to", "rcpt", "mail", "cc", "bcc",
              "reply-to", "sender", "envelope", "c", "s", "smtp", "message", "msg", "user", "address", "recipient"}
AUTH_HEADER_RE = re.compile(r"(?i)\b(?:proxy-)?authorization\s*[:=]\s*[\"']?(?:(?:basic|bearer|token|digest|"
                            r"apikey|key|sso-key|negotiate|ntlm)\s+)?(?P<v>[^\s\"',;]{6,}(?:,\s*\w+=\"[^\"]*\")*)")
BEARER_RE = re.compile(r"(?i)\bbearer\s+(?P<v>[A-Za-z0-9._~+/=\-]{8,})")
TOKEN_RE = re.compile(
    r"(?<![\w\-])(?:sk-(?:proj-|ant-|live-)?[A-Za-z0-9_\-]{16,}|xox[baprse]-[A-Za-z0-9\-]{10,}|xapp-[\w\-]{10,}|"
    r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{22,}|glpat-[\w\-]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[\w\-]{30,}|"
    r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{16,}|SG\.[\w\-]{16,}\.[\w\-]{16,}|"
    r"key-[0-9a-f]{32}|npm_[A-Za-z0-9]{30,}|hv[sb]\.[\w\-]{20,}|dop_v1_[0-9a-f]{40,}|shp(?:at|ss|ca)_[0-9a-f]{20,}|"
    r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}|\d{8,10}:AA[A-Za-z0-9_\-]{30,}|"
    r"[0-9a-f]{32}-us\d{1,2}|AccountKey=[A-Za-z0-9+/=]{20,})")
TOKEN_PREFIXES = ("sk-", "xox", "xapp-", "gh", "github_pat_", "glpat-", "AKIA", "ASIA", "AIza", "_live_", "_test_",
                  "whsec_", "SG.", "key-", "npm_", "hvs.", "hvb.", "dop_v1_", "shp", "eyJ", ":AA", "-us", "AccountKey=")
SLACK_HOOK_RE = re.compile(r"hooks\.slack\.com/services/(?P<v>[\w/]{20,})")
HASH_RE = re.compile(r"(?<![\w$])(?:\$(?:2[abxy]?|apr1|1|5|6|7|y|gy|argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?)\$"
                     r"[./A-Za-z0-9$=,+\-]{8,}|\{(?:S?SHA\d*|SSHA\d+|SHA\d+-CRYPT|BLF-CRYPT|MD5-CRYPT|CRYPT|"
                     r"PBKDF2|ARGON2I?D?|CRAM-MD5|DIGEST-MD5|SCRAM-SHA-\d+)\}[^\s:\"',]{8,})")
PLAIN_SCHEME_RE = re.compile(r"\{(?:PLAIN|CLEARTEXT|CLEAR)(?:\.\w+)?\}(?P<v>[^\s:\"',]+)")


def scan_line(line: str, offset: int, spans: Spans) -> None:
    if "@" in line:
        _urls(line, offset, spans)
    low = line.lower()
    if "authorization" in low:
        for m in AUTH_HEADER_RE.finditer(line):
            spans.add_group(m, "v", offset)
    if "bearer" in low:
        for m in BEARER_RE.finditer(line):
            spans.add_group(m, "v", offset)
    if any(p in line for p in TOKEN_PREFIXES):
        for m in TOKEN_RE.finditer(line):
            spans.add(offset + m.start(), offset + m.end(), check=False)
    if "hooks.slack.com" in line:
        for m in SLACK_HOOK_RE.finditer(line):
            spans.add_group(m, "v", offset)
    if "$" in line or "{" in line:
        for m in HASH_RE.finditer(line):
            spans.add(offset + m.start(), offset + m.end(), check=False)
        for m in PLAIN_SCHEME_RE.finditer(line):
            spans.add_group(m, "v", offset)


def _urls(line: str, offset: int, spans: Spans) -> None:
    if "://" in line:
        for m in URL_RE.finditer(line):
            if m.group("pw") is not None:
                spans.add_group(m, "pw", offset, check=False)
            elif len(m.group("user") or "") >= 16:
                spans.add_group(m, "user", offset)      # https://TOKEN@host: the user is the credential
    for m in BARE_CRED_RE.finditer(line):
        if m.group("user").lower() in NOT_A_USER or m.group("pw").isdigit():
            continue
        if line[max(0, m.start() - 3):m.start()].endswith("://"):
            continue
        spans.add_group(m, "pw", offset)
