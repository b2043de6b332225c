"""Evaluate rules against a Context and turn matches into ranked Findings."""
from __future__ import annotations

import re
from typing import Any, Iterable

from app.core.localize import close_cjk_gaps
from app.core.model import Finding, FixOp, Problem, Rule, Unchecked
from app.core.rules.conditions import evaluate
from app.core.rules.context import Context
from app.core.rules.ranges import out_of_range
from ingest.ruletext import SLOT_WORDS, fill


def _words(template: str, values: dict[str, Any], lang: str = "en") -> str:
    """A finding's sentence: an unfilled slot reads as a plain word (SLOT_WORDS, else "…")."""
    words = SLOT_WORDS.get(lang) or SLOT_WORDS["en"]
    text = fill(template, values, lambda name: words.get(name, SLOT_WORDS["en"].get(name, "…")))
    return text if lang == "en" else close_cjk_gaps(text)


def _translations(rule: Rule, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rule's other languages, filled with the same values as its English words."""
    out: dict[str, dict[str, Any]] = {}
    for lang, texts in rule.i18n.items():
        one: dict[str, Any] = {k: _words(str(texts[k]), values, lang)
                               for k in ("title", "explanation", "fix_summary") if texts.get(k)}
        if texts.get("manual"):
            one["manual"] = [_words(str(m), values, lang) for m in texts["manual"]]
        out[lang] = one
    return out


def _fill_args(args: Any, values: dict[str, Any]) -> Any:
    """Fix op arguments: an unfilled slot stays as written, so an edit with a hole in it fails
    to verify instead of guessing."""
    if isinstance(args, str):
        return fill(args, values, lambda name: "{" + name + "}")
    if isinstance(args, dict):
        return {k: _fill_args(v, values) for k, v in args.items()}
    if isinstance(args, list):
        return [_fill_args(v, values) for v in args]
    return args


def run_rules(ctx: Context, rules: Iterable[Rule], problems: list[Problem] | None = None) -> list[Finding]:
    """Findings of the rules that hold; the rules that could not decide for lack of a file go
    to `ctx.unchecked`, those written for other versions than the admin's to `ctx.out_of_range`."""
    findings: list[Finding] = []
    ctx.unchecked = []
    ctx.out_of_range = []
    for rule in rules:
        skip = out_of_range(rule, ctx.versions)
        if skip is not None:            # written for other releases than the one the admin runs
            ctx.out_of_range.append(skip)
            continue
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
            rule=rule.id, severity=rule.severity, title=_words(rule.title, values), category=rule.category,
            explanation=_words(rule.explanation, values), evidence=_dedupe(m.evidence),
            citations=list(rule.citations),
            fix_ops=[FixOp(op.op, _fill_args(op.args, values)) for op in rule.fix],
            fix_summary=_words(rule.fix_summary, values), assumes=dict(m.assumes),
            symptom_of=list(rule.symptom_of), i18n=_translations(rule, values)))
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
