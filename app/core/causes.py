"""Findings grouped by cause: a log symptom joins the config mistake that explains it.

A rule that only sees a problem from the logs names, in `symptom_of`, the config rules that
explain the same thing. When both fire they are one cause: one card, one fix, the config and
the log evidence side by side, instead of two cards of which the first has no fix.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.model import SEVERITY_ORDER, Evidence, Finding, Fix


@dataclass
class Cause:
    primary: Finding                                          # the finding that carries the fix
    symptoms: list[Finding] = field(default_factory=list)     # the same cause, seen elsewhere

    @property
    def findings(self) -> list[Finding]:
        return [self.primary, *self.symptoms]

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.findings]

    @property
    def severity(self) -> str:
        return min((f.severity for f in self.findings), key=lambda s: SEVERITY_ORDER.get(s, 9))

    @property
    def evidence(self) -> list[Evidence]:
        """Config first, then logs, then the simulation; each line once."""
        seen, out = set(), []
        order = {"config": 0, "assumed": 0, "absent": 1, "log": 2, "simulation": 3}
        for e in sorted((e for f in self.findings for e in f.evidence), key=lambda e: order.get(e.kind, 4)):
            key = (e.file, e.line, e.text)
            if key not in seen:
                seen.add(key)
                out.append(e)
        return out

    @property
    def fix(self) -> Fix | None:
        fixes = [f.fix for f in self.findings if f.fix is not None]
        return next((x for x in fixes if x.verified), fixes[0] if fixes else None)

    @property
    def assumes(self) -> dict[str, str]:
        """What the cause rests on that was not given; a log symptom confirms it outright."""
        if any(f.confirmed and any(e.kind == "log" for e in f.evidence) for f in self.symptoms):
            return {}
        out: dict[str, str] = {}
        for f in self.findings:
            out.update(f.assumes)
        return out

    def sort_key(self) -> tuple:
        strength = max(f.strength for f in self.findings)
        return (SEVERITY_ORDER.get(self.severity, 9), self.primary.source != "rule", bool(self.assumes), -strength,
                self.primary.rule)


def _root(rule: str, by_rule: dict[str, Finding], seen: set[str]) -> str:
    """The fired finding a symptom finally belongs to (symptom chains end at a config rule)."""
    f = by_rule[rule]
    for other in f.symptom_of:
        if other in by_rule and other not in seen:
            return _root(other, by_rule, seen | {rule})
    return rule


def group_causes(findings: list[Finding]) -> list[Cause]:
    """One Cause per root finding, most serious and best evidenced first."""
    by_rule = {f.rule: f for f in findings}
    groups: dict[str, Cause] = {}
    for f in findings:
        root = _root(f.rule, by_rule, set())
        cause = groups.setdefault(root, Cause(primary=by_rule[root]))
        if f.rule != root:
            cause.symptoms.append(f)
    return sorted(groups.values(), key=Cause.sort_key)
