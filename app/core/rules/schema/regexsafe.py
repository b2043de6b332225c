"""Is a rule's regex safe on an adversarial line? Checked when the rule loads, on the parsed pattern.

Rule regexes are searched in every log line and config line the admin gives (lines are cut at
64 kB, `ingest.textio.MAX_LINE`). Python's `re` backtracks, so three shapes cost far more than the
line's length, and are refused:

* a variable repeat inside a repeat that can split the same text two ways (`(\\w+\\s?)*`,
  `(a+)+`, `(\\s|.)*`): exponential;
* an unanchored pattern that starts with an unbounded repeat (`\\S+ expired`, `(?=.*x)`): a search
  retries it at every position of the line, so a long line without the literal costs its length
  squared;
* two unbounded repeats of overlapping characters side by side (`\\S+.*`): quadratic.

Other polynomial shapes (`.*a.*b` on a line of repeated `a`) stay: each line a rule reads is cut to
`conditions.span.REGEX_SPAN` characters, and the app's diagnosis runs within a time budget.
"""
from __future__ import annotations

import functools
import re
import string

try:                                    # Python >= 3.11
    from re import _constants as sre_c
    from re import _parser as sre_parse
except ImportError:                     # pragma: no cover - Python 3.10
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

UNBOUNDED = 1000                        # a repeat allowing more than this counts as unbounded
LOOP = 16                               # a group repeated more often than this: ambiguity inside it explodes
REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", sre_c.MAX_REPEAT)}
ANCHORS = {sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_STRING}
_CATEGORIES = {sre_c.CATEGORY_DIGIT: r"\d", sre_c.CATEGORY_NOT_DIGIT: r"\D", sre_c.CATEGORY_SPACE: r"\s",
               sre_c.CATEGORY_NOT_SPACE: r"\S", sre_c.CATEGORY_WORD: r"\w", sre_c.CATEGORY_NOT_WORD: r"\W"}
_BASE = frozenset(string.printable + "é中\u00a0")
_CLASS = {cat: frozenset(c for c in _BASE if re.match(rx, c)) for cat, rx in _CATEGORIES.items()}


class UnsafeRegex(ValueError):
    """A shape that backtracks without bound on a long line; the message says which and what to do."""


