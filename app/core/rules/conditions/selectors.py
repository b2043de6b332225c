"""Plugin selectors: how a condition names plugins (a name, a list, a role, a pattern, with
exceptions), and how the plugins it found are shown as evidence."""
from __future__ import annotations

import re
from typing import Any

from app.core.model import Evidence, PluginEntry
from app.core.rules.context import Context


def select(ctx: Context, sel: Any) -> list[PluginEntry]:
    """Enabled plugins matching a selector: a name, a list of names, or {name|role|matches, except}."""
    if isinstance(sel, str):
        e = ctx.entry(sel)
        return [e] if e else []
    if isinstance(sel, list):
        return [e for s in sel for e in select(ctx, s)]
    if isinstance(sel, dict):
        exclude = {ctx.catalog.resolve(x) for x in sel.get("except", [])}
        return [e for e in _select_mapping(ctx, sel) if e.name not in exclude]
    raise ValueError(f"bad plugin selector {sel!r}")


def _select_mapping(ctx: Context, sel: dict) -> list[PluginEntry]:
    if "name" in sel:
        return select(ctx, sel["name"])
    if "role" in sel:
        roles = sel["role"] if isinstance(sel["role"], list) else [sel["role"]]
        return [e for e in ctx.entries() if ctx.roles(e.name) & set(roles)]
    if "matches" in sel:
        rx = re.compile(sel["matches"])
        return [e for e in ctx.entries() if rx.search(e.name)]
    return []


def catalog_names(ctx: Context, sel: Any) -> set[str] | None:
    """The catalog's plugin names a selector stands for, enabled or not (None: any plugin).
    The simulation names plugins, not lines of config/plugins."""
    if sel is None or sel == "any":
        return None
    if isinstance(sel, dict) and "role" in sel:
        roles = set(sel["role"] if isinstance(sel["role"], list) else [sel["role"]])
        exclude = set(sel.get("except", []))
        return {n for n, info in ctx.catalog.plugins.items() if set(info.roles) & roles} - exclude
    names = sel if isinstance(sel, list) else [sel]
    return {ctx.catalog.resolve(n) for n in names}


def plugin_evidence(e: PluginEntry) -> Evidence:
    return Evidence("config/plugins", e.line, e.raw)


def names(entries: list[PluginEntry]) -> str:
    return ", ".join(dict.fromkeys(e.name for e in entries))
