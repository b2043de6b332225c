"""sources → documents → chunks → index, incremental by content hash and safe to kill at any time.

Order of writes for each batch of changed documents: add the new chunks (ids are content hashes,
so re-adding is harmless), delete that document's chunks that are no longer current (read from
the store, not the manifest), then record the documents in the manifest. After all sources,
chunks of documents that disappeared from a source that was read successfully are pruned — unless
the source suddenly yields nothing or far less (`ingest.shrink`: kept until `prune_empty`) — and
the lexical index is rebuilt from the store when anything changed (or it no longer matches the store).
Any interruption leaves a state the next run repairs. Before trusting the index on disk a run
checks it (`ingest.verify`) and rebuilds what is damaged; the manifest records the checksums.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ingest.chunking import CHUNKER_VERSION, chunk_doc
from ingest.documents import SourceDoc
from ingest.embeddings import embedding_name, get_embeddings
from ingest.home import data_home
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.shrink import indexed_per_source, sudden_losses
from ingest.sources import SourceContext, iter_source, source_name
from ingest.sourcesfile import load_sources
from ingest.store import all_chunks, all_ids, vector_store
from ingest.verify import drop_damaged_chunks, lexical_state, read_store, record, store_file_damaged

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
    held: list[dict[str, Any]] = field(default_factory=list)   # sources whose missing documents were kept
    rebuilt: list[str] = field(default_factory=list)            # damaged parts of the index rebuilt

    def line(self) -> str:
        kept = sum(h["missing"] for h in self.held)
        return (f"{self.documents} documents ({self.added} new, {self.updated} changed, {self.skipped} unchanged, "
                f"{self.removed} removed), {self.chunks} chunks written, {self.total_chunks} in the index, "
                f"{self.seconds:.1f}s" + (f"; {kept} documents kept from {len(self.held)} source(s) that yielded "
                                          "nothing or far less (see the warnings)" if self.held else "")
                + (f"; rebuilt (damaged): {', '.join(self.rebuilt)}" if self.rebuilt else ""))


def lexical_path(home: Path, embedding: str) -> Path:
    return home / f"lexical-{embedding.replace(':', '-').replace('/', '-')}"


class _Run:
    """One ingest: the store, the manifest and the summary, plus the batch of changed documents
    waiting to be written (written every BATCH_CHUNKS chunks and at the end of each source)."""

    def __init__(self, home: Path, embedding: str, summary: IngestSummary, say: Progress,
                 warn: Callable[[str], None]):
        self.summary, self.say, self.warn = summary, say, warn
        self.manifest = Manifest.load(home / "manifest.json")
        self.before = indexed_per_source(self.manifest.docs)
        if (self.manifest.embedding and self.manifest.embedding != embedding) or \
                self.manifest.chunker != CHUNKER_VERSION:
            self.manifest.docs = {}     # re-chunk (and re-embed) everything; chunk ids make this idempotent
        self.manifest.embedding = embedding
        self.manifest.chunker = CHUNKER_VERSION
        self.store, chunks = self._open_store(home, embedding)
        self.snapshot = drop_damaged_chunks(self.store, self.manifest, chunks, warn)
        _forget_missing(self.snapshot[0], self.manifest)
        self.changed = False    # anything written or deleted: the lexical index must be rebuilt
        self.seen: dict[str, set[str]] = {}
        self.pending: list[tuple[SourceDoc, list]] = []

    def _open_store(self, home: Path, embedding: str):
        """The store and everything in it; a damaged local store is set aside and started afresh."""
        damaged = store_file_damaged(home, self.warn)
        store = vector_store(home, get_embeddings(embedding), embedding)
        chunks = None if damaged else read_store(store, home, self.warn)
        if chunks is None:
            if not damaged:
                store = vector_store(home, get_embeddings(embedding), embedding)
            self.summary.rebuilt.append("vector store")
            self.manifest.docs, self.before = {}, {}    # everything is embedded again
            chunks = ([], [], [])
        return store, chunks

    def _write(self, new_chunks: list) -> int:
        """Add new chunks, relabel moved ones, delete stale ones; returns how many were added."""
        store = self.store
        current = {c.id for c in new_chunks}
        # one read for the whole batch: what the store holds for these documents now
        got = store.collection.get(where=_doc_filter([doc.doc_id for doc, _ in self.pending]), include=["metadatas"])
        existing = dict(zip(got["ids"], got["metadatas"]))
        stale = [i for i in existing if i not in current]
        to_add = [c for c in new_chunks if c.id not in existing]
        # same text (same id, same vector) but the title, url or position changed: fix metadata only
        relabel = [c for c in new_chunks if c.id in existing and existing[c.id] != c.metadata]
        if to_add:
            store.add_documents(to_add, ids=[c.id for c in to_add])
        if relabel:
            store.collection.update(ids=[c.id for c in relabel], metadatas=[c.metadata for c in relabel])
        if stale:
            store.delete(ids=stale)
        self.changed = self.changed or bool(to_add or relabel or stale)
        return len(to_add)

    def flush(self) -> None:
        if not self.pending:
            return
        added = self._write([c for _, chunks in self.pending for c in chunks])
        for doc, chunks in self.pending:
            self.manifest.docs[doc.doc_id] = {"hash": doc.content_hash, "source": doc.source, "title": doc.title,
                                              "url": doc.url, "lang": doc.lang, "kind": doc.kind, "path": doc.path,
                                              "chunks": [c.id for c in chunks]}
        self.manifest.save()
        self.summary.chunks += added
        self.pending.clear()

    def take(self, name: str, doc: SourceDoc, taken: set[str], warn: Callable[[str], None]) -> bool:
        """Queue a document if it is new or changed; True when the batch is full."""
        summary = self.summary
        if doc.doc_id in taken:
            warn(f"{name}: two documents share the id {doc.doc_id}; the second was skipped")
            return False
        taken.add(doc.doc_id)
        self.seen.setdefault(name, set()).add(doc.doc_id)
        summary.documents += 1
        entry = self.manifest.docs.get(doc.doc_id)
        if entry and entry.get("hash") == doc.content_hash:
            summary.skipped += 1
            return False
        summary.updated += bool(entry)
        summary.added += not entry
        self.pending.append((doc, chunk_doc(doc)))
        return sum(len(c) for _, c in self.pending) >= BATCH_CHUNKS

    def read_source(self, i: int, n_specs: int, spec: dict[str, Any], ctx: SourceContext,
                    warn: Callable[[str], None]) -> None:
        name = source_name(spec)
        self.say(i / max(1, n_specs), f"reading {name}")
        before = len(self.summary.warnings)
        docs = list(iter_source(spec, ctx))
        fetched_ok = bool(docs) or len(self.summary.warnings) == before or name in ctx.refused
        if fetched_ok:
            self.seen.setdefault(name, set())   # two specs may share a name: never forget the first one's docs
        self.summary.sources[name] = self.summary.sources.get(name, 0) + len(docs)
        taken = set().union(*self.seen.values()) if self.seen else set()
        for j, doc in enumerate(docs):
            if self.take(name, doc, taken, warn):
                self.say((i + (j + 1) / max(1, len(docs))) / max(1, n_specs), f"{name}: embedding")
                self.flush()
        self.flush()
        self.manifest.sources[name] = {"documents": len(docs), "ok": fetched_ok, "spec": spec}

    def finish(self, home: Path, embedding: str, prune: bool, prune_empty: bool, refused: set[str]) -> None:
        """Prune what disappeared (keeping sudden losses unless `prune_empty`; a source the policy
        refused outright is no unmounted share, its pages go), rebuild the lexical index if anything
        changed or it is damaged, record the checksums, save the manifest."""
        summary, store = self.summary, self.store
        if prune:
            held = [] if prune_empty else [h for h in sudden_losses(self.before, self.seen) if h.source not in refused]
            for h in held:
                self.warn(h.warning())
                self.manifest.sources.setdefault(h.source, {})["held"] = h.missing
            summary.held = [h.to_dict() for h in held]
            self.say(0.95, "pruning removed documents")
            kept = {h.source for h in held}
            summary.removed, deleted = _prune(store, self.manifest,
                                              {n: s for n, s in self.seen.items() if n not in kept})
            self.changed = self.changed or bool(deleted)
        lex_path = lexical_path(home, embedding)
        ids, texts, _ = all_chunks(store) if self.changed else self.snapshot
        state = lexical_state(lex_path, self.manifest, ids, self.warn)
        if self.changed or state:
            self.say(0.97, "building the lexical index")
            LexicalIndex.build(ids, texts).save(lex_path)
        if state == "damaged":
            summary.rebuilt.append("lexical index")
        record(self.manifest, lex_path, embedding, ids, texts)
        summary.total_chunks = len(ids)
        self.manifest.last_ingest = time.time()
        self.manifest.save()


def ingest(specs: list[dict[str, Any]] | None = None, home: Path | None = None, embedding: str | None = None,
           progress: Progress | None = None, offline: bool = False, prune: bool = True,
           warn: Callable[[str], None] | None = None, prune_empty: bool = False) -> IngestSummary:
    """Index `specs` (default: the sources file). `prune_empty`: also remove the documents of a
    source that suddenly yields nothing or far less (otherwise kept, with a warning)."""
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
    run = _Run(home, embedding, summary, say, _warn)
    for i, spec in enumerate(specs):
        run.read_source(i, len(specs), spec, ctx, _warn)
    run.finish(home, embedding, prune, prune_empty, ctx.refused)
    summary.seconds = time.monotonic() - started
    say(1.0, "done")
    return summary


def _doc_filter(doc_ids: list[str]) -> dict:
    return {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": doc_ids}}


def _forget_missing(ids: list[str], manifest: Manifest) -> None:
    """A document the manifest lists whose chunks are not all in the store (the store was deleted,
    CHROMA_HOST points at another server, a crash) is re-checked instead of skipped forever."""
    if not manifest.docs:
        return
    present = set(ids)
    for entry in manifest.docs.values():
        if any(cid not in present for cid in entry.get("chunks", [])):
            entry["hash"] = ""


def _prune(store, manifest: Manifest, seen: dict[str, set[str]]) -> tuple[int, int]:
    """Delete documents of successfully read sources that are no longer there (store and manifest);
    returns (documents removed, chunks deleted).

    A chunk the manifest lists belongs to the document it is listed under (ids hash the doc id);
    only chunks the manifest does not know (left by a crash) need their metadata read."""
    present = set(all_ids(store))
    known = {cid for e in manifest.docs.values() for cid in e.get("chunks", [])}
    orphans: dict[str, dict[str, list[str]]] = {}     # source -> doc id -> chunk ids
    unknown = [cid for cid in present if cid not in known]
    for i in range(0, len(unknown), 5000):
        got = store.collection.get(ids=unknown[i:i + 5000], include=["metadatas"])
        for cid, m in zip(got["ids"], got["metadatas"]):
            orphans.setdefault(m.get("source", ""), {}).setdefault(m.get("doc_id", ""), []).append(cid)
    removed = 0
    stale: list[str] = []
    for source, current in seen.items():
        stray = orphans.get(source, {})
        # every chunk of a source just read is listed in the manifest; one that is not is stale,
        # even when its document is current (a crash, then the page reverted to what was indexed)
        stale += [c for ids in stray.values() for c in ids]
        gone = (set(stray) | {d for d, e in manifest.docs.items() if e.get("source") == source}) - current
        for doc_id in gone:
            stale += [c for c in manifest.docs.pop(doc_id, {}).get("chunks", []) if c in present]
            removed += 1
    for i in range(0, len(stale), 5000):
        store.delete(ids=stale[i:i + 5000])
    if removed:
        manifest.save()
    return removed, len(stale)
