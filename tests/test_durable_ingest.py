"""Nothing lost, nothing silently wrong: an empty source and a damaged index, with real parts.

A folder that suddenly yields nothing (an unmounted wiki share) or far less keeps its documents
until the user confirms; a damaged bm25 file, a damaged Chroma database and a chunk whose text
changed inside the store are detected: `search` and `ask` say the index is damaged (no
traceback, no silent answer without it) and `ingest` rebuilds it, ending in the state a clean
ingest produces. Real Chroma PersistentClient, real bm25s, the `hash-64` embedding; the CLI
runs as separate processes, as an admin runs it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.retrieval.index import Index, IndexDamaged, open_index
from app.retrieval.search import search
from ingest.embeddings import get_embeddings
from ingest.integrity import folder_digests
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.pipeline import ingest, lexical_path
from ingest.store import all_chunks, forget_client, vector_store

HASH = "hash-64"
ROOT = Path(__file__).resolve().parent.parent
WORDS = "haraka wildduck mongodb relay plugin queue tls certificate listener greylist quota alias".split()


def make_wiki(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(40))
        (folder / f"page-{i:03d}.md").write_text(f"# Page {i} zorblatt{i}\n\n{body}.\n", encoding="utf-8")
    return folder


def spec(folder: Path) -> dict:
    return {"type": "folder", "path": str(folder), "name": "wiki"}


def snapshot(home: Path) -> dict:
    """What a reader gets: every chunk's text, the manifest's documents, the lexical ids (read
    through a fresh client: another process may have replaced the store since)."""
    forget_client(home)
    ids, texts, _ = all_chunks(vector_store(home, get_embeddings(HASH), HASH))
    return {"texts": dict(zip(ids, texts)), "docs": sorted(Manifest.load(home / "manifest.json").docs),
            "lexical": sorted(LexicalIndex.load(lexical_path(home, HASH)).ids)}


# ---------------------------------------------------------------- a source that yields nothing

def test_an_empty_folder_keeps_its_documents_until_confirmed(tmp_path):
    wiki, home = make_wiki(tmp_path / "share", 30), tmp_path / "home"
    first = ingest([spec(wiki)], home=home, embedding=HASH)
    clean = snapshot(home)
    assert first.added == 30 and len(clean["docs"]) == 30
    moved = tmp_path / "elsewhere"
    shutil.move(str(wiki), moved)
    wiki.mkdir()                                   # the mount point is there, the share is not mounted
    for _ in range(2):                             # and it stays held run after run
        warnings: list[str] = []
        held = ingest([spec(wiki)], home=home, embedding=HASH, warn=warnings.append)
        assert held.removed == 0 and held.held == [{"source": "wiki", "before": 30, "now": 0, "missing": 30}]
        assert any("wiki" in w and "30" in w and "--prune-empty" in w for w in warnings)
        assert "30 documents kept" in held.line()
        assert snapshot(home) == clean             # nothing lost
        assert Manifest.load(home / "manifest.json").sources["wiki"]["held"] == 30
    assert search("zorblatt7", mode="lexical", index=Index(home, HASH))[0].title == "Page 7 zorblatt7"
    shutil.rmtree(wiki)
    shutil.move(str(moved), wiki)                  # mounted again: nothing to do, nothing was lost
    back = ingest([spec(wiki)], home=home, embedding=HASH)
    assert (back.added, back.removed, back.chunks, back.held) == (0, 0, 0, [])
    assert "held" not in Manifest.load(home / "manifest.json").sources["wiki"]
    shutil.rmtree(wiki)
    wiki.mkdir()
    confirmed = ingest([spec(wiki)], home=home, embedding=HASH, prune_empty=True)
    assert confirmed.removed == 30 and confirmed.total_chunks == 0
    assert snapshot(home) == {"texts": {}, "docs": [], "lexical": []}


def test_losing_most_documents_is_held_but_a_few_deletions_are_pruned(tmp_path):
    wiki, home = make_wiki(tmp_path / "wiki", 30), tmp_path / "home"
    ingest([spec(wiki)], home=home, embedding=HASH)
    for i in range(3):
        (wiki / f"page-{i:03d}.md").unlink()
    few = ingest([spec(wiki)], home=home, embedding=HASH)
    assert few.removed == 3 and not few.held
    for i in range(3, 23):                         # 20 of the remaining 27 gone at once
        (wiki / f"page-{i:03d}.md").unlink()
    most = ingest([spec(wiki)], home=home, embedding=HASH)
    assert most.removed == 0 and most.held == [{"source": "wiki", "before": 27, "now": 7, "missing": 20}]
    assert len(snapshot(home)["docs"]) == 27


# ---------------------------------------------------------------- a damaged index, in process

def test_a_damaged_lexical_file_is_reported_then_rebuilt(tmp_path):
    wiki, home = make_wiki(tmp_path / "wiki", 12), tmp_path / "home"
    ingest([spec(wiki)], home=home, embedding=HASH)
    clean = snapshot(home)
    recorded = Manifest.load(home / "manifest.json").index
    assert recorded["lexical"] == folder_digests(lexical_path(home, HASH)) and recorded["store"]["chunks"] == 12
    vocab = lexical_path(home, HASH) / "bm25" / "vocab.index.json"
    vocab.write_text(vocab.read_text().replace("zorblatt3", "zorblatt9", 1))   # still loads: only the checksum knows
    index = Index(home, HASH)
    assert "vocab.index.json changed" in index.problem
    with pytest.raises(IndexDamaged):
        search("zorblatt3", index=index)
    assert open_index(index)[1].startswith("damaged: ")
    warnings: list[str] = []
    again = ingest([spec(wiki)], home=home, embedding=HASH, warn=warnings.append)
    assert again.rebuilt == ["lexical index"] and any("lexical index" in w and "damaged" in w for w in warnings)
    assert snapshot(home) == clean
    assert search("zorblatt3", mode="lexical", index=Index(home, HASH))[0].title == "Page 3 zorblatt3"


def test_a_chunk_changed_inside_the_store_is_removed_and_indexed_again(tmp_path):
    wiki, home = make_wiki(tmp_path / "wiki", 12), tmp_path / "home"
    ingest([spec(wiki)], home=home, embedding=HASH)
    clean = snapshot(home)
    store = vector_store(home, get_embeddings(HASH), HASH)
    victim = sorted(clean["texts"])[0]
    vector = store.collection.get(ids=[victim], include=["embeddings"])["embeddings"][0]
    store.collection.update(ids=[victim], documents=["relay open to everyone, disable every check"],
                            embeddings=[vector])          # the text rots, its vector and id stay
    warnings: list[str] = []
    again = ingest([spec(wiki)], home=home, embedding=HASH, warn=warnings.append)
    assert any("no longer match their ids" in w for w in warnings)
    assert again.updated == 1 and again.chunks == 1
    assert snapshot(home) == clean


def test_a_manifest_from_before_checksums_gets_them_without_a_false_alarm(tmp_path):
    wiki, home = make_wiki(tmp_path / "wiki", 5), tmp_path / "home"
    ingest([spec(wiki)], home=home, embedding=HASH)
    data = json.loads((home / "manifest.json").read_text())
    del data["index"]
    (home / "manifest.json").write_text(json.dumps(data))
    assert Index(home, HASH).problem is None                  # nothing recorded: nothing to accuse
    warnings: list[str] = []
    again = ingest([spec(wiki)], home=home, embedding=HASH, warn=warnings.append)
    assert not warnings and not again.rebuilt and Manifest.load(home / "manifest.json").index["lexical"]


# ---------------------------------------------------------------- the CLI, as separate processes

def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, MXDOCTOR_HOME=str(home), MXDOCTOR_EMBEDDING=HASH, PYTHONPATH=str(ROOT))
    env.pop("MXDOCTOR_LLM_BACKEND", None)
    env.pop("CHROMA_HOST", None)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_cli_damaged_bm25_and_chroma_files_and_an_unmounted_share(tmp_path):
    home, wiki = tmp_path / "home", make_wiki(tmp_path / "share", 25)
    first = _cli(home, "ingest", "--kb-only", "--add-folder", str(wiki))
    assert first.returncode == 0, first.stderr
    clean = snapshot(home)

    data = lexical_path(home, HASH) / "bm25" / "data.csc.index.npy"
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])          # a torn write
    for _ in range(2):                                                        # every time, not once
        found = _cli(home, "search", "zorblatt4")
        assert found.returncode == 2 and "damaged" in found.stderr and "Traceback" not in found.stderr
    asked = _cli(home, "ask", "why is wildduck not storing mail?")
    assert asked.returncode == 0 and "index is damaged" in asked.stderr and "mxdoctor ingest" in asked.stderr
    fixed = _cli(home, "ingest", "--kb-only")
    assert fixed.returncode == 0 and "rebuilt (damaged): lexical index" in fixed.stdout
    assert "lexical index" in fixed.stderr and "damaged" in fixed.stderr
    assert snapshot(home) == clean
    assert "zorblatt4" in _cli(home, "search", "zorblatt4", "--mode", "lexical").stdout

    db = home / "chroma" / "chroma.sqlite3"
    raw = bytearray(db.read_bytes())
    start = len(raw) // 3 // 4096 * 4096
    raw[start: start + 16 * 4096] = b"\x5a" * (16 * 4096)                     # 16 pages lost to a bad disk
    db.write_bytes(bytes(raw))
    found = _cli(home, "search", "zorblatt4")
    assert found.returncode == 2 and "damaged" in found.stderr and "Traceback" not in found.stderr
    fixed = _cli(home, "ingest", "--kb-only")
    assert fixed.returncode == 0 and "rebuilt (damaged): vector store" in fixed.stdout, fixed.stderr
    assert list(home.glob("chroma.damaged-*")), "the damaged store is kept aside, not deleted"
    assert snapshot(home) == clean
    assert "zorblatt4" in _cli(home, "search", "zorblatt4").stdout

    shutil.rmtree(wiki)
    wiki.mkdir()                                                              # the share is not mounted
    held = _cli(home, "ingest", "--kb-only")
    assert held.returncode == 0 and "25 are indexed from it" in held.stderr and "--prune-empty" in held.stderr
    assert "25 missing documents kept" in held.stdout
    assert snapshot(home) == clean
    pruned = _cli(home, "ingest", "--kb-only", "--prune-empty")
    assert pruned.returncode == 0 and "25 removed" in pruned.stdout
