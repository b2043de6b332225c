"""Evaluate rules against a Context and turn matches into ranked Findings."""
from __future__ import annotations

import re
from typing import Any, Iterable

from app.core.model import Finding, FixOp, Problem, Rule, Unchecked
from app.core.rules.conditions import evaluate
from app.core.rules.context import Context

TEMPLATE_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\|([^{}]*))?\}")


# what a slot reads as when the matched conditions did not fill it (a log line without a plugin
# field, a recipient the logs never named): words, never a `{template}` on an admin's screen
SLOT_WORDS = {"log_plugin": "a plugin", "plugin": "a plugin", "plugins": "these plugins", "by": "another plugin",
              "target": "the recipient", "log_hook": "a hook", "hook": "a hook", "log_error_code": "an error code",
              "count": "several", "value": "this value", "file": "this file", "key": "this key",
              "log_line": "the log line", "resolver": "a public resolver"}


def fill(template: str, values: dict[str, Any], keep_unknown: bool = False) -> str:
    """Replace `{name}` (or `{name|fallback}`) with values. An unknown name without a fallback
    reads as a plain word (SLOT_WORDS, else "…"); with `keep_unknown` it stays as written (fix
    op arguments: an edit with a hole in it must fail to verify, not guess)."""
    def one(m: re.Match) -> str:
        if m.group(1) in values:
            return str(values[m.group(1)])
        if m.group(2) is not None:
            return m.group(2)
        return m.group(0) if keep_unknown else SLOT_WORDS.get(m.group(1), "…")
    return TEMPLATE_RE.sub(one, template)


def _fill_args(args: Any, values: dict[str, Any]) -> Any:
    if isinstance(args, str):
        return fill(args, values, keep_unknown=True)
    if isinstance(args, dict):
        return {k: _fill_args(v, values) for k, v in args.items()}
    if isinstance(args, list):
        return [_fill_args(v, values) for v in args]
    return args


def run_rules(ctx: Context, rules: Iterable[Rule], problems: list[Problem] | None = None) -> list[Finding]:
    """Findings of the rules that hold; the rules that could not decide for lack of a file go
    to `ctx.unchecked`."""
    findings: list[Finding] = []
    ctx.unchecked = []
    for rule in rules:
        try:
            m = evaluate(ctx, rule.when)
        except (KeyError, ValueError, TypeError, re.error) as exc:
            if problems is not None:
                problems.append(Problem(rule.path, None, f"rule {rule.id} could not be evaluated: {exc}", "error"))
            continue
        if not m.ok:
            if m.unknown and m.partial:
                ctx.unchecked.append(Unchecked(rule.id, rule.title, rule.severity, list(m.unknown)))
            continue
        values = dict(m.values)
        findings.append(Finding(
            rule=rule.id, severity=rule.severity, title=fill(rule.title, values), category=rule.category,
            explanation=fill(rule.explanation, values), evidence=_dedupe(m.evidence),
            citations=list(rule.citations),
            fix_ops=[FixOp(op.op, _fill_args(op.args, values)) for op in rule.fix],
            fix_summary=fill(rule.fix_summary, values), assumes=dict(m.assumes),
            symptom_of=list(rule.symptom_of)))
    findings.sort(key=Finding.sort_key)
    return findings


def _dedupe(evidence):
    seen, out = set(), []
    for e in evidence:
        key = (e.file, e.line, e.text)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
