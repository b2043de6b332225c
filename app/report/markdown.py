"""Markdown report, ready to paste into a team wiki page."""
from __future__ import annotations

from typing import Any

ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(data: dict[str, Any]) -> str:
    out = ["# mxdoctor report", ""]
    findings = data["findings"]
    if not findings:
        out += ["No problems found in the given configuration and logs.", ""]
    else:
        out += ["| | Rule | Title |", "|---|---|---|"]
        out += [f"| {ICON.get(f['severity'], '')} {f['severity']} | `{f['rule']}` | {_md_escape(f['title'])} |"
                for f in findings]
        out.append("")
    for f in findings:
        out += [f"## {f['rule']}: {f['title']}", "", f"**Severity:** {f['severity']} · **Category:** {f['category']}", ""]
        if f["evidence"]:
            out.append("**Evidence**")
            out.append("")
            for ev in f["evidence"]:
                loc = f"{ev['file']}:{ev['line']}" if ev.get("line") else ev["file"]
                out.append(f"- `{loc}` — `{ev['text'].replace('`', '')}`")
            out.append("")
        out += [f["explanation"], ""]
        fix = f.get("fix")
        if fix:
            out += [f"**Fix{' (verified)' if fix.get('verified') else ''}:** {fix['summary']}", ""]
            if fix.get("patch"):
                out += ["```diff", fix["patch"].rstrip("\n"), "```", ""]
            for step in fix.get("manual") or []:
                out.append(f"- {step}")
            if fix.get("manual"):
                out.append("")
        if f["citations"]:
            out += ["**References:** " + ", ".join(_link(c) for c in f["citations"]), ""]
    if data.get("problems"):
        out += ["## Input problems", ""]
        for p in data["problems"]:
            loc = f"{p['file']}:{p['line']}" if p.get("line") else p["file"]
            out.append(f"- `{loc}`: {p['message']}")
        out.append("")
    sim = data.get("simulation")
    if sim:
        out += ["## Simulated transaction", "", "| Hook | Answered by | Reply | Shadowed |", "|---|---|---|---|"]
        for s in sim["transaction"]["steps"]:
            if s["hook"] in ("connect_init", "rcpt_ok") and not s["answered_by"]:
                continue
            hook = s["hook"] + (f" ({s['target']})" if s.get("target") else "")
            out.append(f"| {hook} | {s['answered_by'] or '—'} | {_md_escape(s['reply'] or '')} | "
                       f"{', '.join(s['shadowed']) or ''} |")
        out += ["", f"Outcome: **{sim['transaction']['outcome']}**", ""]
    return "\n".join(out)


def _link(c: str) -> str:
    if c.startswith("http"):
        return f"<{c}>"
    return f"`{c}`"
