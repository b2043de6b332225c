"""An answer's Markdown made safe to show, with `[n]` turned into links to its numbered sources.

Answers quote ingested documents and, with an LLM, carry model output — both may hold text
written by someone else. `sanitize` reads the answer as a CommonMark reader does
(`app.core.mdsafe.neutralize`) and leaves live only what it checked: links to http(s) and the
app's own pages, and `[n]` citations. Raw HTML and autolinks are escaped, images are reduced to
their alt text (a browser would fetch them: a way to leak data to a remote server), reference
definitions are dropped and every other link syntax becomes literal text, `$` never starts math.
"""
from __future__ import annotations

import re

from app.core.links import href
from app.core.mdsafe import Mode, neutralize, safe_url

FENCE_RE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
IMAGE_RE = re.compile(r"!\[([^\[\]\n]*)\]\([^()\n]*\)")
LINK_RE = re.compile(r"\[([^\[\]\n]{1,500})\]\(\s*<?((?:[^\s()<>]|\([^\s()<>]*\))*)>?"
                     r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)")
REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", re.M)
KEPT_CITE_RE = re.compile(r"\[\d{1,3}\](?![(\[:])")
CITE_RE = re.compile(r"\[(\d{1,3})\](?!\()")
INTERNAL_RE = re.compile(r"(?:knowledge|rules)\?[\w=%.&-]*")
APP = Mode(dollar=True)


def _outside_code(text: str, fn) -> str:
    parts = FENCE_RE.split(text)
    return "".join(p if i % 2 else fn(p) for i, p in enumerate(parts))


def safe_target(url: str) -> str | None:
    """Where a link in an answer may point: http(s) or one of the app's pages; None otherwise."""
    if INTERNAL_RE.fullmatch(url or ""):
        return url
    ok = href(url)
    return safe_url(ok) if ok else None


def _keep(text: str, i: int, mode: Mode) -> tuple[str, int] | None:
    """The constructs `sanitize` leaves live, checked: images become their alt text."""
    if text.startswith("![", i):
        m = IMAGE_RE.match(text, i)
        return (neutralize(m.group(1), mode) or "(image)", m.end()) if m else None
    m = KEPT_CITE_RE.match(text, i)
    if m:
        return m.group(0), m.end()
    m = LINK_RE.match(text, i)
    if not m:
        return None
    label, url = neutralize(m.group(1), mode), safe_target(m.group(2))
    return (f"[{label}]({url})" if url else label), m.end()


def sanitize(text: str) -> str:
    """No raw HTML, no images, no reference definitions, no links to other schemes. A reference
    definition is dropped (a reader never sees one); any other is shown as literal text."""
    return neutralize(_outside_code(text or "", lambda part: REF_DEF_RE.sub("", part)), APP, keep=_keep)


def link_citations(text: str, passages: list[dict]) -> str:
    """`[2]` → a link to passage 2's source when it has one a browser can open."""
    by_n = {int(p["n"]): p for p in passages if str(p.get("n", "")).isdigit()}

    def repl(m: re.Match) -> str:
        p = by_n.get(int(m.group(1)))
        url = safe_target(p.get("url") or "") if p else None
        return f"[\\[{m.group(1)}\\]]({url})" if url else m.group(0)
    return _outside_code(text or "", lambda part: CITE_RE.sub(repl, part))


def answer_markdown(text: str, passages: list[dict]) -> str:
    return link_citations(sanitize(text), passages)
