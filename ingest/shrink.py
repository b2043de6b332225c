"""A source that suddenly yields nothing is far more often an unmounted share or a failed export
than a wiki someone emptied. Its documents are kept, with a warning that names the source and the
count, until the user confirms (`mxdoctor ingest --prune-empty`, or the button the app shows).

Sudden: a source that had documents yields none, or loses more than SHRINK_SHARE of them and at
least SHRINK_MIN in one run. Deleting a few pages prunes them as before.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SHRINK_SHARE = 0.5
SHRINK_MIN = 10


@dataclass
class Held:
    """A source whose missing documents were kept: `before` indexed, `now` read, `missing` kept."""
    source: str
    before: int
    now: int
    missing: int

    def warning(self) -> str:
        if self.now == 0:
            what = (f"yielded no documents, but {self.before} are indexed from it (an unmounted share or a "
                    "failed export?)")
        else:
            what = f"yielded {self.now} documents; {self.missing} of the {self.before} indexed from it are gone"
        return (f"{self.source}: {what}. They were kept: run `mxdoctor ingest --prune-empty` (or confirm in the "
                f"app) if they really were removed.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def indexed_per_source(docs: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """The document ids the manifest lists for each source."""
    out: dict[str, set[str]] = {}
    for doc_id, entry in docs.items():
        out.setdefault(str(entry.get("source", "")), set()).add(doc_id)
    return out


def sudden_losses(before: dict[str, set[str]], seen: dict[str, set[str]]) -> list[Held]:
    """Sources read this run whose indexed documents mostly (or all) failed to appear."""
    out = []
    for name, current in seen.items():
        had = before.get(name, set())
        missing = len(had - current)
        if had and (not current or (missing >= SHRINK_MIN and missing > SHRINK_SHARE * len(had))):
            out.append(Held(name, len(had), len(current), missing))
    return out
