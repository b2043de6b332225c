"""Load and validate rule files. Every error names the file and line; one bad rule never hides
the others (it is reported and skipped)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.core.errors import RuleError
from app.core.model import FixOp, Problem, Rule
from app.core.rules.conditions import validate_when
from app.core.rules.fixops import FIX_OPS
from ingest.kbdata import kb_path
from ingest.settings import settings

ID_RE = re.compile(r"^[A-Z]{2,5}\d{3,4}$")
SEVERITIES = ("error", "warning", "info")
REQUIRED = ("id", "title", "severity", "category", "when", "explanation")
KNOWN_KEYS = set(REQUIRED) | {"fix", "citations", "examples", "tags", "symptom_of"}


def _line_of(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return k.start_mark.line + 1
    return node.start_mark.line + 1 if node is not None else None


def parse_rule(text: str, path: str) -> Rule:
    """One rule from YAML text; raises RuleError(file, line) on anything wrong."""
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path, mark.line + 1 if mark else None)
    if not isinstance(data, dict):
        raise RuleError("a rule file must be a mapping", path, 1)
    for key in REQUIRED:
        if key not in data:
            raise RuleError(f"missing required key {key!r}", path, 1)
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        k = sorted(unknown)[0]
        raise RuleError(f"unknown key {k!r} (allowed: {', '.join(sorted(KNOWN_KEYS))})", path, _line_of(node, k))
    if not isinstance(data["id"], str) or not ID_RE.match(data["id"]):
        raise RuleError(f"id {data['id']!r} must look like MXD101", path, _line_of(node, "id"))
    if data["severity"] not in SEVERITIES:
        raise RuleError(f"severity must be one of {', '.join(SEVERITIES)}", path, _line_of(node, "severity"))
    problems = validate_when(data["when"])
    if problems:
        raise RuleError(problems[0], path, _line_of(node, "when"))
    fix = data.get("fix") or {}
    ops: list[FixOp] = []
    for i, raw in enumerate(fix.get("ops") or []):
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in FIX_OPS:
            raise RuleError(f"fix.ops[{i}] must be one of: {', '.join(sorted(FIX_OPS))}", path, _line_of(node, "fix"))
        (op, args), = raw.items()
        ops.append(FixOp(op=op, args=args if isinstance(args, dict) else {"value": args}))
    examples = data.get("examples") or {}
    if not isinstance(examples, dict) or not set(examples) <= {"pass", "fail"}:
        raise RuleError("examples must be a mapping with 'pass' and/or 'fail' lists", path, _line_of(node, "examples"))
    for kind, items in examples.items():
        for j, ex in enumerate(items or []):
            if not isinstance(ex, dict) or not ({"files", "logs"} & set(ex)) or set(ex) - {"name", "files", "logs", "envelope"}:
                raise RuleError(f"examples.{kind}[{j}] needs 'files' and/or 'logs' (and may have 'name', 'envelope')", path, _line_of(node, "examples"))
    citations = data.get("citations") or []
    symptom_of = data.get("symptom_of") or []
    if not isinstance(symptom_of, list) or not all(isinstance(x, str) and ID_RE.match(x) for x in symptom_of):
        raise RuleError("symptom_of must be a list of rule ids", path, _line_of(node, "symptom_of"))
    return Rule(id=data["id"], title=str(data["title"]), severity=data["severity"],
                category=str(data["category"]), when=data["when"], explanation=str(data["explanation"]).strip(),
                fix=ops, fix_summary=str(fix.get("summary", "")), citations=[_citation(c) for c in citations],
                examples={k: list(v or []) for k, v in examples.items()}, path=path,
                tags=list(data.get("tags") or []), symptom_of=list(symptom_of))


def _citation(c: Any) -> str:
    if isinstance(c, str):
        return c
    if isinstance(c, dict):
        if "note" in c:
            return f"note:{c['note']}"
        if "url" in c:
            return c["url"]
    return str(c)


def rule_dirs(extra: list[str | Path] | None = None) -> list[Path]:
    dirs = [kb_path("rules")]
    for d in [*(extra or []), *settings().rules]:
        dirs.append(Path(d))
    return dirs


_cache: dict[tuple, tuple[list[Rule], list[Problem]]] = {}


def _stamp(dirs: list[Path]) -> tuple:
    """What the rule set depends on: every file's path, size and mtime."""
    out = []
    for d in dirs:
        files = sorted(d.glob("*.y*ml")) if d.is_dir() else [d]
        for p in files:
            try:
                st = p.stat()
                out.append((str(p), st.st_size, st.st_mtime_ns))
            except OSError:
                out.append((str(p), -1, -1))
    return tuple(out)


def load_rules(extra: list[str | Path] | None = None, problems: list[Problem] | None = None) -> list[Rule]:
    """All valid rules, sorted by id. Invalid files go to `problems` (or raise if it is None).
    Parsed rules are cached until a rule file changes (the app diagnoses on every submit)."""
    dirs = rule_dirs(extra)
    key = _stamp(dirs)
    if key in _cache:
        rules, found = _cache[key]
        if found and problems is None:
            raise RuleError(found[0].message, found[0].file, found[0].line)
        if problems is not None:
            problems.extend(found)
        return list(rules)
    found: list[Problem] = []
    result = _load_uncached(dirs, found)
    _cache.clear()
    _cache[key] = (result, found)
    if found and problems is None:
        raise RuleError(found[0].message, found[0].file, found[0].line)
    if problems is not None:
        problems.extend(found)
    return list(result)


def _load_uncached(dirs: list[Path], problems: list[Problem]) -> list[Rule]:
    rules: dict[str, Rule] = {}
    for d in dirs:
        files = sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")) if d.is_dir() else [d]
        for path in files:
            try:
                rule = parse_rule(path.read_text(encoding="utf-8", errors="replace"), str(path))
                if rule.id in rules and rules[rule.id].path != rule.path:
                    raise RuleError(f"duplicate rule id {rule.id} (also in {rules[rule.id].path})", str(path), 1)
            except RuleError as err:
                problems.append(Problem(err.file or str(path), err.line, err.message, "error"))
                continue
            rules[rule.id] = rule
    return [rules[k] for k in sorted(rules)]
