"""A rule's documentation page (shellcheck-style: one page per stable code) from a loaded rule.
ingest cannot import the Rule model, so the rule is handed over as data in its YAML shape and
ingest.rulepages renders it: the same renderer, and the same page, as the knowledge base indexes."""
from __future__ import annotations

from typing import Any

from app.core.model import Rule
from ingest.rulepages import localized_rule, render_rule_markdown, versions_line
from ingest.ruletext import as_words


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule as data in its YAML shape, fix-op arguments in their long form (what
    `rules show --format json` prints)."""
    return {"id": rule.id, "title": rule.title, "severity": rule.severity, "category": rule.category,
            "tags": rule.tags, "explanation": rule.explanation, "fix": {"summary": rule.fix_summary,
            "ops": [{op.op: op.args} for op in rule.fix]}, "citations": rule.citations,
            "examples": rule.examples, **({"versions": dict(rule.versions)} if rule.versions else {}),
            **({"i18n": dict(rule.i18n)} if rule.i18n else {})}


def rule_page_markdown(rule: Rule, lang: str = "en") -> str:
    return render_rule_markdown(rule_to_dict(rule), lang)


def rule_words(rule: Rule, lang: str = "en") -> dict[str, str]:
    """What a rule's page shows in `lang`, unfilled slots as plain words: title, explanation, fix
    summary and the line naming the releases it is written for (English where a word has no
    translation)."""
    data = localized_rule(rule_to_dict(rule), lang)
    return {"title": as_words(data["title"], lang), "explanation": as_words(data["explanation"], lang),
            "fix_summary": as_words((data.get("fix") or {}).get("summary", ""), lang),
            "versions": versions_line(rule.versions, lang)}
