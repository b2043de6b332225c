"""The dev set: realistic admin reports in tests/cases/NNN-name/, each run through `diagnose()`.

A case directory holds what an admin would paste: `config/` (Haraka's config dir), context files
beside it (docker-compose.yml, dbs.toml, resolv.conf), `plugins/*.js` (their own plugins),
`logs/*.log`, or one `paste.txt` blob; and `case.yaml` saying which rules must fire, which must
not, and the worst severity allowed. Every case is its own test so a failure names the report it
breaks; the last test prints the overall dev-set score.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from app.core.diagnose import Diagnosis, diagnose
from app.core.inputs.bundle import bundle_inputs

CASES_DIR = Path(__file__).parent / "cases"
SEVERITY_RANK = {"none": 0, "info": 1, "warning": 2, "error": 3}
RULE_ID = re.compile(r"^[A-Z]+\d{3}$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES_DIR.iterdir() if (p / "case.yaml").is_file())


def load_case(case: Path) -> dict:
    return yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))


@dataclass
class Outcome:
    found: set[str]
    missing: list[str]
    unexpected: list[str]
    worst: str
    allowed: str
    worst_rules: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.missing and not self.unexpected and SEVERITY_RANK[self.worst] <= SEVERITY_RANK[self.allowed]

    def explain(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"missing {', '.join(self.missing)}")
        if self.unexpected:
            parts.append(f"must not fire but did: {', '.join(self.unexpected)}")
        if SEVERITY_RANK[self.worst] > SEVERITY_RANK[self.allowed]:
            parts.append(f"worst severity {self.worst} ({', '.join(self.worst_rules)}) > allowed {self.allowed}")
        return "; ".join(parts) or "ok"


def run_case(case: Path) -> Diagnosis:
    """Hand the case to diagnose() the way the CLI / app would receive it."""
    meta = load_case(case)
    return diagnose(**bundle_inputs(case), envelope=meta.get("envelope"), verify_fixes=False)


@functools.lru_cache(maxsize=None)
def outcome(case: Path) -> Outcome:
    expect = load_case(case)["expect"]
    d = run_case(case)
    found = {f.rule for f in d.findings}
    worst = d.worst() or "none"
    return Outcome(
        found=found,
        missing=[r for r in expect.get("rules") or [] if r not in found],
        unexpected=[r for r in expect.get("not") or [] if r in found],
        worst=worst,
        allowed=expect["max_severity"],
        worst_rules=sorted({f.rule for f in d.findings if f.severity == worst}),
        problems=[str(p) for p in d.problems],
    )


CASES = case_dirs()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path):
    result = outcome(case)
    assert result.passed, (f"{case.name}: {result.explain()}\n  found: {sorted(result.found)}"
                           + (f"\n  input problems: {result.problems[:5]}" if result.problems else ""))


def test_case_files_are_well_formed():
    """The dev set itself: enough cases, valid expectations, a real mix of languages and clean configs."""
    assert len(CASES) >= 35
    clean = 0
    chinese = 0
    for case in CASES:
        meta = load_case(case)
        for key in ("description", "source", "question", "expect"):
            assert meta.get(key), f"{case.name}: case.yaml lacks {key}"
        assert meta["source"].startswith(("https://", "synthetic: ")), case.name
        expect = meta["expect"]
        assert expect["max_severity"] in SEVERITY_RANK, case.name
        must, must_not = set(expect.get("rules") or []), set(expect.get("not") or [])
        assert all(RULE_ID.match(r) for r in must | must_not), case.name
        assert not must & must_not, f"{case.name}: a rule is both required and forbidden"
        has_input = any((case / n).exists() for n in ("config", "logs", "paste.txt"))
        assert has_input, f"{case.name}: nothing to diagnose"
        clean += not must and expect["max_severity"] in {"none", "info", "warning"}
        chinese += bool(CJK.search(meta["question"]))
    assert clean >= 8, f"only {clean} clean configurations"
    assert chinese * 4 >= len(CASES), f"only {chinese} questions in Chinese"


def test_dev_set_score(request):
    """Print how many cases fully pass (per-case failures are reported by test_case)."""
    results = {case.name: outcome(case) for case in CASES}
    passing = [n for n, r in results.items() if r.passed]
    lines = [f"dev set: {len(passing)}/{len(results)} cases pass"]
    lines += [f"  FAIL {n}: {r.explain()}" for n, r in results.items() if not r.passed]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():   # shown even when output is captured
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)
    else:
        print("\n".join(lines))
    assert len(results) == len(CASES)
