"""Heading-aware chunking: split on Markdown headings first, then recursively by size (LangChain's
recursive splitter). Fenced code blocks and config snippets stay whole, verbatim, where they fit.

The heading split is our own few lines rather than LangChain's MarkdownHeaderTextSplitter, which
strips every line — indentation inside YAML/ini snippets would be lost from the cited text."""
from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.documents import SourceDoc

# bump when chunk boundaries change, so existing indexes are re-chunked on the next ingest
CHUNKER_VERSION = "2"
CHUNK_SIZE = 1200
CHUNK_OVERLAP = 120
# Pages generated from data (kb/rules, the plugin catalog) are a title line, a short Why, a one-line
# Fix and one tiny section per example. Section by section they flood search results with
# near-empty chunks (a severity line, a bare config snippet, a list of references), so their
# sections are packed together up to CHUNK_SIZE; the retrieval bench measured fewer, better hits.
PACKED_KINDS = ("rule", "plugin")
FENCE_RE = re.compile(r"```.*?```", re.S)
HEADING_RE = re.compile(r"^(#{1,3})[ \t]+(.+?)[ \t#]*$")
FENCE_LINE_RE = re.compile(r"^ {0,3}(```|~~~)")

# only for blocks larger than a chunk: paragraph, then line, then sentence
_size_splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                                separators=["\n## ", "\n### ", "\n\n", "\n", "。", ". ", " ", ""])


def blocks(text: str) -> list[str]:
    """Paragraphs and whole fenced code blocks, in order."""
    out: list[str] = []
    pos = 0
    for m in FENCE_RE.finditer(text):
        out += [p for p in re.split(r"\n\s*\n", text[pos:m.start()]) if p.strip()]
        out.append(m.group(0))
        pos = m.end()
    out += [p for p in re.split(r"\n\s*\n", text[pos:]) if p.strip()]
    return out


def pack(text: str) -> list[str]:
    """Greedy packing of blocks up to CHUNK_SIZE; only a block bigger than that is cut."""
    pieces: list[str] = []
    cur = ""
    for block in blocks(text):
        if len(block) > CHUNK_SIZE:
            if cur:
                pieces.append(cur)
                cur = ""
            pieces += _size_splitter.split_text(block)
            continue
        if cur and len(cur) + len(block) + 2 > CHUNK_SIZE:
            pieces.append(cur)
            cur = ""
        cur = f"{cur}\n\n{block}" if cur else block
    if cur:
        pieces.append(cur)
    return pieces


def anchor(heading: str) -> str:
    """GitHub-style anchor for a heading, so a citation can link to the section."""
    a = re.sub(r"[^\w\- \u4e00-\u9fff]", "", heading.strip().lower())
    return re.sub(r"\s+", "-", a)


def chunk_id(doc_id: str, text: str, n: int) -> str:
    """Content-addressed: `n` only tells apart identical texts within one document (0 for the first),
    so an edit near the top of a page does not renumber, and re-embed, every chunk below it."""
    return hashlib.sha256(f"{doc_id}\x00{n}\x00{text}".encode("utf-8", "replace")).hexdigest()[:32]


def sections(text: str) -> list[tuple[list[str], str]]:
    """(heading path, verbatim text) per section; a section starts at a level 1–3 heading that is
    not inside a fenced block, and keeps its heading line."""
    out: list[tuple[list[str], str]] = []
    path: list[str] = []
    lines: list[str] = []
    fence = ""
    for line in text.split("\n"):
        m = FENCE_LINE_RE.match(line)
        if m:
            if not fence:
                fence = m.group(1)
            elif m.group(1) == fence and not line.strip()[3:].strip("`~").strip():
                fence = ""
        h = None if fence else HEADING_RE.match(line)
        if h:
            if lines:
                out.append((list(path), "\n".join(lines)))
            level = len(h.group(1))
            path = path[:level - 1] + [""] * max(0, level - 1 - len(path)) + [h.group(2).strip()]
            lines = [line]
        else:
            lines.append(line)
    if lines:
        out.append((list(path), "\n".join(lines)))
    return out


def _only_headings(body: str) -> bool:
    return all(l.lstrip().startswith("#") for l in body.splitlines() if l.strip())


def _metadata(doc: SourceDoc, heading: str, headings: list[str]) -> dict:
    return {"doc_id": doc.doc_id, "source": doc.source, "title": doc.title, "url": doc.url, "path": doc.path,
            "lang": doc.lang, "kind": doc.kind, "heading": heading,
            "anchor": anchor(headings[-1]) if headings else "",
            "rule": str(doc.meta.get("rule", "")), "note": str(doc.meta.get("note", "")),
            "plugin": str(doc.meta.get("plugin", "")), "doc_hash": doc.content_hash}


def _pack_sections(chunks: list[Document]) -> list[Document]:
    """Join consecutive chunks while they fit in CHUNK_SIZE; the first one's heading names the result."""
    out: list[Document] = []
    for c in chunks:
        if out and len(out[-1].page_content) + 2 + len(c.page_content) <= CHUNK_SIZE:
            out[-1].page_content += "\n\n" + c.page_content
        else:
            out.append(c)
    return out


def chunk_doc(doc: SourceDoc) -> list[Document]:
    if doc.kind == "changelog":             # one release per chunk, with its package, version and date
        from ingest.changelog import chunk_changelog
        return chunk_changelog(doc)
    out: list[Document] = []
    carry = ""
    for path, section in sections(doc.text):
        body = section.strip()
        if not body:
            continue
        if _only_headings(body):
            carry = f"{carry}\n\n{body}" if carry else body   # a heading with no text: keep for the next section
            continue
        if carry:
            body, carry = f"{carry}\n\n{body}", ""
        headings = [h for h in path if h]
        heading = " › ".join(headings)
        for piece in pack(body):
            text = piece.strip()
            if text:
                out.append(Document(page_content=text, metadata=_metadata(doc, heading, headings)))
    if doc.kind in PACKED_KINDS:
        out = _pack_sections(out)
    return number_chunks(out, doc.doc_id)


def number_chunks(out: list, doc_id: str) -> list:
    """Each chunk's place in its document and its id (repeated text gets a repeat count in the id)."""
    repeats: dict[str, int] = {}
    for n, d in enumerate(out):
        d.metadata["chunk"] = n
        k = repeats[d.page_content] = repeats.get(d.page_content, -1) + 1
        d.id = chunk_id(doc_id, d.page_content, k)
    return out
