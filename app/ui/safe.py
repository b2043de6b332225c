"""Showing untrusted text (pasted logs, ingested documents, rule templates filled from them).

Streamlit never renders raw HTML unless asked, but Markdown still turns `[x](url)` into links,
`![x](url)` into remote images, `$..$` into LaTeX, `:red[..]` into colours and `&lt;` into `<`.
Text that is not ours is escaped first so it is shown exactly as written. No Streamlit import:
testable anywhere.
"""
from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^@&])")


def escape_md(text: str) -> str:
    """Markdown-escape every character Streamlit's Markdown would interpret."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|`+|^#{1,6}\s+|^>\s?|^\s*[-*+]\s+|^\s*\d+[.)]\s+)", re.M)


def plain_text(markdown: str, limit: int = 400) -> str:
    """A Markdown snippet as the words a reader sees, on one line, escaped: no markup survives."""
    text = _MD_LINK.sub(r"\1", markdown or "")
    text = _MD_MARKS.sub("", text).replace("|", " ")
    return escape_md(one_line(text, limit))


def one_line(text: str, limit: int = 400) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mask_key(key: str | None) -> str:
    """Enough of a secret to recognise it, never all of it."""
    if not key:
        return "not set"
    if len(key) <= 8:
        return "****"
    return f"{key[:3]}…{key[-4:]} ({len(key)} characters)"
