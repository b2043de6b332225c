"""Haraka's flat/list files (config/plugins, host_list, ...): haraka-config's rules, with line numbers.

Haraka skips blank lines and lines whose first non-blank character is `#` or `;`, and trims the
rest. It does *not* strip trailing comments: `foo # bar` is the value "foo # bar".
"""
from __future__ import annotations

import re

COMMENT_RE = re.compile(r"^\s*[;#]")


def list_values(lines: list[str]) -> list[tuple[int, str]]:
    """(1-based line, value) for every value line, as haraka-config's 'list' type reads them."""
    out = []
    for i, line in enumerate(lines, 1):
        if not line.strip() or COMMENT_RE.match(line):
            continue
        out.append((i, line.strip()))
    return out
