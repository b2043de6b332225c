"""Who adds each EHLO capability a live server lists: Haraka's core (its own list in
ehlo_respond) or the plugins of the capability's role that register the capabilities hook.

Why apart from attribute.py: a capability line is not a reply of its own; it is read from the
catalog's roles (kb/plugins overlays) and kb/live/replies.yaml's `capabilities`, nothing else.
"""
from __future__ import annotations

from app.core.corereplies import Capabilities
from app.core.model import Catalog
from app.live.words import LANGS, names, say

UNATTRIBUTED = "unattributed"


def capability(line: str, caps: Capabilities, catalog: Catalog, listed: list[str] | None) -> dict:
    """One EHLO capability and who adds it: core's own list, or the plugins of its role that
    register the capabilities hook (the listed ones when the config is known)."""
    cap = line.split()[0].upper()
    if cap in caps.core:
        emitter, plugins = "core", []
    else:
        role = caps.roles.get(cap)
        pool = listed if listed is not None else list(catalog.plugins)
        plugins = [p for p in pool if role and catalog.get(p) and role in catalog.get(p).roles
                   and any(h.hook == "capabilities" for h in catalog.get(p).hooks)]
        emitter = plugins[0] if len(plugins) == 1 else UNATTRIBUTED

    def words(lang: str) -> str:
        if emitter == "core":
            return say(lang, "cap_core", cap=line)
        if not plugins:
            return say(lang, "cap_unknown", cap=line)
        return say(lang, "cap_plugin", cap=line, names=names(lang, plugins))
    return {"name": line, "emitter": emitter, "candidates": plugins, "says": words("en"),
            "i18n": {lang: {"says": words(lang)} for lang in LANGS if lang != "en"}}
