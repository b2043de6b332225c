"""Versions and version ranges, the way npm writes them, in a few lines of our own (no `packaging`).

    parse_version("3.0.0-alpha.1") < parse_version("3.0.0")        # a pre-release comes first
    parse_range("^3.0.3").contains(parse_version("3.1.7"))          # True
    parse_range(">=2.8 <3.0").overlaps(parse_range("^3.0.3"))       # False

A version is `major[.minor[.patch]][-pre.release][+build]`, with an optional leading `v` and
Haraka's `/<git commit>` suffix (both ignored). A range is a union (`||`) of sets of comparators
(`>=3.1`, `<3.0`, `>=2.8 <3.0`, `=3.3.4`), or one of npm's shorthands: `^3.0.3`, `~2.8.0`,
`2.8.x`, `2.8`, `*`, `3.0.0 - 3.1.0`. A partial version reads as npm reads it (`<=3.1` is
`<3.2.0`, `>3.1` is `>=3.2.0`, `2.8` is `2.8.x`). Every range is kept as intervals, so two ranges
can be compared (`overlaps`, `within`) as well as one version tested.

Unlike npm, ordering is all there is: `<3.0` holds for 3.0.0-alpha.1, which sorts before 3.0.0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering

VERSION_RE = re.compile(r"^\s*[vV=]?\s*(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?"
                        r"(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?(?:/\S*)?\s*$")
COMPARATOR_RE = re.compile(r"^(<=|>=|<|>|=|\^|~>?)?\s*(.+)$")


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int = 0
    patch: int = 0
    pre: tuple[int | str, ...] = ()

    def _key(self) -> tuple:
        # a release sorts after its pre-releases; numeric identifiers before alphanumeric ones
        pre = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, not self.pre, pre)

    def __lt__(self, other: "Version") -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return base + ("-" + ".".join(map(str, self.pre)) if self.pre else "")


def _pre(text: str | None) -> tuple[int | str, ...]:
    if not text:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in text.split(".") if p)


def _parts(text: str) -> tuple[list[int], tuple[int | str, ...]] | None:
    """The numbers given (1 to 3 of them; `x` ends them) and the pre-release, or None."""
    m = VERSION_RE.match(text)
    if not m:
        return None
    nums: list[int] = []
    for g in m.groups()[:3]:
        if g is None or not g.isdigit():
            break
        nums.append(int(g))
    return nums, _pre(m.group(4)) if len(nums) == 3 else ()


def parse_version(text: str) -> Version | None:
    """A version (missing parts are 0: `3.1` is 3.1.0), or None when `text` is not one."""
    got = _parts(str(text)) if text is not None else None
    if got is None:
        return None
    nums, pre = got
    nums += [0] * (3 - len(nums))
    return Version(nums[0], nums[1], nums[2], pre)


# --------------------------------------------------------------------------- intervals

@dataclass(frozen=True)
class Interval:
    """[lo, hi) with inclusive flags; None is unbounded."""
    lo: Version | None = None
    lo_incl: bool = True
    hi: Version | None = None
    hi_incl: bool = False

    def contains(self, v: Version) -> bool:
        if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_incl)):
            return False
        return self.hi is None or v < self.hi or (v == self.hi and self.hi_incl)

    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.hi < self.lo or (self.hi == self.lo and not (self.lo_incl and self.hi_incl))

    def meet(self, other: "Interval") -> "Interval":
        lo, lo_incl = self.lo, self.lo_incl
        if other.lo is not None and (lo is None or other.lo > lo or (other.lo == lo and not other.lo_incl)):
            lo, lo_incl = other.lo, other.lo_incl
        hi, hi_incl = self.hi, self.hi_incl
        if other.hi is not None and (hi is None or other.hi < hi or (other.hi == hi and not other.hi_incl)):
            hi, hi_incl = other.hi, other.hi_incl
        return Interval(lo, lo_incl, hi, hi_incl)


EVERYTHING = Interval()


def _bump(nums: list[int]) -> Version:
    """The first version after every `nums.*`: [2, 8] -> 2.9.0, [3] -> 4.0.0."""
    nums = nums[:-1] + [nums[-1] + 1]
    nums += [0] * (3 - len(nums))
    return Version(*nums)


def _low(nums: list[int], pre: tuple) -> Version:
    full = nums + [0] * (3 - len(nums))
    return Version(full[0], full[1], full[2], pre)


def _caret(nums: list[int], pre: tuple) -> Interval:
    """^3.0.3 := >=3.0.3 <4.0.0; ^0.2.3 := <0.3.0; ^0.0.3 := <0.0.4 (npm's left-most non-zero)."""
    full = nums + [0] * (3 - len(nums))
    if full[0] > 0 or len(nums) == 1:
        hi = _bump(nums[:1])
    elif full[1] > 0 or len(nums) == 2:
        hi = _bump(nums[:2])
    else:
        hi = _bump(nums[:3])
    return Interval(_low(nums, pre), True, hi, False)


def _comparator(token: str) -> Interval | None:
    m = COMPARATOR_RE.match(token.strip())
    if not m:
        return None
    op, rest = m.group(1) or "", m.group(2)
    if rest.strip() in ("*", "x", "X"):
        return EVERYTHING
    got = _parts(rest)
    if got is None:
        return None
    nums, pre = got
    if not nums:
        return EVERYTHING
    exact = len(nums) == 3
    if op == "^":
        return _caret(nums, pre)
    if op.startswith("~"):
        return Interval(_low(nums, pre), True, _bump(nums[:2] if len(nums) > 1 else nums), False)
    if op == ">=":
        return Interval(_low(nums, pre), True)
    if op == ">":
        return Interval(_low(nums, pre), False) if exact else Interval(_bump(nums), True)
    if op == "<":
        return Interval(hi=_low(nums, pre), hi_incl=False)
    if op == "<=":
        return Interval(hi=_low(nums, pre), hi_incl=True) if exact else Interval(hi=_bump(nums), hi_incl=False)
    # `=3.3.4`, `3.3.4`, or a partial `2.8` / `2.8.x`
    return Interval(_low(nums, pre), True, _low(nums, pre), True) if exact else \
        Interval(_low(nums, ()), True, _bump(nums), False)


# --------------------------------------------------------------------------- ranges

@dataclass(frozen=True)
class Range:
    text: str
    intervals: tuple[Interval, ...] = field(default_factory=tuple)

    def contains(self, v: Version | str) -> bool:
        v = parse_version(v) if isinstance(v, str) else v
        return v is not None and any(i.contains(v) for i in self.intervals)

    def overlaps(self, other: "Range") -> bool:
        """Some version is in both."""
        return any(not a.meet(b).empty() for a in self.intervals for b in other.intervals)

    def within(self, other: "Range") -> bool:
        """Every version of this range is in `other` (checked interval by interval: each of ours
        must fit inside one of theirs)."""
        return all(any(a.meet(b) == a for b in other.intervals) for a in self.intervals if not a.empty())

    @property
    def exact(self) -> Version | None:
        """The one version this range allows, when it allows exactly one."""
        if len(self.intervals) == 1:
            i = self.intervals[0]
            if i.lo is not None and i.lo == i.hi and i.lo_incl and i.hi_incl:
                return i.lo
        return None

    def __str__(self) -> str:
        return self.text


HYPHEN_RE = re.compile(r"^\s*(\S+)\s+-\s+(\S+)\s*$")
TOKEN_RE = re.compile(r"(?:<=|>=|<|>|=|\^|~>?)?\s*[^\s<>=^~]+")


def _conjunction(text: str) -> Interval | None:
    m = HYPHEN_RE.match(text)
    if m:
        lo, hi = _comparator(">=" + m.group(1)), _comparator("<=" + m.group(2))
        return lo.meet(hi) if lo and hi else None
    # ">= 3.1" is ">=3.1": glue an operator to the version after it; anything left over is an error
    tokens = TOKEN_RE.findall(text)
    if not tokens or TOKEN_RE.sub("", text).strip():
        return None
    out = EVERYTHING
    for tok in tokens:
        one = _comparator(tok)
        if one is None:
            return None
        out = out.meet(one)
    return out


def parse_range(text: str) -> Range | None:
    """A range, or None when `text` is not one (a git URL, a tag name, `latest`)."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    intervals = []
    for part in text.split("||"):
        one = _conjunction(part) if part.strip() else EVERYTHING
        if one is None:
            return None
        intervals.append(one)
    return Range(text, tuple(intervals))


def is_exact(text: str) -> bool:
    """`text` names one version (2.8.28, v3.0.0-alpha.1), not a range (^3.0.3, 2.8.x, >=3.1)."""
    got = _parts(str(text))
    return got is not None and len(got[0]) == 3
