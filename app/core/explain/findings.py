"""Lines no rule explains become findings of their own, one per message template.

Why: a rule knows a cause; the explainer only knows who printed a line and what it means. So a line a
rule already cites stays with that rule, and the rest are grouped by template (with counts), worded
from the message index, and ranked below rule findings of the same severity.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

from app.core.explain.explain import LineExplanation
from app.core.explain.notes import notes_for
from app.core.instructions import looks_like_instruction
from app.core.model import Evidence, Finding

MAX_EVIDENCE = 5


def severity(x: LineExplanation) -> str:
    """How loud an unexplained line is. CRIT and worse: error. ERROR: error inside a connection (a
    message was affected), warning outside one (start-up and config: mail may still flow). A refusal:
    warning (it may be meant). A WARN line, or a 4xx/5xx reply with no refusal beside it: info."""
    level = x.event.level or ""
    if x.category == "error":
        if level in ("CRIT", "ALERT", "EMERG"):
            return "error"
        if level == "ERROR":
            return "error" if x.event.uuid else "warning"
        return "info"
    return "warning" if x.category == "refusal" else "info"


def shown(template: str) -> str:
    """A template as a reader sees it: computed parts as …"""
    return template.replace("{}", "…").replace("{{", "{").replace("}}", "}").strip()


def _cited(findings: list[Finding]) -> set[tuple[str, int | None]]:
    return {(e.file, e.line) for f in findings for e in f.evidence if e.kind == "log"}


def explanation_findings(explained: list[LineExplanation], findings: list[Finding],
                         version: str | None = None) -> list[Finding]:
    """A finding per template of the lines that no finding in `findings` cites."""
    cited = _cited(findings)
    groups: dict[str, list[LineExplanation]] = defaultdict(list)
    refused_uuids = {x.event.connection_uuid for x in explained if x.category == "refusal"}
    errors_by_place: dict[tuple, str] = {}
    for x in explained:
        if x.continues or (x.event.file, x.event.lineno) in cited:
            continue
        if x.category in ("reply", "result") and x.event.connection_uuid in refused_uuids:
            continue          # the reply to (or the summary of) a refusal already listed: the refusal says why
        place = (x.event.uuid, x.emitter)
        if x.category == "error" and x.event.uuid:
            errors_by_place.setdefault(place, x.group)
        # a plugin's refusal right after its own error in the same transaction: one incident
        groups[errors_by_place.get(place, x.group) if x.category == "refusal" else x.group].append(x)
    return [_finding(xs, version) for xs in groups.values()]


def _title(x: LineExplanation) -> str:
    literal = x.message is not None and len(x.message.template.replace("{}", "").strip()) >= 8
    said = shown(x.message.template) if literal else x.text.strip()
    if looks_like_instruction(said):
        said = "(text withheld: it is written as instructions to an AI, not by Haraka)"
    said = said[:120] + ("…" if len(said) > 120 else "")
    who = "Haraka" if x.emitter == "core" else x.emitter
    if x.category == "refusal":
        code = x.event.fields.get("retval", "DENY")
        return f"{who} answered {code} at {x.hook or 'a'} hook" + (f": “{said}”" if said else "")
    if x.category == "reply":
        return f"Haraka replied {x.text[:3]}: “{said}”"
    if x.category == "result":
        return f"Haraka reports {x.event.fields.get('code', '')} at {x.hook}: “{said}”"
    detail = f" ({x.detail[:100]})" if x.detail else ""
    crash = f", in {x.crashed_in}" if x.crashed_in else ""
    return f"{who} logged {x.event.level}: “{said}”{detail}{crash}"


def _where(x: LineExplanation, version: str | None) -> str:
    m = x.message
    if m is None:
        return (f"No message of the indexed Haraka releases and plugins has this text; the line names "
                f"{x.emitter} as its emitter.")
    release, line = m.line_at(version)
    hooks = ", ".join(h for h in m.hooks if h != "any")
    text = (f"It is printed by {m.package} {m.file}:{line} (function {m.function or 'at file level'}"
            + (f", run by the {hooks} hook" if hooks else "") + f") in release {release}.")
    if not x.in_version and version:
        text += f" Your version {version} does not have this message; releases that do: {m.versions}."
    if m.config_files or m.config_keys:
        files = ", ".join(f"config/{f}" for f in m.config_files)
        keys = ", ".join(m.config_keys)
        text += " What it does is set in " + (files or "its config") + (f" (keys {keys})" if keys else "") + "."
    return text


def _then(refusal: LineExplanation) -> str:
    code = refusal.event.fields.get("retval", "DENY")
    return f" It then answered {code} at the {refusal.hook or 'same'} hook: {refusal.effect}"


def _fix(x: LineExplanation) -> str:
    m = x.message
    who = "Haraka" if x.emitter == "core" else x.emitter
    if m is not None and (m.config_files or m.config_keys):
        files = ", ".join(f"config/{f}" for f in m.config_files) or "its config"
        keys = f" (keys {', '.join(m.config_keys[:6])})" if m.config_keys else ""
        return f"Check what {who} reads in {files}{keys} and the service, file or address the line names."
    return f"Check the service, file or address the line names; the source line shows what {who} was doing."


def _citations(x: LineExplanation, version: str | None) -> list[str]:
    """The notes whose tags name the line's emitter, config or words, then the source line."""
    m = x.message
    notes = notes_for(x.emitter, m.config_files if m else (), m.template if m else x.text,
                      x.text[:3] if x.category == "reply" else "")
    return [f"note:{n}" for n in notes] + ([x.source(version)] if m and m.repo else [])


def _finding(xs: list[LineExplanation], version: str | None) -> Finding:
    x = xs[0]
    same = [y for y in xs if y.category == x.category]
    refusals = [y for y in xs if y.category == "refusal" and x.category != "refusal"]
    count = f" Seen {len(same)} times." if len(same) > 1 else ""
    evidence = [Evidence(e.event.file, e.event.lineno, e.event.raw, "log") for e in (same[:MAX_EVIDENCE] + refusals[:1])]
    rid = x.message.id if x.message else hashlib.sha1(x.group.encode()).hexdigest()[:10]
    citations = _citations(x, version)
    system = x.system
    said = f" {system.means}" if system else ""
    if x.crashed_in:            # the stack names the code that failed: that, not the catcher, is the cause
        said += (f" The stack shows where it failed: in {x.crashed_in}. Look there first (a known bug of the"
                 " release you run, or a setting that code reads), not at the line that caught it.")
    # with the refusal that followed it known, the error's "if it then ..." sentence has its answer
    head = x.effect.split(". ")[0].rstrip(".") + "." if refusals else x.effect
    explanation = f"{head}{said}{_then(refusals[0]) if refusals else ''} {_where(x, version)}{count}"
    return Finding(rule=f"MXL-{rid}", severity=severity(refusals[0] if refusals and severity(x) == "info" else x),
                   title=_title(x), category="logs", explanation=explanation, evidence=evidence,
                   citations=citations, fix_summary=system.fix if system else _fix(x), source="log")
