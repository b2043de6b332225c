"""Read and edit Haraka ini text line by line, keeping every comment and line not touched.

Why not configparser: Haraka reads keys before the first section as [main], allows `;` and `#`
comments and duplicate-free but free-form files; the admin should see their own file with only
the changed lines different.
"""
from __future__ import annotations

import re

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^\s*([^=;#\[\s][^=]*?)\s*=\s*(.*?)\s*$")


def entries(text: str) -> list[tuple[int, str, str, str]]:
    """(line index, section, key, value) of every key line; keys before a section are in 'main'."""
    out, section = [], "main"
    for i, line in enumerate(text.splitlines()):
        m = _SECTION.match(line)
        if m:
            section = m.group(1).strip()
            continue
        m = _KEY.match(line)
        if m:
            out.append((i, section, m.group(1), m.group(2)))
    return out


def get(text: str, section: str, key: str) -> str | None:
    for _i, sec, k, v in entries(text):
        if sec == section and k == key:
            return v
    return None


def sections(text: str) -> list[str]:
    return list(dict.fromkeys(sec for _i, sec, _k, _v in entries(text)))


def put(text: str, section: str, key: str, value: str | None) -> tuple[str, str | None]:
    """Set (value None: remove) `key` in `section`; returns (new text, the value it had)."""
    lines = text.splitlines()
    was = None
    for i, sec, k, v in entries(text):
        if sec == section and k == key:
            was = v
            lines[i] = None if value is None else f"{key}={value}"
            break
    else:
        if value is not None:
            lines = _insert(lines, section, f"{key}={value}")
    return "\n".join(line for line in lines if line is not None) + "\n", was


def _insert(lines: list[str], section: str, line: str) -> list[str]:
    for i, text in enumerate(lines):
        m = _SECTION.match(text)
        if m and m.group(1).strip() == section:
            return lines[:i + 1] + [line] + lines[i + 1:]
    if section == "main":
        return [line] + lines
    return lines + [f"[{section}]", line]


def remove_everywhere(text: str, keys: set[str]) -> tuple[str, list[tuple[int, str, str, str]]]:
    """Drop every line setting one of `keys`, in any section (an admin may uncomment both of
    Haraka's stock `;listen=` lines); returns (new text, [(line number, section, key, value)])."""
    lines = text.splitlines()
    removed = []
    for i, sec, k, v in entries(text) + _bare(text):
        if k in keys:
            removed.append((i + 1, sec, k, v))
            lines[i] = None
    removed.sort()
    if not removed:
        return text, []
    return "\n".join(line for line in lines if line is not None) + "\n", removed


_BARE = re.compile(r"^\s*([^=;#\[\s][^=]*?)\s*$")


def _bare(text: str) -> list[tuple[int, str, str, str]]:
    """Key lines without `=`: Haraka's ini reader takes a bare `listen` as listen=true, which
    listens on every address."""
    out, section = [], "main"
    for i, line in enumerate(text.splitlines()):
        m = _SECTION.match(line)
        if m:
            section = m.group(1).strip()
        elif "=" not in line and _BARE.match(line):
            out.append((i, section, _BARE.match(line).group(1), ""))
    return out
