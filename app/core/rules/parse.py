"""One rule file read and checked: every error names the file and the line of the key at fault.
The checks run in a fixed order, so a file with several mistakes always reports the same first."""
from __future__ import annotations

import re
from typing import Any

import yaml

from app.core.errors import RuleError
from app.core.model import FixOp, Rule
from app.core.rules.conditions import validate_when
from app.core.rules.fixops import FIX_OPS
from ingest.ruletext import citation, op_args
from ingest.yamlload import key_line

ID_RE = re.compile(r"^[A-Z]{2,5}\d{3,4}$")
SEVERITIES = ("error", "warning", "info")
REQUIRED = ("id", "title", "severity", "category", "when", "explanation")
KNOWN_KEYS = set(REQUIRED) | {"fix", "citations", "examples", "tags", "symptom_of", "versions", "i18n"}
EXAMPLE_KEYS = {"name", "files", "logs", "envelope", "versions"}
PACKAGE_RE = re.compile(r"^(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*$", re.I)


def _line_of(node: yaml.Node | None, key: str) -> int | None:
    """The key's line, else the line the node starts on."""
    return key_line(node, (key,)) or (node.start_mark.line + 1 if node is not None else None)


class _Source:
    """The rule's YAML, parsed twice: as data, and as nodes that know each key's line."""

    def __init__(self, text: str, path: str):
        self.path = path
        try:
            self.node = yaml.compose(text)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise RuleError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path, mark.line + 1 if mark else None)

    def error(self, message: str, key: str | None = None) -> RuleError:
        """An error at `key`'s line (line 1 without a key)."""
        return RuleError(message, self.path, _line_of(self.node, key) if key else 1)


def _check_keys(src: _Source) -> None:
    data = src.data
    if not isinstance(data, dict):
        raise src.error("a rule file must be a mapping")
    for key in REQUIRED:
        if key not in data:
            raise src.error(f"missing required key {key!r}")
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        k = sorted(unknown)[0]
        raise src.error(f"unknown key {k!r} (allowed: {', '.join(sorted(KNOWN_KEYS))})", k)


def _check_head(src: _Source) -> None:
    data = src.data
    if not isinstance(data["id"], str) or not ID_RE.match(data["id"]):
        raise src.error(f"id {data['id']!r} must look like MXD101", "id")
    if data["severity"] not in SEVERITIES:
        raise src.error(f"severity must be one of {', '.join(SEVERITIES)}", "severity")
    problems = validate_when(data["when"])
    if problems:
        raise src.error(problems[0], "when")


def _fix_ops(src: _Source, fix: dict) -> list[FixOp]:
    ops: list[FixOp] = []
    for i, raw in enumerate(fix.get("ops") or []):
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in FIX_OPS:
            raise src.error(f"fix.ops[{i}] must be one of: {', '.join(sorted(FIX_OPS))}", "fix")
        (op, args), = raw.items()
        ops.append(FixOp(op=op, args=op_args(args)))
    return ops


def _examples(src: _Source) -> dict[str, list[dict[str, Any]]]:
    examples = src.data.get("examples") or {}
    if not isinstance(examples, dict) or not set(examples) <= {"pass", "fail"}:
        raise src.error("examples must be a mapping with 'pass' and/or 'fail' lists", "examples")
    for kind, items in examples.items():
        for j, ex in enumerate(items or []):
            if not isinstance(ex, dict) or not ({"files", "logs"} & set(ex)) or set(ex) - EXAMPLE_KEYS:
                raise src.error(f"examples.{kind}[{j}] needs 'files' and/or 'logs' (and may have 'name', "
                                "'envelope', 'versions')", "examples")
            if "versions" in ex:
                _version_map(src, ex["versions"], f"examples.{kind}[{j}].versions", "examples")
    return {k: list(v or []) for k, v in examples.items()}


def _symptom_of(src: _Source) -> list[str]:
    symptom_of = src.data.get("symptom_of") or []
    if not isinstance(symptom_of, list) or not all(isinstance(x, str) and ID_RE.match(x) for x in symptom_of):
        raise src.error("symptom_of must be a list of rule ids", "symptom_of")
    return list(symptom_of)


def _version_map(src: _Source, raw: Any, what: str, key: str) -> dict[str, str]:
    """{package: range}: npm package names (haraka, node, haraka-plugin-limit) to ranges like
    ">=3.1", "<1.2", "^3.0.3", "2.8.x" (app.core.semver)."""
    from app.core.semver import parse_range
    from app.core.versions import canonical_package
    if not isinstance(raw, dict) or not raw:
        raise src.error(f"{what} must be a mapping of package to version range, e.g. {{haraka: \">=3.1\"}}", key)
    out: dict[str, str] = {}
    for package, rng in raw.items():
        if not isinstance(package, str) or not PACKAGE_RE.match(package):
            raise src.error(f"{what}: {package!r} is not a package name (haraka, node, haraka-plugin-limit)", key)
        if isinstance(rng, (int, float)) or not isinstance(rng, str) or parse_range(str(rng)) is None:
            raise src.error(f"{what}.{package}: {rng!r} is not a version range (quote it: \">=3.1\", \"<1.2\", "
                            "\"^3.0.3\", \"2.8.x\")", key)
        out[canonical_package(package)] = rng.strip()
    return out


def parse_rule(text: str, path: str) -> Rule:
    """One rule from YAML text; raises RuleError(file, line) on anything wrong."""
    src = _Source(text, path)
    _check_keys(src)
    _check_head(src)
    data = src.data
    fix = data.get("fix") or {}
    ops = _fix_ops(src, fix)
    examples = _examples(src)
    symptom_of = _symptom_of(src)
    versions = _version_map(src, data["versions"], "versions", "versions") if "versions" in data else {}
    return Rule(id=data["id"], title=str(data["title"]), severity=data["severity"],
                category=str(data["category"]), when=data["when"], explanation=str(data["explanation"]).strip(),
                fix=ops, fix_summary=str(fix.get("summary", "")),
                citations=[citation(c) for c in data.get("citations") or []],
                examples=examples, path=path, tags=list(data.get("tags") or []), symptom_of=symptom_of,
                versions=versions, i18n=dict(data.get("i18n") or {}))
