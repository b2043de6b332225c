"""Markdown report, ready to paste into a team wiki page.

Every reference is a link a wiki can follow: upstream documents by URL; mxdoctor's own notes and
rule pages at the app's address when it is known (`base_url`, the Diagnose page passes its own),
otherwise at an anchor in the References section the export carries at its end, with the note's
title and its opening paragraph.

Everything that may carry the user's input (titles and explanations filled from pasted files, file
names, log lines, replies, versions) goes through `app.core.mdsafe`: HTML-escaped, no link or image
syntax, code spans and fences no backtick inside them can close. A wiki that renders raw HTML
shows a pasted `<img onerror=...>` as text.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from app.core.localize import flow
from app.core.mdsafe import md_cell, md_code, md_code_block, md_text, safe_url
from app.core.report.labels import label, severity_word
from app.core.report.text import verdict_lines, versions_lines, where

ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def _anchor(kind: str, ident: str) -> str:
    return f"ref-{kind}-" + re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


class _Refs:
    """Links for citations; collects the notes an export must carry when there is no app to link to."""

    def __init__(self, base_url: str | None, lang: str = "en"):
        base = (base_url or "").rstrip("/")
        self.base = safe_url(base) if re.match(r"^https?://", base, re.I) else ""
        self.lang = lang
        self.suffix = f"&lang={quote(lang)}" if lang != "en" else ""
        self.notes: list[str] = []

    def note(self, note_id: str) -> str:
        from app.core.links import note_markdown
        found = note_markdown(note_id, self.lang)
        title = md_text(found[0] if found else note_id)
        if self.base:
            return f"[{title}]({self.base}/knowledge?note={quote(note_id, safe='')}{self.suffix})"
        if note_id not in self.notes:
            self.notes.append(note_id)
        return f"[{title}](#{_anchor('note', note_id)})"

    def rule(self, rule: str, cell: bool = False) -> str:
        code = md_code(rule, cell=cell)
        return f"[{code}]({self.base}/rules?rule={quote(rule, safe='')}{self.suffix})" if self.base else code

    def link(self, c: str) -> str:
        if c.startswith("note:"):
            return self.note(c.split(":", 1)[1])
        if re.match(r"^https?://", c, re.I):
            return f"[{md_text(c.split('://', 1)[1])}]({safe_url(c)})"
        return md_code(c)

    def appendix(self) -> list[str]:
        from app.core.links import note_markdown
        if not self.notes:
            return []
        out = [f"## {label({'lang': self.lang}, 'md_references')}", ""]
        for note_id in self.notes:
            found = note_markdown(note_id, self.lang)
            if found is None:
                continue
            title, body = found
            para = next((p.strip() for p in re.split(r"\n\s*\n", body)
                         if p.strip() and not p.lstrip().startswith(("#", "```", "|", "-", "*"))), "")
            out += [f'<a id="{_anchor("note", note_id)}"></a>', f"### {md_text(title)}", "", md_text(flow(para)), "",
                    label({"lang": self.lang}, "md_note_where", note=note_id), ""]
        return out


def _head(v: dict[str, Any]) -> list[str]:
    head = [md_text(x) for x in verdict_lines(v)]
    return [f"**{head[0]}**", ""] + [f"{x}  " for x in head[1:]] + [""] if head else []


def _versions(versions: dict[str, Any] | None) -> list[str]:
    lines = [md_text(x) for x in versions_lines(versions)]
    return [f"{line}  " for line in lines[:-1]] + lines[-1:] + [""] if lines else []


def _table(findings: list[dict[str, Any]], refs: _Refs, data: dict[str, Any]) -> list[str]:
    if not findings:
        return [label(data, "md_none"), ""]
    return ([f"| | {label(data, 'md_rule')} | {label(data, 'md_title_col')} |", "|---|---|---|"]
            + [f"| {ICON.get(f['severity'], '')} {md_cell(severity_word(data, f['severity']))} | "
               f"{refs.rule(f['rule'], cell=True)} | {md_cell(f['title'])} |" for f in findings] + [""])


def _combined_fix(fixed: dict[str, Any] | None, data: dict[str, Any]) -> list[str]:
    if not (fixed and fixed.get("patch")):
        return []
    return ([f"## {label(data, 'md_all_fixes')}", "",
             label(data, "md_fixes_set", rules=", ".join(md_text(r) for r in fixed["applied"])), ""]
            + md_code_block(fixed["patch"], "diff") + [""])


def _fix(fix: dict[str, Any], data: dict[str, Any]) -> list[str]:
    verified = label(data, "md_verified") if fix.get("verified") else ""
    out = [f"**{label(data, 'md_fix')}{verified}{label(data, 'colon').strip()}** {md_text(fix['summary'])}", ""]
    if fix.get("patch"):
        out += md_code_block(fix["patch"], "diff") + [""]
    steps = fix.get("manual") or []
    return out + [f"- {md_text(step)}" for step in steps] + ([""] if steps else [])


def _finding(f: dict[str, Any], refs: _Refs, data: dict[str, Any]) -> list[str]:
    out = [f"## {md_text(f['rule'])}: {md_text(f['title'])}", "",
           f"**{label(data, 'md_severity')}{label(data, 'colon').strip()}** {md_text(severity_word(data, f['severity']))}"
           f" · **{label(data, 'md_category')}{label(data, 'colon').strip()}** {md_text(f['category'])}", ""]
    if f["evidence"]:
        out += [f"**{label(data, 'md_evidence')}**", ""] + [f"- {md_code(where(ev))} — {md_code(ev['text'])}"
                                                            for ev in f["evidence"]] + [""]
    for name, what in (f.get("assumes") or {}).items():
        out += ["> " + label(data, "md_not_given", name=md_text(name), what=md_text(what)), ""]
    out += [md_text(flow(f["explanation"])), ""]
    if f.get("fix"):
        out += _fix(f["fix"], data)
    if f["citations"]:
        out += [f"**{label(data, 'md_references')}{label(data, 'colon').strip()}** " + ", ".join(refs.link(c) for c in f["citations"]), ""]
    return out


def _problems(problems: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    if not problems:
        return []
    return [f"## {label(data, 'md_problems')}", ""] + [f"- {md_code(where(p))}: {md_text(p['message'])}"
                                                       for p in problems] + [""]


def _simulation(sim: dict[str, Any] | None, data: dict[str, Any]) -> list[str]:
    if not sim:
        return []
    from app.core.verdict import outcome_sentence
    out = [f"## {label(data, 'md_simulation')}", "", label(data, "md_sim_cols"), "|---|---|---|---|"]
    for s in sim["transaction"]["steps"]:
        if s["hook"] in ("connect_init", "rcpt_ok") and not s["answered_by"]:
            continue
        hook = s["hook"] + (f" ({s['target']})" if s.get("target") else "")
        out.append(f"| {md_cell(hook)} | {md_cell(s['answered_by'] or '—')} | {md_cell(s['reply'] or '')} | "
                   f"{md_cell(', '.join(s['shadowed']))} |")
    sentence = outcome_sentence(sim["transaction"]["outcome"], data.get("lang") or "en")
    return out + ["", f"{label(data, 'md_outcome')}{label(data, 'colon')}**{sentence}**", ""]


def render_markdown(data: dict[str, Any], base_url: str | None = None) -> str:
    refs = _Refs(base_url, data.get("lang") or "en")
    v = data.get("verdict") or {}
    findings = data["findings"]
    out = [f"# {label(data, 'md_title')}", ""] + _head(v) + _versions(data.get("versions")) \
        + _table(findings, refs, data) + _combined_fix(data.get("fixed"), data)
    for f in findings:
        out += _finding(f, refs, data)
    out += _problems(data.get("problems"), data) + _simulation(data.get("simulation"), data)
    if v.get("missing"):
        out += [md_text(v["missing"]), ""]
    return "\n".join(out + refs.appendix())
