"""Crash safety: an ingest killed with SIGKILL at random moments, then run to completion, ends in
exactly the state a clean ingest produces — same chunks, same texts, same manifest, same lexical
index. Real subprocesses, a real Chroma PersistentClient, the `hash-64` embedding."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ingest.embeddings import get_embeddings
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.pipeline import lexical_path
from ingest.store import all_chunks, vector_store

HASH = "hash-64"
DOCS = 150
BUDGET = 60.0          # seconds for the whole test
WORDS = ("haraka wildduck mongodb redis queue rcpt mail relay plugin hook timeout tls certificate port "
         "listener dnsbl spf dkim dmarc karma greylist bounce deferral recipient sender mailbox imap "
         "header body attachment quota domain alias forward smtp lmtp journal restart config").split()

RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ingest.pipeline import ingest
    Path(sys.argv[3]).touch()     # imports done: the work (and the kill window) starts now
    summary = ingest([{"type": "folder", "path": sys.argv[1], "name": "gen"}], home=Path(sys.argv[2]),
                     embedding="hash-64")
    print(summary.line())
""")


def generate(folder: Path, seed: int = 7) -> None:
    """~150 pages of several sections each, so a run makes many batches of writes."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True)
    for n in range(DOCS):
        parts = [f"# Page {n}: {' '.join(rnd.sample(WORDS, 3))}", ""]
        for s in range(rnd.randint(1, 4)):
            parts += [f"## Section {s} about {rnd.choice(WORDS)}", ""]
            for _ in range(rnd.randint(1, 5)):
                parts += [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(20, 90))) + ".", ""]
            if rnd.random() < 0.3:
                parts += ["```ini", f"[main]\nport={rnd.randint(1, 65535)}\nhost={rnd.choice(WORDS)}.example", "```", ""]
        sub = folder / f"part{n % 5}"
        sub.mkdir(exist_ok=True)
        (sub / f"page-{n:03d}.md").write_text("\n".join(parts), encoding="utf-8")


def start(folder: Path, home: Path, marker: Path) -> subprocess.Popen:
    if marker.exists():
        marker.unlink()
    env = dict(os.environ, MXDOCTOR_EMBEDDING=HASH, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(folder), str(home), str(marker)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(proc: subprocess.Popen, marker: Path, deadline: float) -> None:
    while proc.poll() is None and not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.002)


def run_to_end(folder: Path, home: Path, timeout: float) -> tuple[float, str]:
    """Run one ingest to completion; (seconds from the start of its work to its exit, stdout)."""
    marker = home.parent / f"{home.name}.started"
    proc = start(folder, home, marker)
    try:
        wait_for(proc, marker, time.monotonic() + timeout)
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    return time.monotonic() - t0, out


def final_state(home: Path) -> dict:
    store = vector_store(home, get_embeddings(HASH), HASH)
    ids, texts, metas = all_chunks(store)
    manifest = Manifest.load(home / "manifest.json")
    return {"ids": sorted(ids), "texts": dict(zip(ids, texts)), "metas": dict(zip(ids, metas)),
            "docs": manifest.docs, "embedding": manifest.embedding, "n_ids": len(ids),
            "lexical": sorted(LexicalIndex.load(lexical_path(home, HASH)).ids)}


def test_killed_ingest_converges_to_a_clean_ingest(tmp_path):
    deadline = time.monotonic() + BUDGET
    folder = tmp_path / "docs"
    generate(folder)

    clean_home = tmp_path / "clean"
    work, out = run_to_end(folder, clean_home, timeout=BUDGET / 2)
    assert "150 documents" in out

    seed = int(time.time())
    rnd = random.Random(seed)
    home = tmp_path / "crashy"
    kills: list[str] = [f"seed {seed}, clean run {work:.2f}s"]
    for attempt in range(8):
        if time.monotonic() > deadline - 15 or sum(k.startswith("killed") for k in kills) >= 4:
            break
        # a resumed run only has the rest to do: aim somewhere inside what is left of the work
        left = 1.0 - len(Manifest.load(home / "manifest.json").docs) / DOCS
        delay = rnd.uniform(0.05, 0.95) * work * max(0.2, left)
        marker = tmp_path / "crashy.started"
        proc = start(folder, home, marker)
        try:
            wait_for(proc, marker, deadline)
            time.sleep(delay)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
                m = Manifest.load(home / "manifest.json")
                kills.append(f"killed after {delay:.2f}s with {len(m.docs)} docs in the manifest")
            else:
                _, err = proc.communicate()
                assert proc.returncode == 0, f"a resumed ingest failed after {kills}: {err[-3000:]}"
                kills.append(f"finished before {delay:.2f}s")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    print("\n".join(kills))      # shown with -s or on failure: where each kill landed
    assert sum(k.startswith("killed") for k in kills) >= 2, kills

    run_to_end(folder, home, timeout=max(5.0, deadline - time.monotonic()))
    assert time.monotonic() < deadline + 10, "the crash test took far longer than its budget"

    clean, crashed = final_state(clean_home), final_state(home)
    assert clean["n_ids"] == len(set(clean["ids"])) and crashed["n_ids"] == len(set(crashed["ids"])), \
        "duplicate chunk ids"
    assert crashed["ids"] == clean["ids"], kills
    assert crashed["texts"] == clean["texts"]
    assert crashed["metas"] == clean["metas"]
    assert crashed["docs"] == clean["docs"] and len(clean["docs"]) == DOCS
    assert crashed["lexical"] == clean["lexical"] == clean["ids"]
    assert sum(len(e["chunks"]) for e in crashed["docs"].values()) == crashed["n_ids"]
