"""The hook pipeline as a table: one row per hook, its plugins in run order, each marked.

Why a separate model: the app highlights the plugin whose answer ends a hook and greys the ones
that never run because of it; deciding that from a Simulation is logic, so it lives here (plain,
testable) and the page only paints it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.model import Simulation
from app.core.simulate.order import HOOK_RUN_ORDER

ANSWERS = "answers"      # its non-CONT answer ended the hook (for at least one step)
RAN = "ran"              # ran and answered CONT
SHADOWED = "shadowed"    # registered, but an earlier plugin answered first
NOT_REACHED = "idle"     # registered at a hook the simulated transaction did not exercise


@dataclass
class Cell:
    plugin: str
    priority: int = 0
    state: str = NOT_REACHED

    @property
    def label(self) -> str:
        return self.plugin + (f" ({self.priority:+d})" if self.priority else "")


@dataclass
class HookRow:
    hook: str
    cells: list[Cell] = field(default_factory=list)
    answered_by: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)


def _run_position(hook: str) -> int:
    return HOOK_RUN_ORDER.index(hook) if hook in HOOK_RUN_ORDER else len(HOOK_RUN_ORDER)


def _state(name: str, answered: set[str], ran: set[str], shadowed: set[str]) -> str:
    if name in answered:
        return ANSWERS
    if name in ran:
        return RAN
    return SHADOWED if name in shadowed else NOT_REACHED


def _registration(reg) -> tuple[str, int]:
    """(plugin, priority) of a registration, whether a HookRegistration or its dict form."""
    if isinstance(reg, dict):
        return reg["plugin"], int(reg.get("priority") or 0)
    return reg.plugin, int(reg.priority or 0)


def _row(sim: Simulation, hook: str) -> HookRow:
    steps = [s for s in sim.steps if s.hook == hook]
    answered = {s.answered_by for s in steps if s.answered_by}
    ran = {p for s in steps for p in s.ran}
    shadowed = {p for s in steps for p in s.shadowed}
    row = HookRow(hook=hook, answered_by=sorted(answered), replies=[s.reply for s in steps if s.reply],
                  targets=[s.target for s in steps if s.target])
    for reg in sim.order[hook]:
        name, prio = _registration(reg)
        row.cells.append(Cell(plugin=name, priority=prio, state=_state(name, answered, ran, shadowed)))
    return row


def hook_table(sim: Simulation) -> list[HookRow]:
    """Rows in the order hooks fire during one transaction; cells in the order plugins run."""
    hooks = sorted(sim.order, key=lambda h: (_run_position(h), list(sim.order).index(h)))
    return [_row(sim, hook) for hook in hooks]


def table_records(rows: list[HookRow]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(display records, state records) with the same shape: Hook, 1, 2, ... for a data frame."""
    width = max((len(r.cells) for r in rows), default=0)
    shown, states = [], []
    for r in rows:
        rec = {"hook": r.hook}
        st = {"hook": ""}
        for i in range(width):
            cell = r.cells[i] if i < len(r.cells) else None
            rec[str(i + 1)] = cell.label if cell else ""
            st[str(i + 1)] = cell.state if cell else ""
        shown.append(rec)
        states.append(st)
    return shown, states


PATH_WORDS = {
    "en": {"answers": "{who} answers {retval}", "nobody": "no plugin answers", "likely": " → most likely {reply}",
           "outside": " → depends on the outside world", "never": " (never reached: {names})"},
    "zh": {"answers": "{who} 回答 {retval}", "nobody": "没有插件回答", "likely": " → 最可能是 {reply}",
           "outside": " → 取决于外部条件（DNS、数据库等）", "never": "（未运行：{names}）"},
}


def message_path(sim: Simulation, lang: str = "en") -> list[str]:
    """The steps that decide what happens to the simulated message, one short line each: who
    answered, what the client heard, who never ran because of it."""
    w = PATH_WORDS.get(lang) or PATH_WORDS["en"]
    out: list[str] = []
    for s in sim.steps:
        if s.hook in ("connect_init", "rcpt_ok", "disconnect"):
            continue
        decisive = s.answered_by or s.shadowed or s.reply[:1] in ("4", "5") or s.hook in ("rcpt", "queue")
        if not decisive:
            continue
        where = s.hook + (f" <{s.target}>" if s.target else "")
        who = w["answers"].format(who=s.answered_by, retval=s.retval) if s.answered_by else w["nobody"]
        likely = next((n.split(": ", 1)[1] for n in s.notes if n.startswith("likely reply: ")), "")
        reply = f" → {s.reply}" if s.reply and s.reply != "?" else (w["likely"].format(reply=likely) if likely else
                                                                     w["outside"] if s.reply else "")
        line = f"{where}: {who}{reply}"
        if s.shadowed:
            line += w["never"].format(names=", ".join(s.shadowed))
        out.append(line)
    return out
