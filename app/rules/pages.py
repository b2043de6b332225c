"""A rule's documentation page (shellcheck-style: one page per stable code), built from its YAML."""
from __future__ import annotations

from typing import Any

import yaml

from app.model import Rule


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "title": rule.title, "severity": rule.severity, "category": rule.category,
            "tags": rule.tags, "explanation": rule.explanation, "fix": {"summary": rule.fix_summary,
            "ops": [{op.op: op.args} for op in rule.fix]}, "citations": rule.citations,
            "examples": rule.examples}


def rule_page_markdown(rule: Rule) -> str:
    out = [f"# {rule.id}: {rule.title}", "", f"Severity: **{rule.severity}** · category: {rule.category}"
           + (f" · tags: {', '.join(rule.tags)}" if rule.tags else ""), "", "## Why", "", rule.explanation, ""]
    if rule.fix_summary or rule.fix:
        out += ["## Fix", "", rule.fix_summary or "", ""]
        for op in rule.fix:
            out.append(f"- `{op.op}` {yaml.safe_dump(op.args, default_flow_style=True, allow_unicode=True).strip()}")
        out.append("")
    for kind, label in (("fail", "Problematic"), ("pass", "Correct")):
        for ex in rule.examples.get(kind, []):
            out += [f"## {label}: {ex.get('name', '')}".rstrip(": "), ""]
            for name, text in (ex.get("files") or {}).items():
                out += [f"`{name}`", "", "```", str(text).rstrip("\n"), "```", ""]
            if ex.get("logs"):
                out += ["logs", "", "```", str(ex["logs"]).rstrip("\n"), "```", ""]
    if rule.citations:
        out += ["## References", ""] + [f"- {c}" for c in rule.citations] + [""]
    return "\n".join(out)
