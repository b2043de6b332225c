"""The offline answer, shaped like an expert's: a headline (what is wrong, what to do), the fix,
why, then the sources (rendered by the shells from the numbered passages, as cards).

Every `[n]` points at a passage that says the thing it is attached to: a finding's "why" cites its
rule page's "Why" section (the same text before the user's values were filled in) and the note
chunks closest to it; its fix cites the page's "Fix" section; a knowledge-base sentence is quoted
verbatim from the passage it cites. Findings the question is not about get one line each, and a
follow-up answers what was asked next without repeating the rest. When neither the findings nor
the knowledge base support an answer (app.answer.support, calibrated on labelled questions), the
answer says so and asks for what would help.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer import verify_steps
from app.answer.intent import Intent
from app.answer.lang import t
from app.answer.model import Numbering, supporting_sentence
from app.answer.quotes import Quote, names_something, pick_sentences, render_quotes
from app.answer.relevance import Relevance
from app.retrieval.passages import FindingSources, Retrieved
from app.answer.support import Support
from app.core.causes import Cause, group_causes
from app.core.model import Evidence, Finding
from app.retrieval.index import Passage
from app.core.verdict import caveat, full_stop, outcome_is_bad, outcome_sentence, sentence_case

MAX_EVIDENCE = 3
MAX_EVIDENCE_CHARS = 160
MAX_QUOTES_WITH_FINDINGS = 2
MAX_QUOTES_ALONE = 4
MAX_OTHERS = 4


@dataclass
class Composition:
    text: str
    numbering: Numbering
    abstained: bool
    relevant: list[str] = field(default_factory=list)
    headline: str = ""


# --------------------------------------------------------------------------- findings

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
    """A rule's explanation as one paragraph (rule files wrap their lines)."""
    return " ".join(text.split())


def render_cause(cause: Cause, fs: FindingSources, lang: str, numbering: Numbering, said: str = "") -> list[str]:
    """Fix (with the diff), then why (the mechanism), then the evidence, for the cause answered first.
    `said`: the fix summary the headline already gave, not repeated."""
    f = fs.finding
    out: list[str] = []
    if fs.why is not None:          # its card shows a sentence of the mechanism, not the fix again
        numbering.cite(fs.why, supporting_sentence(fs.why, f.explanation))
    fix = cause.fix
    summary = (fix.summary if fix else "") or f.fix_summary
    if summary:
        label = t(lang, "fix_verified_label" if fix and fix.verified else "fix_label", rule=f.rule)
        mark = numbering.marker(fs.fix, support=summary) if fs.fix is not None else ""
        text = "" if full_stop(summary, lang) == said else full_stop(summary, lang)
        out.append(" ".join(x for x in (label, text, mark) if x))
        if fix and fix.patch:
            out += ["", "```diff", fix.patch.rstrip("\n"), "```"]
        for step in (fix.manual if fix else [])[:3]:
            out.append(f"- {step}")
        out.append("")
    marks = numbering.marker(fs.why, *fs.notes, support=f.explanation)
    out.append(f"{t(lang, 'why_label', rule=f.rule)} {_prose(f.explanation)} {marks}".rstrip())
    upstream = [c for c in f.citations if c.startswith("http")]
    if upstream:
        out.append(t(lang, "more") + " " + " · ".join(f"<{u}>" for u in upstream[:3]))
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
    return t(lang, "others", items="; ".join(items)) + tail


# --------------------------------------------------------------------------- what to paste

def suggestions(diagnosis, lang: str) -> list[str]:
    cs = diagnosis.configset if diagnosis is not None else None
    out = []
    if cs is None or cs.plugins is None:
        out.append(t(lang, "suggest_plugins"))
    if diagnosis is None or not diagnosis.log_lines:
        out.append(t(lang, "suggest_logs"))
    elif any(f.rule == "MXD906" for f in diagnosis.findings):
        out.append(t(lang, "suggest_loglevel", level="WARN"))
    if cs is not None and cs.has_plugin("wildduck") and cs.get("wildduck.yaml") is None:
        out.append(t(lang, "suggest_wildduck"))
    return out


