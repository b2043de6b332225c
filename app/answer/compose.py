"""The offline answer, shaped like an expert's: a headline (what is wrong, what to do), the fix,
why, then the sources (rendered by the shells from the numbered passages, as cards).

Every `[n]` points at a passage that says the thing it is attached to: a finding's "why" cites its
rule page's "Why" section (the same text before the user's values were filled in) and the note
chunks closest to it; its fix cites the page's "Fix" section; a knowledge-base sentence is quoted
verbatim from the passage it cites. Findings the question is not about get one line each, and a
follow-up answers what was asked next without repeating the rest. When neither the findings nor
the knowledge base support an answer (app.answer.support, calibrated on labelled questions), the
answer says so and asks for what would help. A sentence whose advice mxdoctor's own rules flag is
never quoted as advice: it is named with a warning instead (app.answer.quote_advice).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer import verify_steps
from app.answer.intent import Intent
from app.answer.lang import t
from app.answer.model import Numbering
from app.answer.quote_advice import render_flagged, screen
from app.answer.quotes import Quote, names_something, pick_sentences, render_quotes
from app.answer.relevance import Relevance
from app.answer.render import headline, render_also, render_cause, render_others, render_ranked, standalone
from app.answer.support import Support
from app.core.catalog import load_catalog, mailbox_stores
from app.core.causes import Cause, group_causes
from app.core.model import Finding
from app.core.rules.loader import rules_tagged
from app.core.verdict import caveat
from app.retrieval.index import Passage
from app.retrieval.passages import FindingSources, Retrieved

MAX_QUOTES_WITH_FINDINGS = 2
MAX_QUOTES_ALONE = 4


@dataclass
class Composition:
    text: str
    numbering: Numbering
    abstained: bool
    relevant: list[str] = field(default_factory=list)
    headline: str = ""


# --------------------------------------------------------------------------- what to paste

def suggestions(diagnosis, lang: str) -> list[str]:
    cs = diagnosis.configset if diagnosis is not None else None
    out = []
    if cs is None or cs.plugins is None:
        out.append(t(lang, "suggest_plugins"))
    if diagnosis is None or not diagnosis.log_lines:
        out.append(t(lang, "suggest_logs"))
    elif any(f.rule in rules_tagged("loglevel") for f in diagnosis.findings):
        out.append(t(lang, "suggest_loglevel", level="WARN"))
    if cs is not None and cs.plugins is not None:
        catalog = load_catalog()
        for store in mailbox_stores(catalog, cs.plugin_names()):
            out += [t(lang, "suggest_store_config", file=name)
                    for name in catalog.get(store).config_files if cs.get(name) is None]
    return out


def _inputs_summary(diagnosis) -> str:
    parts = sorted(diagnosis.configset.files)[:6]
    if len(diagnosis.configset.files) > 6:
        parts.append("…")
    if diagnosis.log_lines:
        parts.append(f"{diagnosis.log_lines} log lines")
    return ", ".join(parts)


# --------------------------------------------------------------------------- the answer

@dataclass
class _Draft:
    """What one answer is built from, worked out once; the steps below read it."""
    question: str
    diagnosis: object
    relevance: Relevance
    retrieved: Retrieved
    lang: str
    intent: Intent
    support: Support
    envelope: dict | None
    symptoms: list[str]
    answered_before: set[str]
    given: bool = False
    by_rule: dict[str, FindingSources] = field(default_factory=dict)
    causes: list[Cause] = field(default_factory=list)
    others: list[Finding] = field(default_factory=list)
    outcome: str = ""
    shown: list[Finding] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    flagged: list = field(default_factory=list)       # app.answer.quote_advice.Flagged: not quoted as advice
    abstained: bool = False
    answered_by_steps: bool = False

    def __post_init__(self) -> None:
        d = self.diagnosis
        self.given = d is not None and bool(d.configset.files or d.log_lines)
        self.outcome = d.simulation.outcome if self.given and d.simulation is not None else ""
        self._sort_findings()
        self.quotes, self.flagged = screen(self._pick_quotes(), self.diagnosis)
        self.answered_by_steps = self.given and (self.relevance.generic or self.relevance.verify)
        self.abstained = not self.causes and not self.answered_by_steps and \
            not (self.quotes and (self.support.answerable or self.symptoms))

    def _sort_findings(self) -> None:
        """Causes the question is about (with their passages), and the other findings worth a line."""
        self.by_rule = {fs.finding.rule: fs for fs in self.retrieved.findings}
        self.causes = [c for c in group_causes(self.relevance.relevant) if c.primary.rule in self.by_rule]
        self.shown = [f for c in self.causes for f in c.findings]
        relevant_rules = {f.rule for f in self.shown}
        repeated = self.answered_before if self.intent.followup else set()
        self.others = [f for f in self.relevance.others
                       if f.rule not in relevant_rules and f.severity != "info" and f.rule not in repeated]

    def _pick_quotes(self) -> list[Quote]:
        """The knowledge base's own words, when they answer the question (or when nothing else
        does). With findings to lead, quotes may only add what the findings' own notes say."""
        if self.relevance.generic and not names_something(self.question):
            return []
        asked = "\n".join([self.question] + self.symptoms)
        pool = [p for c in self.causes for p in self.by_rule[c.primary.rule].notes] if self.causes \
            else list(self.retrieved.question)
        candidates: list[Passage] = []
        for p in pool:
            if all(Numbering.key(p) != Numbering.key(x) for x in candidates):
                candidates.append(p)
        limit = MAX_QUOTES_WITH_FINDINGS if self.causes else MAX_QUOTES_ALONE
        quotes = pick_sentences(asked, candidates, self.shown, limit, verbatim=self.symptoms)
        if not self.causes and self.support.answerable:
            # the search ranked these passages first for the whole question: their best sentences,
            # in that order, lead; a sentence found elsewhere that matches strongly follows
            ranked = ranked_quotes(asked, list(self.retrieved.question), self.shown)
            quotes = (ranked + [q for q in quotes if all(q.sentence != r.sentence for r in ranked)])[:limit]
        return quotes


