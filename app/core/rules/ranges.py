"""A rule's `versions:` against the versions the admin runs: a rule written for some releases
stays silent when the version is known to be another one, and fires as always when it is not
known (or known only as a range that may hold either)."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.model import Rule
from app.core.semver import parse_range


@dataclass(frozen=True)
class OutOfRange:
    """A rule left out because a version it depends on is outside its range."""
    rule: str
    package: str
    version: str       # what the admin runs (or asks for: a package.json range)
    where: str
    wants: str         # the rule's range

    def __str__(self) -> str:
        from app.core.versions import display_name
        return f"{self.rule} is for {display_name(self.package)} {self.wants}; {display_name(self.package)} " \
               f"{self.version} ({self.where}) is not"

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "package": self.package, "version": self.version, "where": self.where,
                "wants": self.wants}


def out_of_range(rule: Rule, versions) -> OutOfRange | None:
    """Why `rule` does not apply to these versions, or None when it may (or nothing is known)."""
    if not rule.versions or versions is None:
        return None
    for package, wants in rule.versions.items():
        best = versions.best(package)
        want = parse_range(wants)
        if best is None or want is None:
            continue
        have = best.range
        fits = want.contains(have.exact) if have.exact is not None else want.overlaps(have)
        if not fits:
            return OutOfRange(rule.id, package, best.version, best.where, wants)
    return None
