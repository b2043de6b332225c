"""Markdown report, ready to paste into a team wiki page.

Every reference is a link a wiki can follow: upstream documents by URL; mxdoctor's own notes and
rule pages at the app's address when it is known (`base_url`, the Diagnose page passes its own),
otherwise at an anchor in the References section the export carries at its end, with the note's
title and its opening paragraph.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(kind: str, ident: str) -> str:
    return f"ref-{kind}-" + re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


class _Refs:
    """Links for citations; collects the notes an export must carry when there is no app to link to."""

    def __init__(self, base_url: str | None):
        self.base = (base_url or "").rstrip("/")
        self.notes: list[str] = []

    def note(self, note_id: str) -> str:
        from app.core.links import note_markdown
        found = note_markdown(note_id)
        title = found[0] if found else note_id
        if self.base:
            return f"[{title}]({self.base}/knowledge?note={quote(note_id, safe='')})"
        if note_id not in self.notes:
            self.notes.append(note_id)
        return f"[{title}](#{_anchor('note', note_id)})"

    def rule(self, rule: str) -> str:
        return f"[`{rule}`]({self.base}/rules?rule={quote(rule, safe='')})" if self.base else f"`{rule}`"

    def link(self, c: str) -> str:
        if c.startswith("note:"):
            return self.note(c.split(":", 1)[1])
        if c.startswith("http"):
            return f"[{c.split('://', 1)[1]}]({c})"
        return f"`{c}`"

    def appendix(self) -> list[str]:
        from app.core.links import note_markdown
        if not self.notes:
            return []
        out = ["## References", ""]
        for note_id in self.notes:
            found = note_markdown(note_id)
            if found is None:
                continue
            title, body = found
            para = next((p.strip() for p in re.split(r"\n\s*\n", body)
                         if p.strip() and not p.lstrip().startswith(("#", "```", "|", "-", "*"))), "")
            out += [f'<a id="{_anchor("note", note_id)}"></a>', f"### {title}", "", " ".join(para.split()), "",
                    f"(mxdoctor note `{note_id}`: `mxdoctor search {note_id}` or the app's Knowledge page)", ""]
        return out


def render_markdown(data: dict[str, Any], base_url: str | None = None) -> str:
    refs = _Refs(base_url)
    out = ["# mxdoctor report", ""]
    v = data.get("verdict") or {}
    head = [x for x in (v.get("headline"), v.get("cause"), v.get("action"), v.get("caveat")) if x]
    if head:
        out += [f"**{head[0]}**", ""] + [f"{x}  " for x in head[1:]] + [""]
    findings = data["findings"]
    if not findings:
        out += ["No problems found in the given configuration and logs.", ""]
    else:
        out += ["| | Rule | Title |", "|---|---|---|"]
        out += [f"| {ICON.get(f['severity'], '')} {f['severity']} | {refs.rule(f['rule'])} | {_md_escape(f['title'])} |"
                for f in findings]
        out.append("")
    fixed = data.get("fixed")
    if fixed and fixed.get("patch"):
        out += ["## All verified fixes together", "",
                f"Fixes {', '.join(fixed['applied'])}; checked again as a set.", "",
                "```diff", fixed["patch"].rstrip("\n"), "```", ""]
    for f in findings:
        out += [f"## {f['rule']}: {f['title']}", "", f"**Severity:** {f['severity']} · **Category:** {f['category']}", ""]
        if f["evidence"]:
            out.append("**Evidence**")
            out.append("")
            for ev in f["evidence"]:
                loc = f"{ev['file']}:{ev['line']}" if ev.get("line") else ev["file"]
                out.append(f"- `{loc}` — `{ev['text'].replace('`', '')}`")
            out.append("")
        for name, what in (f.get("assumes") or {}).items():
            out += [f"> {name} was not given: {what}. Paste it to confirm.", ""]
        out += [" ".join(f["explanation"].split()), ""]
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
            out += ["**References:** " + ", ".join(refs.link(c) for c in f["citations"]), ""]
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
        from app.core.verdict import outcome_sentence
        out += ["", f"Outcome: **{outcome_sentence(sim['transaction']['outcome'])}**", ""]
    if v.get("missing"):
        out += [v["missing"], ""]
    out += refs.appendix()
    return "\n".join(out)
