"""Render a rule (its YAML data) as a Markdown page: indexed so a finding can cite its own rule,
and shown by `mxdoctor rules show` (from a loaded rule, given back in the same shape). One
renderer for both, so the page the index holds is the page the CLI prints. Lives in ingest
because ingest indexes it and app reuses it."""
from __future__ import annotations

from typing import Any

import yaml

from ingest.ruletext import as_template, citation, op_args

EXAMPLE_LABELS = (("fail", "Problematic"), ("pass", "Correct"))


def _op_line(name: str, args: Any) -> str:
    """An op as the rule wrote it: the short `manual: text` reads as that text."""
    args = op_args(args)
    shown = args["value"] if set(args) == {"value"} else args
    if isinstance(shown, str):        # a step in words reads as words (YAML would quote it and end it with `...`)
        return f"- `{name}` {as_template(' '.join(shown.split()))}"
    return f"- `{name}` {yaml.safe_dump(shown, default_flow_style=True, allow_unicode=True, width=10**6).strip()}"


PACKAGE_NAMES = {"haraka": "Haraka", "wildduck": "WildDuck"}


def _package(name: Any) -> str:
    return PACKAGE_NAMES.get(str(name).lower(), str(name).lower())


def versions_line(versions: dict[str, Any] | None) -> str:
    """`Applies to Haraka >=3.1, haraka-plugin-limit <1.2` (a rule's `versions:`), or ""."""
    if not versions:
        return ""
    ranges = ", ".join(f"{_package(p)} {str(r).strip()}" for p, r in versions.items())
    return f"Applies to {ranges} (when the version is unknown the rule is checked anyway)."


def _heading(data: dict[str, Any]) -> list[str]:
    tags = data.get("tags") or []
    applies = versions_line(data.get("versions"))
    return [f"# {data['id']}: {as_template(str(data['title']))}", "",
            f"Severity: **{data['severity']}** · category: {data.get('category', '')}"
            + (f" · tags: {', '.join(map(str, tags))}" if tags else ""), ""] + ([applies, ""] if applies else []) \
        + ["## Why", "", as_template(str(data.get("explanation", ""))).strip(), ""]


def _fix(fix: dict[str, Any]) -> list[str]:
    ops = [_op_line(name, args) for op in fix.get("ops") or [] if isinstance(op, dict) for name, args in op.items()]
    if not (fix.get("summary") or ops):
        return []
    return ["## Fix", "", as_template(str(fix.get("summary", ""))), ""] + ops + [""]


def _examples(examples: dict[str, Any]) -> list[str]:
    out = []
    for kind, label in EXAMPLE_LABELS:
        for ex in examples.get(kind) or []:
            name = ex.get("name", "")
            out += [f"## {label} example{': ' + name if name else ''}", ""]
            if ex.get("versions"):
                out += ["With " + ", ".join(f"{_package(p)} {v}"
                                            for p, v in ex["versions"].items()) + ".", ""]
            for fname, text in (ex.get("files") or {}).items():
                out += [f"`{fname}`", "", "```", str(text).rstrip("\n"), "```", ""]
            if ex.get("logs"):
                out += ["Logs:", "", "```", str(ex["logs"]).rstrip("\n"), "```", ""]
    return out


def _references(cites: list[Any]) -> list[str]:
    if not cites:
        return []
    return ["## References", ""] + [f"- {citation(c)}" for c in cites] + [""]


def render_rule_markdown(data: dict[str, Any]) -> str:
    return "\n".join(_heading(data) + _fix(data.get("fix") or {}) + _examples(data.get("examples") or {})
                     + _references(data.get("citations") or []))
