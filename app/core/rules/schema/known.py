"""The words a rule may name: plugins (the catalog with any team catalog, every release's bundled
and deprecated names, the npm plugins the universe lists) and plugin roles. A name outside these
is almost always a typo; a team's own plugin belongs in its catalog first."""
from __future__ import annotations


def names_context() -> dict[str, set[str]]:
    from app.core.catalog import load_catalog
    from app.core.releases import known_releases
    from app.core.universe import is_plugin_package, load_universe, plugin_name_for
    cat = load_catalog()
    plugins = set(cat.plugins) | set(cat.aliases) | set(cat.aliases.values())
    for bundled, deprecated in known_releases().values():
        plugins |= set(bundled) | set(deprecated) | set(deprecated.values())
    plugins |= {plugin_name_for(p) for p in load_universe().packages if is_plugin_package(p)}
    plugins |= {f"haraka-plugin-{p}" for p in list(plugins)}
    roles = {r for info in cat.plugins.values() for r in info.roles}
    return {"plugins": plugins, "roles": roles}
