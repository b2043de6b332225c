"""Verified fixes: apply a finding's edits, re-run every check on the result, and offer the fix
only if that finding is gone and no new error appeared. The patch is a unified diff."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace

from app.core.model import SEVERITY_ORDER, ConfigSet, Finding, Fix, FixOp, Rule
from app.core.rules.context import Context
from app.core.rules.engine import run_rules
from app.core.rules.fixops import apply_ops


def unified_diff(before: dict[str, list[str]], after: dict[str, list[str] | None]) -> str:
    out: list[str] = []
    for name in sorted(after):
        new = after[name]
        out += difflib.unified_diff(before.get(name, []), new or [], f"a/{name}",
                                    "/dev/null" if new is None else f"b/{name}", lineterm="")
    return "\n".join(out) + ("\n" if out else "")


def patched_configset(cs: ConfigSet, files: dict[str, list[str]],
                      aliases: dict[str, str] | None = None) -> ConfigSet:
    """A new ConfigSet with the edited files re-parsed (config/plugins with `aliases`, the deprecated
    names of the catalog the check ran with; default the shipped catalog's); untouched files are shared."""
    from app.core.inputs.loader import add_file
    new = ConfigSet(files=dict(cs.files), plugins=cs.plugins, problems=[])
    for name, lines in files.items():
        if lines is None:
            new.files.pop(name, None)
            continue
        old = cs.files.get(name)
        add_file(new, name, old.origin if old else "mxdoctor fix", "\n".join(lines) + "\n",
                 kind=old.kind if old else None, aliases=aliases)
    return new


def recheck(ctx: Context, cs: ConfigSet, rules: list[Rule]) -> tuple[Context, list[Finding]]:
    """Every rule again on edited files (same logs; the simulation is redone)."""
    new_ctx = replace(ctx, cs=cs)
    new_ctx.__dict__.pop("simulation", None)
    return new_ctx, run_rules(new_ctx, rules)


def _edits(finding: Finding) -> list[FixOp]:
    """The ops that change files (`manual` ones are words for the admin)."""
    return [op for op in finding.fix_ops if op.op != "manual"]


def _manual_steps(finding: Finding) -> list[str]:
    return [str(op.args.get("value", op.args.get("text", ""))) for op in finding.fix_ops if op.op == "manual"]


def _verified_fix(finding: Finding, ctx: Context, rules: list[Rule], before_errors: set[str]) -> Fix:
    """The finding's edits applied and checked again: offered only when the finding is gone and
    no new error appeared, otherwise kept as a reason in the manual steps."""
    manual = _manual_steps(finding)
    originals, changed, messages = apply_ops(ctx.cs, _edits(finding))
    if not changed:
        return Fix(summary=finding.fix_summary, patch="", manual=manual + messages)
    _, after = recheck(ctx, patched_configset(ctx.cs, changed, ctx.catalog.aliases), rules)
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
    return fix


def attach_fixes(findings: list[Finding], ctx: Context, rules: list[Rule]) -> None:
    """Each finding gets its Fix: verified edits, or only the words (summary, manual steps)."""
    before_errors = {f.rule for f in findings if f.severity == "error"}
    for finding in findings:
        if _edits(finding):
            finding.fix = _verified_fix(finding, ctx, rules, before_errors)
        elif finding.fix_summary or _manual_steps(finding):
            finding.fix = Fix(summary=finding.fix_summary, patch="", manual=_manual_steps(finding), verified=False)


@dataclass
class CombinedFix:
    """Every compatible verified fix applied together, and checked again as a set."""
    files: dict[str, str] = field(default_factory=dict)        # file -> its whole new text
    patch: str = ""
    applied: list[str] = field(default_factory=list)           # rules this fixes
    skipped: dict[str, str] = field(default_factory=dict)      # rule -> why its fix is not in the set
    remaining: list[str] = field(default_factory=list)         # rules that still fire afterwards

    def to_dict(self) -> dict:
        return {"files": sorted(self.files), "patch": self.patch, "applied": self.applied,
                "skipped": self.skipped, "remaining": self.remaining}


def _candidates(findings: list[Finding]) -> list[Finding]:
    """Findings with a verified edit, most serious first."""
    return sorted((f for f in findings if f.fix is not None and f.fix.verified and f.fix.files),
                  key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule))


# why a verified fix is not in the combined set, in each language (app.core.localize reads them)
SKIP_WORDS: dict[str, dict[str, str]] = {
    "covered": {"en": "nothing left for its edit to change: the fixes above already changed or removed those lines",
                "zh": "它要改的内容已被上面的修复改掉或删除，无需再改"},
    "not_fixed": {"en": "its edit is gone after the fixes above, but the problem is not",
                  "zh": "上面的修复去掉了它要改的内容，但问题仍然存在"},
    "conflicts": {"en": "conflicts with the fixes above (it would add {rules})",
                  "zh": "与上面的修复冲突（会新增 {rules}）"},
    "no_hold": {"en": "does not hold together with the fixes above", "zh": "与上面的修复不能同时成立"},
}


def _skip_reason(rule: str, after: dict[str, Finding], before_errors: set[str]) -> str:
    """Why a fix cannot join the set ("" when it can): its finding comes back, or a new error."""
    new_errors = {r for r, x in after.items() if x.severity == "error"} - before_errors
    if new_errors:
        return SKIP_WORDS["conflicts"]["en"].format(rules=", ".join(sorted(new_errors)))
    return SKIP_WORDS["no_hold"]["en"] if rule in after else ""


def _patch(out: CombinedFix, before: ConfigSet, after: ConfigSet) -> None:
    """The set's diff and the whole new text of every file it edits."""
    originals = {name: f.lines for name, f in before.files.items()}
    edited = {name: f.lines for name, f in after.files.items() if originals.get(name) != f.lines}
    deleted = {name: None for name in originals if name not in after.files}
    out.patch = unified_diff(originals, {**edited, **deleted})
    out.files = {name: "\n".join(lines) + "\n" for name, lines in edited.items()}


def combine_fixes(findings: list[Finding], ctx: Context, rules: list[Rule]) -> CombinedFix | None:
    """Apply the verified fixes one by one, most serious first, on top of each other. A fix whose
    edit is already done by an earlier one (dkim_verify commented out, so no rename is left to do)
    is covered; one that would bring its finding back or add an error is left out. Returns None
    when no finding has a verified edit."""
    candidates = _candidates(findings)
    if not candidates:
        return None
    before_errors = {f.rule for f in findings if f.severity == "error"}
    out = CombinedFix()
    current, final = ctx.cs, set()
    for f in candidates:
        _, changed, _ = apply_ops(current, _edits(f))
        if not changed:
            out.skipped[f.rule] = SKIP_WORDS["covered"]["en"]
            continue
        trial_cs = patched_configset(current, changed, ctx.catalog.aliases)
        after = {x.rule: x for x in recheck(ctx, trial_cs, rules)[1]}
        why = _skip_reason(f.rule, after, before_errors)
        if why:
            out.skipped[f.rule] = why
            continue
        current, final = trial_cs, set(after)      # what still fires once this set is applied
        out.applied.append(f.rule)
    out.remaining = sorted(final)
    for rule, why in list(out.skipped.items()):
        if why == SKIP_WORDS["covered"]["en"] and rule in final:
            out.skipped[rule] = SKIP_WORDS["not_fixed"]["en"]
    _patch(out, ctx.cs, current)
    return out if out.applied else None
