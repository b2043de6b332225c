"""Walk one SMTP transaction through the ordered hooks, the way Haraka's plugins.js does.

At each hook plugins run in order and the first answer that is not CONT ends it; everything
registered after that answer is *shadowed* for this step. An UNKNOWN answer (a plugin whose
decision needs the outside world) is assumed to pass, and the step records what it depends on.
Replies mirror connection.js's `*_respond` methods.
"""
from __future__ import annotations

from app.core.model import HookStep
from app.core.simulate.behaviours import CONT, DENY, DENYSOFT, NON_DECISIVE, OK, UNKNOWN, Decision, SimContext, decide

DENY_CODES = {
    # hook: (DENY code, DENYSOFT code, default deny text)
    "connect": (554, 421, "Your mail is not welcome here"),
    "helo": (550, 450, "HELO denied"),
    "ehlo": (550, 450, "EHLO denied"),
    "mail": (550, 450, "sender {from} denied"),
    "rcpt": (550, 450, "recipient {rcpt} denied"),
    "rcpt_ok": (550, 450, "recipient {rcpt} denied"),
    "data": (554, 451, "Message denied"),
    "data_post": (550, 450, "Message denied"),
    "queue": (550, 450, "Message denied"),
    "queue_outbound": (550, 450, "Message denied"),
}


def run_hook(hook: str, order: dict[str, list[dict]], ctx: SimContext, target: str | None = None
             ) -> tuple[HookStep, Decision]:
    ctx.hook = hook
    regs = order.get(hook, [])
    step = HookStep(hook=hook, answered_by=None, retval=CONT, reply="", target=target)
    final = Decision(CONT)
    if hook not in NON_DECISIVE:
        for name in ctx.unknown_plugins:
            step.notes.append(f"{name} may answer here too (not in the catalog: its hooks are unknown)")
    for i, reg in enumerate(regs):
        plugin = reg["plugin"]
        d = decide(plugin, hook, ctx, reg.get("method", ""))
        step.ran.append(plugin)
        for name, what in d.assumes.items():
            step.assumes.setdefault(name, what)
        if d.depends:
            step.depends_on.append(f"{plugin}: {d.depends}")
        if d.note:
            step.notes.append(f"{plugin}: {d.note}")
        if d.retval != UNKNOWN and len(d.could) > 1:
            step.notes.append(f"{plugin} may answer {'/'.join(d.could)} here, depending on the outside world")
        if d.retval == UNKNOWN:
            if OK in d.could or DENY in d.could or DENYSOFT in d.could:
                step.notes.append(f"{plugin} may answer {'/'.join(d.could)} here; assumed to pass")
            continue
        if d.retval != CONT and hook not in ("connect_init", "disconnect"):
            step.answered_by, step.retval, final = plugin, d.retval, d
            step.shadowed = [r["plugin"] for r in regs[i + 1:]]
            break
    return step, final


def _fmt(text: str, ctx: SimContext) -> str:
    return text.replace("{from}", f"<{ctx.envelope.get('from', '')}>").replace("{rcpt}", f"<{ctx.rcpt or ''}>")


def _deny_reply(hook: str, d: Decision, ctx: SimContext) -> str:
    deny, soft, text = DENY_CODES.get(hook, (550, 450, "denied"))
    code = soft if d.retval.startswith("DENYSOFT") else deny
    return f"{code} {d.msg or _fmt(text, ctx)}"


def _certain(step: HookStep, reply: str) -> str:
    """A reply is only claimed when no plugin that ran could have answered differently."""
    uncertain = any("may answer" in n for n in step.notes)
    step.notes.append(f"likely reply: {reply}") if uncertain else None
    return "?" if uncertain else reply


