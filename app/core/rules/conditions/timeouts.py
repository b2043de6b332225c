"""Predicates on time limits: a plugin's own wait against the time Haraka gives it.

Why a table (kb/plugins/own-timeouts.yaml) and one predicate: which plugins wait with a limit of
their own, where they read it and what it defaults to are facts read from each plugin's source;
the race between that limit and Haraka's is the same for all of them.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.core.kbfile import load_kb
from app.core.model import Evidence
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.selectors import select
from app.core.rules.context import Context

HARAKA_DEFAULT_S = 30.0


class OwnDefault(BaseModel):
    model_config = ConfigDict(extra="forbid")
    below: float | None = None       # Haraka's limit minus this
    seconds: float | None = None


class OwnTimeout(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str | None = None
    section: str = "main"
    key: str | None = None
    scale: float = 1.0
    default: OwnDefault | None = None
    fixed: float | None = None


class OwnTimeouts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plugins: dict[str, OwnTimeout]


def _number(text: str | None) -> float | None:
    try:
        return float(str(text).strip())
    except (TypeError, ValueError):
        return None


def haraka_limit(ctx: Context, plugin: str) -> tuple[float, str, Evidence | None]:
    """(seconds, where it comes from, evidence): config/<plugin>.timeout, config/plugin_timeout, 30."""
    for name in (f"{plugin}.timeout", "plugin_timeout"):
        f = ctx.cs.get(name)
        value = _number(f.text) if f is not None else None
        if value is not None:
            return value, f"config/{name}", Evidence(f.name, 1, f.text.strip()[:40])
    return HARAKA_DEFAULT_S, "Haraka's default", None


def own_limit(ctx: Context, spec: OwnTimeout, limit: float) -> tuple[float | None, str, Evidence | None]:
    """(seconds, where it comes from, evidence) of the plugin's own limit; None when it follows Haraka's."""
    if spec.fixed is not None:
        return spec.fixed, "fixed in the plugin's code", None
    f = ctx.cs.get(spec.file) if spec.file else None
    if f is not None and f.parsed is not None and spec.key:
        value = _number((f.parsed.get(spec.section) or {}).get(spec.key))
        if value is not None:
            line = f.meta.lines.get((spec.section, spec.key)) if f.meta else None
            text = f.lines[line - 1].strip() if line else f"{spec.key}={value}"
            return value * spec.scale, f"config/{spec.file} {spec.key}", Evidence(f.name, line, text)
    if spec.default is None or spec.default.below is not None:
        return None, "", None
    return spec.default.seconds, f"the plugin's default {spec.key}", None


def own_timeout_race(ctx: Context, arg: object) -> Match:
    """true: an enabled plugin of kb/plugins/own-timeouts.yaml waits at least as long as Haraka lets it"""
    table = load_kb(OwnTimeouts, "plugins", "own-timeouts.yaml").plugins
    for entry in select(ctx, {"matches": "."}):
        spec = table.get(entry.name)
        if spec is None:
            continue
        limit, limit_from, limit_ev = haraka_limit(ctx, entry.name)
        if limit <= 0:
            continue                      # 0 switches Haraka's limit off
        own, own_from, own_ev = own_limit(ctx, spec, limit)
        if own is None or own < limit:
            continue
        evidence = [Evidence("config/plugins", entry.line, entry.raw)] + [e for e in (own_ev, limit_ev) if e]
        return Match(True, evidence, {"plugin": entry.name, "own": f"{own:g}", "own_from": own_from,
                                      "limit": f"{limit:g}", "limit_from": limit_from})
    return Match(False)


PREDICATES = {"own_timeout_race": own_timeout_race}
