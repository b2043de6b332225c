"""Hooks of plugins whose source was pasted or found in the install's plugins/ dir.

A custom plugin is the usual suspect when a hook is answered too early, and the catalog cannot
know it. Reading `register_hook('hook', 'method', prio)` calls and `hook_*` method definitions
from its JavaScript gives the registrations Haraka would make with its default code path.
"""
from __future__ import annotations

import re
from dataclasses import replace

from app.core.model import Catalog, ConfigSet, HookRegistration, PluginInfo

REGISTER_RE = re.compile(r"register_hook\s*\(\s*['\"]([\w]+)['\"]\s*,\s*['\"]([\w]+)['\"]\s*(?:,\s*(-?\d+))?")
METHOD_RE = re.compile(r"(?:exports\.|this\.|^\s*(?:async\s+)?)(hook_[a-z_]+)\s*(?:=|\()", re.M)
NEXT_RE = re.compile(r"\b(?:next|callback|cb|done)\s*\(\s*(?:constants\.)?([A-Za-z_]*)")
CODES = {"": "CONT", "CONT": "CONT", "OK": "OK", "DENY": "DENY", "DENYSOFT": "DENYSOFT",
         "DENYDISCONNECT": "DENYDISCONNECT", "DENYSOFTDISCONNECT": "DENYSOFTDISCONNECT",
         "cont": "CONT", "ok": "OK", "deny": "DENY", "denysoft": "DENYSOFT", "undefined": "CONT", "null": "CONT"}
NAME_RE = re.compile(r"(?:^|/)plugins/(?P<name>.+?)(?:/index)?\.js$")


def local_plugin_infos(cs: ConfigSet) -> dict[str, PluginInfo]:
    out: dict[str, PluginInfo] = {}
    for f in cs.files.values():
        m = NAME_RE.search(f.name)
        if not m or "node_modules" in f.name:
            continue
        src = f.text
        hooks = [HookRegistration(h, meth, int(p or 0)) for h, meth, p in REGISTER_RE.findall(src)]
        seen = set()
        for meth in METHOD_RE.findall(src):
            if meth not in seen:
                seen.add(meth)
                hooks.append(HookRegistration(meth[len("hook_"):], meth, 0))
        answers = {h.method: method_answers(src, h.method) for h in hooks}
        out[m.group("name")] = PluginInfo(name=m.group("name"), hooks=hooks, source="local",
                                          summary=f"local plugin from {f.name}", answers=answers)
    return out


def method_body(src: str, method: str) -> str:
    """The text from the method's definition to the next top-level definition (good enough for
    the small plugins admins write; the simulator marks what it cannot read as unknown)."""
    m = re.search(rf"(?:exports\.{method}\s*=|^\s*(?:async\s+)?{method}\s*\()", src, re.M)
    if not m:
        return ""
    rest = src[m.end():]
    end = re.search(r"\n(?:exports\.\w+\s*=|(?:async\s+)?function\s+\w+|class\s|const\s|let\s|module\.exports)", rest)
    return rest[: end.start()] if end else rest


def method_answers(src: str, method: str) -> list[str]:
    """The codes a method passes to next(); ["TIMEOUT"] when it never calls it."""
    body = method_body(src, method)
    if not body:
        return []
    codes = [CODES.get(c, "UNKNOWN") for c in NEXT_RE.findall(body)]
    return sorted(set(codes)) if codes else ["TIMEOUT"]


def with_local_plugins(catalog: Catalog, cs: ConfigSet) -> Catalog:
    """A copy of the catalog that also knows the local plugins. A local file named like a catalog
    plugin is most often a copy or a stand-in of it, so the catalog's knowledge is kept for those."""
    local = {n: i for n, i in local_plugin_infos(cs).items() if n not in catalog.plugins}
    if not local:
        return catalog
    return replace(catalog, plugins={**catalog.plugins, **local})
