"""The version-range helper (app/core/semver.py): npm's spellings, and ordering properties that
must hold for every version (hypothesis)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.semver import Version, is_exact, parse_range, parse_version

V = parse_version


@pytest.mark.parametrize("text, version", [
    ("2.8.28", Version(2, 8, 28)),
    ("v3.3.4", Version(3, 3, 4)),
    ("3.0.0-alpha.1", Version(3, 0, 0, ("alpha", 1))),
    ("3.3.4/3f2a1c9", Version(3, 3, 4)),          # Haraka run from a git checkout
    ("3.1", Version(3, 1, 0)),
    ("1.2.3+build.7", Version(1, 2, 3)),
])
def test_versions_parse(text, version):
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["latest", "github:zone-eu/haraka-plugin-wildduck", "", "x.y.z", "next", "<<1.2",
                                  "1.2 garbage"])
def test_what_is_not_a_version(text):
    assert parse_version(text) is None and parse_range(text) is None


@pytest.mark.parametrize("a, b", [
    ("3.0.0-alpha.1", "3.0.0"), ("3.0.0-alpha.1", "3.0.0-alpha.2"), ("3.0.0-alpha.2", "3.0.0-beta"),
    ("3.0.0-1", "3.0.0-alpha"), ("2.8.28", "3.0.0-alpha.1"), ("2.8.9", "2.8.28"), ("3.0.5", "3.1.0"),
])
def test_order(a, b):
    assert V(a) < V(b) and not V(b) < V(a)


RANGES = [
    (">=3.1", ["3.1.0", "3.3.4", "10.0.0"], ["3.0.5", "2.8.28", "3.1.0-alpha.1"]),
    ("<3.0", ["2.8.28", "3.0.0-alpha.1"], ["3.0.0", "3.3.4"]),
    (">=2.8 <3.0", ["2.8.0", "2.8.28"], ["2.7.9", "3.0.0"]),
    (">= 2.8  < 3.0", ["2.8.28"], ["3.0.0"]),
    ("^3.0.3", ["3.0.3", "3.3.4"], ["3.0.2", "4.0.0"]),
    ("^0.2.3", ["0.2.9"], ["0.3.0"]),
    ("~2.8.0", ["2.8.0", "2.8.28"], ["2.9.0", "2.7.0"]),
    ("2.8.x", ["2.8.0", "2.8.28"], ["2.9.0", "3.0.0"]),
    ("2.8", ["2.8.28"], ["2.9.0"]),
    ("2.x", ["2.0.0", "2.8.28"], ["3.0.0"]),
    ("*", ["0.0.1", "3.3.4"], []),
    ("=3.3.4", ["3.3.4"], ["3.3.5"]),
    (">3.1", ["3.2.0"], ["3.1.9"]),
    ("<=3.1", ["3.1.9"], ["3.2.0"]),
    ("3.0.0 - 3.1", ["3.0.0", "3.1.7"], ["3.2.0"]),
    ("<2.8 || >=3.1", ["2.7.0", "3.1.0"], ["2.8.28", "3.0.5"]),
]


@pytest.mark.parametrize("text, inside, outside", RANGES, ids=[r[0] for r in RANGES])
def test_ranges(text, inside, outside):
    r = parse_range(text)
    assert r is not None and str(r) == text
    assert all(r.contains(v) for v in inside), inside
    assert not any(r.contains(v) for v in outside), outside


def test_ranges_compared_with_ranges():
    assert not parse_range("^3.0.3").overlaps(parse_range(">=2.8 <3.0"))
    assert parse_range("^3.0.3").overlaps(parse_range(">=3.1"))
    assert parse_range("3.1.x").within(parse_range(">=3.1"))
    assert not parse_range("^3.0.3").within(parse_range(">=3.1"))
    assert parse_range("2.8.28").exact == V("2.8.28") and parse_range("^2.8.28").exact is None
    assert is_exact("2.8.28") and is_exact("v3.0.0-alpha.1") and not is_exact("2.8.x") and not is_exact("^3.0.3")


# --------------------------------------------------------------------------- properties

# no deadline (a loaded CI machine is slow, not wrong), no example database (-p no:cacheprovider runs)
PROPERTY = settings(max_examples=150, deadline=None, database=None)

versions = st.builds(
    Version, st.integers(0, 20), st.integers(0, 40), st.integers(0, 40),
    st.lists(st.one_of(st.integers(0, 5), st.sampled_from(["alpha", "beta", "rc"])), max_size=2).map(tuple))


@PROPERTY
@given(versions)
def test_a_version_reads_back_as_itself(v):
    assert parse_version(str(v)) == v
    assert parse_range(str(v)).exact == v


@PROPERTY
@given(versions, versions)
def test_order_is_total_and_antisymmetric(a, b):
    assert (a < b) + (b < a) + (a == b) == 1


@PROPERTY
@given(versions, versions, versions)
def test_order_is_transitive(a, b, c):
    if a <= b and b <= c:
        assert a <= c


@PROPERTY
@given(versions)
def test_a_prerelease_sorts_before_its_release(v):
    release = Version(v.major, v.minor, v.patch)
    assert v <= release and (v == release or v < release)


@PROPERTY
@given(versions, versions)
def test_comparators_agree_with_the_order(a, b):
    assert parse_range(f">={a}").contains(b) == (b >= a)
    assert parse_range(f"<{a}").contains(b) == (b < a)
    assert parse_range(f">{a}").contains(b) == (b > a)
    assert parse_range(f"<={a}").contains(b) == (b <= a)
    assert parse_range(f">={a}").contains(b) != parse_range(f"<{a}").contains(b)


@PROPERTY
@given(versions, versions, versions)
def test_a_range_is_what_lies_between_its_bounds(lo, hi, v):
    r = parse_range(f">={lo} <{hi}")
    assert r.contains(v) == (lo <= v < hi)
    assert r.overlaps(parse_range(str(v))) == r.contains(v)


@PROPERTY
@given(versions.filter(lambda v: not v.pre), versions)
def test_caret_and_tilde_are_their_comparators(base, v):
    upper = f"{base.major + 1}.0.0" if base.major else \
        (f"0.{base.minor + 1}.0" if base.minor else f"0.0.{base.patch + 1}")
    assert parse_range(f"^{base}").contains(v) == parse_range(f">={base} <{upper}").contains(v)
    assert parse_range(f"~{base}").contains(v) == parse_range(f">={base} <{base.major}.{base.minor + 1}.0").contains(v)
    assert parse_range(f"{base.major}.{base.minor}.x").contains(v) == \
        parse_range(f">={base.major}.{base.minor}.0 <{base.major}.{base.minor + 1}.0").contains(v)


@PROPERTY
@given(versions, versions, versions, versions)
def test_overlap_is_symmetric_and_within_implies_overlap(a, b, c, d):
    r, s = parse_range(f">={a} <{b}"), parse_range(f">={c} <={d}")
    assert r.overlaps(s) == s.overlaps(r)
    if s.within(r) and s.contains(c):
        assert r.overlaps(s) and r.contains(c)


@PROPERTY
@given(versions, versions)
def test_membership_is_monotonic_above_a_lower_bound(a, v):
    later = Version(v.major, v.minor, v.patch + 1)
    if parse_range(f">={a}").contains(v):
        assert parse_range(f">={a}").contains(later)
