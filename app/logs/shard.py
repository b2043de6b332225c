"""Which connection a raw line belongs to, cheaply, so a big log can be split across processes.

Every line of one connection carries the same connection UUID (`ABC` or `ABC.N`), so hashing
it sends a whole connection to one worker. Lines without a UUID (startup, load errors,
uuid `-`) all go to shard 0. DEFAULT-format lines are read by position; anything else
(prefixes, logfmt, JSON) by searching for the first UUID.
"""
from __future__ import annotations

import re

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-")


def shard_of(line: str, shards: int) -> int:
    """0 <= shard < shards; stable for all lines of one connection."""
    if line[:1] == "[":
        i = line.find("] [")
        if i != -1:
            head = line[i + 3:i + 11]
            if head[:1] == "-":
                return 0
            try:
                return int(head, 16) % shards
            except ValueError:
                pass
    m = _UUID.search(line)
    if m is None:
        return 0
    return int(m.group()[:8], 16) % shards
