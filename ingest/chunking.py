"""Heading-aware chunking: split on Markdown headings first (LangChain's header splitter), then
recursively by size. Fenced code blocks and config snippets stay whole where they fit."""
from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.documents import SourceDoc

CHUNK_SIZE = 1200
CHUNK_OVERLAP = 120
HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
FENCE_RE = re.compile(r"```.*?```", re.S)

_header_splitter = MarkdownHeaderTextSplitter(HEADERS, strip_headers=False)
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
    return hashlib.sha256(f"{doc_id}\x00{n}\x00{text}".encode("utf-8", "replace")).hexdigest()[:32]


def chunk_doc(doc: SourceDoc) -> list[Document]:
    sections = _header_splitter.split_text(doc.text) or [Document(page_content=doc.text, metadata={})]
    out: list[Document] = []
    carry = ""
    for section in sections:
        body = section.page_content.strip()
        if len(body) < 120 and body.count("\n") < 2 and body.startswith("#"):
            carry = f"{carry}\n\n{body}" if carry else body   # a heading with no text: keep for the next section
            continue
        if carry:
            body, carry = f"{carry}\n\n{body}", ""
        headings = [section.metadata[k] for _, k in HEADERS if section.metadata.get(k)]
        for piece in pack(body):
            text = piece.strip()
            if not text:
                continue
            heading = " › ".join(headings)
            out.append(Document(page_content=text, metadata={
                "doc_id": doc.doc_id, "source": doc.source, "title": doc.title, "url": doc.url,
                "path": doc.path, "lang": doc.lang, "kind": doc.kind, "heading": heading,
                "anchor": anchor(headings[-1]) if headings else "",
                "rule": str(doc.meta.get("rule", "")), "note": str(doc.meta.get("note", "")),
                "plugin": str(doc.meta.get("plugin", "")), "doc_hash": doc.content_hash,
            }))
    for n, d in enumerate(out):
        d.metadata["chunk"] = n
        d.id = chunk_id(doc.doc_id, d.page_content, n)
    return out
