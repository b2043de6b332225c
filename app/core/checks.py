"""The whole deterministic check: every rule over config, logs and the simulation, then each
finding's fix applied and verified. It sits above both the rule engine and the fixer, which
needs the engine to re-check its edits."""
from __future__ import annotations

from typing import Any

from app.core.catalog import load_catalog
from app.core.fix import attach_fixes
from app.core.model import Catalog, ConfigSet, Finding, LogEvent, Problem, Rule
from app.core.rules.context import Context
from app.core.rules.engine import run_rules
from app.core.rules.loader import load_rules


def run_checks(cs: ConfigSet, events: list[LogEvent] | None = None, *, logs_given: bool | None = None,
               catalog: Catalog | None = None, rules: list[Rule] | None = None,
               envelope: dict[str, Any] | None = None, verify_fixes: bool = True,
               problems: list[Problem] | None = None, versions=None) -> tuple[list[Finding], Context]:
    """Rules over config + logs + simulation; with `verify_fixes`, each fix checked again.
    `versions` (app.core.versions.Versions): rules for other releases than these stay silent."""
    catalog = catalog or load_catalog()
    rules = rules if rules is not None else load_rules(problems=problems if problems is not None else [])
    events = events or []
    ctx = Context(cs=cs, catalog=catalog, events=events,
                  logs_given=bool(events) if logs_given is None else logs_given, envelope=envelope,
                  versions=versions)
    findings = run_rules(ctx, rules, problems)
    if verify_fixes:
        attach_fixes(findings, ctx, rules)
    return findings, ctx
