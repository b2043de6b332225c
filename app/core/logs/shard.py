"""Which connection a raw line belongs to, cheaply, so a big log can be split across processes.

Every line of one connection carries the same connection UUID (`ABC` or `ABC.N`), so a
UUID-derived shard sends a whole connection to one worker. Lines without a UUID (startup,
load errors, uuid `-`) all go to shard 0. Haraka's UUIDs are random (v4), so their first hex
digit spreads connections evenly. DEFAULT-format lines are read by position (the UUID follows
`[LEVEL] [`, within the first 12 characters); anything else (prefixes, logfmt, JSON) by
searching for the first UUID in the line.
"""
from __future__ import annotations

import re

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-")
_HEX = {c: int(c, 16) for c in "0123456789abcdefABCDEF"}


def shard_of(line: str, shards: int) -> int:
    """0 <= shard < shards; the same for all lines of one connection."""
    i = line.find("] [", 0, 12)
    if i != -1:
        c = line[i + 3:i + 4]
        digit = _HEX.get(c)
        if digit is not None and line[i + 11:i + 12] == "-":
            return digit % shards
        if c == "-":
            return 0
    m = _UUID.search(line)
    return _HEX[m.group()[0]] % shards if m else 0


def shard_batch(batch: list[str], first: int, shard: int, shards: int) -> tuple[list[int], list[str]]:
    """(line numbers, lines) of `shard` in `batch`, whose first line is number `first`.

    The same decision as `shard_of`, inlined: this loop sees every line of a big file in every worker.
    """
    mine = {c: d % shards == shard for c, d in _HEX.items()}
    search = _UUID.search
    numbers: list[int] = []
    lines: list[str] = []
    n = first - 1
    for line in batch:
        n += 1
        i = line.find("] [", 0, 12)
        if i != -1:
            c = line[i + 3:i + 4]
            ours = mine.get(c)
            if ours is not None and line[i + 11:i + 12] == "-":
                if ours:
                    numbers.append(n)
                    lines.append(line)
                continue
            if c == "-":
                if shard == 0:
                    numbers.append(n)
                    lines.append(line)
                continue
        m = search(line)
        if mine[m.group()[0]] if m else shard == 0:
            numbers.append(n)
            lines.append(line)
    return numbers, lines
