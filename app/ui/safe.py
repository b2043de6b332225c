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


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def escape_md_keep_code(text: str) -> str:
    """Our words (rule and finding text, filled with values from the paste) shown with their
    `code` spans as code and everything else escaped: inside a code span Markdown makes no
    links, images or markup, so a value there is shown as written either way."""
    out, last = [], 0
    for m in _CODE_SPAN.finditer(text or ""):
        out.append(escape_md(text[last:m.start()]) + f"`{m.group(1)}`")
        last = m.end()
    return "".join(out) + escape_md((text or "")[last:])


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
