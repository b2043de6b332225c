"""Hook-pipeline simulator: who answers each hook first, who is shadowed, what the client hears."""
from __future__ import annotations

from typing import Any, Iterable

from app.core.model import Catalog, ConfigSet, LogEvent, Simulation
from app.core.simulate.envelope import default_envelope


def simulate(cs: ConfigSet, catalog: Catalog | None = None, envelope: dict[str, Any] | None = None,
             events: Iterable[LogEvent] = ()) -> Simulation:
    """Order the hooks as Haraka would and walk one transaction through them.

    `envelope` keys: ip, helo, from, rcpt (list), headers (dict), unknown_users (list);
    missing keys come from the logs and the config (see envelope.default_envelope).
    """
    from app.core.catalog import load_catalog
    from app.core.simulate.conditional import effective_catalog
    from app.core.simulate.context import SimContext
    from app.core.simulate.localplugins import with_local_plugins
    from app.core.simulate.order import hook_order
    from app.core.simulate.walk import walk

    catalog = effective_catalog(with_local_plugins(catalog or load_catalog(), cs), cs)
    order, unknown = hook_order(cs.plugins or [], catalog)
    env = default_envelope(cs, events, envelope)
    ctx = SimContext(cs=cs, catalog=catalog, envelope=env, unknown_plugins=list(unknown))
    steps, outcome = walk(order, ctx)
    return Simulation(hooks=order, order=order, steps=steps, envelope=env, outcome=outcome,
                      unknown_plugins=unknown)
