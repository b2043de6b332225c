"""Verified fixes: apply a finding's edits, re-run every check on the result, and offer the fix
only if that finding is gone and no new error appeared. The patch is a unified diff."""
from __future__ import annotations

import difflib
from dataclasses import replace

from app.model import ConfigSet, Finding, Fix, Rule
from app.rules.context import Context
from app.rules.fixops import apply_ops


def unified_diff(before: dict[str, list[str]], after: dict[str, list[str] | None]) -> str:
    out: list[str] = []
    for name in sorted(after):
        new = after[name]
        out += difflib.unified_diff(before.get(name, []), new or [], f"a/{name}",
                                    "/dev/null" if new is None else f"b/{name}", lineterm="")
    return "\n".join(out) + ("\n" if out else "")


def patched_configset(cs: ConfigSet, files: dict[str, list[str]]) -> ConfigSet:
    """A new ConfigSet with the edited files re-parsed; untouched files are shared."""
    from app.inputs.loader import add_file
    new = ConfigSet(files=dict(cs.files), plugins=cs.plugins, problems=[])
    for name, lines in files.items():
        if lines is None:
            new.files.pop(name, None)
            continue
        old = cs.files.get(name)
        add_file(new, name, old.origin if old else "mxdoctor fix", "\n".join(lines) + "\n",
                 kind=old.kind if old else None)
    return new


def attach_fixes(findings: list[Finding], ctx: Context, rules: list[Rule]) -> None:
    from app.rules.engine import run_rules
    before_errors = {f.rule for f in findings if f.severity == "error"}
    for finding in findings:
        editable = [op for op in finding.fix_ops if op.op != "manual"]
        manual = [str(op.args.get("value", op.args.get("text", ""))) for op in finding.fix_ops if op.op == "manual"]
        if not editable:
            if finding.fix_summary or manual:
                finding.fix = Fix(summary=finding.fix_summary, patch="", manual=manual, verified=False)
            continue
        originals, changed, messages = apply_ops(ctx.cs, editable)
        if not changed:
            finding.fix = Fix(summary=finding.fix_summary, patch="", manual=manual + messages)
            continue
        new_cs = patched_configset(ctx.cs, changed)
        new_ctx = replace(ctx, cs=new_cs)
        new_ctx.__dict__.pop("simulation", None)
        after = run_rules(new_ctx, rules)
        gone = all(f.rule != finding.rule for f in after)
        new_errors = {f.rule for f in after if f.severity == "error"} - before_errors
        fix = Fix(summary=finding.fix_summary, patch=unified_diff(originals, changed),
                  files={n: ("\n".join(l) + "\n" if l is not None else "") for n, l in changed.items()},
                  verified=gone and not new_errors, manual=manual + messages)
        if not fix.verified:
            why = "the finding remains after the edit" if not gone else \
                f"the edit introduces {', '.join(sorted(new_errors))}"
            fix.manual.append(f"automatic edit not offered: {why}")
            fix.patch, fix.files = "", {}
        finding.fix = fix
