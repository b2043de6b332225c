"""Which connection a raw line belongs to, cheaply, so a big log can be split across processes.

Every line of one connection carries the same connection UUID (`ABC` or `ABC.N`), so a
UUID-derived shard sends a whole connection to one worker. Lines without a UUID (startup,
load errors, uuid `-`) all go to shard 0. Haraka's UUIDs are random (v4), so their first hex
digit spreads connections evenly. DEFAULT-format lines are read by position; anything else
(prefixes, logfmt, JSON) by searching for the first UUID.
"""
from __future__ import annotations

import re

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-")
_HEX = {c: int(c, 16) for c in "0123456789abcdefABCDEF"}


def shard_of(line: str, shards: int) -> int:
    """0 <= shard < shards; the same for all lines of one connection."""
    if line[:1] == "[":
        i = line.find("] [")
        if i != -1:
            digit = _HEX.get(line[i + 3:i + 4])
            if digit is not None and line[i + 11:i + 12] == "-":
                return digit % shards
            if line[i + 3:i + 5] == "-]":
                return 0
    m = _UUID.search(line)
    return _HEX[m.group()[0]] % shards if m else 0


def shard_batch(batch: list[str], first: int, shard: int, shards: int) -> list[tuple[int, str]]:
    """(line number, line) for the lines of `shard` in `batch`, whose first line is number `first`.

    The same decision as `shard_of`, inlined: this loop sees every line of a big file in every worker.
    """
    hex_digit, search = _HEX.get, _UUID.search
    mine = []
    for n, line in enumerate(batch, first):
        if line[:1] == "[":
            i = line.find("] [")
            if i != -1:
                digit = hex_digit(line[i + 3:i + 4])
                if digit is not None and line[i + 11:i + 12] == "-":
                    if digit % shards == shard:
                        mine.append((n, line))
                    continue
                if line[i + 3:i + 5] == "-]":
                    if shard == 0:
                        mine.append((n, line))
                    continue
        m = search(line)
        if (_HEX[m.group()[0]] % shards if m else 0) == shard:
            mine.append((n, line))
    return mine
