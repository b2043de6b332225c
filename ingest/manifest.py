"""What is indexed: one entry per document (content hash, chunk ids, origin), written atomically.

The manifest lets an unchanged document be skipped. It is never the only record of what is in
the store: the pipeline reads the store itself to remove stale chunks, so a crash between the
store write and the manifest write converges on the next run.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Manifest:
    path: Path
    embedding: str = ""
    chunker: str = ""
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_ingest: float | None = None
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        return cls(path, data.get("embedding", ""), data.get("chunker", ""), data.get("docs", {}),
                   data.get("last_ingest"), data.get("sources", {}))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"embedding": self.embedding, "chunker": self.chunker, "last_ingest": self.last_ingest, "sources": self.sources,
                "docs": self.docs}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".manifest-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
