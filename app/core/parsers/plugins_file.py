"""config/plugins: the ordered list of plugins Haraka loads.

Normalises names the way Haraka's plugins.js does (strip `haraka-plugin-`, rewrite deprecated
aliases) and records what a human would want flagged: duplicates and trailing comments.
"""
from __future__ import annotations

from dataclasses import replace

from app.core.model import PluginEntry, Problem
from app.core.parsers.flat import list_values

PREFIX = "haraka-plugin-"


def normalise(raw: str, aliases: dict[str, str]) -> tuple[str, str | None]:
    """(name Haraka loads, deprecated name or None)."""
    name = raw[len(PREFIX):] if raw.startswith(PREFIX) else raw
    if name in aliases:
        return aliases[name], name
    return name, None


def parse_plugins(lines: list[str], aliases: dict[str, str], file: str = "config/plugins"
                  ) -> tuple[list[PluginEntry], list[Problem]]:
    entries: list[PluginEntry] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for lineno, raw in list_values(lines):
        name, alias = normalise(raw, aliases)
        if " " in raw or "\t" in raw:
            problems.append(Problem(file, lineno, f"plugin line {raw!r} contains whitespace; Haraka "
                                    "does not strip trailing comments and will fail to load it"))
        dup = name in seen
        seen.add(name)
        entries.append(PluginEntry(raw=raw, name=name, line=lineno, alias_of=alias, duplicate=dup))
    return entries, problems


def renormalise(entries: list[PluginEntry], aliases: dict[str, str]) -> list[PluginEntry]:
    """The same config/plugins lines read with another release's deprecated names (new entries)."""
    out: list[PluginEntry] = []
    seen: set[str] = set()
    for e in entries:
        name, alias = normalise(e.raw, aliases)
        out.append(replace(e, name=name, alias_of=alias, duplicate=name in seen))
        seen.add(name)
    return out
