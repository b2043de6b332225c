"""Is the index on disk what the last ingest wrote? Checks that turn silent damage into a clear error.

The manifest records a sha256 of every file of the lexical index (bm25s writes plain files that
nothing else touches) and a sha256 of the vector store's content (ids and texts). Chroma's own
files cannot carry a byte checksum: Chroma rewrites `chroma.sqlite3` and its HNSW files each
time a client opens them, even to read. So its sqlite file gets SQLite's own `quick_check`, and
each chunk is checked against its id, which hashes its document, its text and its repeat count
(`ingest.chunking.chunk_id`). `ingest` rebuilds what fails; `search` and `ask` raise
`IndexDamaged` and say so instead of crashing or answering without the knowledge base.
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Any


class IndexDamaged(RuntimeError):
    """The index cannot be read, or differs from what the last ingest recorded: run `mxdoctor ingest`."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def folder_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by its path relative to it."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def digest_problems(folder: Path, recorded: dict[str, str]) -> list[str]:
    """What differs between `folder` and the digests recorded for it (empty: identical)."""
    now = folder_digests(folder)
    out = [f"{name} is missing" for name in sorted(set(recorded) - set(now))]
    out += [f"{name} changed since the last ingest" for name in sorted(set(recorded) & set(now))
            if recorded[name] != now[name]]
    out += [f"{name} was not written by an ingest" for name in sorted(set(now) - set(recorded))]
    return out


def lexical_problems(folder: Path, index_record: dict[str, Any] | None) -> list[str] | None:
    """Damage to the lexical index against the manifest's record; None when nothing was recorded
    (a manifest from before checksums), so the caller decides whether to trust or rebuild."""
    recorded = (index_record or {}).get("lexical")
    if not isinstance(recorded, dict):
        return None
    if not folder.is_dir() and folder.with_name(folder.name + ".old").is_dir():
        folder = folder.with_name(folder.name + ".old")    # an ingest killed between its two renames
    return digest_problems(folder, recorded)


def sqlite_problem(db: Path) -> str | None:
    """SQLite's quick_check of a database file (read-only); None when it is sound or absent."""
    if not db.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    first = str(rows[0][0]) if rows else "no answer"
    return None if first == "ok" else first.splitlines()[-1][:200]


def content_digest(ids: list[str], texts: list[str]) -> str:
    """One sha256 over the store's (id, text) pairs, independent of their order."""
    h = hashlib.sha256()
    for cid, text in sorted(zip(ids, texts)):
        h.update(cid.encode() + b"\x00" + hashlib.sha256((text or "").encode("utf-8", "replace")).digest())
    return h.hexdigest()


def damaged_chunks(ids: list[str], texts: list[str], metas: list[dict]) -> list[str]:
    """Chunks whose text or document no longer hash to their id (see `ingest.chunking.number_chunks`)."""
    from ingest.chunking import chunk_id
    by_doc: dict[tuple[str, str], int] = {}
    for text, meta in zip(texts, metas):
        key = (str((meta or {}).get("doc_id", "")), text or "")
        by_doc[key] = by_doc.get(key, 0) + 1
    bad: list[str] = []
    for cid, text, meta in zip(ids, texts, metas):
        doc_id, text = str((meta or {}).get("doc_id", "")), text or ""
        # the k-th repeat of a text in its document is hashed with k (k < how often the text occurs)
        if not any(chunk_id(doc_id, text, k) == cid for k in range(by_doc[(doc_id, text)])):
            bad.append(cid)
    return bad

def set_aside(path: Path) -> Path:
    """Rename a damaged file or folder to `<name>.damaged-<time>` beside it (kept, never deleted)."""
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        n += 1
    path.rename(target)
    return target
