"""Predicate name -> evaluator, gathered from the family modules (the yamllint model: one module
per kind of check, each listing the predicates it defines)."""
from __future__ import annotations

from typing import Any, Callable

from app.core.rules.conditions import config, files, logs, plugins, simulation, timeouts
from app.core.rules.conditions.match import Match
from app.core.rules.context import Context

Predicate = Callable[[Context, Any], Match]

FAMILIES = (plugins, files, config, simulation, logs, timeouts)
PREDICATES: dict[str, Predicate] = {name: fn for family in FAMILIES for name, fn in family.PREDICATES.items()}
