"""One rule file read and checked against the schema (`app.core.rules.schema`): every error names
the file, the line of the key at fault and, for a typo, what was probably meant. The checks run in
a fixed order, so a file with several mistakes always reports the same first."""
from __future__ import annotations

from typing import Any

import yaml

from app.core.errors import RuleError
from app.core.model import FixOp, Rule
from app.core.rules.schema import SchemaProblem, check_rule, names_context
from app.core.rules.schema.yamlerrors import yaml_problem
from app.core.versions import canonical_package
from ingest.ruletext import citation, op_args
from ingest.yamlload import RULE, YAMLBudgetError, compose_load, key_line


class _Source:
    """The rule's YAML as data and as nodes that know each key's line, read within the rule
    budget (`ingest.yamlload.RULE`): an alias bomb in a team's rule file is refused, not expanded."""

    def __init__(self, text: str, path: str):
        self.path = path
        try:
            self.node, self.data = compose_load(text, RULE)
        except YAMLBudgetError as exc:
            raise RuleError(f"rule file not read: {exc.problem}", path, exc.problem_mark.line + 1
                            if exc.problem_mark else None) from None
        except yaml.YAMLError as exc:
            message, line = yaml_problem(exc)
            raise RuleError(message, path, line) from None

    def line(self, loc: tuple) -> int:
        """The line of the innermost key of `loc` the document has (1 when not even the first)."""
        return key_line(self.node, loc) or 1


def _translations(raw: Any) -> dict[str, dict[str, Any]]:
    return {lang: {k: v for k, v in (words or {}).items() if v} for lang, words in (raw or {}).items()}


def parse_rule(text: str, path: str, context: dict | None = None) -> Rule:
    """One rule from YAML text; raises RuleError(file, line) on anything wrong. `context` holds the
    plugin names and roles a rule may name (`schema.names_context()`, computed when not given)."""
    src = _Source(text, path)
    try:
        model = check_rule(src.data, names_context() if context is None else context)
    except SchemaProblem as problem:
        raise RuleError(problem.message, path, src.line(problem.loc)) from None
    data = src.data
    fix = data.get("fix") or {}
    ops = [FixOp(op=op, args=op_args(args)) for raw in fix.get("ops") or [] for op, args in raw.items()]
    versions = {canonical_package(p): r for p, r in (model.versions or {}).items()}
    return Rule(id=model.id, title=model.title, severity=model.severity, category=model.category,
                when=data["when"], explanation=model.explanation.strip(), fix=ops,
                fix_summary=model.fix.summary if model.fix else "",
                citations=[citation(c) for c in data.get("citations") or []],
                examples={k: list(v or []) for k, v in (data.get("examples") or {}).items()}, path=path,
                tags=list(model.tags), symptom_of=list(model.symptom_of), versions=versions,
                i18n=_translations(data.get("i18n")))
