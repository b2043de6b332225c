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
    `versions` (app.core.versions.Versions): rules for other releases than these stay silent, and
    without a `catalog` the catalog follows the admin's exact Haraka release (`release_catalog`)."""
    catalog = catalog or release_catalog(cs, versions)
    rules = rules if rules is not None else load_rules(problems=problems if problems is not None else [])
    events = events or []
    ctx = Context(cs=cs, catalog=catalog, events=events,
                  logs_given=bool(events) if logs_given is None else logs_given, envelope=envelope,
                  versions=versions)
    findings = run_rules(ctx, rules, problems)
    if verify_fixes:
        attach_fixes(findings, ctx, rules)
    return findings, ctx


def release_catalog(cs: ConfigSet, versions=None) -> Catalog:
    """The catalog as the admin's exact Haraka release sees it (app.core.releases.catalog_for: its
    deprecated names, the plugins it bundles); the shipped catalog when no exact release is known.
    When the release renames other names than the catalog's, `cs.plugins` is read again with its
    names (a new list), so `dnsbl` at 2.8.28 stays `dnsbl`."""
    from app.core.parsers.plugins_file import renormalise
    from app.core.releases import catalog_for
    from app.core.versions import exact_haraka
    base = load_catalog()
    catalog = catalog_for(base, exact_haraka(versions))
    if catalog is not base and cs.plugins is not None and catalog.aliases != base.aliases:
        cs.plugins = renormalise(cs.plugins, catalog.aliases)
    return catalog
