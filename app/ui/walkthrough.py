""""How a message flows through Haraka into WildDuck", told from a real simulation.

The onboarding page walks a new admin through one SMTP transaction on the canonical example:
the broken config (rcpt_to.in_host_list answers first) beside the fixed one (wildduck answers).
Steps and the diagram are built here from `simulate()` so the story is always what the
simulator computes, never hand-written; only the per-hook explanations are prose (en / zh).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.model import Simulation

HOOK_TEXT: dict[str, dict[str, str]] = {
    "connect": {"en": "A client opens a TCP connection; Haraka greets it (220) unless a plugin refuses the IP.",
                "zh": "客户端建立 TCP 连接；除非有插件拒绝该 IP，否则 Haraka 回复 220 问候。"},
    "helo": {"en": "The client names itself with HELO.", "zh": "客户端用 HELO 报上自己的名字。"},
    "ehlo": {"en": "The client names itself with EHLO; Haraka lists its extensions (STARTTLS, SIZE ...).",
             "zh": "客户端用 EHLO 报上名字；Haraka 列出支持的扩展（STARTTLS、SIZE 等）。"},
    "mail": {"en": "MAIL FROM: the sender. Plugins such as spf look at it; wildduck checks rate limits.",
             "zh": "MAIL FROM：发件人。spf 等插件检查它；wildduck 检查发送频率限制。"},
    "rcpt": {"en": "RCPT TO: each recipient. The first plugin that answers OK accepts it — for WildDuck that "
                   "must be wildduck, which looks the address up in MongoDB and remembers the user.",
             "zh": "RCPT TO：每个收件人。第一个回答 OK 的插件决定接收——对 WildDuck 来说必须是 wildduck，"
                   "它在 MongoDB 中查找地址并记住对应用户。"},
    "rcpt_ok": {"en": "Runs after a recipient was accepted.", "zh": "收件人被接受之后运行。"},
    "data": {"en": "DATA: the client starts sending the message (354).", "zh": "DATA：客户端开始发送邮件正文（354）。"},
    "data_post": {"en": "The whole message has arrived: content checks (rspamd, DKIM) run here.",
                  "zh": "整封邮件已收到：内容检查（rspamd、DKIM）在这里运行。"},
    "queue": {"en": "Queue: the first plugin that answers OK takes the message. wildduck stores it in MongoDB "
                    "for the recipients it resolved at rcpt.",
              "zh": "投递队列：第一个回答 OK 的插件接管邮件。wildduck 把邮件存入 MongoDB，"
                    "收件人是它在 rcpt 阶段解析到的用户。"},
    "queue_outbound": {"en": "Mail from an authenticated or relaying client is queued for delivery elsewhere.",
                       "zh": "来自已认证或允许转发的客户端的邮件进入外发队列。"},
}
OUTCOME_TEXT = {
    "processed_not_stored": {"en": "The sender hears 250, but no mailbox receives the message.",
                             "zh": "发件方收到 250，但没有任何邮箱收到这封邮件。"},
    "stored": {"en": "Stored in the recipient's WildDuck mailbox.", "zh": "已存入收件人的 WildDuck 邮箱。"},
}
SHOWN_HOOKS = ("connect", "helo", "ehlo", "mail", "rcpt", "data", "data_post", "queue", "queue_outbound")


@dataclass
class FlowStep:
    hook: str
    target: str | None
    text: str
    ran: list[str] = field(default_factory=list)
    answered_by: str | None = None
    retval: str = "CONT"
    reply: str = ""
    shadowed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def flow_steps(sim: Simulation, lang: str = "en") -> list[FlowStep]:
    out = []
    for s in sim.steps:
        if s.hook not in SHOWN_HOOKS:
            continue
        text = HOOK_TEXT.get(s.hook, {}).get(lang) or HOOK_TEXT.get(s.hook, {}).get("en", "")
        out.append(FlowStep(hook=s.hook, target=s.target, text=text, ran=list(s.ran), answered_by=s.answered_by,
                            retval=s.retval, reply=s.reply, shadowed=list(s.shadowed), notes=list(s.notes)))
    return out


def outcome_text(sim: Simulation, lang: str = "en") -> str:
    t = OUTCOME_TEXT.get(sim.outcome)
    return (t.get(lang) or t["en"]) if t else sim.outcome


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


FLOW_WORDS = {"en": {"client": "SMTP client", "all_cont": "all CONT", "core": "core", "skipped": "skipped"},
              "zh": {"client": "SMTP 客户端", "all_cont": "全部 CONT", "core": "Haraka 核心", "skipped": "未运行"}}


def flow_dot(steps: list[FlowStep], outcome: str, lang: str = "en") -> str:
    """A left-to-right Graphviz diagram: client → hooks → outcome. A hook where a plugin answers is
    green; one where that answer shadows later plugins is red."""
    w = FLOW_WORDS.get(lang) or FLOW_WORDS["en"]
    lines = ["digraph flow {", "rankdir=LR;", 'node [shape=box, style="rounded,filled", fillcolor="#f4f6fa", '
             'fontname="Helvetica", fontsize=11];', f'client [label={_q(w["client"])}, shape=ellipse, fillcolor="#e8eefc"];']
    prev = "client"
    for i, s in enumerate(steps):
        node = f"s{i}"
        who = s.answered_by or (w["all_cont"] if s.ran else w["core"])
        label = f"{s.hook}{' ' + s.target if s.target else ''}\n{who}"
        if s.shadowed:
            label += f"\n({w['skipped']}: {', '.join(s.shadowed)})"
        color = "#fde2e1" if s.shadowed else ("#e3f4e6" if s.answered_by else "#f4f6fa")
        lines.append(f"{node} [label={_q(label)}, fillcolor={_q(color)}];")
        lines.append(f"{prev} -> {node};")
        prev = node
    done_color = "#e3f4e6" if outcome == "stored" else "#fde2e1"
    from app.core.verdict import outcome_sentence
    outcome_words = outcome_sentence(outcome, lang)
    lines.append(f"outcome [label={_q(outcome_words)}, shape=ellipse, fillcolor={_q(done_color)}];")
    lines.append(f"{prev} -> outcome;")
    lines.append("}")
    return "\n".join(lines)


def canonical_pair() -> tuple[Simulation, Simulation | None, dict[str, str]]:
    """(broken simulation, simulation after the verified fix of the canonical rule or None, the
    example files). The canonical rule is the one tagged `canonical` (in_host_list shadowing)."""
    from app.core.diagnose import diagnose
    from app.core.examples import example_files
    from app.core.inputs import load_texts
    from app.core.rules.loader import rules_tagged
    from app.core.simulate import simulate
    files = example_files("canonical")
    d = diagnose(texts=list(files.items()))
    canonical = rules_tagged("canonical")
    fixed = None
    for f in d.findings:
        if f.rule in canonical and f.fix and f.fix.files:
            patched = {**files, **{k: v for k, v in f.fix.files.items()}}
            fixed = simulate(load_texts(list(patched.items())))
    return d.simulation, fixed, files
