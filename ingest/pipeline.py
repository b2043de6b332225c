"""sources → documents → chunks → index, incremental by content hash and safe to kill at any time.

Order of writes for each batch of changed documents: add the new chunks (ids are content hashes,
so re-adding is harmless), delete that document's chunks that are no longer current (read from
the store, not the manifest), then record the documents in the manifest. After all sources,
chunks of documents that disappeared from a source that was read successfully are pruned, and
the lexical index is rebuilt from the store. Any interruption leaves a state the next run repairs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ingest.chunking import chunk_doc
from ingest.documents import SourceDoc
from ingest.embeddings import embedding_name, get_embeddings
from ingest.home import data_home
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.sources import SourceContext, iter_source, source_name
from ingest.sourcesfile import load_sources
from ingest.store import all_chunks, ids_for_doc, vector_store

Progress = Callable[[float, str], None]
BATCH_CHUNKS = 64


@dataclass
class IngestSummary:
    documents: int = 0
    chunks: int = 0            # chunks written this run
    total_chunks: int = 0      # chunks in the index afterwards
    added: int = 0
    updated: int = 0
    skipped: int = 0
    removed: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (f"{self.documents} documents ({self.added} new, {self.updated} changed, {self.skipped} unchanged, "
                f"{self.removed} removed), {self.chunks} chunks written, {self.total_chunks} in the index, "
                f"{self.seconds:.1f}s")


def lexical_path(home: Path, embedding: str) -> Path:
    return home / f"lexical-{embedding.replace(':', '-').replace('/', '-')}"


def ingest(specs: list[dict[str, Any]] | None = None, home: Path | None = None, embedding: str | None = None,
           progress: Progress | None = None, offline: bool = False, prune: bool = True,
           warn: Callable[[str], None] | None = None) -> IngestSummary:
    started = time.monotonic()
    home = home or data_home()
    embedding = embedding or embedding_name()
    summary = IngestSummary()
    say = progress or (lambda f, m: None)

    def _warn(msg: str) -> None:
        summary.warnings.append(msg)
        if warn:
            warn(msg)

    specs = specs if specs is not None else load_sources(home)
    ctx = SourceContext(cache_dir=home / "cache", warn=_warn, offline=offline)
    store = vector_store(home, get_embeddings(embedding), embedding)
    manifest = Manifest.load(home / "manifest.json")
    if manifest.embedding and manifest.embedding != embedding:
        manifest.docs = {}
    manifest.embedding = embedding

    seen: dict[str, set[str]] = {}
    pending: list[tuple[SourceDoc, list]] = []

    def flush() -> None:
        if not pending:
            return
        new_docs = [c for _, chunks in pending for c in chunks]
        stale: list[str] = []
        current = {c.id for c in new_docs}
        existing: set[str] = set()
        for doc, _ in pending:
            ids = ids_for_doc(store, doc.doc_id)
            existing |= ids
            stale += [i for i in ids if i not in current]
        to_add = [c for c in new_docs if c.id not in existing]
        if to_add:
            store.add_documents(to_add, ids=[c.id for c in to_add])
        if stale:
            store.delete(ids=stale)
        for doc, chunks in pending:
            manifest.docs[doc.doc_id] = {"hash": doc.content_hash, "source": doc.source, "title": doc.title,
                                         "url": doc.url, "lang": doc.lang, "kind": doc.kind, "path": doc.path,
                                         "chunks": [c.id for c in chunks]}
        manifest.save()
        summary.chunks += len(to_add)
        pending.clear()

    for i, spec in enumerate(specs):
        name = source_name(spec)
        say(i / max(1, len(specs)), f"reading {name}")
        before = len(summary.warnings)
        docs = list(iter_source(spec, ctx))
        fetched_ok = bool(docs) or len(summary.warnings) == before
        if fetched_ok:
            seen[name] = set()
        summary.sources[name] = len(docs)
        for j, doc in enumerate(docs):
            if doc.doc_id in (seen.get(name) or set()):
                _warn(f"{name}: two documents share the id {doc.doc_id}; the second was skipped")
                continue
            seen.setdefault(name, set()).add(doc.doc_id)
            summary.documents += 1
            entry = manifest.docs.get(doc.doc_id)
            if entry and entry.get("hash") == doc.content_hash:
                summary.skipped += 1
                continue
            summary.updated += bool(entry)
            summary.added += not entry
            pending.append((doc, chunk_doc(doc)))
            if sum(len(c) for _, c in pending) >= BATCH_CHUNKS:
                say((i + (j + 1) / max(1, len(docs))) / max(1, len(specs)), f"{name}: embedding")
                flush()
        flush()
        manifest.sources[name] = {"documents": len(docs), "ok": fetched_ok, "spec": spec}

    if prune:
        say(0.95, "pruning removed documents")
        summary.removed = _prune(store, manifest, seen)
    say(0.97, "building the lexical index")
    ids, texts, _ = all_chunks(store)
    LexicalIndex.build(ids, texts).save(lexical_path(home, embedding))
    summary.total_chunks = len(ids)
    manifest.last_ingest = time.time()
    manifest.save()
    summary.seconds = time.monotonic() - started
    say(1.0, "done")
    return summary


def _prune(store, manifest: Manifest, seen: dict[str, set[str]]) -> int:
    """Delete documents of successfully read sources that are no longer there (store and manifest)."""
    _, _, metas = all_chunks(store)
    in_store: dict[str, set[str]] = {}
    for m in metas:
        in_store.setdefault(m.get("source", ""), set()).add(m.get("doc_id", ""))
    removed = 0
    for source, current in seen.items():
        gone = (in_store.get(source, set()) | {d for d, e in manifest.docs.items() if e.get("source") == source}) \
            - current
        for doc_id in gone:
            ids = ids_for_doc(store, doc_id)
            if ids:
                store.delete(ids=list(ids))
            manifest.docs.pop(doc_id, None)
            removed += 1
    if removed:
        manifest.save()
    return removed
