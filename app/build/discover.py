"""Find a Haraka install and the plugins it can load, the way Haraka's plugins.js looks for them.

Why: a catalog is only as complete as the list of names we ask Haraka about. Haraka finds a plugin
as `plugins/<name>.js` (name may hold a `/`, e.g. `queue/smtp_forward`), as a folder with a
package.json, or as an npm package `haraka-plugin-<name>` in node_modules or beside Haraka.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InputError

PREFIX = "haraka-plugin-"


@dataclass
class HarakaLayout:
    package_dir: Path            # the Haraka npm package (has plugins.js)
    instance_dir: Path | None    # an install dir (`haraka -i DIR`): config/, plugins/, node_modules/


def _is_haraka_package(path: Path) -> bool:
    if not (path / "plugins.js").is_file():
        return False
    try:
        return json.loads((path / "package.json").read_text(encoding="utf-8")).get("name") == "Haraka"
    except (OSError, ValueError):
        return False


def _looks_like_instance(path: Path) -> bool:
    return (path / "config").is_dir() or (path / "plugins").is_dir()


def locate(haraka_dir: Path, instance_dir: Path | None = None) -> HarakaLayout:
    """Accept the Haraka package itself, or a dir holding node_modules/Haraka (an npm project or
    an install dir). A dir with config/ or plugins/ beside node_modules/Haraka is the install dir."""
    haraka_dir = Path(haraka_dir).expanduser().resolve()
    if _is_haraka_package(haraka_dir):
        package = haraka_dir
    elif _is_haraka_package(haraka_dir / "node_modules" / "Haraka"):
        package = haraka_dir / "node_modules" / "Haraka"
        if instance_dir is None and _looks_like_instance(haraka_dir):
            instance_dir = haraka_dir
    else:
        raise InputError("no Haraka here: expected the Haraka npm package (with plugins.js) "
                         "or a directory containing node_modules/Haraka", file=str(haraka_dir))
    if instance_dir is not None:
        instance_dir = Path(instance_dir).expanduser().resolve()
        if not instance_dir.is_dir():
            raise InputError("install dir does not exist", file=str(instance_dir))
    return HarakaLayout(package, instance_dir)


def _plain_plugins(plugins_dir: Path) -> list[str]:
    """`plugins/**/*.js` as names relative to plugins/, plus folder plugins with a package.json."""
    if not plugins_dir.is_dir():
        return []
    names = []
    for path in plugins_dir.rglob("*"):
        rel = path.relative_to(plugins_dir)
        if any(part.startswith(".") for part in rel.parts) or "node_modules" in rel.parts:
            continue
        if path.is_file() and path.suffix == ".js" and not (path.parent / "package.json").is_file():
            names.append(rel.with_suffix("").as_posix())
        elif path.is_dir() and (path / "package.json").is_file():
            names.append(rel.as_posix())
    return names


def _npm_plugins(node_modules: Path) -> list[str]:
    if not node_modules.is_dir():
        return []
    return [p.name[len(PREFIX):] for p in node_modules.iterdir()
            if p.name.startswith(PREFIX) and (p / "package.json").is_file()]


def plugin_names(layout: HarakaLayout) -> list[str]:
    """Every plugin name this install can load: core files, npm packages beside Haraka or inside
    its node_modules, and the install dir's own plugins/ and node_modules/."""
    names = set(_plain_plugins(layout.package_dir / "plugins"))
    names.update(_npm_plugins(layout.package_dir / "node_modules"))
    names.update(_npm_plugins(layout.package_dir.parent))
    if layout.instance_dir is not None:
        names.update(_plain_plugins(layout.instance_dir / "plugins"))
        names.update(_npm_plugins(layout.instance_dir / "node_modules"))
    return sorted(names)
