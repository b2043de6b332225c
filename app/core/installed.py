"""Evidence that a plugin is installed: it ran in the pasted logs, or a pasted listing or
package.json shows it.

Why: kb/plugins/universe.yaml says a package exists on npm, not that this Haraka has it; the
catalog only knows what one Haraka release ships. A plugin seen at work in the admin's own log,
or listed in their node_modules, plugins/ dir or package.json, is there, whatever we know of it.

Names are plugin names as Haraka loads them (see app.core.universe): `limit` for the package
haraka-plugin-limit, a scoped or other full package name as it is.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable

from app.core.model import ConfigFile, ConfigSet, LogEvent
from app.core.universe import haraka_name, plugin_name_for

# events whose `plugin` field names a plugin that was loaded and ran
RAN_KINDS = frozenset({"hook_result", "plugin_line", "hook_registered", "hook_run", "timeout", "crit"})
LOADING_28 = re.compile(r"Loading plugin: (\S+)\s*$")       # Haraka 2.8.x, before the plugin loads
DEPENDENCY_KEYS = ("dependencies", "optionalDependencies", "devDependencies")


@dataclass(frozen=True)
class Sighting:
    """Where a plugin was seen installed."""
    plugin: str
    file: str
    line: int | None
    how: str            # ran (in the logs) | listed (a listing, package.json or plugin file)


# --------------------------------------------------------------------------- logs

def seen_running(events: Iterable[LogEvent], aliases: dict[str, str] | None = None) -> dict[str, Sighting]:
    """Plugins the logs show at work: a hook result, a line the plugin logged itself, a hook it
    registered, a timeout or failure inside one of its hooks, or a `loading NAME` line with no
    load error for NAME after it."""
    ran: dict[str, Sighting] = {}
    loading: dict[str, Sighting] = {}
    failed: set[str] = set()
    for ev in events:
        name = ev.fields.get("plugin")
        if ev.kind == "load_error" and name:
            failed.add(haraka_name(name, aliases))
        elif ev.kind in RAN_KINDS and name:
            ran.setdefault(haraka_name(name, aliases), Sighting(haraka_name(name, aliases), ev.file, ev.lineno, "ran"))
        elif ev.kind == "plugin_load" and name:
            loading.setdefault(haraka_name(name, aliases), Sighting(haraka_name(name, aliases), ev.file, ev.lineno, "ran"))
        elif ev.kind == "other" and "Loading plugin: " in ev.raw:
            m = LOADING_28.search(ev.raw)
            if m:
                key = haraka_name(m.group(1), aliases)
                loading.setdefault(key, Sighting(key, ev.file, ev.lineno, "ran"))
    for name, seen in loading.items():
        if name not in failed:
            ran.setdefault(name, seen)
    return ran


# --------------------------------------------------------------------------- pasted files

def listed_installed(cs: ConfigSet, aliases: dict[str, str] | None = None) -> dict[str, Sighting]:
    """Plugins a pasted file shows installed: a plugins/ or node_modules listing (`ls`, `npm ls`),
    package.json dependencies (also config/package.json), package-lock.json, or a file given
    under plugins/ or node_modules/<package>/."""
    out: dict[str, Sighting] = {}

    def add(name: str, f: ConfigFile, line: int | None) -> None:
        key = haraka_name(name, aliases)
        if key:
            out.setdefault(key, Sighting(key, f.name, line, "listed"))

    for f in cs.files.values():
        for name, line in _names_in_file(f):
            add(name, f, line)
    return out


def local_sources(cs: ConfigSet) -> set[str]:
    """Plugins whose own source was given (`plugins/x.js`, `plugins/x/...`): the simulation reads
    their hooks from it."""
    return {name for f in cs.files.values() if f.kind != "listing" and "node_modules" not in f.name.split("/")
            for name in _names_in_path(f.name)}


def _names_in_file(f: ConfigFile) -> list[tuple[str, int | None]]:
    if f.kind == "listing":
        return _listing_names(f)
    if "node_modules" not in f.name.split("/") and isinstance(f.parsed, dict):
        if f.basename == "package.json":
            return [(plugin_name_for(pkg), _line_of(f, pkg)) for pkg in _dependencies(f.parsed)]
        if f.basename == "package-lock.json":
            return [(plugin_name_for(pkg), _line_of(f, pkg)) for pkg in _lock_packages(f.parsed)]
    return [(name, None) for name in _names_in_path(f.name)]


def _dependencies(doc: dict) -> list[str]:
    out: list[str] = []
    for key in DEPENDENCY_KEYS:
        deps = doc.get(key)
        if isinstance(deps, dict):
            out += [str(name) for name in deps]
    return out


def _names_in_path(path: str) -> list[str]:
    """`plugins/x.js`, `plugins/x/package.json`, `plugins/queue/y.js` (and the bare `y` the
    older check used), `node_modules/<package>/...`."""
    parts = path.split("/")
    if "node_modules" in parts:
        i = len(parts) - 1 - parts[::-1].index("node_modules")
        rest = parts[i + 1:]
        if len(rest) >= 2:
            package = "/".join(rest[:2]) if rest[0].startswith("@") and len(rest) >= 3 else rest[0]
            return [plugin_name_for(package)]
        return []
    if "plugins" in parts[:-1]:
        rel = parts[parts.index("plugins") + 1:]
        if len(rel) == 1:
            return [rel[0].removesuffix(".js")]
        folder = "/".join(rel[:-1])          # a folder plugin: plugins/x/package.json, index.js, ...
        if rel[-1] == "package.json" or not rel[-1].endswith(".js"):
            return [folder]
        names = ["/".join(rel).removesuffix(".js"), rel[-1].removesuffix(".js")]
        return names + [folder] if rel[-1] == "index.js" else names
    return []


def _lock_packages(doc: dict) -> list[str]:
    """Top-level packages of a package-lock.json (v2/v3 `packages`, v1 `dependencies`)."""
    names = [key.removeprefix("node_modules/") for key in (doc.get("packages") or {})
             if key.startswith("node_modules/") and "/node_modules/" not in key]
    if not names and isinstance(doc.get("dependencies"), dict):
        names = list(doc["dependencies"])
    return names


def _line_of(f: ConfigFile, text: str) -> int | None:
    quoted = json.dumps(text)
    return next((i for i, line in enumerate(f.lines, 1) if quoted in line), None)


# --------------------------------------------------------------------------- listings

def _listing_names(f: ConfigFile) -> list[tuple[str, int | None]]:
    """Installed plugin names from a listing: `node_modules/` (or `npm ls`) entries are package
    names; `plugins/` entries are `x.js` files and `x` folders."""
    where = f.name.rstrip("/")
    parts = where.split("/")
    out: list[tuple[str, int | None]] = []
    if where == "npm ls" or "node_modules" in parts:
        scope = parts[-1] + "/" if parts[-1].startswith("@") else ""
        for entry, line in listing_entries(f.lines):
            out.append((plugin_name_for(scope + entry), line))
    elif "plugins" in parts:
        sub = "/".join(parts[parts.index("plugins") + 1:])
        for entry, line in listing_entries(f.lines):
            name = entry.removesuffix(".js")
            out.append((f"{sub}/{name}" if sub else name, line))
    return out


LS_LONG = re.compile(r"^[bcdlps-][rwxsStT-]{9}[.@+]?\s")
TREE_CHARS = "├└│`+|-─┬ \t"
SKIP_WORDS = ("total ", "UNMET", "(empty)")


def listing_entries(lines: list[str]) -> list[tuple[str, int]]:
    """(name, line) for each entry of `ls`, `ls -l`, `ls -F`, `npm ls` or `tree` output. Nested
    `npm ls` entries (a dependency's own dependencies) and the root line are left out."""
    out: list[tuple[str, int]] = []
    for i, line in enumerate(lines, 1):
        text = line.rstrip()
        if not text.strip() or text.lstrip().startswith(("#", "$")) or text.startswith(SKIP_WORDS):
            continue
        if LS_LONG.match(text):
            tokens = [text.split()[-1] if " -> " not in text else text.split(" -> ")[0].split()[-1]]
        elif text[0] in "├└`+":
            if text[0] == "+" and not text.startswith("+--") or "missing" in text or "UNMET" in text:
                continue
            tokens = text.lstrip(TREE_CHARS).split()[:1]
        elif text[0] in "│| \t" or ("@" in text and " /" in text):
            continue                     # a nested tree entry, or npm ls's root `pkg@1.0.0 /path`
        else:
            tokens = text.split()
        out += [(name, i) for name in map(_entry_name, tokens) if name]
    return out


def _entry_name(token: str) -> str:
    """`haraka-plugin-x@1.2.3` -> `haraka-plugin-x`; `x/` (ls -F) -> `x`; `.` and `..` -> ''."""
    token = token.strip().rstrip("/*@=|")
    at = token.rfind("@")
    if at > 0:
        token = token[:at]
    return "" if token in (".", "..") or not re.match(r"^[@\w][\w.@/-]*$", token) else token
