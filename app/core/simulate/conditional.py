"""Hooks that depend on the plugin's own config file (relay's `all`, smtp_forward's
`check_recipient`, access's `[check]` switches...). The catalog records them as
`when: "<file> [<section>] <key>=<value>"` with an effect (adds/removes); this applies the ones
the user's config turns on, so the simulated hook order is the one *their* Haraka builds."""
from __future__ import annotations

import re
from dataclasses import replace

from app.core.model import Catalog, ConfigSet, HookRegistration
from app.core.parsers.ini import truthy

WHEN_RE = re.compile(r"^(?P<file>[\w.\-]+\.ini)\s+\[(?P<section>[^\]]+)\]\s+(?P<key>[\w.\-]+)=(?P<value>\S+)$")


def condition_holds(cs: ConfigSet, when: str) -> bool | None:
    """True/False when the config decides it, None when the condition is not a config switch."""
    m = WHEN_RE.match(when.strip())
    if not m:
        return None
    sect = cs.ini(m["file"]).get(m["section"])
    if sect is None or m["key"] not in sect:
        return False       # not set: the plugin's default applies, which is what the base hooks show
    return truthy(sect[m["key"]]) == truthy(m["value"])


def effective_catalog(catalog: Catalog, cs: ConfigSet) -> Catalog:
    changed = {}
    for name in {p.name for p in cs.plugins or []}:
        info = catalog.plugins.get(name)
        if info is None or not info.conditional_hooks:
            continue
        hooks = list(info.hooks)
        for cond in info.conditional_hooks:
            if not condition_holds(cs, str(cond.get("when", ""))):
                continue
            reg = HookRegistration(cond["hook"], cond.get("method", f"hook_{cond['hook']}"),
                                   int(cond.get("priority", 0) or 0))
            key = (reg.hook, reg.method)
            if cond.get("effect") == "removes":
                hooks = [h for h in hooks if (h.hook, h.method) != key]
            elif key not in {(h.hook, h.method) for h in hooks}:
                hooks.append(reg)
        if hooks != info.hooks:
            changed[name] = replace(info, hooks=hooks)
    return replace(catalog, plugins={**catalog.plugins, **changed}) if changed else catalog
