"""The `when` language of rule files: small predicates combined with all / any / not.

Every predicate returns a Match: whether it holds, the evidence that shows it, and values the
explanation template can use (`{plugin}`, `{value}`, ...). Predicates live in one module per
family (plugins, files, config, simulation, logs) and are found by name in `registry`; the
three-valued all / any / not are in `kleene`; `validate_when` checks a rule's tree before it
ever runs.
"""
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.tree import evaluate, validate_when

__all__ = ["Match", "evaluate", "validate_when"]
