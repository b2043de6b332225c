"""Benchmark `mxdoctor ask` without an LLM: answer accuracy on the dev set, and latency.

Accuracy: every entry of bench/ask_cases.yaml (scenarios from tests/cases, English and Chinese,
plus correct configurations) is asked through `Session.ask`; an answer passes when it leads with
the expected rules, contains every expected fact, shows no forbidden rule, is framed in the
question's language, and — for a correct configuration — shows no rule id at all.

Latency: `ask` on a 10 000-line log (real Haraka line shapes from tests/cases, fresh UUIDs) plus
the config of case 001, warm (index, rules and models loaded): a new session per run, so the
checks run every time; and a follow-up in the same session (checks cached). Target < 1 s warm.

Uses the real default embedding (e5-int8) unless --embedding says otherwise; the index is built
once (incrementally) under --home.

    .venv/bin/python bench/ask.py [--embedding e5-int8] [--home DIR] [--runs 5] [--no-latency]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CASES_DIR = ROOT / "tests" / "cases"
DEVSET = ROOT / "bench" / "ask_cases.yaml"
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH_FRAME = ("原因（", "修复（", "检查没有在你提供的内容中发现问题", "我无法", "你还没有提供", "其他发现", "如何验证")
EN_FRAME = ("Why (", "Fix (", "The checks found no problem", "I cannot answer", "You have not given",
            "Other findings", "How to verify")
UUID_RE = re.compile(r"\b([0-9A-F]{8})(-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})")


@dataclass
class DevCase:
    case: str
    question: str
    rules: list[str]
    facts: list[str]
    forbidden: list[str]
    clean: bool
    inputs: dict = field(default_factory=dict)


@dataclass
class Result:
    dev: DevCase
    passed: bool
    missing_rules: list[str]
    missing_facts: list[str]
    shown_forbidden: list[str]
    invented: list[str]
    wrong_lang: bool
    abstained: bool
    seconds: float
    answer: object = None


def case_inputs(case: Path, meta: dict) -> dict:
    from app.core.inputs.bundle import bundle_inputs
    return {**bundle_inputs(case), "envelope": meta.get("envelope")}


def load_devset(path: Path = DEVSET) -> list[DevCase]:
    out = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
        case = CASES_DIR / entry["case"]
        meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
        expect = meta.get("expect") or {}
        rules = list(entry.get("rules", expect.get("rules") or []))
        out.append(DevCase(case=entry["case"], question=entry.get("question") or meta["question"], rules=rules,
                           facts=list(entry.get("facts") or []),
                           forbidden=list(entry.get("not", expect.get("not") or [])),
                           clean=not rules, inputs=case_inputs(case, meta)))
    return out


def score(dev: DevCase, answer, seconds: float = 0.0) -> Result:
    text = answer.answer
    low = text.lower()
    shown = set(re.findall(r"\b(MXD\d{3})\b", text))
    missing_rules = [r for r in dev.rules if r not in answer.relevant or r not in shown]
    missing_facts = [f for f in dev.facts if f.lower() not in low]
    forbidden = [r for r in dev.forbidden if r in shown]
    invented = sorted(shown) if dev.clean else []
    frame = ZH_FRAME if CJK.search(dev.question) else EN_FRAME
    wrong_lang = not any(text.lstrip("> ").find(f) >= 0 for f in frame)
    passed = not (missing_rules or missing_facts or forbidden or invented or wrong_lang) and \
        (not answer.abstained or not dev.rules)
    return Result(dev, passed, missing_rules, missing_facts, forbidden, invented, wrong_lang, answer.abstained,
                  seconds, answer)


def run_devset(index, home: Path, cases: list[DevCase] | None = None) -> list[Result]:
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings
    results = []
    for dev in cases or load_devset():
        s = Session(**dev.inputs, home=home, settings=LLMSettings(), index=index, persist=False)
        t0 = time.perf_counter()
        a = s.ask(dev.question)
        results.append(score(dev, a, time.perf_counter() - t0))
    return results


def summary(results: list[Result]) -> dict[str, float]:
    n = len(results)
    rules = [r for r in results if r.dev.rules]
    facts_total = sum(len(r.dev.facts) for r in results)
    return {
        "cases": n,
        "accuracy": sum(r.passed for r in results) / n,
        "rule_recall": 1 - sum(len(r.missing_rules) for r in rules) / max(1, sum(len(r.dev.rules) for r in rules)),
        "fact_recall": 1 - sum(len(r.missing_facts) for r in results) / max(1, facts_total),
        "clean_ok": sum(r.passed for r in results if r.dev.clean) / max(1, sum(r.dev.clean for r in results)),
        "zh_cases": sum(bool(CJK.search(r.dev.question)) for r in results),
        "abstained": sum(r.abstained for r in results),
    }


# --------------------------------------------------------------------------- latency

def big_log(path: Path, lines: int) -> Path:
    """`lines` real Haraka log lines, connections replayed with fresh UUIDs."""
    source = []
    for f in sorted(CASES_DIR.glob("*/logs/*.log")):
        source += f.read_text(encoding="utf-8", errors="replace").splitlines()
    out, i = [], 0
    while len(out) < lines:
        i += 1
        out += [UUID_RE.sub(lambda m: f"{(int(m.group(1), 16) + i) % 16**8:08X}{m.group(2)}", l) for l in source]
    path.write_text("\n".join(out[:lines]) + "\n", encoding="utf-8")
    return path


def latency(index, home: Path, log_lines: int, runs: int) -> dict[str, float]:
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings
    log = big_log(home / f"bench-{log_lines}.log", log_lines)
    config = [str(CASES_DIR / "001-in-host-list-shadows-wildduck" / "config")]
    q = "Why is mail not stored in MongoDB although Haraka says Message processed?"

    def one():
        s = Session(config, log_paths=[str(log)], home=home, settings=LLMSettings(), index=index, persist=False)
        t0, c0 = time.perf_counter(), time.process_time()
        a = s.ask(q)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
        t1, c1 = time.perf_counter(), time.process_time()
        s.ask("and what about the queue plugin?")
        return total, cpu, a.timings, time.perf_counter() - t1, time.process_time() - c1

    one()                                       # warm-up: models, rules, KB pages, jieba
    rows = [one() for _ in range(runs)]
    med = lambda i: statistics.median(r[i] for r in rows)          # noqa: E731
    parts = {k: statistics.median(r[2].get(k, 0.0) for r in rows) for k in ("diagnose", "retrieve", "compose")}
    return {"median": med(0), "max": max(r[0] for r in rows), "cpu_median": med(1), "followup_median": med(3),
            "followup_cpu_median": med(4), **{f"{k}_median": v for k, v in parts.items()}}


# --------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embedding", default=None, help="default: MXDOCTOR_EMBEDDING or e5-int8")
    ap.add_argument("--home", type=Path, default=None, help="index directory (built if missing)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--log-lines", type=int, default=10_000)
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every answer that fails")
    args = ap.parse_args()

    from app.retrieval.index import Index
    from ingest.embeddings import embedding_name
    from ingest.pipeline import ingest
    emb = args.embedding or embedding_name()
    home = args.home or Path.home() / ".cache" / "mxdoctor-bench" / f"ask-{emb.replace(':', '-')}"
    t0 = time.perf_counter()
    summ = ingest(specs=[{"type": "kb"}], home=home, embedding=emb)
    print(f"index: {emb} at {home}: {summ.line()} ({time.perf_counter() - t0:.1f}s)")
    index = Index(home, emb)

    results = run_devset(index, home)
    print(f"\n{'case':44} {'lang':4} {'ok':3} {'s':>5}  problems")
    for r in results:
        problems = []
        if r.missing_rules:
            problems.append(f"rules {r.missing_rules}")
        if r.missing_facts:
            problems.append(f"facts {r.missing_facts}")
        if r.shown_forbidden:
            problems.append(f"forbidden {r.shown_forbidden}")
        if r.invented:
            problems.append(f"invented {r.invented}")
        if r.wrong_lang:
            problems.append("frame language")
        lang = "zh" if CJK.search(r.dev.question) else "en"
        print(f"{r.dev.case[:44]:44} {lang:4} {'✓' if r.passed else '✗':3} {r.seconds:5.2f}  {'; '.join(problems)}")
    s = summary(results)
    print(f"\naccuracy {s['accuracy']:.1%} on {s['cases']} cases ({s['zh_cases']} Chinese); rule recall "
          f"{s['rule_recall']:.1%}, fact recall {s['fact_recall']:.1%}, correct configs clean {s['clean_ok']:.1%}, "
          f"abstained {s['abstained']}")
    print(f"per-case ask time (small inputs, warm): median {statistics.median(r.seconds for r in results):.2f}s, "
          f"max {max(r.seconds for r in results):.2f}s")

    if not args.no_latency:
        lat = latency(index, home, args.log_lines, args.runs)
        print(f"\nask latency, {args.log_lines}-line log, warm, no LLM ({args.runs} runs): median {lat['median']:.2f}s "
              f"wall / {lat['cpu_median']:.2f}s CPU (max {lat['max']:.2f}s wall) = checks {lat['diagnose_median']:.2f}s "
              f"+ retrieval {lat['retrieve_median']:.2f}s + compose {lat['compose_median']:.2f}s; follow-up in the same "
              f"session (checks cached) {lat['followup_median']:.2f}s wall / {lat['followup_cpu_median']:.2f}s CPU"
              f" — target < 1 s: {'met' if lat['median'] < 1 else 'NOT met'}")
        try:
            load = os.getloadavg()[0]
            print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring; CPU time is the better "
                  "estimate of latency on an idle machine)")
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
