"""Plain-text report for a terminal: findings grouped by severity, colour only on a tty."""
from __future__ import annotations

from typing import Any

COLORS = {"error": "\x1b[31;1m", "warning": "\x1b[33;1m", "info": "\x1b[36m", "dim": "\x1b[2m", "reset": "\x1b[0m"}


def _c(text: str, key: str, color: bool) -> str:
    return f"{COLORS[key]}{text}{COLORS['reset']}" if color else text


def where(ev: dict[str, Any]) -> str:
    return f"{ev['file']}:{ev['line']}" if ev.get("line") else ev["file"]


def render_text(data: dict[str, Any], color: bool = False) -> str:
    out: list[str] = []
    v = data.get("verdict") or {}
    head = [x for x in (v.get("headline"), v.get("cause"), v.get("action"), v.get("caveat")) if x]
    if head:
        out.append(_c(head[0], v.get("kind") if v.get("kind") in COLORS else "dim", color))
        out += head[1:] + [""]
    findings = data["findings"]
    for f in findings:
        out.append(_c(f"{f['severity'].upper():7} {f['rule']}  {f['title']}", f["severity"], color))
        for ev in f["evidence"]:
            out.append(f"    {where(ev)}: {ev['text']}")
        for name, what in (f.get("assumes") or {}).items():
            out.append(f"    {name} (not given): {what} - paste it to confirm")
        for para in f["explanation"].split("\n\n"):
            out.append("    " + " ".join(para.split()))
        fix = f.get("fix")
        if fix:
            label = "fix (verified)" if fix.get("verified") else "fix"
            out.append(f"    {label}: {fix['summary']}")
            for line in fix.get("patch", "").splitlines():
                out.append("      " + line)
            for step in fix.get("manual") or []:
                out.append(f"      - {step}")
        if f["citations"]:
            out.append(_c("    see: " + ", ".join(f["citations"]), "dim", color))
        out.append("")
    for p in data.get("problems") or []:
        loc = f"{p['file']}:{p['line']}" if p.get("line") else p["file"]
        out.append(f"input  {loc}: {p['message']}")
    counts = {s: sum(1 for f in findings if f["severity"] == s) for s in ("error", "warning", "info")}
    out.append(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info "
               f"— {len(data['inputs']['files'])} file(s), {data['inputs']['log_lines']} log line(s)")
    sim = data.get("simulation")
    if sim:
        from app.core.verdict import outcome_sentence
        outcome = sim["transaction"]["outcome"]
        out.append(f"simulated transaction: {outcome_sentence(outcome)} ({outcome})")
    fixed = data.get("fixed")
    if fixed and fixed.get("files"):
        out.append(f"all verified fixes together: {', '.join(fixed['files'])} (fixes {', '.join(fixed['applied'])}); "
                   "write them with --fixed-out DIR")
    if v.get("missing"):
        out.append(v["missing"])
    return "\n".join(out) + "\n"
