"""Predicates on config/plugins: which plugins are enabled, in what order, under which names."""
from __future__ import annotations

import re
from typing import Any

from app.core.installed import listed_installed, local_sources, seen_running
from app.core.model import Evidence, PluginEntry
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.selectors import names, plugin_evidence, select
from app.core.rules.conditions.words import say
from app.core.rules.context import Context
from app.core.universe import PluginLookup, load_universe, lookup_plugin


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
    return Match(True, [Evidence("config/plugins", None, say("not_listed", want=want), "absent")], {"missing": str(want)})


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


def plugin_states(ctx: Context) -> list[tuple[PluginEntry, str, PluginLookup]]:
    """Each enabled plugin with what we know of it: `catalog` (Haraka ships it), `local` (its
    source was given), `installed` (the logs show it run, or a listing / package.json lists it),
    `npm` (a published package nothing here shows installed) or `unknown` (none of these)."""
    universe = load_universe()
    ran = ctx.log_cache.get("plugins_ran")
    if ran is None:
        ran = ctx.log_cache["plugins_ran"] = seen_running(ctx.events, ctx.catalog.aliases)
    listed = listed_installed(ctx.cs, ctx.catalog.aliases)
    local = local_sources(ctx.cs)
    out = []
    for p in ctx.entries():
        look = lookup_plugin(p.raw, ctx.catalog, universe)
        if look.kind == "catalog":
            state = "catalog"
        elif p.name in local:
            state = "local"
        elif p.name in ran or p.name in listed:
            state = "installed"
        else:
            state = look.kind
        out.append((p, state, look))
    return out


def _with_state(ctx: Context, arg: Any, states: set[str]) -> list[tuple[PluginEntry, PluginLookup]]:
    found = [(p, look) for p, state, look in plugin_states(ctx) if state in states]
    if isinstance(arg, dict) and "matches" in arg:
        rx = re.compile(arg["matches"])
        found = [(p, look) for p, look in found if rx.search(p.raw)]
    return found


def unknown_plugin(ctx: Context, arg: Any) -> Match:
    """true (or {matches: regex}): a listed plugin Haraka cannot find: not in the catalog, not a
    published npm package, and nothing given (plugins/ source, listing, package.json, log) shows
    it installed"""
    found = _with_state(ctx, arg, {"unknown"})
    if not found:
        return Match(False)
    entries = [p for p, _ in found]
    hints = [f"{p.raw} → {look.hint}" for p, look in found if look.hint]
    evidence = [Evidence("config/plugins", p.line, say("did_you_mean", file=p.raw, suggestion=look.hint))
                if look.hint else plugin_evidence(p) for p, look in found]
    return Match(True, evidence,
                 {"plugin": entries[0].raw, "plugins": names(entries), "suggestion": found[0][1].hint or "",
                  "suggestions": ", ".join(hints)})


def npm_plugin(ctx: Context, arg: Any) -> Match:
    """true (or {matches: regex}): a listed plugin is a published npm package that neither the
    catalog has nor anything given shows installed"""
    found = _with_state(ctx, arg, {"npm"})
    if not found:
        return Match(False)
    entries = [p for p, _ in found]
    packages = list(dict.fromkeys(look.package for _, look in found if look.package))
    first = found[0][1]
    return Match(True, [plugin_evidence(p) for p in entries],
                 {"plugin": entries[0].raw, "plugins": names(entries), "package": first.package,
                  "packages": " ".join(packages), "version": first.npm.version if first.npm else ""})


def uncatalogued_plugin(ctx: Context, arg: Any) -> Match:
    """true (or {matches: regex}): a listed plugin whose hooks we do not know (installed, on npm
    or unknown, but not in the catalog and not a given local source)"""
    found = _with_state(ctx, arg, {"installed", "npm", "unknown"})
    if not found:
        return Match(False)
    entries = [p for p, _ in found]
    return Match(True, [plugin_evidence(p) for p in entries], {"plugin": entries[0].raw, "plugins": names(entries)})


PREDICATES = {"plugin": plugin, "no_plugin": no_plugin, "plugins_file": plugins_file, "order": order,
              "listed_after": listed_after, "duplicate_plugin": duplicate_plugin,
              "deprecated_plugin": deprecated_plugin, "unknown_plugin": unknown_plugin, "npm_plugin": npm_plugin,
              "uncatalogued_plugin": uncatalogued_plugin}
