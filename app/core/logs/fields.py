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


def fast_kv(text: str) -> dict[str, str]:
    """parse_kv by splitting on spaces and re-joining quoted values: several times cheaper.

    Haraka's summary lines are `k=v k=v lr="550 text" time=1`; only escaped quotes (a
    backslash anywhere) are left to the regex.
    """
    fields: dict[str, str] = {}
    if '"' not in text:
        for item in text.split(" "):
            key, eq, value = item.partition("=")
            if eq and key and (key[0].isalpha() or key[0] == "_"):
                fields[key] = value
        return fields
    if "\\" in text:
        return parse_kv(text)
    tokens = text.split(" ")
    i, n = 0, len(tokens)
    while i < n:
        key, eq, value = tokens[i].partition("=")
        i += 1
        if not eq or not key or not (key[0].isalpha() or key[0] == "_"):
            continue
        if value[:1] == '"':
            if len(value) > 1 and value[-1] == '"':
                value = value[1:-1]
            else:   # a quoted value with spaces: take tokens up to the closing quote
                parts = [value[1:]]
                while i < n:
                    token = tokens[i]
                    i += 1
                    if token[-1:] == '"':
                        parts.append(token[:-1])
                        break
                    parts.append(token)
                value = " ".join(parts)
        fields[key] = value
    return fields
