"""SMTP AUTH exchanges, wherever a transcript of them lands.

Haraka (3.3.4, PROTOCOL level) logs each client line as `C: <line> state=N`, in its default,
logfmt (`message="C: ... state=1"`) and JSON (`"message":"C: ..."`) formats; during AUTH LOGIN
and CRAM-MD5 the client lines are bare base64 (user name, password, digest). swaks prints client
lines after `->` / `~>`, a telnet or `openssl s_client` session after the server's `334`. The
payload is masked wherever it stands, the `state=` and the rest of the line stay; a PLAIN
payload is decoded so the password inside it is scrubbed from prose too. Also the shell
one-liners that build a PLAIN payload (`printf '\\0user\\0password' | base64`).
"""
from __future__ import annotations

import base64
import binascii
import re

from app.core.redact.spans import Spans, lines

B64 = r"[A-Za-z0-9+/]{4,}={0,2}"
MECHS = r"PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5|DIGEST-MD5|NTLM|SCRAM-SHA-1|SCRAM-SHA-256|GSSAPI|EXTERNAL"
AUTH_RE = re.compile(rf"(?i)\bAUTH\s+(?:{MECHS})\s+(?P<v>{B64}|=)(?=$|[\s\"'\\,}}\]])")
CLIENT_RE = re.compile(rf"(?:\bC:\s*|^\s*[-~]>\s+)(?P<v>{B64})(?=\s*$|\s+state=|\s+\w+=|[\"'\\,}}\]])")
BARE_B64_RE = re.compile(rf"^\s*(?P<v>{B64})\s*$")
NUL = r"(?:\\0|\\x00|\\000|\\u0000)"
PLAIN_BUILD_RE = re.compile(rf"{NUL}[^\\'\"\s]*{NUL}(?P<pw>[^'\"\s\\]+)")
MECH_NAMES = set(MECHS.split("|"))
VERBS = {"EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "AUTH",
         "STARTTLS", "BDAT", "TURN", "ETRN", "XCLIENT", "XFORWARD", "ATRN", "SIZE", "PIPELINING", "8BITMIME"}
CHALLENGE = re.compile(r"(?i)\b334\b|\bAUTH\s+(?:LOGIN|PLAIN|CRAM-MD5)\s*$")


def scan(text: str, spans: Spans) -> None:
    if "AUTH" not in text.upper() and "C:" not in text and ">" not in text and "\\0" not in text \
            and "334" not in text:
        return
    after_challenge = 0                      # client lines still expected after a 334 / AUTH LOGIN
    for pos, line in lines(text):
        found = _line(line, pos, spans)
        if not found and after_challenge:
            m = BARE_B64_RE.match(line)
            if m and m.group("v").upper() not in VERBS:
                _payload(m, pos, spans)
        if ("334" in line or "AUTH" in line.upper()) and CHALLENGE.search(line):
            after_challenge = 2
        elif line.strip() and not found:
            after_challenge = max(0, after_challenge - 1)


def _line(line: str, pos: int, spans: Spans) -> bool:
    hit = False
    if "auth" in line.lower():
        for m in AUTH_RE.finditer(line):
            _payload(m, pos, spans)
            hit = True
    if "C:" in line or ">" in line:
        for m in CLIENT_RE.finditer(line):
            if m.group("v").upper() in VERBS:
                continue
            _payload(m, pos, spans)
            hit = True
    if "\\" in line:
        for m in PLAIN_BUILD_RE.finditer(line):
            spans.add_group(m, "pw", pos)
    return hit


def _payload(m: re.Match, pos: int, spans: Spans) -> None:
    value = m.group("v")
    if value == "=" or value.upper() in MECH_NAMES:
        return                                          # a capability list (250 AUTH PLAIN LOGIN)
    spans.add(pos + m.start("v"), pos + m.end("v"), check=False)
    decoded = _decode(value)
    if decoded is None:
        return
    if "\0" in decoded:
        spans.learn(decoded.rsplit("\0", 1)[-1])        # PLAIN: authzid \0 authcid \0 password
    elif "@" not in decoded and " " not in decoded:
        spans.learn(decoded)                            # LOGIN: the password line


def _decode(value: str) -> str | None:
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if text.isprintable() or "\0" in text else None
