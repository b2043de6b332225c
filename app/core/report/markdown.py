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

from app.core.localize import flow
from app.core.report.labels import label, severity_word
from app.core.report.text import verdict_lines, versions_lines, where

ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(kind: str, ident: str) -> str:
    return f"ref-{kind}-" + re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


class _Refs:
    """Links for citations; collects the notes an export must carry when there is no app to link to."""

    def __init__(self, base_url: str | None, lang: str = "en"):
        self.base = (base_url or "").rstrip("/")
        self.lang = lang
        self.suffix = f"&lang={quote(lang)}" if lang != "en" else ""
        self.notes: list[str] = []

    def note(self, note_id: str) -> str:
        from app.core.links import note_markdown
        found = note_markdown(note_id, self.lang)
        title = found[0] if found else note_id
        if self.base:
            return f"[{title}]({self.base}/knowledge?note={quote(note_id, safe='')}{self.suffix})"
        if note_id not in self.notes:
            self.notes.append(note_id)
        return f"[{title}](#{_anchor('note', note_id)})"

    def rule(self, rule: str) -> str:
        return f"[`{rule}`]({self.base}/rules?rule={quote(rule, safe='')}{self.suffix})" if self.base else f"`{rule}`"

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
        out = [f"## {label({'lang': self.lang}, 'md_references')}", ""]
        for note_id in self.notes:
            found = note_markdown(note_id, self.lang)
            if found is None:
                continue
            title, body = found
            para = next((p.strip() for p in re.split(r"\n\s*\n", body)
                         if p.strip() and not p.lstrip().startswith(("#", "```", "|", "-", "*"))), "")
            out += [f'<a id="{_anchor("note", note_id)}"></a>', f"### {title}", "", flow(para), "",
                    label({"lang": self.lang}, "md_note_where", note=note_id), ""]
        return out


def _head(v: dict[str, Any]) -> list[str]:
    head = verdict_lines(v)
    return [f"**{head[0]}**", ""] + [f"{x}  " for x in head[1:]] + [""] if head else []


def _versions(versions: dict[str, Any] | None) -> list[str]:
    lines = versions_lines(versions)
    return [f"{line}  " for line in lines[:-1]] + lines[-1:] + [""] if lines else []


def _table(findings: list[dict[str, Any]], refs: _Refs, data: dict[str, Any]) -> list[str]:
    if not findings:
        return [label(data, "md_none"), ""]
    return ([f"| | {label(data, 'md_rule')} | {label(data, 'md_title_col')} |", "|---|---|---|"]
            + [f"| {ICON.get(f['severity'], '')} {severity_word(data, f['severity'])} | {refs.rule(f['rule'])} | {_md_escape(f['title'])} |"
               for f in findings] + [""])


def _combined_fix(fixed: dict[str, Any] | None, data: dict[str, Any]) -> list[str]:
    if not (fixed and fixed.get("patch")):
        return []
    return [f"## {label(data, 'md_all_fixes')}", "", label(data, "md_fixes_set", rules=", ".join(fixed["applied"])), "",
            "```diff", fixed["patch"].rstrip("\n"), "```", ""]


def _fix(fix: dict[str, Any], data: dict[str, Any]) -> list[str]:
    verified = label(data, "md_verified") if fix.get("verified") else ""
    out = [f"**{label(data, 'md_fix')}{verified}{label(data, 'colon').strip()}** {fix['summary']}", ""]
    if fix.get("patch"):
        out += ["```diff", fix["patch"].rstrip("\n"), "```", ""]
    steps = fix.get("manual") or []
    return out + [f"- {step}" for step in steps] + ([""] if steps else [])


def _finding(f: dict[str, Any], refs: _Refs, data: dict[str, Any]) -> list[str]:
    out = [f"## {f['rule']}: {f['title']}", "", f"**{label(data, 'md_severity')}{label(data, 'colon').strip()}** "
           f"{severity_word(data, f['severity'])} · **{label(data, 'md_category')}{label(data, 'colon').strip()}** "
           f"{f['category']}", ""]
    if f["evidence"]:
        out += [f"**{label(data, 'md_evidence')}**", ""] + [f"- `{where(ev)}` — `{ev['text'].replace('`', '')}`" for ev in f["evidence"]] + [""]
    for name, what in (f.get("assumes") or {}).items():
        out += ["> " + label(data, "md_not_given", name=name, what=what), ""]
    out += [flow(f["explanation"]), ""]
    if f.get("fix"):
        out += _fix(f["fix"], data)
    if f["citations"]:
        out += [f"**{label(data, 'md_references')}{label(data, 'colon').strip()}** " + ", ".join(refs.link(c) for c in f["citations"]), ""]
    return out


def _problems(problems: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    if not problems:
        return []
    return [f"## {label(data, 'md_problems')}", ""] + [f"- `{where(p)}`: {p['message']}" for p in problems] + [""]


def _simulation(sim: dict[str, Any] | None, data: dict[str, Any]) -> list[str]:
    if not sim:
        return []
    from app.core.verdict import outcome_sentence
    out = [f"## {label(data, 'md_simulation')}", "", label(data, "md_sim_cols"), "|---|---|---|---|"]
    for s in sim["transaction"]["steps"]:
        if s["hook"] in ("connect_init", "rcpt_ok") and not s["answered_by"]:
            continue
        hook = s["hook"] + (f" ({s['target']})" if s.get("target") else "")
        out.append(f"| {hook} | {s['answered_by'] or '—'} | {_md_escape(s['reply'] or '')} | "
                   f"{', '.join(s['shadowed']) or ''} |")
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
        out += [v["missing"], ""]
    return "\n".join(out + refs.appendix())
