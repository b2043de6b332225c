"""Every rule's own examples: each `fail` example must produce the rule, each `pass` must not,
and a fail example's automatic fix (when the rule has one) must verify."""
import pytest

from app.core.rules import load_rules
from app.core.rules.examples import run_example

RULES = load_rules()
CASES = [(r, kind, i, ex) for r in RULES for kind in ("fail", "pass") for i, ex in enumerate(r.examples.get(kind, []))]


def test_every_rule_has_both_kinds_of_example():
    missing = [r.id for r in RULES if not r.examples.get("fail") or not r.examples.get("pass")]
    assert not missing, f"rules without pass and fail examples: {missing}"


@pytest.mark.parametrize("rule,kind,i,example", CASES,
                         ids=[f"{r.id}-{k}{i}" for r, k, i, _ in CASES])
def test_rule_example(rule, kind, i, example):
    found = run_example(rule, example)
    label = example.get("name", f"{kind}[{i}]")
    if kind == "fail":
        assert found, f"{rule.id} should fire on fail example {label!r}"
        assert all(e.file for f in found for e in f.evidence)
    else:
        assert not found, f"{rule.id} fired on pass example {label!r}: {found[0].explanation[:200]}"


# a log-only example has no file to edit: its fix cannot be applied, only config examples count
EDITABLE = [(r, i, ex) for r in RULES if any(op.op != "manual" for op in r.fix)
            for i, ex in enumerate(r.examples.get("fail", [])) if ex.get("files")]


@pytest.mark.parametrize("rule,i,example", EDITABLE, ids=[f"{r.id}-fix{i}" for r, i, _ in EDITABLE])
def test_fix_verifies_on_fail_example(rule, i, example):
    found = run_example(rule, example, all_rules=RULES)
    assert found and found[0].fix is not None
    assert found[0].fix.verified, f"{rule.id}: fix not verified: {found[0].fix.manual}"
    assert found[0].fix.patch.startswith("--- a/")
