"""What an ingest checks before it trusts the index on disk, and how it repairs what failed.

The vector store: SQLite's quick_check of Chroma's database and a full read; a store that fails
either is set aside (kept beside as `chroma.damaged-<time>`) and rebuilt from the sources. Chunks
whose text no longer hashes to their id are deleted and their documents indexed again. The
lexical index: its files against the checksums in the manifest, then a load; any difference
rebuilds it. Every repair is a warning, so `ingest` never calls a damaged index current.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ingest.integrity import (
    IndexDamaged,
    content_digest,
    damaged_chunks,
    folder_digests,
    lexical_problems,
    set_aside,
    sqlite_problem,
)
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.store import all_chunks, forget_client, is_local

Warn = Callable[[str], None]
Chunks = tuple[list[str], list[str], list[dict]]


def store_file_damaged(home: Path, warn: Warn) -> bool:
    """A local store whose database fails SQLite's quick_check is set aside; True when it was."""
    if not is_local():
        return False
    db = home / "chroma" / "chroma.sqlite3"
    problem = sqlite_problem(db)
    if problem is None:
        return False
    _set_aside_store(home, f"its database fails SQLite's integrity check ({problem})", warn)
    return True


def read_store(store, home: Path, warn: Warn) -> Chunks | None:
    """Every chunk of the store; None when a local store could not be read and was set aside
    (the caller opens a fresh one). A Chroma server that fails is the server's to repair."""
    try:
        return all_chunks(store)
    except Exception as exc:        # chromadb raises its own kinds and sqlite's on a damaged store
        if not is_local():
            raise IndexDamaged(f"the Chroma server could not be read ({exc.__class__.__name__}: {exc})") from exc
        _set_aside_store(home, f"it cannot be read ({exc.__class__.__name__}: {str(exc)[:160]})", warn)
        return None


def _set_aside_store(home: Path, why: str, warn: Warn) -> None:
    forget_client(home)
    moved = set_aside(home / "chroma")
    warn(f"the vector store in {home / 'chroma'} is damaged: {why}. It was moved to {moved} and is rebuilt "
         "from the sources")


def drop_damaged_chunks(store, manifest: Manifest, chunks: Chunks, warn: Warn) -> Chunks:
    """Delete chunks that no longer match their ids; their documents are indexed again this run.
    Skipped when the store's content is exactly what the last ingest recorded."""
    ids, texts, metas = chunks
    recorded = (manifest.index.get("store") or {}).get("sha256")
    if recorded and recorded == content_digest(ids, texts):
        return chunks
    bad = set(damaged_chunks(ids, texts, metas))
    if not bad:
        return chunks
    store.delete(ids=sorted(bad))
    for entry in manifest.docs.values():
        if bad.intersection(entry.get("chunks", [])):
            entry["hash"] = ""
    warn(f"{len(bad)} chunk(s) in the vector store no longer match their ids (damaged): removed, and their "
         "documents indexed again")
    keep = [i for i, cid in enumerate(ids) if cid not in bad]
    return [ids[i] for i in keep], [texts[i] for i in keep], [metas[i] for i in keep]


def lexical_state(path: Path, manifest: Manifest, ids: list[str], warn: Warn) -> str:
    """"" when the lexical index can be kept; else why it must be built: "damaged" (its files
    differ from their checksums or cannot be loaded: warned), "unrecorded" (a manifest from before
    checksums), "stale" (it covers other chunks, e.g. after a killed run)."""
    problems = lexical_problems(path, manifest.index)
    if problems is None:
        return "unrecorded"
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        warn(f"the lexical index in {path} is damaged ({problems[0]}{more}): rebuilt")
        return "damaged"
    try:
        LexicalIndex.load(path)
    except IndexDamaged as exc:
        warn(f"{exc}: rebuilt")
        return "damaged"
    return "" if lexical_matches(path, ids) else "stale"


def lexical_matches(path: Path, ids: list[str]) -> bool:
    """The saved lexical index covers exactly these chunk ids (so an unchanged run can keep it)."""
    try:
        saved = json.loads((path / "ids.json").read_text())
    except (OSError, ValueError):
        return False
    return sorted(saved) == sorted(ids) and (not ids or (path / "bm25").is_dir())


def record(manifest: Manifest, path: Path, embedding: str, ids: list[str], texts: list[str]) -> None:
    """The checksums of what this ingest leaves: the lexical files and the store's content."""
    manifest.index = {"embedding": embedding, "lexical": folder_digests(path),
                      "store": {"chunks": len(ids), "sha256": content_digest(ids, texts)}}
