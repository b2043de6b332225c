"""How each plugin in config/plugins runs in the replay: for real or by a stand-in, and say which.

  bundled   Haraka's release ships it (plugins/ or a haraka-plugin-* package it depends on)
  local     the admin's own plugins/<name>.js, copied
  npm       a published haraka-plugin-* package, npm-installed next to the release (cached)
  stand-in  haraka-plugin-wildduck (not on npm): mxdoctor's stand-in, app/live/standins/wildduck.js
  left out  none of the above: Haraka would refuse to start, so the line is commented out
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.universe import PREFIX, haraka_name, npm_package_for
from app.live.replay.reasons import reason

STANDINS = {"wildduck"}


@dataclass
class PluginRun:
    name: str          # as written in config/plugins
    how: str           # bundled | local | npm | stand-in | left out
    detail: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _bundled(haraka_pkg: Path, name: str) -> bool:
    """Found where Haraka looks: its plugins/ dir, or a package in the install's node_modules."""
    plugins = haraka_pkg / "plugins"
    modules = haraka_pkg.parent            # node_modules of the cached install
    return ((plugins / f"{name}.js").is_file() or (plugins / name / "package.json").is_file()
            or (plugins / name / "index.js").is_file()
            or (modules / npm_package_for(name) / "package.json").is_file()
            or (modules / name / "package.json").is_file())


def plan_plugins(names: list[str], local: set[str], haraka_pkg: Path, deprecated: dict[str, str],
                 install: Callable[[list[str]], str | None], lang: str = "en") -> list[PluginRun]:
    """One PluginRun per listed plugin; `install(specs)` npm-installs packages (None = done)."""
    out = []
    for raw in names:
        bare = raw.removeprefix(PREFIX)
        name = haraka_name(raw, deprecated)
        if bare in STANDINS:
            out.append(PluginRun(raw, "stand-in", reason(lang, "standin")))
        elif f"{raw}.js" in local:
            out.append(PluginRun(raw, "local", reason(lang, "local", name=raw)))
        elif _bundled(haraka_pkg, raw) or _bundled(haraka_pkg, name):
            renamed = reason(lang, "renamed", name=name) if name != raw else ""
            out.append(PluginRun(raw, "bundled", reason(lang, "bundled") + renamed))
        else:
            out.append(_from_npm(raw, install, lang))
    return out


def _from_npm(raw: str, install: Callable[[list[str]], str | None], lang: str) -> PluginRun:
    from app.core.catalog import load_catalog
    from app.core.universe import lookup_plugin
    found = lookup_plugin(raw, load_catalog())
    package = found.package if found.kind == "npm" else (raw if raw.startswith(PREFIX) else None)
    if package is None:
        return PluginRun(raw, "left out", reason(lang, "unknown"))
    failure = install([package])
    if failure:
        return PluginRun(raw, "left out", reason(lang, "npm_failed", package=package, why=failure))
    return PluginRun(raw, "npm", reason(lang, "npm", package=package))


BACKENDS = ("redis", "rspamd", "spamassassin", "clamd")


def _code_of(haraka_pkg: Path, local_dir: dict[str, str], name: str) -> str:
    """The plugin's own source (and package.json) as Haraka would load it, '' when not found."""
    if f"{name}.js" in local_dir:
        return local_dir[f"{name}.js"]
    modules = haraka_pkg.parent
    texts = []
    for path in (haraka_pkg / "plugins" / f"{name}.js", haraka_pkg / "plugins" / name / "index.js",
                 modules / npm_package_for(name) / "package.json", modules / npm_package_for(name) / "index.js",
                 modules / name / "package.json"):
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return "\n".join(texts)


def backends_used(runs: list[PluginRun], haraka_pkg: Path, local: dict[str, str], deprecated: dict[str, str]) -> set[str]:
    """Which backends the listed plugins talk to, read from their code as installed (a plugin that
    depends on haraka-plugin-redis, or is rspamd itself, ...): each gets its config pointed at
    the dead port even when the admin left it at its localhost default."""
    used = set()
    for run in runs:
        if run.how in ("stand-in", "left out"):
            continue
        name = haraka_name(run.name, deprecated)
        code = "\n".join(_code_of(haraka_pkg, local, n) for n in {run.name, name})
        used |= {b for b in BACKENDS if b == name or f"haraka-plugin-{b}" in code or f"'{b}.ini'" in code}
    return used
