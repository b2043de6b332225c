"""Text view of a Simulation: the hook table, then the transaction step by step."""
from __future__ import annotations

from app.core.model import Simulation


def render_simulation_text(sim: Simulation) -> str:
    out = ["Hook order (as Haraka runs them):"]
    for hook, regs in sim.order.items():
        names = ", ".join(r['plugin'] + (f" ({r['priority']})" if r['priority'] else '') for r in regs)
        out.append(f"  {hook:<18} {names}")
    env = sim.envelope
    out += ["", f"Transaction: {env.get('ip')} HELO {env.get('helo')} FROM <{env.get('from')}> "
                f"TO {', '.join('<' + r + '>' for r in env.get('rcpt') or [])}"]
    for s in sim.steps:
        if not s.ran and not s.reply:
            continue
        head = s.hook + (f" <{s.target}>" if s.target else "")
        who = f"{s.answered_by} → {s.retval}" if s.answered_by else "all CONT"
        out.append(f"  {head:<34} {who:<34} {s.reply}")
        if s.shadowed:
            out.append(f"      shadowed (never reached): {', '.join(s.shadowed)}")
        for n in s.notes:
            out.append(f"      · {n}")
        for d in s.depends_on:
            out.append(f"      ? depends on {d}")
        for name, what in s.assumes.items():
            out.append(f"      ! depends on {name} (not given): {what}")
    if sim.unknown_plugins:
        out.append(f"\nNot in the catalog (hooks unknown): {', '.join(sim.unknown_plugins)}")
    out.append(f"\nOutcome: {sim.outcome}")
    if sim.assumptions:
        out.append("This outcome depends on files that were not given: " + ", ".join(sim.assumptions)
                   + " (paste them to confirm)")
    return "\n".join(out) + "\n"
