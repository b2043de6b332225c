"""`key=value` extraction as Haraka's logger writes it (its logfmt `stringify`).

Values are bare (`code=OK`, `params=<a@b>`) or double-quoted with `\\"`, `\\\\`, `\\n`, `\\r`
escapes when they contain a space, `=`, a quote or a backslash.
"""
from __future__ import annotations

import re

_KV = re.compile(r'(?:^|(?<=\s))([A-Za-z_][\w.\-]*)=("(?:[^"\\]|\\.)*"?|\S*)')
_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\r": "\r"}
_ESCAPE_RE = re.compile(r'\\["\\nr]')


def unquote(value: str) -> str:
    """Undo Haraka's logfmt quoting; bare values come back unchanged."""
    if not value.startswith('"'):
        return value
    inner = value[1:-1] if len(value) > 1 and value.endswith('"') and not value.endswith('\\"') else value[1:]
    if "\\" in inner:
        inner = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], inner)
    return inner


def parse_kv(text: str) -> dict[str, str]:
    """All `key=value` pairs in `text`, values unquoted. Later duplicates win."""
    if "=" not in text:
        return {}
    return {k: (unquote(v) if v.startswith('"') else v) for k, v in _KV.findall(text)}


def strip_brackets(addr: str) -> str:
    """`<a@b>` -> `a@b`; `<>` -> ``; anything else unchanged."""
    if addr.startswith("<") and addr.endswith(">"):
        return addr[1:-1]
    return addr
