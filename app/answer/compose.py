"""The offline answer: findings first, then quoted sentences that answer the question, then how to verify.

Every `[n]` points at a passage that says the thing it is attached to: a finding's explanation
cites its rule page's "Why" section (the same text, before the user's values were filled in) and
the note chunk closest to it; the fix cites the page's "Fix" section; a knowledge-base sentence is
quoted verbatim from the passage it cites. When nothing supports an answer the composer says so
and asks for the missing input instead of padding with weak passages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer import verify_steps
from app.answer.lang import severity, t
from app.answer.model import Numbering
from app.answer.relevance import Relevance
from app.answer.retrieve import FindingSources, Retrieved
from app.answer.terms import (CJK_RE, content_terms, cosine, idf_table, looks_like_instruction, question_terms,
                              sentences, strip_identifiers, tfidf, weight)
from app.model import Finding
from app.search import Passage

MAX_EVIDENCE = 3
MAX_EVIDENCE_CHARS = 220
SENTENCE_MIN_SCORE = 8.0       # about two distinctive shared terms, or one very rare one (an error code)
MIN_COVERAGE = 0.3             # share of the question's term weight a quoted sentence must cover
HIGH_COVERAGE = 0.5            # ...and with most of a short question covered, a little less weight will do
SHORT_QUESTION_MIN_SCORE = 6.0
BACKED_PASSAGES = 2            # when nothing clears the bar: the search's own top passages...
BACKED_COVERAGE = 0.15         # ...may be quoted with less of the question in one sentence
MIN_VERBATIM = 10              # a log refusal text this long, found word for word in a sentence, answers
SENTENCE_MIN_TERMS = 2
RARE_TERM = 6.5
MAX_SENTENCES_WITH_FINDINGS = 3
MAX_SENTENCES_ALONE = 5
MAX_PER_PASSAGE = 2
NEAR_DUPLICATE = 0.8           # share of shared words that makes two sentences the same quote
REDUNDANT = 0.45               # cosine to a shown finding above which a sentence only repeats it


@dataclass
class Composition:
    text: str
    numbering: Numbering
    abstained: bool
    relevant: list[str] = field(default_factory=list)
    findings_block: str = ""


@dataclass
class Quote:
    sentence: str
    passage: Passage
    score: float


# --------------------------------------------------------------------------- findings

def _evidence_lines(f: Finding) -> list[str]:
    out = []
    for e in f.evidence[:MAX_EVIDENCE]:
        where = e.file.rsplit("/", 1)[-1] if e.kind == "log" else e.file
        where += f":{e.line}" if e.line else ""
        text = e.text if len(e.text) <= MAX_EVIDENCE_CHARS else e.text[:MAX_EVIDENCE_CHARS] + "…"
        out.append(f"- {where}: `{text}`" if text else f"- {where}")
    return out


def render_finding(fs: FindingSources, lang: str, numbering: Numbering) -> str:
    f = fs.finding
    lines = [f"**[{f.rule}] {f.title}** ({severity(lang, f.severity)})", ""]
    explanation = f.explanation.strip()
    marks = numbering.marker(fs.why, *fs.notes)
    lines += [f"{explanation} {marks}".rstrip(), ""]
    ev = _evidence_lines(f)
    if ev:
        lines += [t(lang, "evidence")] + ev + [""]
    fix = f.fix
    summary = (fix.summary if fix else "") or f.fix_summary
    if summary or (fix and fix.patch):
        fix_mark = numbering.marker(fs.fix) if fs.fix is not None else ""
        label = t(lang, "fix_verified" if fix and fix.verified else "fix_unverified")
        lines += [f"{label} {summary} {fix_mark}".rstrip(), ""]
        if fix and fix.patch:
            lines += ["```diff", fix.patch.rstrip("\n"), "```", ""]
        if fix and fix.manual:
            lines += [t(lang, "fix_manual")] + [f"- {m}" for m in fix.manual] + [""]
    return "\n".join(lines).rstrip()


def render_findings(sources: list[FindingSources], lang: str, numbering: Numbering, heading: str) -> str:
    if not sources:
        return ""
    return "\n\n".join([heading] + [render_finding(fs, lang, numbering) for fs in sources])


def render_minor(findings: list[Finding], lang: str, numbering: Numbering, lang_sources) -> str:
    items = []
    for f in findings:
        fs = lang_sources(f)
        items.append(f"[{f.rule}] {f.title} {numbering.marker(fs.why)}".rstrip())
    return t(lang, "minor", items="; ".join(items)) if items else ""


# --------------------------------------------------------------------------- knowledge-base sentences

CODE_RE = re.compile(r"(?=.*[a-z])(?=.*\d)[a-z0-9]{4,}")    # ERRQ05, MXD101: one of them is enough


def score_sentence(qterms: set[str], sentence: str, table) -> tuple[float, int, float]:
    """(weight of shared terms, how many, the rarest one's weight — a code counts as rare); a part
    of a shared compound (`start` of `start-up`) does not count again."""
    shared = qterms & set(content_terms(sentence))
    compounds = [w for w in shared if any(c in w for c in "._-/@")]
    shared = {w for w in shared if not any(w != c and w in re.split(r"[._\-/@]+", c) for c in compounds)}
    ws = [weight(w, table) for w in shared]
    top = max(ws, default=0.0)
    if any(CODE_RE.fullmatch(w) for w in shared):
        top = max(top, RARE_TERM)
    return sum(ws), len(shared), top


def accepted(score: float, n: int, top: float, q_weight: float, min_coverage: float = MIN_COVERAGE) -> bool:
    """Enough of the question, and either two distinctive shared terms or one rare one."""
    if score < min_coverage * q_weight:
        return False
    if n >= SENTENCE_MIN_TERMS and (score >= SENTENCE_MIN_SCORE or
                                    (score >= SHORT_QUESTION_MIN_SCORE and score >= HIGH_COVERAGE * q_weight)):
        return True
    return top >= RARE_TERM


def coverage_weights(question: str, qterms: set[str], table) -> dict[str, float]:
    """How much of the question a sentence could cover, by the sentence's language. A Chinese
    question's terms are its own words plus their English equivalents (the glossary); an English
    sentence can only ever match the English side and a Chinese one the Chinese words (and the
    names written in the question), so each is measured against what it could match."""
    cjk = {w for w in qterms if CJK_RE.search(w)}
    latin = qterms - cjk
    own_latin = latin & set(content_terms(strip_identifiers(question)))
    total = sum(weight(w, table) for w in qterms)
    if not cjk:
        return {"en": total, "zh": total}
    return {"en": sum(weight(w, table) for w in latin) or total,
            "zh": sum(weight(w, table) for w in cjk | own_latin) or total}


def pick_sentences(question: str, passages: list[Passage], shown: list[Finding], limit: int,
                   min_coverage: float = MIN_COVERAGE, verbatim: list[str] | None = None) -> list[Quote]:
    """The best-scoring sentences for the question, at most two per passage, none that only repeats
    a finding already shown, none that talks to a model instead of about mail servers. A sentence
    that quotes one of the `verbatim` texts (a refusal from the user's own log) is taken as is."""
    verbatim = [v.lower() for v in verbatim or [] if len(v) >= MIN_VERBATIM]
    qterms = question_terms(strip_identifiers(question))
    if not qterms or not passages:
        return []
    table = idf_table()
    q_weight = coverage_weights(question, qterms, table)
    shown_vecs = [tfidf(f"{f.title}\n{f.explanation}", table) for f in shown]
    quotes: list[Quote] = []
    seen: set[str] = set()
    seen_words: list[set[str]] = []
    for rank, p in enumerate(passages):
        if p.kind == "rule":        # a rule page only restates a finding, shown or not
            continue
        per_passage: list[Quote] = []
        for s in sentences(p.text):
            norm = re.sub(r"\W+", " ", s.lower()).strip()
            words = set(norm.split())
            if norm in seen or looks_like_instruction(s) or any(
                    len(words & other) >= NEAR_DUPLICATE * max(1, min(len(words), len(other))) for other in seen_words):
                continue
            score, n, top = score_sentence(qterms, s, table)
            quotes_log = any(v in s.lower() for v in verbatim)
            if not quotes_log and not accepted(score, n, top, q_weight["zh" if CJK_RE.search(s) else "en"],
                                               min_coverage):
                continue
            if shown_vecs and max(cosine(tfidf(s, table), v) for v in shown_vecs) >= REDUNDANT:
                continue
            if p.kind == "plugin":      # catalog facts make no sense without the plugin's name
                s = f"{p.title}: {s}"
            per_passage.append(Quote(s, p, score - 0.1 * rank))
            seen.add(norm)
            seen_words.append(words)
        quotes += sorted(per_passage, key=lambda q: -q.score)[:MAX_PER_PASSAGE]
    return sorted(quotes, key=lambda q: -q.score)[:limit]


def backed_sentences(question: str, passages: list[Passage], shown: list[Finding], limit: int) -> list[Quote]:
    """When no sentence covers enough of a long question on its own: the search ranked these
    passages first for the whole question, so their sentences that share at least two distinctive
    terms with it (or one rare one) are quoted rather than answering "no passage answers this"."""
    top = [p for p in passages if p.kind != "rule"][:BACKED_PASSAGES]
    return pick_sentences(question, top, shown, limit, min_coverage=BACKED_COVERAGE)


def names_something(question: str) -> bool:
    return any(any(c in w for c in "._/-") or any(ch.isdigit() for ch in w)
               for w in content_terms(strip_identifiers(question)))


def render_quotes(quotes: list[Quote], numbering: Numbering) -> list[str]:
    out = []
    for q in quotes:
        mark = numbering.marker(q.passage)
        if "\n```" in q.sentence:
            head, _, code = q.sentence.partition("\n")
            out.append(f"- {head} {mark}\n\n{code}")
        else:
            out.append(f"- {q.sentence} {mark}")
    return out


# --------------------------------------------------------------------------- what to paste

def suggestions(diagnosis, lang: str) -> list[str]:
    cs = diagnosis.configset if diagnosis is not None else None
    out = []
    if cs is None or cs.plugins is None:
        out.append(t(lang, "suggest_plugins"))
    if diagnosis is None or not diagnosis.log_lines:
        out.append(t(lang, "suggest_logs"))
    elif any(f.rule == "MXD906" for f in diagnosis.findings):
        level = next((e.text for f in diagnosis.findings if f.rule == "MXD906" for e in f.evidence), "WARN")
        out.append(t(lang, "suggest_loglevel", level=_level_word(level)))
    if cs is not None and cs.has_plugin("wildduck") and cs.get("wildduck.yaml") is None:
        out.append(t(lang, "suggest_wildduck"))
    return out


def _level_word(text: str) -> str:
    m = re.search(r"(?i)\b(warn(?:ing)?|error|crit|notice|info|debug|protocol)\b", text or "")
    return m.group(1).upper() if m else "WARN"


def _inputs_summary(diagnosis) -> str:
    if diagnosis is None:
        return ""
    parts = sorted(diagnosis.configset.files)[:6]
    if len(diagnosis.configset.files) > 6:
        parts.append("…")
    if diagnosis.log_lines:
        parts.append(f"{diagnosis.log_lines} log lines")
    return ", ".join(parts)


# --------------------------------------------------------------------------- the answer

def compose(question: str, diagnosis, relevance: Relevance, retrieved: Retrieved, lang: str, *,
            lang_sources, notices: list[str] | None = None, envelope: dict | None = None,
            symptoms: list[str] | None = None) -> Composition:
    """`diagnosis` is None when the user gave no configuration or logs at all; `symptoms` are the
    log's refusal texts, quoted from as if the user had asked about them too."""
    numbering = Numbering()
    parts: list[str] = []
    for n in notices or []:
        parts.append(f"> {n}")
    given = diagnosis is not None and (diagnosis.configset.files or diagnosis.log_lines)
    by_rule = {fs.finding.rule: fs for fs in retrieved.findings}
    relevant = [by_rule[f.rule] for f in relevance.relevant if f.rule in by_rule]
    others_major = [f for f in relevance.others if f.severity in ("error", "warning")]
    others_minor = [f for f in relevance.others if f.severity not in ("error", "warning")]

    findings_block = ""
    if relevant:
        findings_block = render_findings(relevant, lang, numbering, t(lang, "found_relevant", n=len(relevant)))
    shown = [fs.finding for fs in relevant]

    limit = MAX_SENTENCES_WITH_FINDINGS if relevant else MAX_SENTENCES_ALONE
    candidates: list[Passage] = []
    for p in [p for fs in relevant for p in fs.notes] + list(retrieved.question):
        if all(Numbering.key(p) != Numbering.key(c) for c in candidates):
            candidates.append(p)
    # a request for a review is answered by the findings (or their absence), not by quotes,
    # unless it names something specific ("is haraka-plugin-rspamd fine instead of rspamd?")
    review_only = relevance.generic and not names_something(question)
    asked = "\n".join([question] + list(symptoms or []))
    quotes = [] if review_only else pick_sentences(asked, candidates, shown, limit, verbatim=symptoms)
    if not quotes and not relevant and not review_only:
        quotes = backed_sentences(asked, list(retrieved.question), shown, min(limit, 2))
    # a review request, or "how do I test this?", is answered by the findings and the steps below
    abstained = not relevant and not quotes and not (given and (relevance.generic or relevance.verify))

    if findings_block:
        parts.append(findings_block)
    elif given and not diagnosis.findings:
        summary = _inputs_summary(diagnosis)
        parts.append(t(lang, "no_findings", what=t(lang, "no_findings_what", what=summary) if summary else ""))
    elif not given and not abstained:
        parts.append(t(lang, "nothing_given"))
    if abstained:
        parts.append(t(lang, "abstain"))

    if quotes:
        intro = "kb_intro" if relevant else "kb_intro_general"
        parts.append("\n".join([t(lang, intro), ""] + render_quotes(quotes, numbering)))

    if others_major:
        extra_sources = [lang_sources(f) for f in others_major]
        parts.append(render_findings(extra_sources, lang, numbering, t(lang, "found_other")))
    if others_minor:
        parts.append(render_minor(others_minor, lang, numbering, lang_sources))

    tips = suggestions(diagnosis, lang) if (abstained or not relevant) else []
    if tips:
        if abstained:
            tips.append(t(lang, "suggest_rephrase"))
        parts.append("\n".join([t(lang, "abstain_suggest")] + [f"- {s}" for s in tips]))

    if given and not abstained and diagnosis.configset.plugins is not None:
        parts.append(verify_steps.render(verify_steps.plan(diagnosis, envelope), lang))
    return Composition(text="\n\n".join(p for p in parts if p).strip() + "\n", numbering=numbering,
                       abstained=abstained, relevant=[fs.finding.rule for fs in relevant],
                       findings_block=findings_block)