def _inputs_summary(diagnosis) -> str:
    parts = sorted(diagnosis.configset.files)[:6]
    if len(diagnosis.configset.files) > 6:
        parts.append("…")
    if diagnosis.log_lines:
        parts.append(f"{diagnosis.log_lines} log lines")
    return ", ".join(parts)


# --------------------------------------------------------------------------- the answer

def compose(question: str, diagnosis, relevance: Relevance, retrieved: Retrieved, lang: str, *,
            intent: Intent, support: Support, lang_sources, envelope: dict | None = None,
            symptoms: list[str] | None = None, answered_before: list[str] | None = None) -> Composition:
    """`diagnosis` is None when nothing was pasted; `symptoms` are the log's refusal texts (quoted
    from as if asked about); `answered_before` the rules earlier turns already explained."""
    numbering = Numbering()
    parts: list[str] = []
    given = diagnosis is not None and bool(diagnosis.configset.files or diagnosis.log_lines)
    by_rule = {fs.finding.rule: fs for fs in retrieved.findings}
    causes = [c for c in group_causes(relevance.relevant) if c.primary.rule in by_rule]
    relevant_rules = {f.rule for c in causes for f in c.findings}
    before = set(answered_before or [])
    others = [f for f in relevance.others if f.rule not in relevant_rules and f.severity != "info"
              and not (intent.followup and f.rule in before)]
    outcome = diagnosis.simulation.outcome if given and diagnosis.simulation is not None else ""
    shown = [f for c in causes for f in c.findings]

    # the knowledge base's own words, when they answer the question (or when nothing else does)
    review_only = relevance.generic and not names_something(question)
    asked = "\n".join([question] + list(symptoms or []))
    candidates: list[Passage] = []
    # with findings to lead, quotes may only add what the findings' own notes say about the question
    pool = [p for c in causes for p in by_rule[c.primary.rule].notes] if causes else list(retrieved.question)
    for p in pool:
        if all(Numbering.key(p) != Numbering.key(x) for x in candidates):
            candidates.append(p)
    limit = MAX_QUOTES_WITH_FINDINGS if causes else MAX_QUOTES_ALONE
    quotes = [] if review_only else pick_sentences(asked, candidates, shown, limit, verbatim=symptoms)
    if not causes and not review_only and support.answerable:
        # the search ranked these passages first for the whole question: their best sentences, in
        # that order, lead; a sentence found elsewhere that matches strongly (an error code) follows
        ranked = ranked_quotes(asked, list(retrieved.question), shown)
        quotes = ranked + [q for q in quotes if all(q.sentence != r.sentence for r in ranked)]
        quotes = quotes[:limit]
    answered_by_steps = given and (relevance.generic or relevance.verify)
    abstained = not causes and not answered_by_steps and not (quotes and (support.answerable or symptoms))

    head = ""
    if causes:
        top = causes[0]
        wrong, todo = headline(top, lang, outcome, relevance.symptom or relevance.generic)
        head = f"**{wrong}** {todo}".rstrip()
        parts.append(head)
        rests_on = caveat(top, lang)
        if rests_on:
            parts.append(f"⚠ {rests_on}")
        parts.append("\n".join(render_cause(top, by_rule[top.primary.rule], lang, numbering, said=todo)))
        also = [render_also(c, by_rule[c.primary.rule], lang, numbering) for c in causes[1:]]
        if also:
            parts.append("\n".join([t(lang, "also_relevant")] + also))
        if quotes:
            parts.append("\n".join([t(lang, "kb_intro"), ""] + render_quotes(quotes, numbering)))
    elif quotes and not abstained:
        lines = render_ranked(quotes, numbering)
        head = lines[0]
        parts.append(head)
        if lines[1:]:
            parts.append("\n".join(lines[1:]))
        if given and not diagnosis.findings:
            parts.append(t(lang, "no_findings", what=t(lang, "no_findings_what", what=_inputs_summary(diagnosis))))
        elif not given:
            parts.append(t(lang, "nothing_given"))
            if relevance.symptom:       # a symptom is best answered by the checks: say what to paste
                tips = suggestions(diagnosis, lang)
                parts.append("\n".join([t(lang, "paste_to_check")] + [f"- {x}" for x in tips]))
    elif answered_by_steps and not diagnosis.findings:
        head = t(lang, "no_findings", what=t(lang, "no_findings_what", what=_inputs_summary(diagnosis)))
        parts.append(f"**{head}**")
    elif abstained:
        head = t(lang, "abstain_given" if given else "abstain")
        parts.append(head)

    if others and not (intent.followup and causes):
        parts.append(render_others(others, lang))

    tips = suggestions(diagnosis, lang) if abstained else []
    if tips:
        tips.append(t(lang, "suggest_rephrase"))
        parts.append("\n".join([t(lang, "abstain_suggest")] + [f"- {s}" for s in tips]))

    serious = any(c.severity == "error" for c in causes)
    steps_wanted = relevance.verify or (not intent.followup and (relevance.generic or serious))
    if given and steps_wanted and diagnosis.configset.plugins is not None:
        parts.append(verify_steps.render(verify_steps.plan(diagnosis, envelope), lang))
    return Composition(text="\n\n".join(p for p in parts if p).strip() + "\n", numbering=numbering,
                       abstained=abstained, relevant=[f.rule for c in causes for f in c.findings], headline=head)


