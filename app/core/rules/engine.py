"""Evaluate rules against a Context and turn matches into ranked Findings."""
from __future__ import annotations

import re
from typing import Any, Iterable

from app.core.localize import close_cjk_gaps
from app.core.model import Finding, FixOp, Problem, Rule, Unchecked
from app.core.rules.conditions import evaluate
from app.core.rules.context import Context
from app.core.rules.ranges import out_of_range
from ingest.ruletext import fill

# what a slot reads as when the matched conditions did not fill it (a log line without a plugin
# field, a recipient the logs never named): words, never a `{template}` on an admin's screen
SLOT_WORDS = {
    "en": {"log_plugin": "a plugin", "plugin": "a plugin", "plugins": "these plugins", "by": "another plugin",
           "target": "the recipient", "log_hook": "a hook", "hook": "a hook", "log_error_code": "an error code",
           "count": "several", "value": "this value", "file": "this file", "key": "this key",
           "log_line": "the log line", "resolver": "a public resolver", "listed": "the listed entries",
           "retval": "an answer", "after": "other plugins", "log_function": "a function",
           "log_address": "the address", "log_error": "an error", "a_value": "one value", "b_value": "another value",
           "suggestion": "a similar name", "package": "the package", "missing": "a plugin", "entry": "an entry"},
    "zh": {"log_plugin": "某个插件", "plugin": "某个插件", "plugins": "这些插件", "by": "另一个插件",
           "target": "收件人", "log_hook": "某个 hook", "hook": "某个 hook", "log_error_code": "某个错误码",
           "count": "多", "value": "这个值", "file": "这个文件", "key": "这个配置项",
           "log_line": "这行日志", "resolver": "某个公共 DNS 解析器", "listed": "所列条目",
           "retval": "某个返回值", "after": "其他插件", "log_function": "某个函数",
           "log_address": "该地址", "log_error": "某个错误", "a_value": "一个值", "b_value": "另一个值",
           "suggestion": "相近的名称", "package": "该软件包", "missing": "某个插件", "entry": "某个条目"},
}


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
