"""Bounded work: every attack on mxdoctor's inputs that the issue names, each measured in a child
process next to a real input of the same kind (the baseline), then "tried N, held M".

An attack holds when the attacked call ends (or is stopped with a message saying why) in under
10 s and under 500 MB peak memory:
  yaml-paste        a 343-byte YAML alias bomb pasted as config/wildduck.yaml (diagnose)
  yaml-rule         an alias bomb in a team rule file (`mxdoctor rules show MXD101 --rules DIR`)
  lines-<shape>     9.6 MB logs of 64 kB lines without spaces, one per shape (GELF JSON that MXD404
                    reads, plain text that MXD603 reads, an ERROR line the explainer reads), and
                    a 9.6 MB docker-compose.yml whose lines MXD401/MXD705 read
  line-50mb-log     one 50 MB line in a log file; line-50mb-paste: in a pasted config file
  upload-200mb      a 200 MB upload through the app's upload path, with Streamlit's own upload store:
                    what stays in memory after it was taken
  budget-time/-memory  the app's diagnosis worker (app.core.budget) on a real 50 MB log with a
                    budget it cannot meet (5 s; 100 MB): stopped, and the message
Baselines: the canonical wildduck.yaml, a real team rule, a real 9.6 MB log replayed from the
captured fixtures (bench/triage.py), a 20 MB upload.

    .venv/bin/python bench/bounds.py [--only NAME...] [--against DIR] [--kill-s 120] [--kill-mb 3000]

--against DIR also runs every case on another checkout (the code before this change); each child
is killed after --kill-s seconds and has at most --kill-mb MB of address space, so a bomb that
still goes off shows as "killed" or "MemoryError" instead of taking the machine down. Times are
wall clock inside the child around the attacked call; "cpu" and "peak" are the child's.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S, LIMIT_MB = 10.0, 500
MB = 1024 * 1024
LINE = 64_000


def _bomb_lines(first: str, row: str, levels: str) -> list[str]:
    lines, prev = [first], "a"
    for name in levels:
        lines.append(row.format(name=name, refs=",".join([f"*{prev}"] * 9)))
        prev = name
    return lines


def yaml_bomb() -> str:
    """9 levels of 9 aliases under `redis`, the key three rules compare: 387 million strings."""
    lines = _bomb_lines('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', "{name}: &{name} [{refs}]",
                        "bcdefgh")
    return "\n".join(lines + ["redis: [" + ",".join(["*h"] * 9) + "]"]) + "\n"


def rule_bomb() -> str:
    """A team rule whose `when` is 9 levels of 9 aliases of {any: [...]}: 43 million conditions."""
    first = "    - &a {any: [" + ",".join(["{plugins_file: true}"] * 9) + "]}"
    body = _bomb_lines(first, "    - &{name} {{any: [{refs}]}}", "bcdefgh")
    return ("id: ACME900\ntitle: bomb\nseverity: info\ncategory: config\nwhen:\n  all:\n" + "\n".join(body) +
            "\nexplanation: x\n")


# --------------------------------------------------------------------------- the cases (run in a child)

def timed(fn, *args, **kwargs) -> tuple[str, float]:
    """(what the attacked call said, its wall seconds): file generation is not counted."""
    t = time.perf_counter()
    said = fn(*args, **kwargs)
    return said, time.perf_counter() - t


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def _first_problem(d, name: str) -> str:
    return next((p.message for p in d.problems if name in (p.file or "")), "no problem reported")


def _diagnose_texts(items: list) -> str:
    from app.core.diagnose import diagnose
    d = diagnose(texts=items)
    return f"{len(d.findings)} finding(s); " + _first_problem(d, items[0][0].rsplit("/", 1)[-1])


def case_yaml_paste(tmp: Path, baseline: bool) -> tuple[str, float]:
    text = (ROOT / "kb/examples/canonical/config/wildduck.yaml").read_text() if baseline else yaml_bomb()
    return timed(_diagnose_texts, [("config/wildduck.yaml", text)])


def case_yaml_rule(tmp: Path, baseline: bool) -> tuple[str, float]:
    team = tmp / "team-rules"
    team.mkdir(exist_ok=True)
    rule = (ROOT / "kb/rules/MXD603.yaml").read_text().replace("id: MXD603", "id: ACME603") if baseline \
        else rule_bomb()
    (team / "ACME.yaml").write_text(rule)
    return timed(_rules_show, team)


def _rules_show(team: Path) -> str:
    import contextlib
    import io

    from app.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["rules", "show", "MXD101", "--rules", str(team)])
    said = (err.getvalue().strip().splitlines() or ["no problem reported"])[0].replace(str(team) + "/", "")
    return f"exit {rc}, page of {len(out.getvalue())} chars; {said.removeprefix('mxdoctor: ')}"


LINE_SHAPES = {
    "gelf": '[INFO] [-] [wildduck] GELF {"_service":"redis","x":"' + ":" * LINE + '"}',
    "plain": "x" * LINE,
    "error": "[ERROR] [-] [core] " + "a@" * (LINE // 2),
}


def _write_lines(path: Path, line: str, size: int) -> Path:
    with path.open("w") as fh:
        for _ in range(size // (len(line) + 1)):
            fh.write(line + "\n")
    return path


def _real_log(tmp: Path, size_mb: int) -> Path:
    import importlib.util
    path = tmp / f"real-{size_mb}.log"
    if not path.exists():
        spec = importlib.util.spec_from_file_location("bench_triage", Path(__file__).parent / "triage.py")
        triage = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(triage)
        triage.generate(path, size_mb, triage.FIXTURES / "haraka-wildduck-gelf.log")
    return path


def _diagnose_log(path: Path) -> str:
    from app.core.diagnose import diagnose
    d = diagnose(log_paths=[str(path)])
    return f"{path.stat().st_size / 1e6:.1f} MB, {d.log_lines:,} lines, {len(d.findings)} finding(s)"


def _lines_case(shape: str):
    def case(tmp: Path, baseline: bool) -> tuple[str, float]:
        path = _real_log(tmp, 9) if baseline else _write_lines(tmp / f"{shape}.log", LINE_SHAPES[shape], 9_600_000)
        return timed(_diagnose_log, path)
    return case


def case_lines_compose(tmp: Path, baseline: bool) -> tuple[str, float]:
    real = (ROOT / "tests/cases/063-clean-dockerized-wildduck/docker-compose.yml").read_text()
    text = real if baseline else ("services:\n" + ("  " + "haraka" * (LINE // 6) + "\n") * 150)
    return timed(_diagnose_texts, [("docker-compose.yml", text), ("config/plugins", "wildduck\n")])


def case_line_50mb_log(tmp: Path, baseline: bool) -> tuple[str, float]:
    path = _real_log(tmp, 9) if baseline else _write_lines(tmp / "one-line.log", "x" * (50 * MB), 50 * MB + 1)
    return timed(_diagnose_log, path)


def case_line_50mb_paste(tmp: Path, baseline: bool) -> tuple[str, float]:
    text = (ROOT / "kb/examples/canonical/config/smtp.ini").read_text()
    if not baseline:
        text += "listen=" + "x" * (50 * MB) + "\n"
    return timed(_diagnose_texts, [("config/smtp.ini", text)])


def case_upload_200mb(tmp: Path, baseline: bool) -> tuple[str, float]:
    size = (20 if baseline else 200) * MB
    return timed(_take_upload, tmp, size)


def _take_upload(tmp: Path, size: int) -> str:
    """The app's take_uploads path on Streamlit's own upload store: what memory still holds after."""
    import gc
    from types import SimpleNamespace

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    import app.ui.uploads as up
    store, session = MemoryUploadedFileManager("/upload"), "session"
    start = _rss_mb()
    store.add_file(session, UploadedFileRec("f1", "haraka.log", "text/plain", b"[INFO] [-] [core] x\n" * (size // 20)))
    files = [UploadedFile(rec, None) for rec in store.get_files(session, ["f1"])]
    spool = tmp / "spool"
    if hasattr(up, "within_room"):                      # this change: cap, spool, release
        cap = 100 * MB
        kept, notes, _ = up.within_room(files, cap, cap)
        up.release_uploads(files, SimpleNamespace(uploaded_file_mgr=store, session_id=session))
        got = up.unpack_uploads(kept, spool)
        said = (notes + got.skipped + [f"{len(got.logs)} log(s) spooled"])[0]
    else:                                               # before: read everything, keep the widget's copy
        got = up.unpack_uploads([(f.name, f.getvalue()) for f in files], spool)
        said = (got.skipped + [f"{len(got.logs)} log(s) spooled"])[0]
    del files, got
    kept = None     # dropped, as take_uploads drops it
    gc.collect()
    held = sum(len(rec.data) for rec in store.file_storage.get(session, {}).values())
    return (f"{size // MB} MB uploaded; after: {held / MB:.0f} MB in Streamlit's store, process "
            f"+{_rss_mb() - start:.0f} MB; {said[:90]}")


def _budget_case(seconds: float, megabytes: int):
    def case(tmp: Path, baseline: bool) -> tuple[str, float]:
        from app.core.budget import Budget, run_within
        from app.core.diagnose import diagnose
        log = _real_log(tmp, 9 if baseline else 50)
        run_within(Budget(60, 1024), diagnose, texts=[("config/plugins", "wildduck\n")])   # start the server
        return timed(_within, Budget(120, 1024) if baseline else Budget(seconds, megabytes), log)
    return case


def _within(budget, log: Path) -> str:
    from app.core.budget import BudgetExceeded, run_within
    from app.core.diagnose import diagnose
    used: dict = {}
    try:
        d = run_within(budget, diagnose, log_paths=[str(log)], usage=used)
        said = f"done: {d.log_lines:,} lines, {len(d.findings)} finding(s)"
    except BudgetExceeded as exc:
        said = str(exc)
    worker = f"worker {used['cpu_s']:.1f} s cpu, peak {used['peak_mb']:.0f} MB; " if used else ""
    return f"{log.stat().st_size / 1e6:.0f} MB log; {worker}{said[:110]}"


CASES = {
    "yaml-paste": case_yaml_paste,
    "yaml-rule": case_yaml_rule,
    **{f"lines-{shape}": _lines_case(shape) for shape in LINE_SHAPES},
    "lines-compose": case_lines_compose,
    "line-50mb-log": case_line_50mb_log,
    "line-50mb-paste": case_line_50mb_paste,
    "upload-200mb": case_upload_200mb,
    "budget-time": _budget_case(5, 500),
    "budget-memory": _budget_case(60, 100),
}


def child(name: str, root: str, tmp: str, baseline: bool) -> None:
    sys.path.insert(0, root)
    os.chdir(root)
    result, seconds = CASES[name](Path(tmp), baseline)
    print(json.dumps({"seconds": seconds, "result": result}))


# --------------------------------------------------------------------------- the parent

def run_case(name: str, root: Path, tmp: Path, baseline: bool, kill_s: float, kill_mb: int) -> dict:
    """One case in a child: its own time, the child's CPU and peak memory, what it said."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (kill_mb * MB, kill_mb * MB))
    cmd = [sys.executable, __file__, "--child", name, "--root", str(root), "--tmp", str(tmp)] + \
        (["--baseline"] if baseline else [])
    env = {**os.environ, "MXDOCTOR_HOME": str(tmp / "home"), "PYTHONPATH": str(root)}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, preexec_fn=limits, env=env, cwd=root, text=True)
        while True:             # wait4: this child's own CPU time and peak memory, not all children's
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > kill_s:
                peak = _peak_mb(proc.pid)
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"killed": f"killed after {kill_s:g} s, still running at {peak:,.0f} MB peak"}
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    row = {"cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss / 1024}
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["?"])[-1]
        row["killed"] = f"failed (exit {proc.returncode}) at {row['peak']:.0f} MB peak: {last[:110]}"
        return row
    row.update(json.loads(stdout.strip().splitlines()[-1]))
    return row


