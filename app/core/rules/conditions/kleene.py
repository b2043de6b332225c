"""all / any / not over three-valued answers (Kleene logic).

A sub-condition left undecided for lack of a file does not decide the whole: `all` is false as
soon as one part is definitely false, `any` true as soon as one part holds, and otherwise the
combination stays undecided and names every file it waited for.
"""
from __future__ import annotations

from typing import Any, Callable

from app.core.rules.conditions.match import Match, undecided
from app.core.rules.context import Context

Evaluate = Callable[[Context, Any], Match]


def all_of(ctx: Context, subs: list, evaluate: Evaluate) -> Match:
    """Every part holds: evidence, values and assumptions of all parts together."""
    out, unknown, partial = Match(True), [], False
    for sub in subs:
        m = evaluate(ctx, sub)
        if not m.ok:
            if not m.unknown:
                return Match(False)          # one definite "no" decides
            unknown += m.unknown
            partial = partial or m.partial
            continue
        # a guard that holds ("not X") says nothing about whether the rule applies here
        partial = partial or next(iter(sub)) != "not"
        out.evidence += m.evidence
        out.values.update(m.values)
        out.assumes.update(m.assumes)
    return undecided(unknown, partial) if unknown else out


def any_of(ctx: Context, subs: list, evaluate: Evaluate) -> Match:
    """The first part that holds, in the order written."""
    unknown, partial = [], False
    for sub in subs:
        m = evaluate(ctx, sub)
        if m.ok:
            return m
        unknown += m.unknown
        partial = partial or m.partial
    return undecided(unknown, partial) if unknown else Match(False)


def not_of(ctx: Context, sub: Any, evaluate: Evaluate) -> Match:
    """The opposite of a decided answer; an undecided one stays undecided."""
    m = evaluate(ctx, sub)
    if not m.ok and m.unknown:
        return m
    return Match(not m.ok, assumes=m.assumes)


COMBINATORS: dict[str, Callable[[Context, Any, Evaluate], Match]] = {"all": all_of, "any": any_of, "not": not_of}
