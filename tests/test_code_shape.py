"""Small modules with one job each: no module over 400 lines, no function over cyclomatic
complexity 20 (radon), in app/ and ingest/. A number here is a budget, not a target."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
MAX_COMPLEXITY = 20
SOURCES = sorted(p for pkg in ("app", "ingest") for p in (ROOT / pkg).rglob("*.py"))


def test_no_module_is_over_the_line_budget():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_function_is_over_the_complexity_budget():
    radon = pytest.importorskip("radon.complexity")
    over = {}
    for p in SOURCES:
        for block in radon.cc_visit(p.read_text(encoding="utf-8")):
            if block.complexity > MAX_COMPLEXITY:
                over[f"{p.relative_to(ROOT)}:{block.lineno} {block.fullname}"] = block.complexity
    assert not over, f"functions over complexity {MAX_COMPLEXITY}: {over}"
