"""What the knowledge base holds (sources, documents, chunks, last ingest), read from the manifest.

Also decides whether the index is usable for an embedding, so `mxdoctor app` and the app's first
page know when kb/ must be indexed before anything can be cited.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ingest.manifest import Manifest
from ingest.pipeline import lexical_path


@dataclass
class SourceStatus:
    name: str
    documents: int = 0
    chunks: int = 0
    ok: bool = True
    read: int = 0       # documents the last ingest read from it
    held: int = 0       # documents missing at the last ingest but kept (the source yielded nothing or far less)


@dataclass
class IndexStatus:
    home: Path
    embedding: str
    indexed_embedding: str = ""
    last_ingest: float | None = None
    sources: list[SourceStatus] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(s.documents for s in self.sources)

    @property
    def chunks(self) -> int:
        return sum(s.chunks for s in self.sources)

    @property
    def ready(self) -> bool:
        """Indexed with this embedding, and the lexical side is on disk."""
        return (self.last_ingest is not None and self.indexed_embedding == self.embedding
                and lexical_path(self.home, self.embedding).exists() and self.chunks > 0)

    def last_ingest_text(self) -> str:
        if not self.last_ingest:
            return "never"
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.last_ingest))


def index_status(home: Path, embedding: str) -> IndexStatus:
    m = Manifest.load(Path(home) / "manifest.json")
    by: dict[str, SourceStatus] = {}
    for entry in m.docs.values():
        s = by.setdefault(entry.get("source", "?"), SourceStatus(entry.get("source", "?")))
        s.documents += 1
        s.chunks += len(entry.get("chunks") or [])
    for name, info in m.sources.items():
        s = by.setdefault(name, SourceStatus(name))
        s.ok = bool(info.get("ok", True))
        s.read, s.held = int(info.get("documents") or 0), int(info.get("held") or 0)
    return IndexStatus(home=Path(home), embedding=embedding, indexed_embedding=m.embedding,
                       last_ingest=m.last_ingest, sources=sorted(by.values(), key=lambda s: s.name))


def first_start_sources(home: Path) -> list[dict]:
    """What a fresh machine indexes before the app opens: kb/ and the user's own sources, offline."""
    from ingest.sourcesfile import load_sources
    return load_sources(home, include_upstream=False)
