"""The one call behind `mxdoctor check` and the app's Diagnose page: inputs → findings."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable

from app.core.model import ConfigSet, Finding, LogEvent, Problem, Simulation, Unchecked
from app.core.versions import exact_haraka

MAX_KEPT_EVENTS = 200_000
BORING_KINDS = {"other"}


@dataclass
class Diagnosis:
    configset: ConfigSet
    findings: list[Finding]
    simulation: Simulation | None
    problems: list[Problem] = field(default_factory=list)
    events: list[LogEvent] = field(default_factory=list)
    log_lines: int = 0
    unchecked: list[Unchecked] = field(default_factory=list)   # rules that needed a file not given
    fixed: object | None = None     # app.core.fix.CombinedFix: every compatible verified fix at once
    versions: object | None = None  # app.core.versions.Versions: Haraka, node, plugins, each with where
    out_of_range: list = field(default_factory=list)   # app.core.rules.ranges.OutOfRange: rules for other releases
    explained: list = field(default_factory=list)      # app.core.explain.LineExplanation: every loud line
    release: str | None = None      # the admin's exact Haraka release, when known

    def missing_files(self) -> dict[str, list[Unchecked]]:
        """Files worth pasting next: each with the checks it would let run."""
        out: dict[str, list[Unchecked]] = {}
        for u in self.unchecked:
            for name in u.files:
                out.setdefault(name, []).append(u)
        return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))

    def worst(self) -> str | None:
        for sev in ("error", "warning", "info"):
            if any(f.severity == sev for f in self.findings):
                return sev
        return None

    def versions_dict(self, lang: str = "en") -> dict[str, Any]:
        """The versions found (one line and each find), and the rules left out for them."""
        from app.core.versions import Versions
        out = (self.versions or Versions()).to_dict(lang)
        out["rules_not_for_these_versions"] = [o.to_dict() for o in self.out_of_range]
        return out

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON contract of `check --format json`, secrets masked; findings and verdict in
        `lang` (their words, not their keys)."""
        from app.core.localize import localized_all
        from app.core.redact import redact_obj
        from app.core.verdict import verdict
        return redact_obj({
            **({"lang": lang} if lang != "en" else {}),
            "verdict": verdict(self, lang).to_dict(),
            "findings": [f.to_dict() for f in localized_all(self.findings, lang)],
            "simulation": self.simulation.to_dict() if self.simulation else None,
            "problems": [{"file": p.file, "line": p.line, "message": p.message, "severity": p.severity}
                         for p in self.problems],
            "unchecked": [u.to_dict() for u in self.unchecked],
            "versions": self.versions_dict(lang),
            "fixed": self.fixed.to_dict() if self.fixed is not None else None,
            "inputs": {"files": sorted(self.configset.files), "log_lines": self.log_lines,
                       "paths": {name: f.origin for name, f in sorted(self.configset.files.items())
                                 if f.origin and not f.origin.startswith("paste")},
                       "plugins": [p.raw for p in self.configset.plugins or []]},
        })


def keep_events(events: Iterable[LogEvent]) -> tuple[list[LogEvent], int]:
    """Events worth keeping for rules (bounded), and how many lines were seen in all."""
    kept: list[LogEvent] = []
    n = 0
    for ev in events:
        n += 1
        if ev.kind in BORING_KINDS and len(kept) > MAX_KEPT_EVENTS // 2:
            continue
        if len(kept) < MAX_KEPT_EVENTS:
            kept.append(ev)
    return kept, n


def read_logs(paths: Iterable[str | os.PathLike], problems: list[Problem]) -> Iterable[LogEvent]:
    from app.core.errors import InputError
    from app.core.logs import read_log
    for p in paths:
        if not os.path.exists(p):
            raise InputError("no such log file", file=str(p))
        yield from read_log(p)


def diagnose(paths: list[str] | None = None, *, paste: str | bytes | None = None,
             texts: list[tuple[str, str | bytes]] | None = None, log_paths: list[str] | None = None,
             log_text: str | bytes | None = None, envelope: dict[str, Any] | None = None,
             rule_dirs: list[str] | None = None, verify_fixes: bool = True,
             haraka_version: str | None = None) -> Diagnosis:
    """`haraka_version`: the Haraka version (or range) the admin says runs, over what the inputs show."""
    from app.core.checks import run_checks
    from app.core.inputs import load_inputs
    from app.core.rules.loader import load_rules
    from app.core.versions import detect_versions, override

    override(haraka_version)            # a malformed --haraka-version stops before any work

    items = list(texts or [])
    if paste is not None:
        items.append(("", paste))
    cs = load_inputs(paths, items)
    problems = list(cs.problems)
    streams: list[Iterable[LogEvent]] = []
    if log_paths:
        streams.append(read_logs(log_paths, problems))
    if log_text is not None:
        from app.core.logs import parse_lines
        from ingest.textio import to_lines
        streams.append(parse_lines(to_lines(log_text)[0], "pasted.log"))
    # log files that arrived inside a config dir or a paste
    for f in list(cs.files.values()):
        if f.kind == "log":
            from app.core.logs import parse_lines
            streams.append(parse_lines(f.lines, f.name))
    events, n_lines = keep_events(ev for s in streams for ev in s)
    rules = load_rules(rule_dirs, problems=problems)
    versions = detect_versions(cs, events, haraka_version)
    findings, ctx = run_checks(cs, events, logs_given=n_lines > 0, rules=rules, envelope=envelope,
                               verify_fixes=verify_fixes, problems=problems, versions=versions)
    # every loud line explained once, at the admin's release (Versions reads the start-up lines too):
    # those no rule cites become findings; the app's timeline shows them all
    from app.core.explain import explain_events, explanation_findings
    release = exact_haraka(versions)
    explained = explain_events(events, release)
    findings += explanation_findings(explained, findings, release)
    fixed = None
    if verify_fixes:
        from app.core.fix import combine_fixes
        fixed = combine_fixes(findings, ctx, rules)
    sim = ctx.simulation if cs.plugins is not None else None
    from app.core.redact import mask_finding, redact_text, secret_values
    known = frozenset(v for f in cs.files.values() if f.kind != "log" for v in secret_values(f.text))
    for f in findings:
        mask_finding(f, known)      # what a finding says is shown on every page and in every export
    if fixed is not None:
        fixed.patch = redact_text(fixed.patch)     # shown; the fixed files themselves stay the admin's own
    return Diagnosis(configset=cs, findings=findings, simulation=sim, problems=problems, events=events,
                     log_lines=n_lines, unchecked=list(ctx.unchecked), fixed=fixed, versions=versions,
                     out_of_range=list(ctx.out_of_range), explained=explained, release=release)
