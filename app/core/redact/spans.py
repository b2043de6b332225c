"""Where the secrets are in a text, as character spans, and one place that masks them.

Every detector (one per file kind or value shape) only says *where* a secret value stands; the
replacing, the merging of overlapping finds and the collecting of the masked values for
`scrub_known` happen here, once, so no detector can mask differently from another.
"""
from __future__ import annotations

import re

MASK = "****"
# values that are never secrets, whatever key they stand under
NOT_SECRET_VALUES = {"true", "false", "yes", "no", "on", "off", "null", "none", "nil", "~", "", "undefined",
                     MASK, "<redacted>", "[redacted]", "redacted", "xxx", "***", "*****", "******"}
PLACEHOLDER_RE = re.compile(r"^(?:\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|%\([\w.]+\)s|\{\{[^}]*\}\}|<[^<>]*>|\*+|x{3,}|"
                            r"\d{1,5}|-?\d+\.\d+)$")
PATH_RE = re.compile(r"^(?:/|\./|~/)[\w.\-]+(?:/[\w.\-]+)+$|^(?:file|env|vault|secret)://\S+$|"
                     r"^[\w.\-/]+\.(?:pem|key|crt|cer|der|p12|pfx|jks|txt|json|ya?ml|ini|conf|toml|js|env|secret)$")
ALNUM = re.compile(r"[^\W_]")
MIN_KNOWN = 6          # shorter values are masked in place but not scrubbed from free prose


def is_value(value: str) -> bool:
    """A value worth masking: not empty, a boolean, a placeholder, a small number or a file path."""
    v = value.strip().strip("\"'")
    if v.lower() in NOT_SECRET_VALUES or PLACEHOLDER_RE.match(v) or PATH_RE.match(v) or not ALNUM.search(v):
        return False
    return MASK not in v


class Spans:
    """Collects (start, end, quote) spans of one text; `apply` masks them."""

    def __init__(self, text: str):
        self.text = text
        self.items: list[tuple[int, int, str]] = []
        self.extra: set[str] = set()       # values learnt without a span (e.g. a decoded AUTH password)

    def add(self, start: int, end: int, quote: str = "", check: bool = True) -> None:
        """Mask text[start:end]; `quote` wraps the mask (YAML reads a bare **** as an alias)."""
        if end <= start:
            return
        if check and not is_value(self.text[start:end]):
            return
        self.items.append((start, end, quote))

    def add_group(self, m: re.Match, group: int | str, offset: int = 0, quote: str = "", check: bool = True) -> None:
        if m.group(group) is not None:
            self.add(offset + m.start(group), offset + m.end(group), quote, check)

    def learn(self, value: str) -> None:
        self.extra.add(value)

    def merged(self) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for start, end, quote in sorted(self.items):
            if out and start <= out[-1][1]:
                s, e, q = out[-1]
                out[-1] = (s, max(e, end), q if start > s else (q or quote))
            else:
                out.append((start, end, quote))
        return out

    def apply(self, found: set[str] | None = None) -> str:
        text, parts, pos = self.text, [], 0
        for start, end, quote in self.merged():
            parts.append(text[pos:start])
            parts.append(f"{quote}{MASK}{quote}")
            if found is not None:
                remember(found, text[start:end])
            pos = end
        parts.append(text[pos:])
        if found is not None:
            for v in self.extra:
                remember(found, v)
        return "".join(parts)


def remember(found: set[str], value: str) -> None:
    """Keep a masked value for `scrub_known`, when it is distinctive enough to look for in prose."""
    for piece in value.splitlines() or [value]:
        v = piece.strip().strip("\"'")
        if len(v) < MIN_KNOWN or not is_value(v) or (v.isalpha() and v.islower() and len(v) < 10):
            continue
        found.add(v)


def lines(text: str):
    """(offset, line) for every line, offsets into `text`."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
