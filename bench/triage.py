"""Benchmark `triage` against `grep -c` on a large realistic Haraka log.

Builds a log of at least --size MB (default 200) in a temporary directory by replaying the
real connections captured in tests/fixtures/logs with fresh UUIDs, several connections
interleaved as on a busy server, then measures in the same run:
  * `grep -c` over the file (the I/O + scanning baseline),
  * `triage()` over the file in a child process (best wall time of --runs): MB/s, CPU seconds
    of the child and its workers, and peak RSS (ru_maxrss: the largest single process).
Targets: triage >= 1/40 of grep's MB/s (aim 1/10), peak RSS < 300 MB. Wall clock depends on
free CPUs (triage uses one worker per CPU on big files), so the load average is printed too.

    .venv/bin/python bench/triage.py [--size 200] [--source FIXTURE] [--workers N] [--runs N] [--keep] [--explain]

With --explain, `triage(explain=True)` is timed too: every WARN+ line, refusal and 4xx/5xx reply
explained through the message index (target: at most twice the time of triage alone).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "logs"
UUID_RE = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
CONCURRENCY = 8
RSS_LIMIT_MB = 300


def connection_templates(source: Path) -> tuple[list[list[str]], list[str]]:
    """Each captured connection as a list of lines with its UUID replaced by `{U}`; plus startup lines."""
    blocks: dict[str, list[str]] = {}
    startup: list[str] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        m = UUID_RE.search(line)
        if m is None:
            startup.append(line)
            continue
        blocks.setdefault(m.group(0), []).append(line.replace(m.group(0), "{U}"))
    return list(blocks.values()), startup


def generate(path: Path, size_mb: int, source: Path, seed: int = 7) -> int:
    """Write at least size_mb MB; returns the number of connections written."""
    rng = random.Random(seed)
    templates, startup = connection_templates(source)
    target = size_mb * 1024 * 1024
    written = connections = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("\n".join(startup) + "\n")
        while written < target:
            group = []
            for _ in range(CONCURRENCY):
                new = str(uuidlib.UUID(int=rng.getrandbits(128), version=4)).upper()
                group.append([l.replace("{U}", new) for l in rng.choice(templates)])
            connections += len(group)
            chunk = []
            # interleave the group's lines round-robin, as concurrent connections appear in a real log
            for i in range(max(len(g) for g in group)):
                for g in group:
                    if i < len(g):
                        chunk.append(g[i])
            text = "\n".join(chunk) + "\n"
            out.write(text)
            written += len(text.encode("utf-8"))
    return connections


def time_grep(path: Path, pattern: str) -> tuple[float, float, str]:
    """Best of three: (wall seconds, CPU seconds, count)."""
    best, best_cpu, out = float("inf"), float("inf"), ""
    for _ in range(3):
        before = os.times()
        t = time.perf_counter()
        out = subprocess.run(["grep", "-c", pattern, str(path)], capture_output=True, text=True).stdout.strip()
        best = min(best, time.perf_counter() - t)
        after = os.times()
        best_cpu = min(best_cpu, (after.children_user - before.children_user) +
                       (after.children_system - before.children_system))
    return best, best_cpu, out


TRIAGE_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
from app.core.triage import triage
t = time.perf_counter()
r = triage([{path!r}], workers={workers!r}, **({explain!r} and {{"explain": True}} or {{}}))
elapsed = time.perf_counter() - t
print(elapsed, r.lines_read, r.connections, r.transactions, r.messages_accepted,
      r.wildduck["processed_without_store"], len(getattr(r, "explained", ())), sep="\\t")
"""


