"""Calibrate and measure `ask`'s abstention on labelled questions (answerable or not).

Each question comes with what the admin pasted (`context`: none, canonical, plugins_only, wiki,
case:<dir>). The script builds two indexes once per run (kb/ + Haraka's npm docs; the same plus
the sample team wiki), asks every question offline, and prints:

- abstention precision (of the answers that abstained, how many questions were unanswerable)
  and recall (of the unanswerable questions, how many got an abstention), per language;
- for answerable questions, how many answers are *right*: they cite one of the expected sources
  or lead with one of the expected rules;
- the questions that went wrong, with what the answer did.

    .venv/bin/python bench/calibration/run.py                          # dev set
    .venv/bin/python bench/calibration/run.py --set tests/heldout/calibration.yaml
    cd /tmp/old-checkout && /work/main/.venv/bin/python /work/main/bench/calibration/run.py --repo .

`--repo` measures another checkout of mxdoctor (the code before a change) with the same questions.
The same questions and contexts, in the same process, are the baseline and the change.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
HERE = Path(__file__).resolve().parent
DEFAULT_SET = HERE / "dev.yaml"


def _setup_path(repo: Path) -> None:
    sys.path.insert(0, str(repo))


def build_indexes(repo: Path, work: Path, offline: bool) -> dict[str, Path]:
    """Two data homes: kb + Haraka docs, and the same plus the sample team wiki."""
    from ingest.pipeline import ingest
    wiki = repo / "tests" / "fixtures" / "docs" / "wiki"
    homes = {"kb": work / "home-kb", "wiki": work / "home-wiki"}
    upstream = {"type": "npm", "package": "Haraka", "version": "3.3.4",
                "paths": ["README.md", "docs/*.md", "docs/**/*.md"],
                "repo_url": "https://github.com/haraka/Haraka/blob/v3.3.4"}
    specs = {"kb": [{"type": "kb"}, upstream],
             "wiki": [{"type": "kb"}, upstream, {"type": "folder", "path": str(wiki),
                                                 "url_base": "https://wiki.example.com/mail"}]}
    for name, home in homes.items():
        home.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        s = ingest(specs[name], home=home, offline=offline)
        print(f"index {name}: {s.line()} ({time.perf_counter() - t0:.1f}s)", file=sys.stderr)
    return homes


def context_args(repo: Path, context: str) -> dict:
    canonical = repo / "kb" / "examples" / "canonical" / "config"
    if context in ("none", "wiki"):
        return {}
    if context == "canonical":
        return {"paths": [str(canonical)]}
    if context == "plugins_only":
        return {"texts": [("config/plugins", (canonical / "plugins").read_text(encoding="utf-8"))]}
    if context.startswith("case:"):
        case = repo / "tests" / "cases" / context.split(":", 1)[1]
        cfg = case / "config"
        logs = sorted((case / "logs").glob("*")) if (case / "logs").is_dir() else []
        return {"paths": [str(cfg)] if cfg.is_dir() else [], "log_paths": [str(p) for p in logs]}
    raise ValueError(f"unknown context {context!r}")


def cited_sources(answer) -> list[str]:
    """What the answer cites, as the set's source names: note names, wiki:<file>, haraka-docs."""
    out = []
    for p in answer.passages or []:
        url = str(p.get("url") or "")
        if "/notes/" in url:
            out.append(url.rsplit("/", 1)[-1].split("#")[0].removesuffix(".zh"))
        elif "wiki.example.com" in url or "/wiki/" in url:
            out.append("wiki:" + url.rsplit("/", 1)[-1].split("#")[0])
        elif "github.com/haraka/Haraka" in url:
            out.append("haraka-docs")
        elif url.startswith("mxdoctor://rules/"):
            out.append("rule:" + url.rsplit("/", 1)[-1])
        else:
            out.append(url)
    return out


def _norm_source(name: str) -> str:
    """`wiki:runbooks/restart-haraka.md` and a cited `wiki:restart-haraka` are the same page."""
    from urllib.parse import unquote
    if name.startswith("wiki:"):
        stem = unquote(name[5:]).rsplit("/", 1)[-1]
        return "wiki:" + (stem.rsplit(".", 1)[0] if "." in stem else stem)
    return name


