"""Run a rule's own pass/fail examples (the sqlfluff fixture pattern): tests and the UI use this."""
from __future__ import annotations

from app.core.model import Finding, Rule


def example_inputs(example: dict):
    """(ConfigSet, events, envelope) for one example."""
    from app.core.inputs import load_texts
    files = example.get("files") or {}
    cs = load_texts([(name, text if text is not None else "") for name, text in files.items()])
    events = []
    if example.get("logs"):
        from app.core.logs import parse_lines
        events = list(parse_lines(str(example["logs"]).splitlines(), "example.log"))
    return cs, events, example.get("envelope")


def example_versions(example: dict, cs=None, events=()):
    """The versions an example runs: its `versions:` mapping (as if given on the command line),
    and whatever its files and logs show."""
    from app.core.versions import Found, detect_versions
    given = [Found(package.lower(), str(v), "example", None, "given")
             for package, v in (example.get("versions") or {}).items()]
    found = detect_versions(cs, events)
    found.found = given + found.found
    return found


def run_example(rule: Rule, example: dict, all_rules: list[Rule] | None = None) -> list[Finding]:
    """Findings of `rule` (alone, or with fixes verified against `all_rules`) on the example."""
    from app.core.checks import run_checks
    cs, events, envelope = example_inputs(example)
    findings, _ = run_checks(cs, events, logs_given=bool(example.get("logs")), rules=all_rules or [rule],
                             envelope=envelope, verify_fixes=all_rules is not None,
                             versions=example_versions(example, cs, events))
    return [f for f in findings if f.rule == rule.id]


def failing_examples(rule: Rule) -> list[str]:
    """The rule's own examples that say otherwise than the rule does: a `fail` example it stays
    silent on, a `pass` example it fires on (what `rules validate` reports for a team's rules)."""
    out = []
    for kind in ("fail", "pass"):
        for i, ex in enumerate(rule.examples.get(kind) or []):
            try:
                fired = bool(run_example(rule, ex))
            except Exception as exc:   # an example that cannot even run is a failing example
                out.append(f"examples.{kind}[{i}] {ex.get('name') or ''}: could not run ({exc})".replace("  ", " "))
                continue
            if fired != (kind == "fail"):
                said = "does not fire" if kind == "fail" else "fires"
                out.append(f"examples.{kind}[{i}]" + (f" ({ex['name']})" if ex.get("name") else "") +
                           f": the rule {said} on it")
    return out
