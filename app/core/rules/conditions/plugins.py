"""Predicates on config/plugins: which plugins are enabled, in what order, under which names."""
from __future__ import annotations

import re
from typing import Any

from app.core.model import Evidence
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.selectors import names, plugin_evidence, select
from app.core.rules.context import Context


def plugin(ctx: Context, sel: Any) -> Match:
    """selector: enabled in config/plugins (any of)"""
    found = select(ctx, sel)
    if not found:
        return Match(False)
    return Match(True, [plugin_evidence(e) for e in found],
                 {"plugin": found[0].name, "plugins": names(found), "plugin_line": found[0].line})


def no_plugin(ctx: Context, sel: Any) -> Match:
    """selector: none of these is enabled (needs a plugins file)"""
    if ctx.cs.plugins is None:
        return Match(False)
    if select(ctx, sel):
        return Match(False)
    want = sel if isinstance(sel, str) else (sel.get("name") or sel.get("role") if isinstance(sel, dict) else sel)
    return Match(True, [Evidence("config/plugins", None, f"no {want} listed", "absent")], {"missing": str(want)})


def plugins_file(ctx: Context, arg: Any) -> Match:
    """true: a config/plugins file was given"""
    return Match((ctx.cs.plugins is not None) == bool(arg))


def order(ctx: Context, arg: dict) -> Match:
    """{first: selector, then: selector}: a `first` plugin is listed before a `then` plugin"""
    firsts, thens = select(ctx, arg["first"]), select(ctx, arg["then"])
    for f in firsts:
        for t in thens:
            if f.line < t.line and f.name != t.name:
                return Match(True, [plugin_evidence(f), plugin_evidence(t)],
                             {"first": f.name, "then": t.name, "first_line": f.line, "then_line": t.line})
    return Match(False)


def listed_after(ctx: Context, arg: dict) -> Match:
    """{plugin: name, others: selector (default any)}: plugins listed after it"""
    me = ctx.entry(arg["plugin"])
    if not me:
        return Match(False)
    others = select(ctx, arg.get("others", {"matches": "."}))
    after = [e for e in others if e.line > me.line and e.name != me.name]
    if not after:
        return Match(False)
    return Match(True, [plugin_evidence(me)] + [plugin_evidence(e) for e in after],
                 {"plugin": me.name, "after": names(after)})


def duplicate_plugin(ctx: Context, arg: Any) -> Match:
    """true: a plugin is listed more than once"""
    dups = [p for p in ctx.cs.plugins or [] if p.duplicate]
    if not dups:
        return Match(False)
    return Match(True, [plugin_evidence(p) for p in dups], {"plugin": dups[0].name, "plugins": names(dups)})


def deprecated_plugin(ctx: Context, arg: Any) -> Match:
    """true: a plugin is listed under a deprecated name"""
    old = [p for p in ctx.cs.plugins or [] if p.alias_of]
    if not old:
        return Match(False)
    return Match(True, [plugin_evidence(p) for p in old],
                 {"plugin": old[0].alias_of, "replacement": old[0].name,
                  "plugins": ", ".join(f"{p.alias_of} → {p.name}" for p in old)})


def unknown_plugin(ctx: Context, arg: Any) -> Match:
    """true (or {matches: regex}): a listed plugin is not in the catalog nor in a given plugins/ dir"""
    local = {f.name.rsplit("/", 1)[-1].removesuffix(".js") for f in ctx.cs.files.values()
             if f.name.startswith("plugins/") or "/plugins/" in f.name}
    unknown = [p for p in ctx.entries() if ctx.catalog.get(p.name) is None and p.name not in local]
    if isinstance(arg, dict) and "matches" in arg:
        rx = re.compile(arg["matches"])
        unknown = [p for p in unknown if rx.search(p.raw)]
    if not unknown:
        return Match(False)
    return Match(True, [plugin_evidence(p) for p in unknown], {"plugin": unknown[0].raw, "plugins": names(unknown)})


PREDICATES = {"plugin": plugin, "no_plugin": no_plugin, "plugins_file": plugins_file, "order": order,
              "listed_after": listed_after, "duplicate_plugin": duplicate_plugin,
              "deprecated_plugin": deprecated_plugin, "unknown_plugin": unknown_plugin}
