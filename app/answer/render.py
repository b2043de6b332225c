"""How a finding reads in an answer: the headline, the fix with its diff, why (the mechanism),
the evidence, one line for a further cause, the others named once, and the knowledge base's
sentences in rank order. Every `[n]` marker comes from the shared Numbering."""
from __future__ import annotations

import re

from app.answer.lang import t
from app.answer.model import Numbering, supporting_sentence
from app.answer.quotes import Quote
from app.core.causes import Cause
from app.core.model import Evidence, Finding
from app.core.verdict import full_stop, outcome_is_bad, outcome_sentence, sentence_case
from app.retrieval.passages import FindingSources

MAX_EVIDENCE = 3
MAX_EVIDENCE_CHARS = 160
MAX_OTHERS = 4


def _evidence_line(evidence: list[Evidence], lang: str) -> str:
    """Where the problem shows in the user's own input: config lines first, then log lines."""
    items = []
    for e in [e for e in evidence if e.kind in ("config", "log")][:MAX_EVIDENCE]:
        where = (e.file.rsplit("/", 1)[-1] if e.kind == "log" else e.file) + (f":{e.line}" if e.line else "")
        text = e.text if len(e.text) <= MAX_EVIDENCE_CHARS else e.text[:MAX_EVIDENCE_CHARS] + "…"
        items.append(f"{where} `{text.replace('`', '')}`")
    sep = "" if lang == "zh" else " "
    return f"{t(lang, 'evidence')}{sep}" + " · ".join(items) if items else ""


def _fix_summary(f: Finding) -> str:
    return ((f.fix.summary if f.fix else "") or f.fix_summary).strip()


def headline(cause: Cause, lang: str, outcome: str, symptom: bool) -> tuple[str, str]:
    """(what is wrong, what to do): the outcome in words when the question is about a symptom
    and the simulation shows it, else the cause's own title; then the fix."""
    title = sentence_case(cause.primary.title).rstrip(".")
    colon = "：" if lang == "zh" else ": "
    wrong = f"{outcome_sentence(outcome, lang)}{colon}{title}" if symptom and outcome and outcome_is_bad(outcome) \
        else title
    todo = _fix_summary(cause.primary) or next((_fix_summary(f) for f in cause.symptoms if _fix_summary(f)), "")
    return full_stop(wrong, lang), full_stop(todo, lang) if todo else ""


def _prose(text: str) -> str:
    """A rule's explanation as one paragraph (rule files wrap their lines; Chinese joins without
    spaces)."""
    from app.core.localize import flow
    return flow(text)


def _render_fix(cause: Cause, fs: FindingSources, lang: str, numbering: Numbering, said: str) -> list[str]:
    """The fix line (label, summary unless the headline said it, citation), its diff, manual steps."""
    f, fix = fs.finding, cause.fix
    summary = (fix.summary if fix else "") or f.fix_summary
    if not summary:
        return []
    label = t(lang, "fix_verified_label" if fix and fix.verified else "fix_label", rule=f.rule)
    mark = numbering.marker(fs.fix, support=summary) if fs.fix is not None else ""
    text = "" if full_stop(summary, lang) == said else full_stop(summary, lang)
    if not (text or mark or (fix and (fix.patch or fix.manual))):
        return []               # the headline already said all there is: no empty "Fix:" label
    out = [" ".join(x for x in (label, text, mark) if x)]
    if fix and fix.patch:
        out += ["", "```diff", fix.patch.rstrip("\n"), "```"]
    out += [f"- {step}" for step in (fix.manual if fix else [])[:3]]
    return out + [""]


def _change_line(change, lang: str, numbering: Numbering) -> str:
    """A later release's changelog entry about the finding: `Fixed in Haraka 3.1.7 (#3604): "fix: ...";
    you run 3.0.3 [n]`."""
    from app.core.versions import display_name
    refs = f" ({', '.join(change.refs)})" if change.refs else ""
    text = change.text if len(change.text) <= 200 else change.text[:199] + "…"
    key = "changelog_maybe" if change.maybe_have else "changelog_later"
    label = t(lang, "changelog_fixed" if change.text.lower().startswith("fix") else "changelog_changed")
    mark = numbering.marker(change.passage, support=change.text)
    return t(lang, key, label=label, package=display_name(change.package), version=change.version, refs=refs,
             entry=text.replace("`", ""), since=change.since) + f" {mark}"


