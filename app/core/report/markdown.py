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

from app.core.report.text import verdict_lines, versions_lines, where

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


def _head(v: dict[str, Any]) -> list[str]:
    head = verdict_lines(v)
    return [f"**{head[0]}**", ""] + [f"{x}  " for x in head[1:]] + [""] if head else []


def _versions(versions: dict[str, Any] | None) -> list[str]:
    lines = versions_lines(versions)
    return [f"{line}  " for line in lines[:-1]] + lines[-1:] + [""] if lines else []


def _table(findings: list[dict[str, Any]], refs: _Refs) -> list[str]:
    if not findings:
        return ["No problems found in the given configuration and logs.", ""]
    return (["| | Rule | Title |", "|---|---|---|"]
            + [f"| {ICON.get(f['severity'], '')} {f['severity']} | {refs.rule(f['rule'])} | {_md_escape(f['title'])} |"
               for f in findings] + [""])


def _combined_fix(fixed: dict[str, Any] | None) -> list[str]:
    if not (fixed and fixed.get("patch")):
        return []
    return ["## All verified fixes together", "", f"Fixes {', '.join(fixed['applied'])}; checked again as a set.", "",
            "```diff", fixed["patch"].rstrip("\n"), "```", ""]


def _fix(fix: dict[str, Any]) -> list[str]:
    out = [f"**Fix{' (verified)' if fix.get('verified') else ''}:** {fix['summary']}", ""]
    if fix.get("patch"):
        out += ["```diff", fix["patch"].rstrip("\n"), "```", ""]
    steps = fix.get("manual") or []
    return out + [f"- {step}" for step in steps] + ([""] if steps else [])


def _finding(f: dict[str, Any], refs: _Refs) -> list[str]:
    out = [f"## {f['rule']}: {f['title']}", "", f"**Severity:** {f['severity']} · **Category:** {f['category']}", ""]
    if f["evidence"]:
        out += ["**Evidence**", ""] + [f"- `{where(ev)}` — `{ev['text'].replace('`', '')}`" for ev in f["evidence"]] + [""]
    for name, what in (f.get("assumes") or {}).items():
        out += [f"> {name} was not given: {what}. Paste it to confirm.", ""]
    out += [" ".join(f["explanation"].split()), ""]
    if f.get("fix"):
        out += _fix(f["fix"])
    if f["citations"]:
        out += ["**References:** " + ", ".join(refs.link(c) for c in f["citations"]), ""]
    return out


def _problems(problems: list[dict[str, Any]]) -> list[str]:
    if not problems:
        return []
    return ["## Input problems", ""] + [f"- `{where(p)}`: {p['message']}" for p in problems] + [""]


def _simulation(sim: dict[str, Any] | None) -> list[str]:
    if not sim:
        return []
    from app.core.verdict import outcome_sentence
    out = ["## Simulated transaction", "", "| Hook | Answered by | Reply | Shadowed |", "|---|---|---|---|"]
    for s in sim["transaction"]["steps"]:
        if s["hook"] in ("connect_init", "rcpt_ok") and not s["answered_by"]:
            continue
        hook = s["hook"] + (f" ({s['target']})" if s.get("target") else "")
        out.append(f"| {hook} | {s['answered_by'] or '—'} | {_md_escape(s['reply'] or '')} | "
                   f"{', '.join(s['shadowed']) or ''} |")
    return out + ["", f"Outcome: **{outcome_sentence(sim['transaction']['outcome'])}**", ""]


def render_markdown(data: dict[str, Any], base_url: str | None = None) -> str:
    refs = _Refs(base_url)
    v = data.get("verdict") or {}
    findings = data["findings"]
    out = ["# mxdoctor report", ""] + _head(v) + _versions(data.get("versions")) + _table(findings, refs) \
        + _combined_fix(data.get("fixed"))
    for f in findings:
        out += _finding(f, refs)
    out += _problems(data.get("problems")) + _simulation(data.get("simulation"))
    if v.get("missing"):
        out += [v["missing"], ""]
    return "\n".join(out + refs.appendix())
