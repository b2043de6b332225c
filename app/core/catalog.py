"""Load the plugin catalog (kb/plugins/*.yaml, plus a user's own catalog files).

The generated file comes from real Haraka (`mxdoctor catalog build`); hand-kept entries (the
wildduck plugin, which is not on npm) and role annotations live beside it and are merged in.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from app.core.model import Catalog, HookRegistration, PluginInfo
from ingest.filestamp import FileStamp, stamps
from ingest.kbdata import kb_path
from ingest.settings import settings

NOT_CATALOG = ("universe.yaml", "releases.yaml")


def _merge_plugin(cat: Catalog, name: str, data: dict[str, Any], source: str) -> None:
    info = cat.plugins.get(name) or PluginInfo(name=name, source=data.get("source", source))
    if "hooks" in data and data["hooks"] is not None:
        info.hooks = [HookRegistration(hook=h["hook"], method=h.get("method", f"hook_{h['hook']}"),
                                       priority=int(h.get("priority", 0) or 0)) for h in data["hooks"]]
    for key in ("roles", "config_files"):
        if data.get(key):
            merged = list(getattr(info, key))
            merged += [v for v in data[key] if v not in merged]
            setattr(info, key, merged)
    if data.get("conditional_hooks"):
        info.conditional_hooks = list(data["conditional_hooks"])
    for key in ("package", "version", "summary"):
        if data.get(key):
            setattr(info, key, data[key])
    if data.get("source"):
        info.source = data["source"]
    cat.plugins[name] = info


def has_role(catalog: Catalog, plugin: str | None, role: str) -> bool:
    """Whether `plugin` plays `role` (kb/plugins/overlay-*.yaml), so code asks the catalog which
    plugin validates recipients or stores mail instead of naming one."""
    info = catalog.get(plugin) if plugin else None
    return info is not None and role in info.roles


def mailbox_stores(catalog: Catalog, plugins: list[str]) -> list[str]:
    """Of `plugins`, those that both validate recipients and store mail in their mailboxes
    (WildDuck is the one the catalog knows): where a message must end up, and be found."""
    return [p for p in plugins if has_role(catalog, p, "rcpt_validator") and has_role(catalog, p, "storage")]


def load_catalog_files(paths: list[Path]) -> Catalog:
    cat = Catalog()
    for path in paths:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        cat.haraka_version = doc.get("haraka_version", cat.haraka_version)
        cat.aliases.update(doc.get("aliases") or {})
        cat.core_files += [f for f in doc.get("core_files") or [] if f not in cat.core_files]
        for name, data in (doc.get("plugins") or {}).items():
            _merge_plugin(cat, name, data or {}, doc.get("source", "haraka"))
    return cat


def catalog_paths(extra: list[str | Path] | None = None) -> list[Path]:
    base = kb_path("plugins")
    # universe.yaml lists npm packages, releases.yaml each release's plugin names: not catalog entries
    # (app.core.universe and app.core.releases read them)
    paths = sorted(p for p in base.glob("*.yaml") if p.name not in NOT_CATALOG) if base.is_dir() else []
    # generated first, then hand-kept overlays (sorted names: catalog.yaml < overlay-*.yaml)
    user = settings().catalog
    for p in [*(extra or []), *([user] if user else [])]:
        p = Path(p)
        paths += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    return paths


@functools.lru_cache(maxsize=8)
def _cached(files: tuple[FileStamp, ...]) -> Catalog:
    return load_catalog_files([Path(f.path) for f in files])


def load_catalog(extra: list[str | Path] | None = None) -> Catalog:
    """The merged catalog. Cached per set of files and their stamps, so an edited catalog file is
    read again by a running app; treat the result as read-only."""
    return _cached(stamps(catalog_paths(extra)))
