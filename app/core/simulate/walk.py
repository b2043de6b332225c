"""Walk one SMTP transaction through the ordered hooks, the way Haraka's plugins.js does.

At each hook plugins run in order and the first answer that is not CONT ends it; everything
registered after that answer is *shadowed* for this step. An UNKNOWN answer (a plugin whose
decision needs the outside world) is assumed to pass, and the step records what it depends on.
Replies mirror connection.js's `*_respond` methods.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.catalog import has_role
from app.core.model import HookStep
from app.core.simulate.behaviours import decide
from app.core.simulate.context import CONT, DENY, DENYSOFT, OK, UNKNOWN, Decision, SimContext
from app.core.simulate.notewords import note
from app.core.simulate.order import RUN_EVERY_PLUGIN
from app.core.simulate.table import behaviour_table


@dataclass
class Stage:
    """One hook run: the step shown, the answer that ended it, and its doubts - the notes saying
    a plugin that ran could have answered otherwise, which make the predicted reply uncertain."""
    step: HookStep
    decision: Decision
    doubts: list[str] = field(default_factory=list)

    def doubt(self, note: str) -> None:
        self.step.notes.append(note)
        self.doubts.append(note)

    def settle(self, reply: str) -> None:
        """A reply is only claimed when no plugin that ran could have answered differently."""
        if self.doubts:
            self.step.notes.append(f"likely reply: {reply}")
        self.step.reply = "?" if self.doubts else reply


def _record(stage: Stage, plugin: str, d: Decision) -> None:
    step = stage.step
    step.ran.append(plugin)
    for name, what in d.assumes.items():
        step.assumes.setdefault(name, what)
    if d.depends:
        step.depends_on.append(f"{plugin}: {d.depends}")
    if d.note:
        step.notes.append(note("plugin_note", plugin=plugin, note=d.note))
    if d.retval != UNKNOWN and len(d.could) > 1:
        stage.doubt(note("could_outside", plugin=plugin, codes="/".join(d.could)))
    if d.retval == UNKNOWN and {OK, DENY, DENYSOFT} & set(d.could):
        stage.doubt(note("could_assumed", plugin=plugin, codes="/".join(d.could)))


def run_hook(hook: str, order: dict[str, list[dict]], ctx: SimContext, target: str | None = None) -> Stage:
    ctx.hook = hook
    regs = order.get(hook, [])
    stage = Stage(HookStep(hook=hook, answered_by=None, retval=CONT, reply="", target=target), Decision(CONT))
    if hook not in behaviour_table().non_decisive_hooks:
        for name in ctx.unknown_plugins:
            stage.doubt(note("unknown_plugin", plugin=name))
    for i, reg in enumerate(regs):
        plugin = reg["plugin"]
        d = decide(plugin, hook, ctx, reg.get("method", ""))
        _record(stage, plugin, d)
        if d.retval not in (UNKNOWN, CONT) and hook not in RUN_EVERY_PLUGIN:
            stage.step.answered_by, stage.step.retval, stage.decision = plugin, d.retval, d
            stage.step.shadowed = [r["plugin"] for r in regs[i + 1:]]
            break
    return stage


def _refused(d: Decision) -> bool:
    return d.retval.startswith("DENY")


class Walk:
    """One transaction's run through the hooks; each phase returns the outcome word when the
    transaction ends there, None when it goes on."""

    def __init__(self, order: dict[str, list[dict]], ctx: SimContext):
        self.order, self.ctx = order, ctx
        self.steps: list[HookStep] = []

    def stage(self, hook: str, target: str | None = None) -> Stage:
        stage = run_hook(hook, self.order, self.ctx, target)
        self.steps.append(stage.step)
        return stage

    def fill(self, text: str) -> str:
        env = self.ctx.envelope
        return text.replace("{from}", f"<{env.get('from', '')}>").replace("{rcpt}", f"<{self.ctx.rcpt or ''}>")

    def deny_reply(self, hook: str, d: Decision) -> str:
        reply = behaviour_table().deny_reply(hook)
        code = reply.denysoft if d.retval.startswith("DENYSOFT") else reply.deny
        return f"{code} {d.msg or self.fill(reply.text)}"

    def gate(self, hook: str, ok_reply: str, refused: str) -> str | None:
        """Run a hook whose DENY* answer ends the transaction."""
        stage = self.stage(hook)
        if _refused(stage.decision):
            stage.settle(self.deny_reply(hook, stage.decision))
            return refused
        stage.settle(ok_reply)
        return None

    def opening(self) -> str | None:
        """Connect, EHLO and MAIL FROM: (hook, reply when it lets the client on, outcome when it refuses)."""
        self.stage("connect_init")
        for hook, ok_reply, refused in (("connect", "220 ESMTP ready", "rejected_at_connect"),
                                        ("ehlo", "250 Hello", "rejected_at_helo"),
                                        ("mail", f"250 sender <{self.ctx.envelope.get('from', '')}> OK",
                                         "rejected_at_mail")):
            ended = self.gate(hook, ok_reply, refused)
            if ended:
                return ended
        return None

    def recipient(self, rcpt: str) -> bool:
        """RCPT TO for one recipient (and rcpt_ok when it is accepted); whether it was accepted."""
        self.ctx.rcpt = rcpt
        stage = self.stage("rcpt", target=rcpt)
        d = stage.decision
        retval = OK if d.retval == CONT and self.ctx.relaying else d.retval
        if retval == OK:
            ok = self.stage("rcpt_ok", target=rcpt)
            if _refused(ok.decision):
                ok.settle(self.deny_reply("rcpt_ok", ok.decision))
                stage.step.reply = ok.step.reply
                return False
            stage.settle(f"250 {d.msg or f'recipient <{rcpt}> OK'}")
            return True
        if retval.startswith("DENY"):
            stage.settle(self.deny_reply("rcpt", d))
        else:
            stage.settle(f"550 I cannot deliver mail for <{rcpt}>")
            stage.step.notes.append(note("rcpt_nobody"))
        return False

    def recipients(self) -> str | None:
        accepted = [self.recipient(rcpt) for rcpt in self.ctx.envelope.get("rcpt") or []]
        self.ctx.rcpt = None
        if any(accepted):
            return None
        self.steps.append(HookStep(hook="data", answered_by=None, retval="", reply="503 RCPT required first",
                                   notes=[note("no_recipient")]))
        return "no_recipients"

    def message(self) -> str:
        """DATA, the end of data and the queue: where the accepted message ends up."""
        ended = self.gate("data", "354 go ahead, make my day", "rejected_at_data")
        if ended:
            return ended
        post = self.stage("data_post")
        if _refused(post.decision):
            post.settle(self.deny_reply("data_post", post.decision))
            return "deferred_after_data" if "SOFT" in post.decision.retval else "rejected_after_data"
        queue = self.stage("queue_outbound" if self.ctx.relaying else "queue")
        # the end-of-data reply comes from data_post *and* queue: carry data_post's doubts over
        queue.step.notes += [note("carried", note=n) for n in post.doubts]
        queue.doubts += [note("carried", note=n) for n in post.doubts]
        return self.queued(queue)

    def queued(self, queue: Stage) -> str:
        d, step = queue.decision, queue.step
        if d.retval == OK:
            queue.settle(f"250 {d.msg or 'Message Queued'}")
            if has_role(self.ctx.catalog, step.answered_by, "storage"):    # it stores into mailboxes itself
                return "stored" if self.ctx.resolved else "processed_not_stored"
            return "queued"
        if _refused(d):
            queue.settle(self.deny_reply(step.hook, d))
            return "rejected_at_queue" if "SOFT" not in d.retval else "deferred_at_queue"
        if step.hook == "queue_outbound":
            queue.settle("250 Message Queued")
            step.notes.append(note("outbound"))
            return "outbound"
        # queue_msg() returns "" for CONT, and Haraka appends " (<uuid>)", so its default
        # "Queuing declined or disabled" text never shows: the client sees a bare 451
        queue.settle("451 (<uuid>)")
        step.notes.append(note("queue_nobody"))
        return "queue_declined"


def walk(order: dict[str, list[dict]], ctx: SimContext) -> tuple[list[HookStep], str]:
    """All steps of the transaction, and a one-word outcome."""
    run = Walk(order, ctx)
    outcome = run.opening() or run.recipients() or run.message()
    return run.steps, outcome
