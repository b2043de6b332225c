"""Live replies beside the simulator's prediction from the same config: agree, differ, or the
simulator does not know.

Why: the simulator reads config/ and says who answers each hook; a live server says what really
happens. Where they agree, the config explains the server; where they differ, the running server
is not the config given (another file, an old process, a plugin the catalog misreads). "differ"
is said only where the simulator claims a code; a '?' or an unsimulated stage is "unknown"; a
prediction that rested on the outside world (the user exists in WildDuck's database, the client is
on no DNS list) and did not hold is "assumed", with what it assumed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from app.core.model import ConfigSet, HookStep, Simulation
from app.core.simulate import simulate
from app.live.smtp import Reply, Session, probe_message

AGREE, DIFFER, UNKNOWN, ASSUMED = "agree", "differ", "unknown", "assumed"
TOLD_BY_REPLY = ("default", "message", "dsn")     # attributions the reply itself proves (not the config's guess)


@dataclass
class Comparison:
    stage: str
    target: str | None
    live: int | None              # the live code (None: no reply)
    predicted: str                # the simulator's reply ('' or '?' when it claims none)
    verdict: str                  # agree | differ | unknown | assumed
    hook: str | None = None       # the simulated step it was compared with
    plugin: str | None = None     # who the simulator says answers there (None: no plugin, core)
    notes: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)   # what the prediction rested on (assumes, depends_on)
    live_by: str = ""             # who answered on the server, when attribution could tell
    why: str = ""                 # a differ's reason beyond the codes: why_no_queue | why_other


@dataclass
class ComparisonReport:
    rows: list[Comparison]
    outcome: str                  # the simulator's outcome for the whole transaction
    unknown_plugins: list[str] = field(default_factory=list)
    assumptions: dict[str, str] = field(default_factory=dict)
    simulation: Simulation | None = field(default=None, repr=False)
    transaction: Simulation | None = field(default=None, repr=False)   # with the accepted recipients only

    @property
    def differs(self) -> list[Comparison]:
        return [r for r in self.rows if r.verdict == DIFFER]

    def step_for(self, reply: Reply) -> HookStep | None:
        sim = self.transaction if reply.stage in ("data", "data_end") and self.transaction else self.simulation
        return step_for(sim, reply) if sim is not None else None

    def to_dict(self) -> dict:
        return {"rows": [asdict(r) for r in self.rows], "outcome": self.outcome,
                "unknown_plugins": self.unknown_plugins, "assumptions": self.assumptions,
                "agree": sum(r.verdict == AGREE for r in self.rows), "differ": len(self.differs),
                "unknown": sum(r.verdict == UNKNOWN for r in self.rows),
                "assumed": sum(r.verdict == ASSUMED for r in self.rows)}


def envelope_of(session: Session) -> dict:
    """The simulator's envelope for this very session: the address the server saw, the HELO, the
    sender and recipients, and the test message's headers when one was sent."""
    env = {"ip": session.client_ip or "127.0.0.1", "helo": session.helo, "from": session.mail_from,
           "rcpt": list(session.rcpts)}
    if session.probe_id:
        raw = probe_message(session.mail_from, session.rcpts, session.probe_id, session.helo).decode()
        head = raw.split("\r\n\r\n", 1)[0]
        env["headers"] = dict(line.split(": ", 1) for line in head.split("\r\n") if ": " in line)
    return env


def _code(reply: str | None) -> int | None:
    return int(reply[:3]) if reply and reply[:3].isdigit() else None


def step_for(sim: Simulation, reply: Reply) -> HookStep | None:
    """The simulated step whose answer the client hears at this live stage (as in the e2e oracle:
    after the final dot, data_post when it refuses, else the queue)."""
    stage = reply.stage
    if stage == "banner":
        return sim.step("connect")
    if stage in ("ehlo", "ehlo_tls"):
        return sim.step("ehlo") or sim.step("helo")
    if stage in ("mail", "data"):
        return sim.step(stage)
    if stage == "rcpt":
        return sim.step("rcpt", reply.target)
    if stage == "data_end":
        post = sim.step("data_post")
        if post is not None and (_code(post.reply) or 0) >= 400:
            return post
        return sim.step("queue") or sim.step("queue_outbound")
    return None                   # starttls, rset, quit: no hook the simulator walks


def _verdict(claimed: int | None, live: int | None, step: HookStep | None) -> str:
    if claimed is None or live is None:
        return UNKNOWN
    if claimed == live:
        return AGREE
    return ASSUMED if step is not None and (step.depends_on or step.assumes) else DIFFER


def assumed_of(step: HookStep | None) -> list[str]:
    """What a prediction rested on: files not given (with what was assumed of each), then the
    outside world the plugins' answers depend on."""
    if step is None:
        return []
    files = [f"{name} (not given): {what}" for name, what in step.assumes.items()]
    return list(dict.fromkeys(files + step.depends_on))


def compare(cs: ConfigSet, session: Session) -> ComparisonReport:
    """Each live reply beside the simulator's prediction for the same envelope and config."""
    sim = simulate(cs, envelope=envelope_of(session))
    after_rcpt = _transaction_sim(cs, session) or sim
    rows = []
    for reply in session.replies:
        step = step_for(after_rcpt if reply.stage in ("data", "data_end") else sim, reply)
        claimed = _code(step.reply) if step is not None else None
        rows.append(Comparison(reply.stage, reply.target, reply.code, step.reply if step else "",
                               _verdict(claimed, reply.code, step), step.hook if step else None,
                               step.answered_by if step else None, list(step.notes[:3]) if step else [],
                               assumed_of(step)))
    return ComparisonReport(rows, after_rcpt.outcome, list(sim.unknown_plugins), sim.assumptions, sim, after_rcpt)


def reconcile(report: ComparisonReport, attributions: list, catalog) -> None:
    """Where the live reply's author is known (a core default, an indexed message) and the simulator
    names another plugin for that step, they differ even when its code is '?' or the same: the
    server is not running this config there. A prediction resting on a file not given or on the
    outside world stays 'assumed' (either may be what differs)."""
    for row, att in zip(report.rows, attributions):
        if row.plugin is None or att.how not in TOLD_BY_REPLY or att.emitter in ("unattributed", ""):
            continue
        live_by = "core" if att.emitter == "core" else catalog.resolve(att.emitter)
        if live_by == catalog.resolve(row.plugin):
            continue
        row.live_by = live_by
        if row.verdict == ASSUMED or any(" (not given): " in a for a in row.assumed):
            row.verdict = ASSUMED          # what it assumed (a file, the outside world) may be what differs
            continue
        row.verdict = DIFFER
        row.why = "why_no_queue" if att.says == "no_queue_plugin" else "why_other"


def _transaction_sim(cs: ConfigSet, session: Session) -> Simulation | None:
    """The simulation of the transaction the server really holds after RCPT: only the recipients it
    accepted go on to DATA and the queue (a refused one is not stored, whatever the simulator
    assumed about it). None when that is every recipient (the first simulation already is it)."""
    accepted = [r.target for r in session.replies if r.stage == "rcpt" and r.code is not None and r.code < 400]
    if not accepted or accepted == list(session.rcpts):
        return None
    env = envelope_of(session)
    env["rcpt"] = accepted
    return simulate(cs, envelope=env)
