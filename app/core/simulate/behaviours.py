"""What a plugin answers at a hook, when the config alone decides it.

A local plugin answers what its source says; a known plugin what kb/simulator/behaviours.yaml
says (through a behaviour model when the config decides); when the answer depends on the outside
world (DNS, a backend, a database lookup) the Decision says so in `depends`. A plugin with no
behaviour is UNKNOWN at decisive hooks, never silently CONT.
"""
from __future__ import annotations

from app.core.model import PluginInfo
from app.core.simulate.context import CONT, DENYSOFT, UNKNOWN, Decision, SimContext
from app.core.simulate.table import behaviour_table


def _local(info: PluginInfo, method: str) -> Decision | None:
    """A local plugin's answer read from its source (see simulate.localplugins)."""
    answers = info.answers.get(method) or []
    if answers == ["TIMEOUT"]:
        return Decision(DENYSOFT, "plugin timeout", note=f"{method} never calls next(): Haraka gives up after "
                        "the plugin timeout and answers DENYSOFT 'plugin timeout'")
    if len(answers) == 1 and answers[0] != "UNKNOWN":
        return Decision(answers[0], note=f"{method} always calls next({'' if answers[0] == 'CONT' else answers[0]})")
    if answers:
        return Decision(UNKNOWN, depends=f"which branch {method} takes", could=[a for a in answers if a != "CONT"])
    return None


def decide(plugin: str, hook: str, ctx: SimContext, method: str = "") -> Decision:
    """The modelled answer of `plugin` at `hook`, or UNKNOWN with what it depends on."""
    info = ctx.catalog.get(plugin)
    if info is not None and info.source == "local" and method:
        local = _local(info, method)
        if local is not None:
            return local
    table = behaviour_table()
    behaviour = table.at(plugin, hook)
    if behaviour is not None:
        return behaviour.decide(plugin, hook, ctx)
    if hook in table.non_decisive_hooks:
        return Decision(CONT)
    values = {"plugin": plugin, "hook": hook}
    if plugin in table.outside_world:
        return table.outside_world[plugin].decision(values)
    roles = set(info.roles) if info else set()
    if roles and roles <= table.observer_roles:
        return Decision(CONT)
    return table.unmodelled.decision(values)
