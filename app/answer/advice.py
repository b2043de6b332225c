"""Advice held to the checks: what an answer or a quoted passage recommends is run through
mxdoctor's own rules before it is shown as advice.

The edits a text proposes (app.answer.advice_text) are applied to the user's pasted config (or
to an empty one: then a WildDuck MX is assumed, as mxdoctor assumes of a file not given) and every
rule runs again. The advice is flagged when it
- introduces a finding (error or warning) the config did not have before, e.g. an open relay;
- contradicts a finding: keeps or adds what a finding's fix removes, removes what a fix adds,
  sets a key the fix sets otherwise, or removes a plugin a finding relies on that no fix removes;
- dismisses a finding in words ("your configuration is fine", "MXD101 can be ignored").
A file the advice edits presumes the plugin that reads it (relay.ini → relay), so advice for a
plugin not loaded yet is checked as if it were.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.advice_blocks import block_proposals
from app.answer.advice_text import FENCE_RE, Proposal, inline_proposals, negated
from app.answer.lang import t
from app.core.model import ConfigSet, Finding, FixOp

SERIOUS = ("error", "warning")
ASSUMED_STACK = ("wildduck",)       # mxdoctor's subject: a Haraka MX that stores into WildDuck
DISMISS_RE = re.compile(
    r"(?i)\bfalse positive|\bcan (?:safely )?(?:be )?ignored?\b|\bsafe to ignore\b|\bignore (?:it|this|that|them|the "
    r"(?:warning|finding|error|check))\b|\bdoes(?:n't| not) (?:apply|matter)\b|\bnot (?:a|an) (?:real )?(?:problem|"
    r"issue)\b|\bharmless\b|\bnothing to worry\b|\bno need to (?:fix|change|worry|remove)\b|\bis (?:fine|ok|okay|"
    r"correct|expected|intended|needed|required)\b|\bworks as intended\b|误报|可以忽略|无需(?:处理|修改)|不是问题|没有影响")
BUT_RE = re.compile(r"(?i)\b(?:but|however|except|apart from|other than|besides)\b|但|除了")
TRUE_WORDS = {"true", "yes", "on", "1", "enabled"}
FALSE_WORDS = {"false", "no", "off", "0", "disabled"}


@dataclass
class AdviceIssue:
    kind: str           # introduces | contradicts | disables | dismisses
    rule: str
    title: str
    said: str           # the advice's own words
    severity: str = "error"

    def named(self) -> str:
        return f"{self.rule} ({self.title.strip().rstrip('.')})"

    def sentence(self, lang: str = "en", also: list["AdviceIssue"] | None = None) -> str:
        """One sentence: the words, what they do, the finding(s) - `also`: more findings the same
        words do the same to."""
        said = re.sub(r"\s+", " ", self.said).strip().replace("`", "'")
        said = said if len(said) <= 140 else said[:139] + "…"
        sep = "、" if lang == "zh" else ", "
        return t(lang, f"advice_{self.kind}", said=said, findings=sep.join(i.named() for i in [self] + (also or [])))


@dataclass
class AdviceCheck:
    proposals: list[Proposal] = field(default_factory=list)
    issues: list[AdviceIssue] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return bool(self.issues)

    def sentences(self, lang: str = "en") -> list[str]:
        """One sentence per (what was said, what it does), naming every finding concerned."""
        groups: dict[tuple[str, str], list[AdviceIssue]] = {}
        for i in self.issues:
            groups.setdefault((i.kind, i.said), []).append(i)
        return [g[0].sentence(lang, g[1:]) for g in groups.values()]

    def reasons(self, lang: str = "en", limit: int = 3) -> str:
        return ("；" if lang == "zh" else "; ").join(self.sentences(lang)[:limit])


# --------------------------------------------------------------------------- words


def proposals(text: str, context: str = "", answer: bool = True) -> list[Proposal]:
    """Every edit `text` proposes: fenced blocks first, then the prose around them. `answer`: the
    text is an answer (its blocks are its advice), not a reference page."""
    prose = FENCE_RE.sub("\n", text or "")
    found = block_proposals(text, context, answer) + inline_proposals(prose, context)
    return list(dict.fromkeys(found))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?。！？])\s+|\n\s*\n|\n(?=[-*] )", text or "") if s.strip()]


def dismissals(text: str, findings: list[Finding]) -> list[AdviceIssue]:
    """Findings the text waves away: a blanket "the configuration is fine" dismisses them all, a
    sentence naming one finding and calling it harmless dismisses that one."""
    from app.answer.citations import DENIAL_RE, mentions
    serious = [f for f in findings if f.severity in SERIOUS]
    out: list[AdviceIssue] = []
    for s in _sentences(text) if serious else []:
        denial = DENIAL_RE.search(s)
        if denial and not negated(s[:denial.start()]) and not BUT_RE.search(s):
            out += [AdviceIssue("dismisses", f.rule, f.title, s, f.severity) for f in serious]
            continue
        d = DISMISS_RE.search(s)
        if d and not negated(s[:d.start()]) and not BUT_RE.search(s):
            out += [AdviceIssue("dismisses", f.rule, f.title, s, f.severity) for f in serious if mentions(s, f)]
    return out


# --------------------------------------------------------------------------- against the findings' fixes


def _resolve(name: str) -> str:
    from app.core.catalog import load_catalog
    return load_catalog().resolve(str(name).strip())


def _base(name: str) -> str:
    return str(name).rsplit("/", 1)[-1]


def _same_value(a, b) -> bool:
    x, y = str(a).strip().lower(), str(b).strip().lower()
    if x in TRUE_WORDS | FALSE_WORDS and y in TRUE_WORDS | FALSE_WORDS:
        return (x in TRUE_WORDS) == (y in TRUE_WORDS)
    return x == y


def _against(p: Proposal, op: FixOp) -> bool:
    """The proposal undoes (or refuses) this fix op."""
    a, b = p.target, op.args
    if op.op == "remove_plugin" and p.op == "add_plugin":
        return _resolve(a["name"]) == _resolve(b.get("name", ""))
    if op.op == "add_plugin" and p.op == "remove_plugin":
        return _resolve(a["name"]) == _resolve(b.get("name", ""))
    if p.op != "set_key" or op.op not in ("set_key", "delete_key"):
        if op.op == "remove_line" and p.op == "append_line" and _base(a["file"]) == _base(b.get("file", "")):
            return bool(re.search(str(b.get("regex", "(?!)")), str(a["line"])))
        return False
    same_key = _base(a["file"]) == _base(b.get("file", "")) and a["key"] == b.get("key") and \
        a.get("section", "main") == b.get("section", "main")
    return same_key and (op.op == "delete_key" or not _same_value(a["value"], b.get("value")))


def _relies_on(f: Finding, name: str) -> bool:
    words = " ".join([f.title] + [e.text for e in f.evidence if e.kind in ("config", "simulation")])
    return any(_resolve(w) == name for w in re.findall(r"[\w./@-]+", words))


def conflicts(props: list[Proposal], findings: list[Finding]) -> list[AdviceIssue]:
    """Proposals that undo a finding's fix, or remove a plugin a finding rests on that no fix removes."""
    serious = [f for f in findings if f.severity in SERIOUS and f.source == "rule"]
    endorsed = {_resolve(op.args.get("name", "")) for f in findings for op in f.fix_ops if op.op == "remove_plugin"}
    out: list[AdviceIssue] = []
    for p in props:
        for f in serious:
            if any(_against(p, op) for op in f.fix_ops if op.op != "manual"):
                out.append(AdviceIssue("contradicts", f.rule, f.title, p.said, f.severity))
            elif p.op == "remove_plugin" and _resolve(p.target["name"]) not in endorsed and \
                    _relies_on(f, _resolve(p.target["name"])):
                out.append(AdviceIssue("disables", f.rule, f.title, p.said, f.severity))
    return out


