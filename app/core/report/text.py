"""Plain-text report for a terminal: findings grouped by severity, colour only on a tty."""
from __future__ import annotations

from typing import Any

from app.core.localize import flow
from app.core.report.labels import label

COLORS = {"error": "\x1b[31;1m", "warning": "\x1b[33;1m", "info": "\x1b[36m", "dim": "\x1b[2m", "reset": "\x1b[0m"}
SEVERITIES = ("error", "warning", "info")


def _c(text: str, key: str, color: bool) -> str:
    return f"{COLORS[key]}{text}{COLORS['reset']}" if color else text


def where(item: dict[str, Any]) -> str:
    """file:line of a piece of evidence or an input problem (file alone when there is no line)."""
    return f"{item['file']}:{item['line']}" if item.get("line") else item["file"]


def verdict_lines(v: dict[str, Any]) -> list[str]:
    """Headline, cause, action and caveat; shared with the Markdown report."""
    return [x for x in (v.get("headline"), v.get("cause"), v.get("action"), v.get("caveat")) if x]


def versions_lines(versions: dict[str, Any] | None) -> list[str]:
    """The versions line, and the rules left out because they are for other releases; shared with
    the Markdown report."""
    if not versions:
        return []
    out = [versions["line"]]
    skipped = versions.get("rules_not_for_these_versions") or []
    if skipped:
        out.append("not checked, written for other versions: " + ", ".join(
            f"{s['rule']} ({s['package']} {s['wants']})" for s in skipped))
    return out


def _head(v: dict[str, Any], color: bool) -> list[str]:
    head = verdict_lines(v)
    if not head:
        return []
    return [_c(head[0], v.get("kind") if v.get("kind") in COLORS else "dim", color)] + head[1:] + [""]


def _fix(fix: dict[str, Any], data: dict[str, Any]) -> list[str]:
    name = label(data, "fix_verified" if fix.get("verified") else "fix")
    return ([f"    {name}{label(data, 'colon')}{fix['summary']}"] + ["      " + line for line in fix.get("patch", "").splitlines()]
            + [f"      - {step}" for step in fix.get("manual") or []])


def _finding(f: dict[str, Any], color: bool, data: dict[str, Any]) -> list[str]:
    out = [_c(f"{f['severity'].upper():7} {f['rule']}  {f['title']}", f["severity"], color)]
    out += [f"    {where(ev)}: {ev['text']}" for ev in f["evidence"]]
    out += ["    " + label(data, "not_given", name=name, what=what) for name, what in (f.get("assumes") or {}).items()]
    out += ["    " + flow(para) for para in f["explanation"].split("\n\n")]
    if f.get("fix"):
        out += _fix(f["fix"], data)
    if f["citations"]:
        out.append(_c(f"    {label(data, 'see')}{label(data, 'colon')}" + ", ".join(f["citations"]), "dim", color))
    return out + [""]


def _summary(data: dict[str, Any]) -> list[str]:
    """Input problems, the counts, the simulated outcome and the combined fix, one line each."""
    out = [f"input  {where(p)}: {p['message']}" for p in data.get("problems") or []]
    counts = {s: sum(1 for f in data["findings"] if f["severity"] == s) for s in SEVERITIES}
    out.append(label(data, "counts", e=counts["error"], w=counts["warning"], i=counts["info"],
                     files=len(data["inputs"]["files"]), lines=data["inputs"]["log_lines"]))
    out += versions_lines(data.get("versions"))
    sim = data.get("simulation")
    if sim:
        from app.core.verdict import outcome_sentence
        outcome = sim["transaction"]["outcome"]
        out.append(label(data, "simulated", sentence=outcome_sentence(outcome, data.get("lang") or "en"),
                         outcome=outcome))
    fixed = data.get("fixed")
    if fixed and fixed.get("files"):
        written = {"dir": fixed["written_to"]} if fixed.get("written_to") else {}
        out.append(label(data, "all_fixes_written" if written else "all_fixes", files=", ".join(fixed["files"]),
                         rules=", ".join(fixed["applied"]), **written))
    return out


def render_text(data: dict[str, Any], color: bool = False) -> str:
    v = data.get("verdict") or {}
    out = _head(v, color)
    for f in data["findings"]:
        out += _finding(f, color, data)
    out += _summary(data)
    if v.get("missing"):
        out.append(v["missing"])
    return "\n".join(out) + "\n"