def is_right(q: dict, answer, sources: list[str]) -> bool:
    expect = q.get("expect") or {}
    want_sources = {_norm_source(s) for s in expect.get("sources") or []}
    if want_sources & {_norm_source(s) for s in sources}:
        return True
    return bool(set(expect.get("rules") or []) & set(answer.relevant or []))


def run(questions: list[dict], repo: Path, homes: dict[str, Path], verbose: bool) -> dict:
    from app.answer import Session
    from app.retrieval.index import Index
    indexes = {name: Index(home) for name, home in homes.items()}
    rows = []
    for q in questions:
        index = indexes["wiki" if q["context"] == "wiki" else "kb"]
        home = homes["wiki" if q["context"] == "wiki" else "kb"]
        sess = Session(**context_args(repo, q["context"]), home=home, index=index, persist=False,
                       record_unanswered=False)
        t0 = time.perf_counter()
        ans = sess.ask(q["question"], use_llm=False)
        took = time.perf_counter() - t0
        sources = cited_sources(ans)
        right = (not ans.abstained) and q["answerable"] and is_right(q, ans, sources)
        rows.append({"q": q, "abstained": ans.abstained, "right": right, "sources": sources,
                     "relevant": list(ans.relevant or []), "words": len(ans.answer.split()), "seconds": took})
    return {"rows": rows}


def ratio(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.2f}" if b else f"{a}/0"


def report(result: dict, label: str, show_misses: bool) -> None:
    rows = result["rows"]
    print(f"\n== {label}: {len(rows)} questions")
    for lang in ("all", "en", "zh"):
        sub = [r for r in rows if lang == "all" or r["q"]["lang"] == lang]
        unans = [r for r in sub if not r["q"]["answerable"]]
        ans = [r for r in sub if r["q"]["answerable"]]
        abst = [r for r in sub if r["abstained"]]
        tp = sum(1 for r in abst if not r["q"]["answerable"])
        right = sum(1 for r in ans if r["right"])
        print(f"  {lang:3}  abstention precision {ratio(tp, len(abst)):16}  recall {ratio(tp, len(unans)):16}  "
              f"answerable answered right {ratio(right, len(ans))}")
    by_ctx = Counter()
    for r in rows:
        ok = r["right"] if r["q"]["answerable"] else r["abstained"]
        by_ctx[(r["q"]["context"].split(":")[0], ok)] += 1
    ctxs = sorted({k for k, _ in by_ctx})
    print("  by context (ok/total): " + ", ".join(f"{c} {by_ctx[(c, True)]}/{by_ctx[(c, True)] + by_ctx[(c, False)]}"
                                                 for c in ctxs))
    words = sorted(r["words"] for r in rows if not r["abstained"])
    if words:
        print(f"  answer length (words, answered): median {words[len(words) // 2]}, max {words[-1]}")
    if show_misses:
        for r in rows:
            q = r["q"]
            wrong = (not r["right"]) if q["answerable"] else (not r["abstained"])
            if wrong:
                what = "abstained" if r["abstained"] else f"cited {r['sources'][:5]} led {r['relevant'][:3]}"
                print(f"  MISS {q['id']} [{q['lang']} {q['context']} {'A' if q['answerable'] else 'U'}] "
                      f"{q['question'][:90]!r} -> {what}; want {q.get('expect')}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default=str(DEFAULT_SET), help="question file (YAML list)")
    ap.add_argument("--repo", default=str(HERE.parent.parent), help="mxdoctor checkout to measure")
    ap.add_argument("--work", default=None, help="where to build the indexes (default: a temp dir)")
    ap.add_argument("--offline", action="store_true", help="do not fetch Haraka's docs from npm")
    ap.add_argument("--misses", action="store_true", help="list every question that went wrong")
    args = ap.parse_args()
    repo = Path(args.repo).resolve()
    _setup_path(repo)
    import yaml
    questions = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="mxd-calib-"))
    os.environ["MXDOCTOR_HOME"] = str(work / "home-kb")
    homes = build_indexes(repo, work, args.offline)
    t0 = time.perf_counter()
    result = run(questions, repo, homes, args.misses)
    report(result, f"{Path(args.set).name} on {repo}", args.misses)
    print(f"  {len(questions)} questions in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
