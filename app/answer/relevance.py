"""Which findings bear on the question, so the answer leads with those.

A finding is relevant when the question shares distinctive words with it (its title,
explanation, evidence lines: a pasted `ECONNREFUSED 127.0.0.1:27017` matches the finding that
quotes that line) or names a symptom of its category ("attachments refused" → size). A question
that only asks "is this OK?" makes every finding relevant; a symptom question ("why is mail not
arriving?") makes every error relevant, since any of them may be the reason. Nothing is dropped:
findings that do not match are still listed after the relevant ones. The word lists are data
(kb/questions.yaml, read through app.answer.intent).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.answer.intent import Intent, read_intent, vocabulary
from app.core.causes import group_causes
from app.core.model import Finding
from app.retrieval.query import content_terms, idf_table, question_terms, weight

MIN_SCORE = 5.0           # two distinctive shared words, one rare one, or one plus the finding's family
CATEGORY_BONUS = 2.0


@dataclass
class Relevance:
    relevant: list[Finding] = field(default_factory=list)
    others: list[Finding] = field(default_factory=list)
    generic: bool = False          # the question asked for a review, so everything is relevant
    verify: bool = False           # the question asks how to test or confirm delivery: the steps answer it
    scores: dict[str, float] = field(default_factory=dict)
    symptom: bool = False          # "mail is not arriving": every error is relevant


def question_categories(terms: set[str]) -> set[str]:
    v = vocabulary()
    cats = {cat for cat, words in v.concepts.items() if terms & words}
    if terms & v.symptom_words:
        cats |= {"recipients", "delivery", "backends"}
    return cats


def finding_terms(f: Finding) -> set[str]:
    """What the finding says: its title, explanation, fix and the lines it quotes."""
    text = " ".join([f.title, f.explanation, f.category, f.fix_summary] + [e.text for e in f.evidence])
    return set(content_terms(text))


def score_finding(qterms: set[str], cats: set[str], f: Finding, table=None) -> float:
    """Weight of the distinctive words question and finding share; naming the finding's family of
    problems adds a little, but only on top of a shared word."""
    table = table or idf_table()
    shared = (qterms - vocabulary().neutral) & finding_terms(f)
    s = sum(weight(t, table) for t in shared)
    return s + (CATEGORY_BONUS if shared and f.category in cats else 0.0)


def is_generic(question: str) -> bool:
    return read_intent(question).review


def asks_how_to_verify(question: str) -> bool:
    return read_intent(question).verify


def split_relevant(question: str, findings: list[Finding], previous_rules: list[str] | None = None,
                   intent: Intent | None = None) -> Relevance:
    """Findings in answer order: relevant ones first (best match, then severity), then the rest."""
    intent = intent or read_intent(question)
    base = Relevance(generic=intent.review, verify=intent.verify, symptom=intent.symptom)
    if not findings:
        return base
    if intent.review:
        base.relevant = sorted(findings, key=lambda f: f.sort_key())
        return base
    qterms = question_terms(question)
    cats = question_categories(qterms)
    table = idf_table()
    scores = {f.rule: score_finding(qterms, cats, f, table) for f in findings}
    for rule in previous_rules or []:          # a follow-up keeps the thread it continues
        if rule in scores:
            scores[rule] += MIN_SCORE / 2
    wanted_rules = {f.rule for f in findings if scores[f.rule] >= MIN_SCORE or (intent.symptom and f.severity == "error")}
    for cause in group_causes(findings):        # one cause is answered whole: its config and log sides
        if wanted_rules & set(cause.rules):
            wanted_rules |= set(cause.rules)
    base.scores = scores
    base.relevant = sorted((f for f in findings if f.rule in wanted_rules),
                           key=lambda f: (-round(scores[f.rule]), f.sort_key()))
    base.others = sorted((f for f in findings if f.rule not in wanted_rules), key=lambda f: f.sort_key())
    return base
