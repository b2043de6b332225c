"""Record what mxdoctor says, so a refactor can prove it changed nothing.

For every case under tests/cases it runs `check` (json and markdown), `simulate` and `triage`
through the CLI, and for every question of the calibration dev set it asks offline (the same
indexes and contexts as bench/calibration/run.py) and keeps the whole answer. The result is one
JSON file; run it on the code before and after a change and compare the two files:

    .venv/bin/python bench/snapshot.py --out /tmp/after.json
    cd /tmp/before && /work/main/.venv/bin/python bench/snapshot.py --repo . --out /tmp/before.json
    .venv/bin/python bench/snapshot.py --compare /tmp/before.json /tmp/after.json

Only the CLI (`app.cli.main`) and the answer session are called, so the script works on both
sides of a move of modules. Paths of temporary folders are replaced by placeholders.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
HERE = Path(__file__).resolve().parent


def _cli(repo: Path, argv: list[str]) -> str:
    from app.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    text = f"exit={code}\n{out.getvalue()}"
    return text.replace(str(repo), "<repo>")


def case_outputs(repo: Path) -> dict:
    """check/simulate/triage on every dev case, through the CLI."""
    result = {}
    for case in sorted((repo / "tests" / "cases").iterdir()):
        cfg = case / "config"
        logs = sorted(str(p) for p in (case / "logs").glob("*")) if (case / "logs").is_dir() else []
        paths = [str(cfg)] if cfg.is_dir() else []
        log_args = ["--logs", *logs] if logs else []
        row = {}
        if paths or logs:
            row["check.json"] = _cli(repo, ["check", *paths, *log_args, "--format", "json", "--fail-on", "never"])
            row["check.md"] = _cli(repo, ["check", *paths, *log_args, "--format", "markdown", "--fail-on", "never"])
        if paths:
            row["simulate"] = _cli(repo, ["simulate", *paths, *log_args])
        if logs:
            row["triage"] = _cli(repo, ["triage", *logs])
        result[case.name] = row
    return result


def answers(repo: Path, work: Path) -> dict:
    """Every dev-set question asked offline, with the whole answer kept."""
    sys.path.insert(0, str(HERE / "calibration"))
    import run as calib  # bench/calibration/run.py
    import yaml
    questions = yaml.safe_load((HERE / "calibration" / "dev.yaml").read_text(encoding="utf-8"))
    os.environ["MXDOCTOR_HOME"] = str(work / "home-kb")
    homes = calib.build_indexes(repo, work, offline=False)
    from app.answer import Session
    try:
        from app.retrieval import Index
    except ImportError:
        from app.retrieval.index import Index
    indexes = {name: Index(home) for name, home in homes.items()}
    out = {}
    for q in questions:
        name = "wiki" if q["context"] == "wiki" else "kb"
        sess = Session(**calib.context_args(repo, q["context"]), home=homes[name], index=indexes[name],
                       persist=False, record_unanswered=False)
        ans = sess.ask(q["question"], use_llm=False)
        out[q["id"]] = {"abstained": ans.abstained, "relevant": list(ans.relevant or []),
                        "sources": calib.cited_sources(ans),
                        "answer": ans.answer.replace(str(work), "<work>").replace(str(repo), "<repo>")}
    return out


def compare(before: Path, after: Path) -> int:
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (before, after))
    diffs = 0
    for part in ("cases", "answers"):
        for key in sorted(set(a[part]) | set(b[part])):
            if a[part].get(key) != b[part].get(key):
                diffs += 1
                print(f"DIFF {part}/{key}")
                left, right = a[part].get(key) or {}, b[part].get(key) or {}
                for field in sorted(set(left) | set(right)):
                    if left.get(field) != right.get(field):
                        print(f"  {field}:\n    before {str(left.get(field))[:400]!r}\n    after  {str(right.get(field))[:400]!r}")
    n = sum(len(a[p]) for p in ("cases", "answers"))
    print(f"{n - diffs}/{n} identical")
    return 1 if diffs else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", default=str(HERE.parent))
    ap.add_argument("--out")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--no-answers", action="store_true", help="only the CLI outputs on the cases")
    args = ap.parse_args()
    if args.compare:
        return compare(Path(args.compare[0]), Path(args.compare[1]))
    repo = Path(args.repo).resolve()
    sys.path.insert(0, str(repo))
    os.chdir(repo)
    work = Path(tempfile.mkdtemp(prefix="mxd-snap-"))
    os.environ.setdefault("MXDOCTOR_HOME", str(work / "home-cli"))
    snap = {"cases": case_outputs(repo), "answers": {} if args.no_answers else answers(repo, work)}
    text = json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True)
    text = re.sub(r"/tmp/mxd-snap-\w+", "<work>", text)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"{len(snap['cases'])} cases, {len(snap['answers'])} answers -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