# --------------------------------------------------------------------------- against the rules


def _owner(file: str) -> str | None:
    from app.core.catalog import load_catalog
    base = _base(file)
    return next((name for name, info in load_catalog().plugins.items() if base in info.config_files), None)


def presumed(cs: ConfigSet, props: list[Proposal]) -> ConfigSet:
    """The config the advice is applied to: the user's, with a WildDuck MX assumed when no
    config/plugins was given, and the plugin of every file the advice edits loaded."""
    from app.core.fix import patched_configset
    from app.core.rules.fixops import apply_ops
    listed = {_resolve(p.name) for p in cs.plugins or []}
    removed = {_resolve(p.target["name"]) for p in props if p.op == "remove_plugin"}
    owners: list[str] = []
    for p in props:
        owner = _owner(p.target["file"]) if "file" in p.target else None
        if owner and owner not in listed and owner not in removed and owner not in owners + list(ASSUMED_STACK):
            owners.append(owner)
    stack = [n for n in ASSUMED_STACK if n not in removed] if cs.plugins is None else []
    if not owners and not stack:
        return cs
    ops = [FixOp("add_plugin", {"name": n, "position": "start"}) for n in reversed(owners)]
    ops += [FixOp("add_plugin", {"name": n}) for n in stack]       # the mailbox store last, as installed
    _, changed, _ = apply_ops(cs, ops)
    return patched_configset(cs, changed)


