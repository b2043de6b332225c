"""Render a rule (its YAML data) as a Markdown page: indexed so a finding can cite its own rule,
and shown by `mxdoctor rules show`. Lives in ingest because ingest indexes it and app reuses it."""
from __future__ import annotations

import re
from typing import Any

import yaml


def _ops(fix: dict[str, Any]) -> list[str]:
    out = []
    for op in fix.get("ops") or []:
        if isinstance(op, dict):
            for name, args in op.items():
                out.append(f"- `{name}` {yaml.safe_dump(args, default_flow_style=True, allow_unicode=True).strip()}")
    return out


PLACEHOLDER_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\|([^{}]*))?\}")


def generic(text: str) -> str:
    """A rule's template as a reader of its page sees it: `{target}` → `‹target›`,
    `{name|fallback}` → the fallback (the values are only known for a real finding)."""
    return PLACEHOLDER_RE.sub(lambda m: m.group(2) if m.group(2) is not None else f"‹{m.group(1)}›", text)


def render_rule_markdown(data: dict[str, Any]) -> str:
    tags = data.get("tags") or []
    out = [f"# {data['id']}: {generic(str(data['title']))}", "",
           f"Severity: **{data['severity']}** · category: {data.get('category', '')}"
           + (f" · tags: {', '.join(map(str, tags))}" if tags else ""), "",
           "## Why", "", generic(str(data.get("explanation", ""))).strip(), ""]
    fix = data.get("fix") or {}
    if fix:
        out += ["## Fix", "", generic(str(fix.get("summary", ""))), ""] + _ops(fix) + [""]
    examples = data.get("examples") or {}
    for kind, label in (("fail", "Problematic"), ("pass", "Correct")):
        for ex in examples.get(kind) or []:
            name = ex.get("name", "")
            out += [f"## {label} example{': ' + name if name else ''}", ""]
            for fname, text in (ex.get("files") or {}).items():
                out += [f"`{fname}`", "", "```", str(text).rstrip("\n"), "```", ""]
            if ex.get("logs"):
                out += ["Logs:", "", "```", str(ex["logs"]).rstrip("\n"), "```", ""]
    cites = data.get("citations") or []
    if cites:
        out += ["## References", ""]
        for c in cites:
            if isinstance(c, dict):
                c = f"note:{c['note']}" if "note" in c else c.get("url", str(c))
            out.append(f"- {c}")
        out.append("")
    return "\n".join(out)
