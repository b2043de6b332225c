"""Render a rule (its YAML data) as a Markdown page: indexed so a finding can cite its own rule,
and shown by `mxdoctor rules show` (from a loaded rule, given back in the same shape). One
renderer for both, so the page the index holds is the page the CLI prints. Lives in ingest
because ingest indexes it and app reuses it."""
from __future__ import annotations

from typing import Any

import yaml

from ingest.ruletext import as_words, citation, op_args

EXAMPLE_LABELS = (("fail", "Problematic"), ("pass", "Correct"))
# the page's own words per language; the rule's words come from its i18n block
PAGE_WORDS = {
    "en": {"why": "Why", "fix": "Fix", "fail": "Problematic example", "pass": "Correct example", "refs": "References",
           "severity": "Severity", "category": "category", "tags": "tags", "logs": "Logs:", "with": "With",
           "applies": "Applies to {ranges} (when the version is unknown the rule is checked anyway).",
           "untranslated": ""},
    "zh": {"why": "原因", "fix": "修复", "fail": "有问题的示例", "pass": "正确的示例", "refs": "参考资料",
           "severity": "严重程度", "category": "类别", "tags": "标签", "logs": "日志：", "with": "版本：",
           "applies": "适用于 {ranges}（版本未知时照常检查）。", "untranslated": "（暂无中文译文，以下为英文原文）"},
}


def _words(lang: str) -> dict[str, str]:
    return PAGE_WORDS.get(lang) or PAGE_WORDS["en"]


def localized_rule(data: dict[str, Any], lang: str) -> dict[str, Any]:
    """The rule's data with its words in `lang` (from `i18n.<lang>`); a word without a translation
    stays English, and the explanation says so."""
    words = ((data.get("i18n") or {}).get(lang) or {}) if lang != "en" else {}
    if not words:
        return data
    out = dict(data)
    out["title"] = words.get("title") or data["title"]
    out["explanation"] = words.get("explanation") or f"{_words(lang)['untranslated']} {data.get('explanation', '')}"
    fix = dict(data.get("fix") or {})
    if fix:
        fix["summary"] = words.get("fix_summary") or fix.get("summary", "")
        steps = iter(words.get("manual") or [])
        fix["ops"] = [{"manual": next(steps, args)} if name == "manual" else {name: args}
                      for op in fix.get("ops") or [] if isinstance(op, dict) for name, args in op.items()]
        out["fix"] = fix
    return out


def _op_line(name: str, args: Any) -> str:
    """An op as the rule wrote it: the short `manual: text` reads as that text."""
    args = op_args(args)
    shown = args["value"] if set(args) == {"value"} else args
    if isinstance(shown, str):        # a step in words reads as words (YAML would quote it and end it with `...`)
        return f"- `{name}` {as_words(' '.join(shown.split()))}"
    return f"- `{name}` {yaml.safe_dump(shown, default_flow_style=True, allow_unicode=True, width=10**6).strip()}"


PACKAGE_NAMES = {"haraka": "Haraka", "wildduck": "WildDuck"}


def _package(name: Any) -> str:
    return PACKAGE_NAMES.get(str(name).lower(), str(name).lower())


def versions_line(versions: dict[str, Any] | None, lang: str = "en") -> str:
    """`Applies to Haraka >=3.1, haraka-plugin-limit <1.2` (a rule's `versions:`), or ""."""
    if not versions:
        return ""
    ranges = ", ".join(f"{_package(p)} {str(r).strip()}" for p, r in versions.items())
    return _words(lang)["applies"].format(ranges=ranges)


def _heading(data: dict[str, Any], w: dict[str, str], lang: str) -> list[str]:
    tags = data.get("tags") or []
    applies = versions_line(data.get("versions"), lang)
    return [f"# {data['id']}: {as_words(str(data['title']), lang)}", "",
            f"{w['severity']}: **{data['severity']}** · {w['category']}: {data.get('category', '')}"
            + (f" · {w['tags']}: {', '.join(map(str, tags))}" if tags else ""), ""] + ([applies, ""] if applies else []) \
        + [f"## {w['why']}", "", as_words(str(data.get("explanation", "")), lang).strip(), ""]


def _fix(fix: dict[str, Any], w: dict[str, str], lang: str) -> list[str]:
    ops = [_op_line(name, args) for op in fix.get("ops") or [] if isinstance(op, dict) for name, args in op.items()]
    if not (fix.get("summary") or ops):
        return []
    return [f"## {w['fix']}", "", as_words(str(fix.get("summary", "")), lang), ""] + ops + [""]


def _examples(examples: dict[str, Any], w: dict[str, str]) -> list[str]:
    out = []
    for kind, _ in EXAMPLE_LABELS:
        for ex in examples.get(kind) or []:
            name = ex.get("name", "")
            out += [f"## {w[kind]}{': ' + name if name else ''}", ""]
            if ex.get("versions"):
                out += [f"{w['with']} " + ", ".join(f"{_package(p)} {v}"
                                                   for p, v in ex["versions"].items()) + ".", ""]
            for fname, text in (ex.get("files") or {}).items():
                out += [f"`{fname}`", "", "```", str(text).rstrip("\n"), "```", ""]
            if ex.get("logs"):
                out += [w["logs"], "", "```", str(ex["logs"]).rstrip("\n"), "```", ""]
    return out


def _references(cites: list[Any], w: dict[str, str]) -> list[str]:
    if not cites:
        return []
    return [f"## {w['refs']}", ""] + [f"- {citation(c)}" for c in cites] + [""]


def render_rule_markdown(data: dict[str, Any], lang: str = "en") -> str:
    """The rule's page in `lang`: its translated words (English where it has none) under headings
    in that language; examples and references as written."""
    data, w = localized_rule(data, lang), _words(lang)
    return "\n".join(_heading(data, w, lang) + _fix(data.get("fix") or {}, w, lang)
                      + _examples(data.get("examples") or {}, w) + _references(data.get("citations") or [], w))


def rule_languages(data: dict[str, Any]) -> list[str]:
    """The languages besides English the rule has words in."""
    return [lang for lang, words in (data.get("i18n") or {}).items() if words and lang != "en"]
