"""What is indexed: one entry per document (content hash, chunk ids, origin), written atomically.

The manifest lets an unchanged document be skipped. It is never the only record of what is in
the store: the pipeline reads the store itself to remove stale chunks, so a crash between the
store write and the manifest write converges on the next run. `index` holds the checksums of
what the last ingest wrote (`ingest.integrity`): the lexical index's files and the store's content.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.atomic import write_atomic


@dataclass
class Manifest:
    path: Path
    embedding: str = ""
    chunker: str = ""
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_ingest: float | None = None
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        return cls(path, data.get("embedding", ""), data.get("chunker", ""), data.get("docs", {}),
                   data.get("last_ingest"), data.get("sources", {}), data.get("index") or {})

    def save(self) -> None:
        data = {"embedding": self.embedding, "chunker": self.chunker, "last_ingest": self.last_ingest,
                "sources": self.sources, "index": self.index, "docs": self.docs}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False))
