"""A package's changelog, one release per chunk, each chunk knowing its package, version and date.

Haraka and its plugins write `### [3.3.4] - 2026-09-05` (Keep a Changelog), older releases
`### 2.8.24 - Mar 12, 2019` or `## 2.8.28 - 2021-10-14` (Haraka's Changes.md up to 3.1), and the
level of a release heading changes within one file. So any heading that reads as a version starts
a release; deeper headings (`#### Fixed`) belong to it; any other heading at its level or above
(`### Unreleased`, `## NEXT - 2021-MM-DD`) ends it. Link definitions (`[3.3.4]: https://...`)
are dropped. A release too long for one chunk is cut into parts that keep its metadata and heading.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:                       # the parsing needs no LangChain; only chunk_changelog does
    from langchain_core.documents import Document

    from ingest.documents import SourceDoc

NAMES = ("changelog.md", "changes.md", "history.md", "changelog.markdown")   # at a package's root
MAX_RELEASE_CHARS = 12000              # one release, one chunk (3.0.4, the longest, is ~5000 characters)
RELEASE_RE = re.compile(r"^\[?v?(?P<version>\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)\]?(?:\([^)]*\))?"
                        r"\s*(?:[-–—:(]\s*(?P<date>[^)]*?)\)?)?\s*$")
HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
FENCE_LINE_RE = re.compile(r"^ {0,3}(```|~~~)")
LINK_DEF_RE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+\s*$")
DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%Y/%m/%d")


def is_changelog(rel_path: str) -> bool:
    return "/" not in rel_path and rel_path.lower() in NAMES


def release_of(heading: str) -> tuple[str, str] | None:
    """(version, date) when a heading names a release: `[3.3.4] - 2026-09-05` -> (3.3.4, 2026-09-05)."""
    m = RELEASE_RE.match(heading.strip())
    if not m:
        return None
    return m.group("version"), _date(m.group("date") or "")


def _date(text: str) -> str:
    """ISO date when it reads as one (`Mar 12, 2019` -> 2019-03-12), else "" (`2021-MM-DD`)."""
    text = text.strip().rstrip(".")
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def releases(text: str) -> list[tuple[str, str, str]]:
    """(version, date, the release's Markdown with its heading) for each release, in file order."""
    out: list[tuple[str, str, list[str]]] = []
    current: list[str] | None = None
    level = 0
    fence = ""
    for line in text.split("\n"):
        m = FENCE_LINE_RE.match(line)
        if m:
            fence = "" if fence and m.group(1) == fence else (fence or m.group(1))
        h = None if fence else HEADING_RE.match(line)
        if h:
            rel = release_of(h.group(2))
            if rel is not None:
                current, level = [line], len(h.group(1))
                out.append((rel[0], rel[1], current))
                continue
            if len(h.group(1)) <= level:
                current = None          # "### Unreleased" and the like: not a release
        if current is not None and not LINK_DEF_RE.match(line):
            current.append(line)
    return [(v, d, "\n".join(lines).strip()) for v, d, lines in out]


def chunk_changelog(doc: SourceDoc) -> list[Document]:
    """One chunk per release (parts of one release when it is very long), with {package, version, date}."""
    from langchain_core.documents import Document

    from ingest.chunking import _metadata, anchor, number_chunks, pack
    package = str(doc.meta.get("package", "")).lower()
    out: list[Document] = []
    for version, date, body in releases(doc.text):
        head = body.split("\n", 1)[0]
        heading = head.lstrip("#").strip()
        pieces = [body] if len(body) <= MAX_RELEASE_CHARS else \
            [p if i == 0 else f"{head} (continued)\n\n{p}" for i, p in enumerate(pack(body))]
        for piece in pieces:
            meta = _metadata(doc, f"{doc.title} › {heading}", [heading])
            meta.update({"package": package, "version": version, "date": date, "anchor": anchor(heading)})
            out.append(Document(page_content=piece.strip(), metadata=meta))
    return number_chunks(out, doc.doc_id)
