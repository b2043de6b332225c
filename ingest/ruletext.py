"""A rule's words as its YAML writes them, read one way by the checker and by the rule's page.

Templates: `{name}` takes a value from the matched conditions and `{name|fallback}` its fallback
when there is none; what a bare unfilled slot reads as is the reader's choice (a finding says
"a plugin", a fix op keeps the slot so its edit fails to verify, a page shows `‹name›`).
Citations and fix-op arguments have a short and a long spelling; both readers use the same one.
Lives in ingest because ingest renders rule pages and may not import app; app imports it.
"""
from __future__ import annotations

import re
from typing import Any, Callable

SLOT_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\|([^{}]*))?\}")


def fill(template: str, values: dict[str, Any], unfilled: Callable[[str], str]) -> str:
    """Every slot replaced: its value, else its fallback, else `unfilled(name)`."""
    def one(m: re.Match) -> str:
        if m.group(1) in values:
            return str(values[m.group(1)])
        if m.group(2) is not None:
            return m.group(2)
        return unfilled(m.group(1))
    return SLOT_RE.sub(one, template)


def as_template(text: str) -> str:
    """A template as the reader of a rule page sees it, with no finding to fill it:
    `{target}` → `‹target›`, `{name|fallback}` → the fallback."""
    return fill(text, {}, lambda name: f"‹{name}›")


def citation(c: Any) -> str:
    """One spelling of a citation: a URL or `note:<id>` string (`{note: id}` and `{url: ...}` in
    the YAML say the same)."""
    if isinstance(c, str):
        return c
    if isinstance(c, dict):
        if "note" in c:
            return f"note:{c['note']}"
        if "url" in c:
            return c["url"]
    return str(c)


def op_args(args: Any) -> dict[str, Any]:
    """A fix op's arguments as a mapping: `manual: text` is short for `manual: {value: text}`."""
    return args if isinstance(args, dict) else {"value": args}
