"""Searching the rules and the plugin catalog from the onboarding page (every word must match)."""
from __future__ import annotations

from app.core.model import Catalog, Rule


def _words(query: str) -> list[str]:
    return [w for w in (query or "").lower().split() if w]


def rule_text(rule: Rule) -> str:
    return " ".join([rule.id, rule.title, rule.severity, rule.category, rule.explanation, rule.fix_summary,
                     " ".join(rule.tags), " ".join(map(str, rule.citations))]).lower()


def filter_rules(rules: list[Rule], query: str = "", severities: list[str] | None = None) -> list[Rule]:
    words = _words(query)
    out = [r for r in rules if (not severities or r.severity in severities)
           and all(w in rule_text(r) for w in words)]
    return sorted(out, key=lambda r: r.id)


def plugin_rows(catalog: Catalog) -> list[dict[str, str]]:
    rows = []
    for name, info in sorted(catalog.plugins.items()):
        rows.append({
            "plugin": name,
            "roles": ", ".join(info.roles),
            "hooks": ", ".join(h.hook + (f" ({h.priority:+d})" if h.priority else "") for h in info.hooks),
            "config files": ", ".join(info.config_files),
            "package": f"{info.package or ''} {info.version or ''}".strip(),
            "summary": info.summary,
        })
    return rows


def filter_plugins(catalog: Catalog, query: str = "") -> list[dict[str, str]]:
    words = _words(query)
    return [r for r in plugin_rows(catalog) if all(w in " ".join(r.values()).lower() for w in words)]