def _peak_mb(pid: int) -> float:
    """A running process's peak resident memory (VmHWM)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return 0.0


NEW_ONLY = {"budget-time", "budget-memory"}       # the worker budget did not exist before


def _fmt(name: str, kind: str, code: str, row: dict) -> str:
    if "killed" in row:
        return f"{name:16s} {kind:8s} {code:4s} {row['killed']}"
    return (f"{name:16s} {kind:8s} {code:4s} {row['seconds']:7.2f} s {row['cpu']:7.1f} s {row['peak']:7.0f} MB  "
            f"{row['result']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", choices=sorted(CASES), help="run these cases only")
    ap.add_argument("--against", help="another checkout to run the same cases on (before/after)")
    ap.add_argument("--kill-s", type=float, default=120, help="kill a child after this many seconds (120)")
    ap.add_argument("--kill-mb", type=int, default=3000, help="a child's address-space limit in MB (3000)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the real inputs")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    ap.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.root, args.tmp, args.baseline)
        return 0
    codes = [("new", ROOT)] + ([("old", Path(args.against).resolve())] if args.against else [])
    tried = held = 0
    print(f"{'case':16s} {'input':8s} {'code':4s} {'time':>9s} {'cpu':>9s} {'peak':>10s}  result")
    with tempfile.TemporaryDirectory(prefix="mxdoctor-bounds-") as tmp:
        print(f"(real logs replayed from the fixtures: {_real_log(Path(tmp), 9).stat().st_size / 1e6:.1f} MB, "
              f"{_real_log(Path(tmp), 50).stat().st_size / 1e6:.1f} MB)", flush=True)
        for name in args.only or list(CASES):
            kinds = [("attack", False)] + ([] if args.no_baseline else [("baseline", True)])
            for kind, baseline in kinds:
                for code, root in codes if not baseline and name not in NEW_ONLY else codes[:1]:
                    row = run_case(name, root, Path(tmp), baseline, args.kill_s, args.kill_mb)
                    print(_fmt(name, kind, code, row), flush=True)
                    if kind == "attack" and code == "new":
                        tried += 1
                        held += "killed" not in row and row["seconds"] < LIMIT_S and row["peak"] < LIMIT_MB
    print(f"tried {tried}, held {held} (each under {LIMIT_S:g} s and {LIMIT_MB} MB, ending with a result or a message)")
    return 0 if held == tried else 1


if __name__ == "__main__":
    sys.exit(main())
