"""Predicates on the simulated transaction: who answers a hook, who never runs, how it ends."""
from __future__ import annotations

from typing import Any

from app.core.model import Evidence, HookStep
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.selectors import catalog_names, plugin_evidence
from app.core.rules.conditions.words import say
from app.core.rules.context import Context
from app.core.verdict import outcome_sentence


def _shadow_evidence(ctx: Context, step: HookStep, plugin: str) -> list[Evidence]:
    ev = [Evidence("simulation", None, say("shadowed", hook=step.hook, target=f" {step.target}" if step.target else "",
                                           by=step.answered_by, retval=step.retval, plugin=plugin), "simulation")]
    entry = ctx.entry(step.answered_by)
    if entry:
        ev.insert(0, plugin_evidence(entry))
    return ev


def shadowed(ctx: Context, arg: dict) -> Match:
    """{hook, plugin: selector, by?: selector, retval?: OK|DENY|...}: the simulation never
    reaches plugin at hook"""
    targets = catalog_names(ctx, arg["plugin"])
    by = catalog_names(ctx, arg.get("by"))
    for step in ctx.simulation.steps:
        hidden = [p for p in step.shadowed if targets is None or p in targets]
        if step.hook == arg["hook"] and hidden and step.answered_by and arg.get("retval", step.retval) == step.retval:
            plugin = hidden[0]
            if by is None or step.answered_by in by:
                return Match(True, _shadow_evidence(ctx, step, plugin),
                             {"by": step.answered_by, "hook": step.hook, "target": step.target or "",
                              "retval": step.retval, "plugin": plugin}, assumes=dict(step.assumes))
    return Match(False)


def _answers(step: HookStep, arg: dict, by: set[str] | None) -> bool:
    """Does this step answer the way `answered` asks?"""
    if step.hook != arg["hook"]:
        return False
    if by is not None and step.answered_by not in by:
        return False
    if "retval" in arg and step.retval != arg["retval"]:
        return False
    code = str(arg.get("reply_code", ""))
    if code and not step.reply.startswith(code):
        return False
    return not ("answered_by_none" in arg and bool(step.answered_by) == bool(arg["answered_by_none"]))


def answered(ctx: Context, arg: dict) -> Match:
    """{hook, by?: selector, retval?: OK|DENY|..., reply_code?: 451, answered_by_none?: bool}:
    a simulated step answers so"""
    by = catalog_names(ctx, arg.get("by"))
    for step in ctx.simulation.steps:
        if not _answers(step, arg, by):
            continue
        by_words = step.answered_by or say("no_plugin")
        return Match(True, [Evidence("simulation", None, say("answered", hook=step.hook, by=by_words,
                                                             reply=step.reply or step.retval), "simulation")],
                     {"by": step.answered_by or "", "hook": step.hook, "reply": step.reply, "target": step.target or ""},
                     assumes=dict(step.assumes))
    return Match(False)


def outcome(ctx: Context, arg: Any) -> Match:
    """name or list: the simulated transaction ends this way (stored, queue_declined, ...)"""
    wanted = arg if isinstance(arg, list) else [arg]
    out = ctx.simulation.outcome
    if out not in wanted:
        return Match(False)
    return Match(True, [Evidence("simulation", None, say("simulated", outcome=outcome_sentence(out)), "simulation")],
                 {"outcome": out}, assumes=ctx.simulation.assumptions)


def registered(ctx: Context, arg: dict) -> Match:
    """{hook, plugin}: plugin registers a method on hook (per catalog)"""
    regs = ctx.simulation.order.get(arg["hook"], [])
    names = catalog_names(ctx, arg.get("plugin"))
    hit = [r for r in regs if names is None or r["plugin"] in names]
    if not hit:
        return Match(False)
    return Match(True, [], {"plugin": hit[0]["plugin"], "hook": arg["hook"]})


PREDICATES = {"shadowed": shadowed, "answered": answered, "outcome": outcome, "registered": registered}
