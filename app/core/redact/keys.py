"""Private keys by their shape: PEM blocks (also JSON-escaped on one line, also cut off before their
END line), and bare base64 DER keys (a DKIM key pasted without its header, `MIIEv...` on one line
or wrapped at 64 columns; an OpenSSH key body). Public keys (`MIIBIjANBg...`, a DKIM `p=` record)
are left alone: they are public and the DNS checks read them.
"""
from __future__ import annotations

import re

from app.core.redact.spans import Spans, lines

BEGIN_RE = re.compile(r"-----BEGIN (?P<kind>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----")
PEM_BODY_LINE = re.compile(r"^[A-Za-z0-9+/=]*$|^(?:Proc-Type|DEK-Info|Comment):")   # base64, or a PEM header
# a DER private key in base64: PKCS#8 (RSA, EC, Ed25519), PKCS#1 RSA, SEC1 EC, OpenSSH, PuTTY
DER_RE = re.compile(r"(?<![A-Za-z0-9+/])(?:MII[A-Za-z0-9+/]{3}(?:IBADAN|IBAAK)|MHcCAQEE|MIGHAgEA|"
                    r"MC4CAQAwBQYDK2Vw|MIG2AgEA|b3BlbnNzaC1rZXktdjE)[A-Za-z0-9+/]{20,}={0,2}")
B64_LINE_RE = re.compile(r"^\s*[A-Za-z0-9+/]{16,}={0,2}\s*$")


def scan(text: str, spans: Spans) -> None:
    if "PRIVATE KEY" in text:
        for m in BEGIN_RE.finditer(text):
            end = text.find(f"-----END {m.group('kind')}-----", m.end())
            _pem_body(text, m.end(), end if end >= 0 else _cut_off_end(text, m.end()), spans)
    if any(p in text for p in ("MII", "MHcCAQEE", "MC4CAQ", "b3BlbnNzaC1rZXkt")):
        _bare_der(text, spans)


def _pem_body(text: str, start: int, end: int, spans: Spans) -> None:
    """Mask between the BEGIN and END lines, keeping the line breaks (real or JSON-escaped) at both ends."""
    while start < end and (text[start] in "\r\n \t" or text.startswith("\\n", start)):
        start += 2 if text.startswith("\\n", start) else 1
    while end > start and (text[end - 1] in "\r\n \t" or text[end - 2:end] == "\\n"):
        end -= 2 if text[end - 2:end] == "\\n" else 1
    spans.add(start, end, check=False)


def _cut_off_end(text: str, start: int) -> int:
    """A key without its END line (a truncated paste) runs while its lines look like a key body."""
    end = start
    for pos, line in lines(text[start:]):
        if pos and not PEM_BODY_LINE.match(line.strip()):
            break
        end = start + pos + len(line)
    return end


def _bare_der(text: str, spans: Spans) -> None:
    """A base64 key without its PEM lines; a key wrapped over lines takes the lines after it."""
    follow = False
    for pos, line in lines(text):
        m = DER_RE.search(line)
        if m:
            spans.add(pos + m.start(), pos + m.end(), check=False)
            follow = m.start() == len(line) - len(line.lstrip()) and m.end() == len(line.rstrip())
            continue
        if follow and B64_LINE_RE.match(line):
            spans.add(pos + _lead(line), pos + len(line.rstrip()), check=False)
            continue
        follow = False


def _lead(line: str) -> int:
    return len(line) - len(line.lstrip())
