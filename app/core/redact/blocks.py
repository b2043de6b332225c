"""Secrets that span lines, found by the structure of their file.

- YAML block scalars under a secret key (`password: |` / `private_key: >-` and the more indented
  lines after it);
- TOML (and Python) multi-line strings (`password = \"\"\"...\"\"\"`, `'''...'''`);
- ini sections whose every value is a secret: Haraka's auth_flat_file.ini `[users]` (also
  written `[ users ]`), and sections named like a secret (`[passwords]`, `[credentials]`).
"""
from __future__ import annotations

import re

from app.core.redact.names import is_secret_name
from app.core.redact.spans import Spans, lines

YAML_BLOCK_RE = re.compile(r"^(?P<indent>\s*)(?:-\s+)?(?P<key>[\"']?[\w.\-]+[\"']?)\s*:\s*[|>][+-]?\d*\s*(?:#.*)?$")
TRIPLE_RE = re.compile(r"(?P<key>[\"']?[\w.\-]+[\"']?)\s*=\s*(?P<q>\"\"\"|''')")
SECTION_RE = re.compile(r"^\s*\[\s*([^\]\n]*?)\s*\]\s*(?:[#;].*)?$")
INI_PAIR_RE = re.compile(r"^\s*[\w.@+\-]+\s*[=:]\s*(?P<value>.*?)\s*$")
INI_OTHER_RE = re.compile(r"^\s*(?:[#;].*)?$")
SECRET_SECTIONS = {"users", "passwords", "credentials", "secrets", "auth_users", "accounts"}


def scan(text: str, spans: Spans) -> None:
    if ":" in text and ("|" in text or ">" in text):
        _yaml_blocks(text, spans)
    if '"""' in text or "'''" in text:
        _triple_quoted(text, spans)
    if "[" in text and "=" in text:
        _ini_sections(text, spans)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _yaml_blocks(text: str, spans: Spans) -> None:
    owner = None                                        # indent of the secret key whose block we are in
    for pos, line in lines(text):
        if owner is not None:
            if not line.strip() or _indent(line) > owner:
                if line.strip():
                    spans.add(pos + _indent(line), pos + len(line.rstrip()), check=False)
                continue
            owner = None
        m = YAML_BLOCK_RE.match(line)
        if m and is_secret_name(m.group("key")):
            owner = len(m.group("indent"))


def _triple_quoted(text: str, spans: Spans) -> None:
    for m in TRIPLE_RE.finditer(text):
        if not is_secret_name(m.group("key")):
            continue
        end = text.find(m.group("q"), m.end())
        spans.add(m.end(), end if end >= 0 else len(text), check=False)


def _ini_sections(text: str, spans: Spans) -> None:
    secret = False
    for pos, line in lines(text):
        if line.startswith("==> "):                     # the next file of a multi-file paste
            secret = False
            continue
        s = SECTION_RE.match(line)
        if s:
            name = s.group(1).strip().lower()
            secret = name in SECRET_SECTIONS or is_secret_name(name)
            continue
        if not secret:
            continue
        m = INI_PAIR_RE.match(line)
        if m:
            spans.add(pos + m.start("value"), pos + m.end("value"))
        elif not INI_OTHER_RE.match(line):
            secret = False                              # not ini any more: the section has ended
