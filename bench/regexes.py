"""Every rule regex against adversarial lines: how its time grows with the line's length.

Each regex of the rule files (`log` regex and fields, `text`, `config` matches and extract,
selectors, fix ops) is searched, case-insensitively as the engine does, in lines without spaces
built from one character or one literal piece of the regex repeated, at 16 kB and 64 kB (the
longest line the log reader keeps). A linear search takes ~4x as long on the longer line, a
quadratic one ~16x; the worst input of each regex is kept, and the slowest regexes printed.
The baseline is the same fuzz on another rule folder (the rules before a change).

    .venv/bin/python bench/regexes.py [--rules DIR] [--against DIR] [--top 8]
"""
from __future__ import annotations

import argparse
import re
import string
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NAMED = {"@private_client": r"^(?!.*\.0\.1$)(?:(?:::ffff:)?(?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.|127\.)"
                            r"|::1$|f[cd][0-9a-f]{2}:)"}
SHORT, LONG = 16_000, 64_000


def rule_regexes(folder: Path) -> list[tuple[str, str]]:
    """(rule id, pattern) of every regex in the rule files of `folder`."""
    found: list[tuple[str, str]] = []

    def walk(node, rid: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("regex", "matches", "extract") and isinstance(value, str):
                    found.append((rid, value))
                elif key == "fields" and isinstance(value, dict):
                    found.extend((rid, NAMED.get(str(v), str(v))) for v in value.values())
                elif key == "value" and node.get("op") in ("matches", "not_matches"):
                    found.append((rid, str(value)))
                else:
                    walk(value, rid)
        elif isinstance(node, list):
            for item in node:
                walk(item, rid)
    for path in sorted(folder.glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        walk({"when": rule.get("when"), "fix": rule.get("fix")}, str(rule.get("id", path.stem)))
    return found


def pieces(pattern: str) -> list[str]:
    """What to repeat: each printable non-space character, and the literal runs of the pattern."""
    literals = re.findall(r"[A-Za-z0-9_.:/=<>@\"'\[\]{},;-]{2,16}", pattern.replace("\\", ""))
    return [c for c in string.printable if not c.isspace()] + sorted(set(literals))


def _search(rx: re.Pattern, line: str) -> float:
    t = time.perf_counter()
    rx.search(line)
    return time.perf_counter() - t


def worst(pattern: str) -> tuple[float, float, str]:
    """(seconds on a 64 kB line, growth from 16 kB to 64 kB, the piece repeated) of the worst input."""
    rx = re.compile(pattern, re.I)
    scored = []
    for piece in pieces(pattern):
        short = (piece * (SHORT // len(piece) + 1))[:SHORT]
        scored.append((_search(rx, short), piece))
    t_short, piece = max(scored)
    long = (piece * (LONG // len(piece) + 1))[:LONG]
    t_long = min(_search(rx, long) for _ in range(2))
    return t_long, t_long / max(t_short, 1e-7), piece


def report(folder: Path, top: int, label: str) -> int:
    rows = sorted(((*worst(p), rid, p) for rid, p in rule_regexes(folder)), reverse=True)
    bad = [r for r in rows if r[1] > 8 and r[0] > 0.005]
    print(f"{label}: {len(rows)} regexes in {folder}; superlinear (x>8 from 16 to 64 kB, >5 ms): {len(bad)}")
    for t_long, growth, piece, rid, pattern in rows[:top]:
        print(f"  {t_long * 1000:9.2f} ms  x{growth:5.1f}  {rid:8s} {pattern[:70]!r}  on {piece!r}*")
    return len(bad)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", default=str(ROOT / "kb" / "rules"), help="rule folder (default kb/rules)")
    ap.add_argument("--against", help="a baseline rule folder (e.g. the rules before a change)")
    ap.add_argument("--top", type=int, default=8, help="slowest regexes to print (default 8)")
    args = ap.parse_args(argv)
    if args.against:
        report(Path(args.against), args.top, "baseline")
    return 1 if report(Path(args.rules), args.top, "rules") else 0


if __name__ == "__main__":
    raise SystemExit(main())
