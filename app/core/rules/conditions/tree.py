"""A rule's condition tree: checked once when the rule loads, evaluated on every diagnosis."""
from __future__ import annotations

from typing import Any

from app.core.rules.conditions.kleene import COMBINATORS
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.registry import PREDICATES
from app.core.rules.context import Context


def evaluate(ctx: Context, node: Any) -> Match:
    """The answer of one condition (a predicate, or all / any / not of conditions)."""
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"a condition must be a mapping with one key, got {node!r}")
    (key, arg), = node.items()
    combine = COMBINATORS.get(key)
    if combine is not None:
        return combine(ctx, arg, evaluate)
    return PREDICATES[key](ctx, arg)


def validate_when(node: Any, path: str = "when") -> list[str]:
    """Problems in a condition tree, as 'path: message' strings."""
    if not isinstance(node, dict) or len(node) != 1:
        return [f"{path}: must be a mapping with exactly one key (a predicate, all, any or not)"]
    (key, arg), = node.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            return [f"{path}.{key}: must be a non-empty list of conditions"]
        return [p for i, sub in enumerate(arg) for p in validate_when(sub, f"{path}.{key}[{i}]")]
    if key == "not":
        return validate_when(arg, f"{path}.not")
    if key not in PREDICATES:
        return [f"{path}: unknown predicate {key!r} (known: {', '.join(sorted(PREDICATES))})"]
    return []
