"""Measure `check` and `ask` on the HELD-OUT real reports (tests/heldout/reports), no LLM.

HELD-OUT: run once at the end of the work (plus the recorded "before" run); never tune on it.

For every case directory (layout: see tests/heldout/reports/README.md):

* check — `app.core.diagnose.diagnose()` on the bundle, exactly as `mxdoctor check` runs it
  (the bundle turned into arguments by `app.core.inputs.bundle.bundle_inputs`). Prints the number
  of findings and the top three (rule, severity, title), and how many of the case's `error_lines`
  are cited: a finding cites an error line when one of its evidence entries of kind "log" has a
  text equal to or contained in that line, or names the same log file and line number.
* ask — `app.answer.Session(...).ask(question, use_llm=False)`, the offline composer the CLI's
  `ask` uses, on the same bundle; each answer (text, rules it led with, sources) is written to
  OUT/NNN-slug.txt for reading by hand.

Only `Finding.rule/.severity/.title/.evidence[].file/.line/.text/.kind` are used, so new kinds of
findings do not break it. Totals: error lines cited / total, and cases with zero findings although
the logs hold error lines.

    .venv/bin/python bench/heldout_reports.py [--out /tmp/heldout-before] [--home DIR] [--no-ask]
                                              [--json FILE] [--only NNN]

The search index for `ask` is built (incrementally, offline if it must) from the default sources
(kb/sources.yaml: the built-in kb and Haraka's npm docs) under --home, never in the user's data dir.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REPORTS = ROOT / "tests" / "heldout" / "reports"
ELLIPSES = ("…", "...")


@dataclass
class CaseResult:
    case: str
    lang: str
    families: list[str]
    findings: int
    top: list[tuple[str, str, str]]
    error_lines: int
    cited: int
    uncited: list[str] = field(default_factory=list)
    check_error: str | None = None
    ask_file: str | None = None
    ask_rules: list[str] = field(default_factory=list)
    ask_abstained: bool | None = None
    seconds: float = 0.0

    @property
    def silent(self) -> bool:
        """Zero findings although the logs hold error lines."""
        return self.findings == 0 and self.error_lines > 0


def case_dirs(only: str | None = None) -> list[Path]:
    dirs = sorted(p for p in REPORTS.iterdir() if (p / "case.yaml").is_file())
    return [p for p in dirs if not only or p.name.startswith(only)]


def load_case(case: Path) -> dict:
    return yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- citing error lines

def _clean(text: str) -> str:
    text = (text or "").strip()
    for e in ELLIPSES:
        if text.endswith(e):
            text = text[: -len(e)].rstrip()
    return text


def error_line_places(case: Path, error_lines: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Each error line → the (log file name, 1-based line number) places it occurs at."""
    places: dict[str, list[tuple[str, int]]] = {line: [] for line in error_lines}
    for log in sorted((case / "logs").glob("*")) if (case / "logs").is_dir() else []:
        for n, text in enumerate(log.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if text in places:
                places[text].append((log.name, n))
    return places


def _log_evidence(findings) -> list[tuple[str, int | None, str]]:
    out = []
    for f in findings:
        for e in getattr(f, "evidence", None) or []:
            if getattr(e, "kind", None) == "log":
                out.append((Path(str(getattr(e, "file", "") or "")).name, getattr(e, "line", None),
                            _clean(str(getattr(e, "text", "") or ""))))
    return out


def is_cited(line: str, places: list[tuple[str, int]], evidence: list[tuple[str, int | None, str]]) -> bool:
    for name, number, text in evidence:
        if text and text in line:
            return True
        if number is not None and (name, number) in places:
            return True
    return False


# --------------------------------------------------------------------------- check

def run_check(case: Path, meta: dict) -> CaseResult:
    from app.core.diagnose import diagnose
    from app.core.inputs.bundle import bundle_inputs
    errors = list(meta.get("error_lines") or [])
    res = CaseResult(case=case.name, lang=meta.get("lang", "en"), families=list(meta["expect"].get("families") or []),
                     findings=0, top=[], error_lines=len(errors), cited=0)
    t0 = time.perf_counter()
    try:
        d = diagnose(**bundle_inputs(case))
    except Exception as exc:  # noqa: BLE001 - an input the code cannot read is a result, not a bench crash
        res.check_error = f"{exc.__class__.__name__}: {exc}"
        res.uncited = errors
        return res
    finally:
        res.seconds = time.perf_counter() - t0
    findings = list(d.findings)
    res.findings = len(findings)
    res.top = [(str(f.rule), str(f.severity), str(f.title)) for f in findings[:3]]
    places = error_line_places(case, errors)
    evidence = _log_evidence(findings)
    for line in errors:
        if is_cited(line, places[line], evidence):
            res.cited += 1
        else:
            res.uncited.append(line)
    return res


# --------------------------------------------------------------------------- ask

def open_index(home: Path):
    from app.retrieval.index import Index
    from ingest.embeddings import embedding_name
    from ingest.pipeline import ingest
    from ingest.sourcesfile import load_sources
    emb = embedding_name()
    summ = ingest(specs=load_sources(home), home=home, embedding=emb, warn=lambda m: print(f"  ingest: {m}"))
    print(f"index: {emb} at {home}: {summ.line()}; sources {summ.sources}")
    return Index(home, emb)


def run_ask(case: Path, meta: dict, index, home: Path, out: Path, res: CaseResult) -> None:
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings
    from app.core.inputs.bundle import bundle_inputs
    path = out / f"{case.name}.txt"
    try:
        s = Session(**bundle_inputs(case), home=home, settings=LLMSettings(), index=index, persist=False)
        a = s.ask(meta["question"], use_llm=False)
    except Exception as exc:  # noqa: BLE001 - a failing answer is recorded, the run goes on
        path.write_text(f"ASK FAILED: {exc.__class__.__name__}: {exc}\n", encoding="utf-8")
        res.ask_file = str(path)
        return
    res.ask_rules = list(a.relevant)
    res.ask_abstained = bool(a.abstained)
    sources = [f"  [{p.get('n')}] {p.get('title')} <{p.get('url')}>" for p in a.passages or []]
    path.write_text(f"QUESTION: {meta['question']}\n\n{a.answer.rstrip()}\n\n"
                    f"relevant: {', '.join(a.relevant) or '-'}; abstained: {a.abstained}\n"
                    + ("Sources:\n" + "\n".join(sources) + "\n" if sources else ""), encoding="utf-8")
    res.ask_file = str(path)


# --------------------------------------------------------------------------- report

def print_case(r: CaseResult) -> None:
    head = f"{r.case} [{r.lang}] findings={r.findings} error-lines cited {r.cited}/{r.error_lines}"
    if r.check_error:
        head += f"  CHECK FAILED: {r.check_error}"
    if r.silent:
        head += "  ZERO FINDINGS WITH ERRORS"
    print(head)
    for rule, sev, title in r.top:
        print(f"    {sev:7} {rule:7} {title}")
    for line in r.uncited:
        print(f"    uncited: {line[:150]}")
    if r.ask_file:
        print(f"    ask: rules {', '.join(r.ask_rules) or '-'}; abstained {r.ask_abstained} -> {r.ask_file}")


def totals(results: list[CaseResult]) -> dict:
    return {"cases": len(results),
            "with_findings": sum(r.findings > 0 for r in results),
            "error_lines": sum(r.error_lines for r in results),
            "cited": sum(r.cited for r in results),
            "cases_with_error_lines": sum(r.error_lines > 0 for r in results),
            "zero_findings_with_errors": sum(r.silent for r in results),
            "check_failed": sum(bool(r.check_error) for r in results),
            "ask_abstained": sum(bool(r.ask_abstained) for r in results)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/heldout-before"), help="where the ask answers go")
    ap.add_argument("--home", type=Path, default=None, help="index directory for ask (default OUT/index)")
    ap.add_argument("--no-ask", action="store_true", help="only run the checks")
    ap.add_argument("--json", type=Path, default=None, help="also write the per-case results as JSON")
    ap.add_argument("--only", default=None, help="only cases whose directory starts with this prefix")
    args = ap.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    home = args.home or args.out / "index"
    index = None if args.no_ask else open_index(home)
    results = []
    for case in case_dirs(args.only):
        meta = load_case(case)
        r = run_check(case, meta)
        if index is not None:
            run_ask(case, meta, index, home, args.out, r)
        print_case(r)
        results.append(r)

    t = totals(results)
    print(f"\n{t['cases']} cases, {t['with_findings']} with findings; error lines cited {t['cited']}/{t['error_lines']}"
          f" ({t['cited'] / max(1, t['error_lines']):.0%}); cases with zero findings although their logs hold error "
          f"lines: {t['zero_findings_with_errors']}/{t['cases_with_error_lines']}; check failures {t['check_failed']}"
          + ("" if args.no_ask else f"; ask abstained {t['ask_abstained']}"))
    if args.json:
        args.json.write_text(json.dumps({"totals": t, "cases": [asdict(r) for r in results]}, indent=2,
                                        ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