DANGLING = re.compile(r"(?i)^(?:it|this|that|these|those|they|then|both|also|but|so|which|here|there|such|"
                      r"otherwise|instead|however|and|or|两者|这|那|它|此|因此|所以|然后|但)\b")


def standalone(sentence: str) -> bool:
    """A sentence that makes sense as the first line: no table row, no code, no leading 'It'/'This'."""
    s = sentence.strip().lstrip("*`\"'")
    return not ("|" in sentence or "```" in sentence or DANGLING.match(s) or s[:1] in "-(")


RANKED_PASSAGES = 3


def ranked_quotes(question: str, passages: list[Passage], shown: list[Finding]) -> list[Quote]:
    """The best sentence of each of the search's top passages, in rank order, one that reads on
    its own preferred (a table row only when it holds a name the question asks about). After the
    first passage a sentence must share two distinctive words with the question, or a rare one,
    so a passage that only shares "250" adds nothing."""
    from app.answer.quotes import RARE_TERM, score_sentence
    from app.retrieval.query import content_terms, idf_table, question_terms, strip_identifiers
    qterms = question_terms(strip_identifiers(question))
    named = [w for w in re.findall(r"[\w.\-/]+", question) if any(c.isdigit() for c in w) or "_" in w or "." in w]
    table = idf_table()
    out: list[Quote] = []
    for p in [p for p in passages if p.kind != "rule"][:RANKED_PASSAGES]:
        fits = []
        for q in pick_sentences(question, [p], shown, 6, min_coverage=0.0, loose=True):
            if "|" in q.sentence and not any(n in q.sentence for n in named):
                continue
            _, n, top = score_sentence(qterms, q.sentence, table)
            about = qterms & set(content_terms(f"{p.title} {p.heading}"))
            if out and (n < 2 and not about) and top < RARE_TERM:
                continue                  # one shared word in a page about something else
            fits.append(q)
        if fits:
            out.append(next((q for q in fits if standalone(q.sentence)), fits[0]))
    return out


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


def render_findings(sources: list[FindingSources], lang: str, numbering: Numbering, heading: str) -> str:
    """Findings put back in front of an LLM answer that left them out: title, why and fix of each."""
    blocks = [heading]
    for fs in sources:
        cause = Cause(primary=fs.finding)
        blocks.append("\n".join([f"**{full_stop(fs.finding.title.strip().strip(chr(34)), lang)}**", ""]
                                + render_cause(cause, fs, lang, numbering)))
    return "\n\n".join(blocks)
