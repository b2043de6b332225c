"""Haraka's ini dialect (haraka-config): sections, `key[]=` arrays, `\\` continuations, numbers.

Values stay strings unless they look like integers/floats (as haraka-config does); booleans are
interpreted by `truthy()` at the point of use, because Haraka only coerces declared booleans.
Each value's line number is kept in `lines[(section, key)]` for evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.core.model import Problem

SECTION_RE = re.compile(r"^\s*\[([^\]]*)\]\s*$")
PARAM_RE = re.compile(r"^\s*([\w@:._+\-/\[\]]+)\s*(?:=\s*(.*?)\s*)?$")
COMMENT_RE = re.compile(r"^\s*[;#]")
CONTINUATION_RE = re.compile(r"\\[ \t]*$")
INT_RE = re.compile(r"^-?\d+$")
FLOAT_RE = re.compile(r"^-?\d+\.\d+$")
TRUTH_RE = re.compile(r"^(?:true|yes|ok|enabled|on|1)$", re.I)


@dataclass
class IniDoc:
    sections: dict[str, dict[str, Any]] = field(default_factory=lambda: {"main": {}})
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    section_lines: dict[str, int] = field(default_factory=dict)


def coerce(value: str | None) -> Any:
    if value is None:
        return None
    if INT_RE.match(value):
        return int(value)
    if FLOAT_RE.match(value):
        return float(value)
    return value


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return bool(TRUTH_RE.match(str(value)))


def parse_ini(lines: list[str], file: str = "") -> tuple[IniDoc, list[Problem]]:
    doc = IniDoc()
    problems: list[Problem] = []
    section = "main"
    pre, pre_line = "", 0
    for i, line in enumerate(lines, 1):
        if COMMENT_RE.match(line) or not line.strip():
            continue
        m = SECTION_RE.match(line)
        if m:
            section = m.group(1).strip()
            doc.sections.setdefault(section, {})
            doc.section_lines.setdefault(section, i)
            continue
        if CONTINUATION_RE.search(line):
            if not pre:
                pre_line = i
            pre += CONTINUATION_RE.sub("", line)
            continue
        start = pre_line if pre else i
        line, pre = pre + line, ""
        m = PARAM_RE.match(line)
        if not m:
            problems.append(Problem(file, start, f"not a valid ini line (Haraka ignores it): {line.strip()[:80]!r}"))
            continue
        key, value = m.group(1), coerce(m.group(2))
        sect = doc.sections.setdefault(section, {})
        if key.endswith("[]"):
            key = key[:-2]
            if not isinstance(sect.get(key), list):
                sect[key] = []
            sect[key].append(value)
        else:
            sect[key] = value
        doc.lines[(section, key)] = start
    return doc, problems
