"""Counters that keep the earliest few `file:line` examples per key: deterministic and mergeable.

Examples are ordered by (file index, line), so summaries of parts of a file read by other
processes merge into the same report as one pass. Refusals group by their reply text without
the per-message uuid and addresses (`normalise_reply`), so equal causes count together.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any

MAX_EXAMPLES = 3

UUID_SUFFIX = _UUID_SUFFIX = re.compile(r"\s*\((?:[0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27}(?:\.\d+)?)\)")
_ANGLE = re.compile(r"<[^<>]*>")
_NORMALISED: dict[str, str] = {}


class Tally:
    """Counts per key, with the earliest MAX_EXAMPLES examples of each."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.examples: dict[tuple, list[tuple[tuple[int, int], str]]] = {}

    def add(self, key: tuple, order: tuple[int, int], example: str) -> None:
        self.counts[key] += 1
        ex = self.examples.get(key)
        if ex is None:
            self.examples[key] = [(order, example)]
        elif len(ex) < MAX_EXAMPLES or order < ex[-1][0]:
            ex.append((order, example))
            ex.sort()
            del ex[MAX_EXAMPLES:]

    def merge(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        for key, ex in other.examples.items():
            mine = self.examples.setdefault(key, [])
            mine.extend(ex)
            mine.sort()
            del mine[MAX_EXAMPLES:]

    def rows(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        """One row per key (its parts under `names`), most frequent first, with count and examples."""
        rows = []
        for key, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], repr(kv[0]))):
            row = dict(zip(names, key))
            row["count"] = n
            row["examples"] = [text for _, text in self.examples.get(key, [])]
            rows.append(row)
        return rows


def where(file: str, line: int | None, uuid: str | None = None) -> str:
    """An example as the report shows it: `file:line (uuid)`."""
    loc = f"{file}:{line}" if line else file
    return f"{loc} ({uuid})" if uuid else loc


def normalise_reply(text: str) -> str:
    """Reply text without the per-message uuid and addresses, so equal causes group together."""
    if not text:
        return ""
    cached = _NORMALISED.get(text)
    if cached is None:
        cached = _ANGLE.sub("<…>", _UUID_SUFFIX.sub("", text)).strip() if ("(" in text or "<" in text) \
            else text.strip()
        if len(_NORMALISED) < 10000:
            _NORMALISED[text] = cached
    return cached
