"""A verified fix as SARIF `fixes[]`: code-scanning UIs offer it as a suggested change.

Why from the diff: the report is rendered from `Diagnosis.to_dict()`, which carries the verified
unified diff; each hunk (with its context lines) is one replacement of the old lines by the new
ones, so the change applies exactly as `check` verified it. Only verified fixes are offered."""
from __future__ import annotations

import re
from typing import Any, Callable

HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _files(patch: str) -> dict[str, list[tuple[int, int, list[str]]]]:
    """{file: [(first old line, old line count, new lines)]} of a unified diff."""
    out: dict[str, list[tuple[int, int, list[str]]]] = {}
    current: list | None = None
    for line in patch.splitlines():
        if line.startswith("+++ "):
            name = line[4:].strip().removeprefix("b/")
            current = None if name == "/dev/null" else out.setdefault(name, [])
            continue
        m = HUNK_RE.match(line)
        if m and current is not None:
            current.append((int(m.group(1)), int(m.group(2) or 1), []))
        elif current and line[:1] in (" ", "+"):
            current[-1][2].append(line[1:])
    return out


def _replacement(start: int, count: int, new: list[str]) -> dict[str, Any]:
    region = {"startLine": start, "endLine": start + count - 1} if count else \
        {"startLine": max(start, 1), "startColumn": 1, "endColumn": 1}      # an insertion deletes nothing
    text = "\n".join(new) + ("\n" if new else "")
    return {"deletedRegion": region, "insertedContent": {"text": text}}


def sarif_fixes(fix: dict[str, Any] | None, uri: Callable[[str], str]) -> list[dict[str, Any]]:
    """The `fixes` of a result: one per verified fix with a patch, else none."""
    if not (fix and fix.get("verified") and fix.get("patch")):
        return []
    changes = [{"artifactLocation": {"uri": uri(name)},
                "replacements": [_replacement(start, count, new) for start, count, new in hunks]}
               for name, hunks in _files(fix["patch"]).items() if hunks]
    return [{"description": {"text": fix.get("summary") or "mxdoctor fix"}, "artifactChanges": changes}] \
        if changes else []