@functools.lru_cache(maxsize=4096)
def check_regex(pattern: str, flags: int = re.I) -> None:
    """Raise UnsafeRegex for a shape that costs more than linear time on an adversarial line."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, OverflowError, RecursionError):
        return                          # not a regex at all: the caller's compile() says so
    shapes = _Shapes(pattern, parsed.state.flags)
    shapes.walk(list(parsed), frozenset(), in_loop=False)
    shapes.leading(list(parsed))


def _items(av) -> list:
    return list(av)


class _Shapes:
    """Walks one parsed pattern; character classes are compared on a sample alphabet (ASCII, a few
    non-ASCII, and every literal of the pattern)."""

    def __init__(self, pattern: str, flags: int):
        self.pattern = pattern
        self.fold = bool(flags & re.I)
        self.alphabet = _BASE | frozenset(pattern)

    # ---------------------------------------------------------------- what a piece can start with
    def _chars(self, op, av) -> frozenset:
        if op is sre_c.LITERAL:
            return self._fold({chr(av)})
        if op is sre_c.NOT_LITERAL:
            return self.alphabet - self._fold({chr(av)})
        if op is sre_c.ANY:
            return self.alphabet - {"\n"}
        if op is sre_c.IN:
            return self._in_set(av)
        return self.alphabet

    def _fold(self, chars) -> frozenset:
        return frozenset({c for ch in chars for c in (ch, ch.lower(), ch.upper())} if self.fold else chars)

    def _in_set(self, items) -> frozenset:
        """The alphabet's characters a `[...]` set holds."""
        hit: set[str] = set()
        negate = False
        for op, av in items:
            if op is sre_c.NEGATE:
                negate = True
            elif op is sre_c.LITERAL:
                hit |= self._fold({chr(av)})
            elif op is sre_c.RANGE:
                hit |= {c for c in self.alphabet if any(av[0] <= ord(x) <= av[1] for x in self._fold({c}))}
            elif op is sre_c.CATEGORY:
                hit |= self._category(av)
        return self.alphabet - hit if negate else frozenset(hit) & self.alphabet

    def _category(self, cat) -> frozenset:
        extra = {c for c in self.alphabet - _BASE if re.match(_CATEGORIES.get(cat, "."), c)}
        return _CLASS.get(cat, self.alphabet) | extra

    def first(self, seq) -> tuple[frozenset, bool]:
        """(characters a match of `seq` can start with, whether it can match the empty string)"""
        acc: frozenset = frozenset()
        for op, av in seq:
            chars, nullable = self._first_one(op, av)
            acc |= chars
            if not nullable:
                return acc, False
        return acc, True

    def _first_one(self, op, av) -> tuple[frozenset, bool]:
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN):
            return self._chars(op, av), False
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            return frozenset(), True
        if op is sre_c.SUBPATTERN:
            return self.first(av[-1])
        if op is getattr(sre_c, "ATOMIC_GROUP", None):
            return self.first(av)
        if op is sre_c.BRANCH:
            parts = [self.first(b) for b in av[1]]
            return frozenset().union(*(p[0] for p in parts)), any(p[1] for p in parts)
        if op in REPEATS:
            chars, nullable = self.first(av[2])
            return chars, nullable or av[0] == 0
        return self.alphabet, True      # a back-reference or a conditional: anything

    # ---------------------------------------------------------------- nested and adjacent repeats
    def walk(self, seq, follow: frozenset, in_loop: bool) -> None:
        """`follow`: what can come right after `seq`; `in_loop`: `seq` is inside a repeat that may
        run many times (more than LOOP), so what follows a variable repeat may be its own next round."""
        seq = _items(seq)
        for i, (op, av) in enumerate(seq):
            rest, rest_nullable = self.first(seq[i + 1:])
            after = rest | follow if rest_nullable else rest
            if op in REPEATS:
                self._repeat(av, after, in_loop)
                if i + 1 < len(seq):
                    self._adjacent(av, seq[i + 1])
            elif op is sre_c.SUBPATTERN:
                self.walk(av[-1], after, in_loop)
            elif op is getattr(sre_c, "ATOMIC_GROUP", None):
                self.walk(av, after, in_loop)
            elif op is sre_c.BRANCH:
                self._branch(av[1], after, in_loop)
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                self.walk(av[1], frozenset(), in_loop=False)

    def _repeat(self, av, after: frozenset, in_loop: bool) -> None:
        lo, hi, body = av
        mine, _ = self.first(body)
        if in_loop and lo != hi and mine & after:
            raise UnsafeRegex(self._say("a repeat inside a repeat can split the same text in several ways "
                                        "(like (\\w+\\s?)* or (a+)+), so a long line that does not match "
                                        "backtracks exponentially; make the inner part end with a character "
                                        "it cannot start with"))
        self.walk(body, (mine | after) if hi >= 2 else after, in_loop or hi > LOOP)

    def _branch(self, branches, after: frozenset, in_loop: bool) -> None:
        singles = [self._chars(b[0][0], b[0][1]) for b in branches
                   if len(b) == 1 and b[0][0] in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN)]
        if in_loop and any(a & b for i, a in enumerate(singles) for b in singles[i + 1:]):
            raise UnsafeRegex(self._say("a repeated alternative whose branches match the same character "
                                        "(like (\\s|.)*) backtracks exponentially on a long line; use one "
                                        "character class"))
        for b in branches:
            self.walk(b, after, in_loop)

    def _adjacent(self, av, nxt) -> None:
        op2, av2 = nxt
        if op2 not in REPEATS or av[1] <= UNBOUNDED or av2[1] <= UNBOUNDED:
            return
        if len(av[2]) == 1 and len(av2[2]) == 1 and self.first(av[2])[0] & self.first(av2[2])[0]:
            raise UnsafeRegex(self._say("two unbounded repeats of the same characters stand side by side "
                                        "(like \\S+.*), which costs a long line its length squared; one "
                                        "repeat is enough"))

    # ---------------------------------------------------------------- where a search starts
    def leading(self, seq) -> None:
        if self._lead(_items(seq)) is False:
            raise UnsafeRegex(self._say("it starts with an unbounded repeat (like \\S+ or .*, also inside "
                                        "a lookahead), which a search retries at every position of a long "
                                        "line (its length squared); anchor it with ^ or a lookbehind such "
                                        "as (?<!\\S), or start with a literal"))

    def _lead(self, seq) -> bool | None:
        """True: the start is guarded (an anchor, a lookbehind, a literal); False: it can start with
        an unbounded repeat; None: everything so far can match nothing (keep looking)."""
        for op, av in seq:
            verdict = self._lead_one(op, av)
            if verdict is not None:
                return verdict
        return None

    def _lead_one(self, op, av) -> bool | None:
        if op is sre_c.AT:
            return True if av in ANCHORS else None
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            if av[0] < 0:
                return True                                     # a lookbehind guards the start
            return False if self._lead(_items(av[1])) is False else None
        if op in REPEATS:
            if av[1] > UNBOUNDED:
                return False
            inner = self._lead(_items(av[2]))
            return inner if inner is False or av[0] > 0 else None
        if op in (sre_c.SUBPATTERN, getattr(sre_c, "ATOMIC_GROUP", None)):
            return self._lead(_items(av[-1] if op is sre_c.SUBPATTERN else av))
        if op is sre_c.BRANCH:
            verdicts = [self._lead(_items(b)) for b in av[1]]
            return False if False in verdicts else (None if None in verdicts else True)
        return True

    def _say(self, why: str) -> str:
        shown = self.pattern if len(self.pattern) <= 80 else self.pattern[:77] + "..."
        return f"unsafe regular expression {shown!r}: {why}"
