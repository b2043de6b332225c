"""A rule's documentation page (shellcheck-style: one page per stable code) from a loaded rule.
ingest cannot import the Rule model, so the rule is handed over as data in its YAML shape and
ingest.rulepages renders it: the same renderer, and the same page, as the knowledge base indexes."""
from __future__ import annotations

from typing import Any

from app.core.model import Rule
from ingest.rulepages import render_rule_markdown


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule as data in its YAML shape, fix-op arguments in their long form (what
    `rules show --format json` prints)."""
    return {"id": rule.id, "title": rule.title, "severity": rule.severity, "category": rule.category,
            "tags": rule.tags, "explanation": rule.explanation, "fix": {"summary": rule.fix_summary,
            "ops": [{op.op: op.args} for op in rule.fix]}, "citations": rule.citations,
            "examples": rule.examples, **({"versions": dict(rule.versions)} if rule.versions else {})}


def rule_page_markdown(rule: Rule) -> str:
    return render_rule_markdown(rule_to_dict(rule))