def time_triage(path: Path, workers: int | None, explain: bool = False) -> tuple[float, float, float, list[str]]:
    """(seconds inside triage(), CPU seconds of the child and its workers, peak RSS MB, summary fields).

    ru_maxrss from wait4 is the largest RSS of the child or any worker it waited for: per process, not a sum.
    """
    code = TRIAGE_CHILD.format(root=str(ROOT), path=str(path), workers=workers, explain=explain)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"triage child failed with exit code {proc.returncode}")
    fields = out.strip().split("\t")
    return float(fields[0]), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, fields[1:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=200, help="log size in MB (default 200)")
    ap.add_argument("--source", default="haraka-wildduck-gelf.log",
                    help="fixture to replay (in tests/fixtures/logs); the default is a full WildDuck run at INFO "
                         "level with the GELF lines the plugin logs in its default config")
    ap.add_argument("--workers", type=int, default=None,
                    help="triage worker processes (default: triage decides; 1 = single process)")
    ap.add_argument("--runs", type=int, default=2, help="triage runs; the best wall time counts (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep the generated log and print its path")
    ap.add_argument("--explain", action="store_true",
                    help="also time triage(explain=True): every kind of loud line explained (target <= 2x)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="mxdoctor-bench-"))
    log = tmp / "haraka-bench.log"
    try:
        t = time.perf_counter()
        conns = generate(log, args.size, FIXTURES / args.source)
        size_mb = log.stat().st_size / (1024 * 1024)
        print(f"generated {size_mb:.1f} MB, {conns:,} connections from {args.source} "
              f"in {time.perf_counter() - t:.1f}s: {log}")
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)   # warm the page cache

        grep_s, grep_cpu, grep_count = time_grep(log, "recipient")
        grep_mbs = size_mb / grep_s
        print(f"grep -c recipient : {grep_s:7.3f}s  {grep_mbs:9.1f} MB/s  (cpu {grep_cpu:.2f}s, count {grep_count})")

        runs = [time_triage(log, args.workers) for _ in range(args.runs)]
        triage_s, triage_cpu, rss_mb, summary = min(runs)     # best wall time, like grep's best of three
        rss_mb = max(r[2] for r in runs)
        triage_mbs = size_mb / triage_s
        print(f"triage            : {triage_s:7.3f}s  {triage_mbs:9.1f} MB/s  (cpu {triage_cpu:.2f}s; best of "
              f"{len(runs)}: {', '.join(f'{r[0]:.2f}s' for r in runs)})  peak RSS {rss_mb:.0f} MB")
        print(f"                    lines {summary[0]}, connections {summary[1]}, transactions {summary[2]}, "
              f"accepted {summary[3]}, processed-without-store {summary[4]}")

        if args.explain:
            ex_runs = [time_triage(log, args.workers, explain=True) for _ in range(args.runs)]
            ex_s = min(r[0] for r in ex_runs)
            ex_ratio = ex_s / triage_s
            print(f"triage + explain  : {ex_s:7.3f}s  {size_mb / ex_s:9.1f} MB/s  ({ex_runs[0][3][5]} kinds of loud "
                  f"line explained; {ex_ratio:.2f}x triage alone, target <= 2x: {'PASS' if ex_ratio <= 2 else 'FAIL'})")
        ratio = grep_mbs / triage_mbs
        speed_ok, rss_ok = ratio <= 40, rss_mb < RSS_LIMIT_MB
        print(f"ratio             : triage runs at 1/{ratio:.1f} of grep's MB/s (wall clock)  "
              f"(target <= 1/40: {'PASS' if speed_ok else 'FAIL'}; aim 1/10: {'yes' if ratio <= 10 else 'no'})")
        if grep_cpu > 0:
            print(f"                    by CPU time: 1/{triage_cpu / grep_cpu:.1f}")
        print(f"memory            : {rss_mb:.0f} MB peak per process (target < {RSS_LIMIT_MB} MB: "
              f"{'PASS' if rss_ok else 'FAIL'})")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        print(f"machine           : {os.cpu_count()} CPUs, load average {load:.1f} (other work slows wall clock)")
        return 0 if speed_ok and rss_ok else 1
    finally:
        if args.keep:
            print(f"kept {log}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
