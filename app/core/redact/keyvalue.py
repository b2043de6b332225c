"""`name <sep> value` wherever it stands in a line: ini, .env, YAML (block and flow mappings),
JSON (pretty or on one line, with escaped quotes), TOML (inline tables), logfmt, PHP/Ruby `=>`,
URL query strings (`?access_token=`), HTTP headers (`X-Api-Key:`), compose `- KEY=value` lists
and `docker -e KEY=value`.

A value is read the way its file reads it: a quoted one up to its closing quote (escapes
honoured), a flow list item by item, a bare one to the end of the line when the key starts the
line (ini, YAML, .env: passwords may hold spaces, `#` or `;`) and to the next delimiter when it
does not (`{user: a, password: b}`, `a=1&token=x`). Only the value is masked, so the key, the
quotes and the line stay as they were and a masked YAML file still parses.
"""
from __future__ import annotations

import re

from app.core.redact.names import has_hint, is_secret_name
from app.core.redact.spans import Spans

KV_RE = re.compile(r"""(?P<key>"(?:[^"\\\n]|\\.){1,80}"|'[^'\n]{1,80}'|(?<![\w.\-$])-{0,2}[A-Za-z_@][\w.\-]{0,79})"""
                   r"""\s*(?P<sep>=>|:=|=|:)[ \t]*""")
LINE_START = re.compile(r"^\s*(?:-\s+|export\s+|set\s+|setenv\s+|readonly\s+|declare\s+(?:-\w+\s+)?)?$")
TRAILING = re.compile(r"(?:\s+(?:#|;|//).*|\s*[,;])\s*$")
MIDLINE_END = re.compile(r"""[\s,;&}\])"'`]""")
QUOTED = {'"': re.compile(r'"((?:[^"\\\n]|\\.)*)"'), "'": re.compile(r"'([^'\n]*)'")}
ITEM_RE = re.compile(r"""\s*(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^,\]\s][^,\]]*?))\s*(?:,|(?=\]))""")
BLOCK_INDICATOR = re.compile(r"^[|>][+-]?\d*\s*(?:#.*)?$")
TRIPLE = ('"""', "'''")


def scan_line(line: str, offset: int, spans: Spans) -> None:
    """Mask the values of secret-named keys on one line."""
    if not has_hint(line):
        return
    pos = 0
    while True:
        m = KV_RE.search(line, pos)
        if m is None:
            return
        pos = m.end()
        if m.group("sep") == ":" and line.startswith("//", m.end("sep")):
            continue                                    # a URL's scheme, not a key
        if not is_secret_name(m.group("key")):
            continue
        if m.group("key") == "pass" and m.group("sep") == ":" and line[m.end("sep"):m.end("sep") + 1].isalnum():
            continue                                    # Haraka's results list: `pass:bare_ip, fail:...`
        at_start = bool(LINE_START.match(line[:m.start()]))
        end = _value(line, m.end(), at_start, m.group("sep"), offset, spans)
        pos = max(pos, end)


def _value(line: str, start: int, at_start: bool, sep: str, offset: int, spans: Spans) -> int:
    """Mask the value that starts at `start`; returns where it ends."""
    rest = line[start:]
    if not rest or rest[0] in "{" or rest.startswith(TRIPLE) or BLOCK_INDICATOR.match(rest):
        return start                                    # nested, multi-line: app.core.redact.blocks
    if rest[0] in QUOTED:
        q = QUOTED[rest[0]].match(line, start)
        if q is None:                                   # an unclosed quote: to the end of the line
            spans.add(offset + start + 1, offset + len(line.rstrip()))
            return len(line)
        spans.add_group(q, 1, offset)
        return q.end()
    if rest[0] == "[":
        return _flow_list(line, start + 1, offset, spans)
    if at_start:
        value = TRAILING.sub("", rest)
        if "://" in value:
            return start + len(value)                   # a URL: only its credentials (app.core.redact.urls)
        spans.add(offset + start, offset + start + len(value.rstrip()), quote="'" if sep == ":" else "")
        return start + len(value)
    end = MIDLINE_END.search(line, start)
    stop = end.start() if end else len(line)
    if "://" not in line[start:stop]:
        flow = sep == ":" and "{" in line[:start]       # a YAML flow mapping: keep it parseable
        spans.add(offset + start, offset + stop, quote="'" if flow else "")
    return stop


def _flow_list(line: str, pos: int, offset: int, spans: Spans) -> int:
    """`passwords: [a, "b"]`: every item."""
    while pos < len(line) and line[pos] != "]":
        m = ITEM_RE.match(line, pos)
        if m is None or m.end() == pos:
            break
        for g in (1, 2, 3):
            spans.add_group(m, g, offset)
        pos = m.end()
    return pos
