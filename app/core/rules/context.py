"""What a rule looks at: the config, the catalog, the log events and the simulation, computed once."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from app.core.model import Catalog, ConfigSet, LogEvent, PluginEntry, Simulation

MAX_EVENTS = 200_000   # keep memory bounded on huge logs; rules see the first events of each kind


@dataclass
class Context:
    cs: ConfigSet
    catalog: Catalog
    events: list[LogEvent] = field(default_factory=list)
    logs_given: bool = False
    envelope: dict[str, Any] | None = None
    # results of log predicates, keyed by the condition: events do not change when a fix is
    # verified (dataclasses.replace shares this dict with the patched context), so each log
    # condition scans the events once per diagnosis, not once per rule run
    log_cache: dict[str, Any] = field(default_factory=dict)
    # rules that could not decide for lack of a file (filled by engine.run_rules)
    unchecked: list = field(default_factory=list)
    # app.core.versions.Versions the admin runs (None: nothing known), and the rules left out
    # because their `versions:` range excludes them (filled by engine.run_rules)
    versions: Any = None
    out_of_range: list = field(default_factory=list)

    @property
    def events_by_kind(self) -> dict[str, list[LogEvent]]:
        out = self.log_cache.get("by_kind")
        if out is None:
            out = {}
            for ev in self.events:
                out.setdefault(ev.kind, []).append(ev)
            self.log_cache["by_kind"] = out
        return out

    @cached_property
    def simulation(self) -> Simulation:
        from app.core.simulate import simulate
        return simulate(self.cs, self.catalog, self.envelope, self.events)

    def entries(self) -> list[PluginEntry]:
        return [p for p in (self.cs.plugins or []) if not p.duplicate]

    def entry(self, name: str) -> PluginEntry | None:
        name = self.catalog.resolve(name)
        for p in self.entries():
            if p.name == name:
                return p
        return None

    def roles(self, plugin: str) -> set[str]:
        info = self.catalog.get(plugin)
        return set(info.roles) if info else set()
