"""Load the rule folders (the shipped kb/rules, extra folders, MXDOCTOR_RULES). One bad rule
never hides the others: it is reported with its file and line, and skipped."""
from __future__ import annotations

from pathlib import Path

from app.core.errors import RuleError
from app.core.model import Problem, Rule
from app.core.rules.parse import parse_rule
from ingest.filestamp import stamps
from ingest.kbdata import kb_path
from ingest.settings import settings


def rule_dirs(extra: list[str | Path] | None = None) -> list[Path]:
    dirs = [kb_path("rules")]
    for d in [*(extra or []), *settings().rules]:
        dirs.append(Path(d))
    return dirs


_cache: dict[tuple, tuple[list[Rule], list[Problem]]] = {}


def _stamp(dirs: list[Path]) -> tuple:
    """What the rule set depends on: every rule file's stamp (path, mtime, size)."""
    return stamps(p for d in dirs for p in (sorted(d.glob("*.y*ml")) if d.is_dir() else [d]))


def load_rules(extra: list[str | Path] | None = None, problems: list[Problem] | None = None) -> list[Rule]:
    """All valid rules, sorted by id. Invalid files go to `problems` (or raise if it is None).
    Parsed rules are cached until a rule file changes (the app diagnoses on every submit)."""
    dirs = rule_dirs(extra)
    key = _stamp(dirs)
    if key not in _cache:
        found: list[Problem] = []
        result = _load_uncached(dirs, found)
        _cache.clear()
        _cache[key] = (result, found)
    rules, found = _cache[key]
    if found and problems is None:
        raise RuleError(found[0].message, found[0].file, found[0].line)
    if problems is not None:
        problems.extend(found)
    return list(rules)


def _load_uncached(dirs: list[Path], problems: list[Problem]) -> list[Rule]:
    from app.core.rules.schema import names_context
    rules: dict[str, Rule] = {}
    context = names_context()
    for d in dirs:
        files = sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")) if d.is_dir() else [d]
        for path in files:
            try:
                rule = parse_rule(path.read_text(encoding="utf-8", errors="replace"), str(path), context)
                if rule.id in rules and rules[rule.id].path != rule.path:
                    raise RuleError(f"duplicate rule id {rule.id} (also in {rules[rule.id].path})", str(path), 1)
            except RuleError as err:
                problems.append(Problem(err.file or str(path), err.line, err.message, "error"))
                continue
            rules[rule.id] = rule
    return [rules[k] for k in sorted(rules)]


def rules_tagged(tag: str) -> set[str]:
    """Ids of the rules carrying `tag`, so code names a kind of rule, never a rule id."""
    return {r.id for r in load_rules(problems=[]) if tag in r.tags}
