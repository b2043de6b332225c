"""An answer's Markdown made safe to show, with `[n]` turned into links to its numbered sources.

Answers quote ingested documents and, with an LLM, carry model output — both may hold text
written by someone else. Raw HTML is never rendered by the app; here images (which a browser
would fetch: a way to leak data to a remote server) are reduced to their alt text, and links
are kept only for http(s) and the app's own pages.
"""
from __future__ import annotations

import re

from app.core.links import href

FENCE_RE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK_RE = re.compile(r"(?<!\\)\[([^\]]+)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
CITE_RE = re.compile(r"\[(\d{1,3})\](?!\()")


def _outside_code(text: str, fn) -> str:
    parts = FENCE_RE.split(text)
    return "".join(p if i % 2 else fn(p) for i, p in enumerate(parts))


def _safe_link(m: re.Match) -> str:
    url = m.group(2)
    ok = href(url) if not url.startswith(("knowledge?", "rules?")) else url
    return f"[{m.group(1)}]({ok})" if ok else m.group(1)


def sanitize(text: str) -> str:
    """No images, no reference-style link definitions, no links to other schemes."""
    def clean(part: str) -> str:
        part = IMAGE_RE.sub(lambda m: m.group(1) or "(image)", part)
        part = REF_DEF_RE.sub("", part)
        return LINK_RE.sub(_safe_link, part)
    return _outside_code(text or "", clean)


def link_citations(text: str, passages: list[dict]) -> str:
    """`[2]` → a link to passage 2's source when it has one a browser can open."""
    by_n = {int(p["n"]): p for p in passages if str(p.get("n", "")).isdigit()}

    def repl(m: re.Match) -> str:
        p = by_n.get(int(m.group(1)))
        url = href(p.get("url") or "") if p else None
        return f"[\\[{m.group(1)}\\]]({url})" if url else m.group(0)
    return _outside_code(text or "", lambda part: CITE_RE.sub(repl, part))


def answer_markdown(text: str, passages: list[dict]) -> str:
    return link_citations(sanitize(text), passages)