def render_cause(cause: Cause, fs: FindingSources, lang: str, numbering: Numbering, said: str = "") -> list[str]:
    """Fix (with the diff), then why (the mechanism), then the evidence, for the cause answered first.
    `said`: the fix summary the headline already gave, not repeated."""
    f = fs.finding
    if fs.why is not None:          # its card shows a sentence of the mechanism, not the fix again
        numbering.cite(fs.why, supporting_sentence(fs.why, f.explanation))
    out = _render_fix(cause, fs, lang, numbering, said)
    marks = numbering.marker(fs.why, *fs.notes, support=f.explanation)
    out.append(f"{t(lang, 'why_label', rule=f.rule)} {_prose(f.explanation)} {marks}".rstrip())
    upstream = [c for c in f.citations if c.startswith("http")]
    if upstream:
        out.append(t(lang, "more") + " " + " · ".join(f"<{u}>" for u in upstream[:3]))
    out += [_change_line(c, lang, numbering) for c in fs.changes]
    for s in cause.symptoms:                    # the same cause, seen from the logs
        out.append(f"- {t(lang, 'same_cause', rule=s.rule)} {full_stop(s.title.strip().strip(chr(34)), lang)}")
    ev = _evidence_line(cause.evidence, lang)
    if ev:
        out += ["", ev]
    return out


def render_also(cause: Cause, fs: FindingSources, lang: str, numbering: Numbering) -> str:
    """A further relevant cause in one line: title, fix, citation of its rule page."""
    f = fs.finding
    summary = _fix_summary(f)
    mark = numbering.marker(fs.why, support=f.title)
    fix = f" {t(lang, 'fix_short')} {full_stop(summary, lang)}" if summary else ""
    return f"- **{f.rule}** {full_stop(f.title.strip().strip(chr(34)), lang)}{fix} {mark}".rstrip()


def render_others(findings: list[Finding], lang: str) -> str:
    """Findings the question is not about: named, never explained again."""
    if not findings:
        return ""
    open_, close = ("（", "）") if lang == "zh" else (" (", ")")
    items = [f"{f.rule} {f.title.strip().strip(chr(34))}{open_}{t(lang, 'sev_' + f.severity)}{close}"
             for f in findings[:MAX_OTHERS]]
    more = len(findings) - MAX_OTHERS
    tail = t(lang, "others_more", n=more) if more > 0 else ""
    return t(lang, "others", items=("；" if lang == "zh" else "; ").join(items)) + tail


def render_findings(sources: list[FindingSources], lang: str, numbering: Numbering, heading: str) -> str:
    """Findings put back in front of an LLM answer that left them out: title, why and fix of each."""
    blocks = [heading]
    for fs in sources:
        cause = Cause(primary=fs.finding)
        blocks.append("\n".join([f"**{full_stop(fs.finding.title.strip().strip(chr(34)), lang)}**", ""]
                                + render_cause(cause, fs, lang, numbering)))
    return "\n\n".join(blocks)


DANGLING = re.compile(r"(?i)^(?:it|this|that|these|those|they|then|both|also|but|so|which|here|there|such|"
                      r"otherwise|instead|however|and|or|两者|这|那|它|此|因此|所以|然后|但)\b")


def standalone(sentence: str) -> bool:
    """A sentence that makes sense as the first line: no table row, no code, no leading 'It'/'This'."""
    s = sentence.strip().lstrip("*`\"'")
    return not ("|" in sentence or "```" in sentence or DANGLING.match(s) or s[:1] in "-(")


def _where(q: Quote) -> str:
    return q.passage.heading.split(" › ")[-1] or q.passage.title


def render_ranked(quotes: list[Quote], numbering: Numbering) -> list[str]:
    """Quotes in rank order; one that does not read on its own is introduced by its page's title."""
    out = []
    for i, q in enumerate(quotes):
        mark = numbering.marker(q.passage, support=q.sentence)
        if "```" in q.sentence:
            head, _, code = q.sentence.partition("\n")
            out.append(f"- {head} {mark}\n\n{code}")
            continue
        text = q.sentence if standalone(q.sentence) else f"*{_where(q)}:* {q.sentence}"
        out.append(f"**{text}** {mark}" if i == 0 and standalone(q.sentence) else
                   (f"**{_where(q)}:** {q.sentence} {mark}" if i == 0 else f"- {text} {mark}"))
    return out