def _lead_with_causes(d: _Draft, numbering: Numbering) -> tuple[str, list[str]]:
    top, lang = d.causes[0], d.lang
    wrong, todo = headline(top, lang, d.outcome, d.relevance.symptom or d.relevance.generic)
    head = f"**{wrong}** {todo}".rstrip()
    parts = [head]
    rests_on = caveat(top, lang)
    if rests_on:
        parts.append(f"⚠ {rests_on}")
    parts.append("\n".join(render_cause(top, d.by_rule[top.primary.rule], lang, numbering, said=todo)))
    also = [render_also(c, d.by_rule[c.primary.rule], lang, numbering) for c in d.causes[1:]]
    if also:
        parts.append("\n".join([t(lang, "also_relevant")] + also))
    if d.quotes:
        parts.append("\n".join([t(lang, "kb_intro"), ""] + render_quotes(d.quotes, numbering)))
    return head, parts


def _lead_with_quotes(d: _Draft, numbering: Numbering) -> tuple[str, list[str]]:
    lines = render_ranked(d.quotes, numbering)
    parts = [lines[0]] + (["\n".join(lines[1:])] if lines[1:] else [])
    lang = d.lang
    if d.given and not d.diagnosis.findings:
        parts.append(t(lang, "no_findings", what=t(lang, "no_findings_what", what=_inputs_summary(d.diagnosis))))
    elif not d.given:
        parts.append(t(lang, "nothing_given"))
        if d.relevance.symptom:       # a symptom is best answered by the checks: say what to paste
            tips = suggestions(d.diagnosis, lang)
            parts.append("\n".join([t(lang, "paste_to_check")] + [f"- {x}" for x in tips]))
    return lines[0], parts


def _lead(d: _Draft, numbering: Numbering) -> tuple[str, list[str]]:
    """The headline and what follows it: the first cause, or the knowledge base's sentences, or
    "no problem found" (the verification steps answer it), or an honest abstention."""
    if d.causes:
        return _lead_with_causes(d, numbering)
    if d.quotes and not d.abstained:
        return _lead_with_quotes(d, numbering)
    if d.answered_by_steps and not d.diagnosis.findings:
        head = t(d.lang, "no_findings", what=t(d.lang, "no_findings_what", what=_inputs_summary(d.diagnosis)))
        return head, [f"**{head}**"]
    if d.abstained:
        head = t(d.lang, "abstain_given" if d.given else "abstain")
        return head, [head]
    return "", []


def _tail(d: _Draft) -> list[str]:
    """Other findings in one line each, what to paste when abstaining, the verification steps."""
    lang, parts = d.lang, []
    if d.others and not (d.intent.followup and d.causes):
        parts.append(render_others(d.others, lang))
    tips = suggestions(d.diagnosis, lang) if d.abstained else []
    if tips:
        tips.append(t(lang, "suggest_rephrase"))
        parts.append("\n".join([t(lang, "abstain_suggest")] + [f"- {s}" for s in tips]))
    serious = any(c.severity == "error" for c in d.causes)
    steps_wanted = d.relevance.verify or (not d.intent.followup and (d.relevance.generic or serious))
    if d.given and steps_wanted and d.diagnosis.configset.plugins is not None:
        parts.append(verify_steps.render(verify_steps.plan(d.diagnosis, d.envelope), lang))
    return parts


def compose(question: str, diagnosis, relevance: Relevance, retrieved: Retrieved, lang: str, *,
            intent: Intent, support: Support, lang_sources, envelope: dict | None = None,
            symptoms: list[str] | None = None, answered_before: list[str] | None = None) -> Composition:
    """`diagnosis` is None when nothing was pasted; `symptoms` are the log's refusal texts (quoted
    from as if asked about); `answered_before` the rules earlier turns already explained."""
    d = _Draft(question, diagnosis, relevance, retrieved, lang, intent, support, envelope,
               list(symptoms or []), set(answered_before or []))
    numbering = Numbering()
    head, parts = _lead(d, numbering)
    if d.flagged:
        parts.append(render_flagged(d.flagged, lang))
    parts += _tail(d)
    return Composition(text="\n\n".join(p for p in parts if p).strip() + "\n", numbering=numbering,
                       abstained=d.abstained, relevant=[f.rule for c in d.causes for f in c.findings],
                       headline=head)


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