def _findings(cs: ConfigSet, versions=None) -> list[Finding]:
    from app.core.checks import run_checks
    return run_checks(cs, verify_fixes=False, versions=versions, problems=[])[0]


def _apply(cs: ConfigSet, ops: list[FixOp]) -> ConfigSet | None:
    from app.core.fix import patched_configset
    from app.core.rules.fixops import apply_ops
    _, changed, _ = apply_ops(cs, ops)
    return patched_configset(cs, changed) if changed else None


def _new(before: list[Finding], after: list[Finding]) -> list[Finding]:
    keys = {(f.rule, f.title) for f in before}
    return [f for f in after if f.severity in SERIOUS and f.source == "rule" and (f.rule, f.title) not in keys]


def introduced(props: list[Proposal], cs: ConfigSet | None, findings: list[Finding],
               versions=None) -> list[AdviceIssue]:
    """Findings the proposed edits would add to the config, each with the words that propose it;
    one that mxdoctor's own fixes would add as well is not the advice's doing."""
    # "keep X" changes nothing in a pasted plugins file; with none pasted it is what the file holds
    edits = [p for p in props if not p.keep or cs is None or cs.plugins is None]
    if not edits:
        return []
    base = presumed(cs if cs is not None else ConfigSet(), props)
    before = _findings(base, versions)
    after_cs = _apply(base, [p.fixop for p in edits])
    new = _new(before, _findings(after_cs, versions)) if after_cs is not None else []
    if new:
        own = _own_fixes_add(base, findings, versions)
        new = [f for f in new if (f.rule, f.title) not in own]
    out = []
    for f in new:
        said = next((p.said for p in edits if _causes(base, before, p, f, versions)), edits[0].said)
        out.append(AdviceIssue("introduces", f.rule, f.title, said, f.severity))
    return out


def _own_fixes_add(base: ConfigSet, findings: list[Finding], versions) -> set[tuple[str, str]]:
    """(rule, title) of what the findings' own fixes, applied together, leave in the config."""
    own_ops = [op for f in findings for op in f.fix_ops if op.op != "manual"]
    own_cs = _apply(base, own_ops) if own_ops else None
    return {(f.rule, f.title) for f in _findings(own_cs, versions)} if own_cs is not None else set()


def _causes(base: ConfigSet, before: list[Finding], p: Proposal, f: Finding, versions) -> bool:
    one = _apply(base, [p.fixop])
    return one is not None and any((g.rule, g.title) == (f.rule, f.title) for g in _new(before, _findings(one, versions)))


# --------------------------------------------------------------------------- the check


def check_advice(text: str, cs: ConfigSet | None = None, findings: list[Finding] | None = None, *,
                 context: str = "", versions=None, answer: bool = True) -> AdviceCheck:
    """Everything `text` proposes, checked against the findings and by the rules. `context` names
    files a bare `key=value` may belong to (a passage's title and heading). `answer`: the text is
    an answer or a quote presented as one (its config blocks are advice, and a sentence waving a
    finding away dismisses it), not a reference page (where a block is advice only when the words
    before it say to apply it, and an example's prose is not read as dismissing anything)."""
    findings = list(findings or [])
    props = proposals(text, context, answer)
    issues = dismissals(text, findings) if answer else []
    issues += conflicts(props, findings)
    issues += introduced(props, cs, findings, versions)
    seen: set[tuple[str, str]] = set()
    unique = []
    for i in issues:
        if (i.kind, i.rule) not in seen:
            seen.add((i.kind, i.rule))
            unique.append(i)
    order = {"introduces": 0, "contradicts": 1, "disables": 2, "dismisses": 3}
    return AdviceCheck(props, sorted(unique, key=lambda i: (order[i.kind], i.severity != "error")))


def check_passage(passage, cs: ConfigSet | None = None, findings: list[Finding] | None = None, *, versions=None,
                  sentence: str | None = None) -> AdviceCheck:
    """A knowledge-base passage as advice (its title and heading name the file a bare `key=value`
    belongs to); with `sentence`, only that sentence, quoted as the answer's own words (the text
    before it in the passage names files too)."""
    context = f"{passage.title}\n{passage.heading}"
    if sentence is None:
        return check_advice(passage.text, cs, findings, context=context, versions=versions, answer=False)
    head = sentence[:40]
    before = passage.text.split(head, 1)[0][-400:] if head and head in passage.text else ""
    return check_advice(sentence, cs, findings, context=f"{context}\n{before}", versions=versions)

