"""The knowledge base's own pages (rule pages and notes), chunked exactly as the index chunks them.

A finding's passages come from here, not from the vector store: the rule's page and the notes it
cites are known by id, so no search is needed, and they are there even before `mxdoctor ingest`
has ever run. Chunk ids equal the index's, so a passage is the same whichever way it was found.
"""
from __future__ import annotations

import functools
import os
import threading
import time
from pathlib import Path

from app.retrieval.index import Passage, passage_from_chunk
from ingest.filestamp import stamps
from ingest.kbdata import kb_path

_lock = threading.Lock()
RECHECK_SECONDS = 2.0
_last: tuple[float, tuple] | None = None


def _signature() -> tuple:
    """Changes whenever a note or rule file changes, so edits to the KB are picked up; the
    directory is looked at no more than every RECHECK_SECONDS (one answer asks many times)."""
    global _last
    now = time.monotonic()
    if _last is not None and now - _last[0] < RECHECK_SECONDS:
        return _last[1]
    files: list[Path] = []
    for sub in ("notes", "rules"):
        d = kb_path(sub)
        files += sorted(p for p in d.iterdir() if p.is_file()) if d.is_dir() else []
    _last = (now, (str(kb_path()), stamps(files)))
    return _last[1]


@functools.lru_cache(maxsize=2)
def _load(signature: tuple) -> dict[str, list[Passage]]:
    from ingest.chunking import chunk_doc
    from ingest.sources import SourceContext
    from ingest.sources.kb import iter_docs
    ctx = SourceContext(cache_dir=Path(os.devnull), warn=lambda msg: None, offline=True)
    pages: dict[str, list[Passage]] = {}
    for doc in iter_docs({"type": "kb"}, ctx):
        if doc.kind == "plugin":       # never a finding's citation
            continue
        pages[doc.doc_id] = [passage_from_chunk(0, 0.0, c.id or "", c.page_content, c.metadata | {"doc_id": doc.doc_id})
                             for c in chunk_doc(doc)]
    return pages


def kb_pages() -> dict[str, list[Passage]]:
    """doc_id → its chunks, e.g. `kb:rule:MXD101`, `kb:note:rcpt-in-host-list`, `kb:note:…​.zh`."""
    with _lock:
        return _load(_signature())


def doc_chunks(doc_id: str) -> list[Passage]:
    return list(kb_pages().get(doc_id, []))


def finding_doc_ids(rule_id: str, citations: list[str], lang: str = "en") -> list[str]:
    """The rule's own page, then each cited note (its translation first for a non-English question)."""
    ids = [f"kb:rule:{rule_id}"]
    for c in citations:
        if c.startswith("note:"):
            note = c.split(":", 1)[1]
            if lang != "en":
                ids.append(f"kb:note:{note}.{lang}")
            ids.append(f"kb:note:{note}")
    return ids
