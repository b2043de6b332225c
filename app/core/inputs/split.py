"""Split one pasted blob into files.

Understands the headers `tail`/`head` print for several files (`==> config/smtp.ini <==`),
`# file: NAME` / `### NAME` / `--- NAME ---` marker lines, and `$ cat NAME`, `$ ls DIR`, `$ npm ls`
prompts (the last two start a directory listing). Text before the first header is kept as
an unnamed part so nothing is lost.
"""
from __future__ import annotations

import re

HEADER_RES = [
    re.compile(r"^==>\s*(?P<name>\S.*?)\s*<==\s*$"),
    re.compile(r"^\s*(?:#|//|;)\s*(?:file|filename|path)\s*[:=]\s*(?P<name>\S+)\s*$", re.I),
    re.compile(r"^-{3,}\s*(?P<name>[\w./\-]+\.(?:ini|yaml|yml|toml|json|log|txt)|[\w./\-]*config/[\w./\-]+)\s*-{3,}\s*$"),
    re.compile(r"^\$\s*cat\s+(?P<name>[\w./\-]+)\s*$"),
]


# a shell prompt listing a directory (`$ ls -la /opt/haraka/node_modules`) or npm's tree
# (`$ npm ls --depth=0`): the output below it is a listing, named after the directory
LS_HEADER_RE = re.compile(r"^\$\s*ls(?:\s+-[\w-]+)*\s+(?P<name>[\w./@~\-]+)\s*$")
NPM_LS_HEADER_RE = re.compile(r"^\$\s*npm\s+(?:ls|list|ll|la)\b[^|;&>]*$")


def header_name(line: str) -> str | None:
    for rx in HEADER_RES:
        m = rx.match(line)
        if m:
            return m.group("name").strip()
    m = LS_HEADER_RE.match(line)
    if m:
        return m.group("name").rstrip("/") + "/"
    if NPM_LS_HEADER_RE.match(line):
        return "npm ls"
    return None


def split_paste(lines: list[str]) -> list[tuple[str | None, int, list[str]]]:
    """[(name or None, first line number of the part in the paste, lines)]."""
    parts: list[tuple[str | None, int, list[str]]] = []
    name: str | None = None
    start = 1
    buf: list[str] = []
    for i, line in enumerate(lines, 1):
        new = header_name(line) if len(line) < 300 else None
        if new is not None:
            if buf and any(l.strip() for l in buf) or name is not None:
                parts.append((name, start, _trim(buf)))
            name, start, buf = new, i + 1, []
            continue
        buf.append(line)
    if buf and any(l.strip() for l in buf) or name is not None:
        parts.append((name, start, _trim(buf)))
    return parts


def _trim(buf: list[str]) -> list[str]:
    """Drop the blank line `tail` puts before the next header."""
    while buf and not buf[-1].strip():
        buf = buf[:-1]
    return buf