def walk(order: dict[str, list[dict]], ctx: SimContext) -> tuple[list[HookStep], str]:
    """All steps of the transaction, and a one-word outcome."""
    steps: list[HookStep] = []
    env = ctx.envelope

    def stage(hook: str, target: str | None = None) -> tuple[HookStep, Decision]:
        step, d = run_hook(hook, order, ctx, target)
        steps.append(step)
        return step, d

    def gate(hook: str, ok_reply: str, refused: str) -> str | None:
        """Run a hook whose DENY* answer ends the transaction; the outcome word when it does."""
        step, d = stage(hook)
        if d.retval.startswith("DENY"):
            step.reply = _certain(step, _deny_reply(hook, d, ctx))
            return refused
        step.reply = _certain(step, ok_reply)
        return None

    stage("connect_init")
    for hook, ok_reply, refused in (("connect", "220 ESMTP ready", "rejected_at_connect"),
                                    ("ehlo", "250 Hello", "rejected_at_helo"),
                                    ("mail", f"250 sender <{env.get('from', '')}> OK", "rejected_at_mail")):
        ended = gate(hook, ok_reply, refused)
        if ended:
            return steps, ended

    accepted = 0
    for rcpt in env.get("rcpt") or []:
        ctx.rcpt = rcpt
        step, d = stage("rcpt", target=rcpt)
        retval = OK if d.retval == CONT and ctx.relaying else d.retval
        if retval == OK:
            ok_step, ok_d = stage("rcpt_ok", target=rcpt)
            if ok_d.retval.startswith("DENY"):
                ok_step.reply = _certain(ok_step, _deny_reply("rcpt_ok", ok_d, ctx))
                step.reply = ok_step.reply
                continue
            ok_step.reply = ""
            step.reply = _certain(step, f"250 {d.msg or f'recipient <{rcpt}> OK'}")
            accepted += 1
        elif retval.startswith("DENY"):
            step.reply = _certain(step, _deny_reply("rcpt", d, ctx))
        else:
            step.reply = _certain(step, f"550 I cannot deliver mail for <{rcpt}>")
            step.notes.append("no rcpt plugin accepted this recipient, so Haraka refuses it")
    ctx.rcpt = None
    if not accepted:
        steps.append(HookStep(hook="data", answered_by=None, retval="", reply="503 RCPT required first",
                              notes=["no recipient was accepted"]))
        return steps, "no_recipients"

    ended = gate("data", "354 go ahead, make my day", "rejected_at_data")
    if ended:
        return steps, ended
    step, d = stage("data_post")
    if d.retval.startswith("DENY"):
        step.reply = _certain(step, _deny_reply("data_post", d, ctx))
        return steps, "deferred_after_data" if "SOFT" in d.retval else "rejected_after_data"
    post_uncertain = [n for n in step.notes if "may answer" in n]

    queue_hook = "queue_outbound" if ctx.relaying else "queue"
    step, d = stage(queue_hook)
    # the end-of-data reply comes from data_post *and* queue: carry data_post's doubts over
    step.notes += [f"data_post: {n}" for n in post_uncertain]
    if d.retval == OK:
        step.reply = _certain(step, f"250 {d.msg or 'Message Queued'}")
        if step.answered_by == "wildduck":
            return steps, "stored" if ctx.resolved else "processed_not_stored"
        return steps, "queued"
    if d.retval.startswith("DENY"):
        step.reply = _certain(step, _deny_reply(queue_hook, d, ctx))
        return steps, "rejected_at_queue" if "SOFT" not in d.retval else "deferred_at_queue"
    if queue_hook == "queue_outbound":
        step.reply = _certain(step, "250 Message Queued")
        step.notes.append("relaying client: Haraka's outbound delivery takes the message")
        return steps, "outbound"
    # queue_msg() returns "" for CONT, and Haraka appends " (<uuid>)", so its default
    # "Queuing declined or disabled" text never shows: the client sees a bare 451
    step.reply = _certain(step, "451 (<uuid>)")
    step.notes.append("no queue plugin accepted the message")
    return steps, "queue_declined"
