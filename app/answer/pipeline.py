"""One turn of `ask`: checks → relevant findings → passages → offline answer, then optionally the LLM.

The offline answer is always composed (it is cheap and it is the fallback). With an LLM
configured, the model gets the findings and the numbered passages; its answer is restored
(masked identifiers put back), citation-checked, and held to the findings: an answer that
dismisses or contradicts a finding, or recommends a change mxdoctor's own rules flag (its own
words, or a passage it cites), is not shown - the offline answer is, with a notice saying why
(app.answer.advice). A shown answer comes with any error finding it left out put back in front.
Any failure of the model yields the offline answer and a notice. Every answer carries every finding.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterator

from app.answer import citations as cite
from app.answer.compose import Composition, compose
from app.answer.intent import Intent, read_intent
from app.answer.lang import t
from app.answer.model import Answer, AnswerEvent, Numbering, passage_dict
from app.answer.relevance import Relevance, split_relevant
from app.answer.render import render_findings
from app.answer.support import Support, measure
from app.answer.symptoms import log_symptoms
from app.core.redact import redact_text, scrub_known
from app.retrieval.index import Passage, open_index
from app.retrieval.passages import Retrieved, finding_sources, retrieve
from ingest.tokenize import text_lang

LOG_EXCERPT_KINDS = {"crit", "timeout", "load_error", "hook_result", "queue"}
LOG_EXCERPT_LEVELS = {"WARN", "ERROR", "CRIT", "ALERT", "EMERG"}


@dataclass
class Prepared:
    question: str
    lang: str
    diagnosis: object | None
    relevance: Relevance
    retrieved: Retrieved
    composition: Composition
    intent: Intent = field(default_factory=Intent)
    support: Support = field(default_factory=Support)
    notices: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    known_secrets: frozenset[str] = frozenset()


def in_language(d, rel, lang: str):
    """The diagnosis and the relevance split with the findings in the question's language (chosen
    on their English words, read in the reader's)."""
    if d is None or lang == "en":
        return d, rel
    from dataclasses import replace

    from app.core.localize import localized, localized_diagnosis
    local = localized_diagnosis(d, lang)
    by_id = {id(f): g for f, g in zip(d.findings, local.findings)}
    swap = lambda fs: [by_id.get(id(f)) or localized(f, lang) for f in fs]  # noqa: E731
    return local, replace(rel, relevant=swap(rel.relevant), others=swap(rel.others))


def _lang_sources(lang: str):
    return lambda f: finding_sources(f, lang)


def _index_notice(lang: str, why: str | None) -> str:
    """What the answer says when it had to go without the index: damaged (rebuild it) or not built."""
    if why and why.startswith("damaged: "):
        return t(lang, "index_damaged", why=why.split(": ", 1)[1])
    return t(lang, "not_indexed")


def prepare(session, question: str, k: int = 6) -> Prepared:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    lang = text_lang(question)
    d = session.diagnosis
    timings["diagnose"] = time.perf_counter() - t0
    findings = list(d.findings) if d else []
    t1 = time.perf_counter()
    intent = read_intent(question, has_previous=bool(session.turns))
    rel = split_relevant(question, findings, session.previous_rules(), intent)
    d, rel = in_language(d, rel, lang)
    index, why_not = open_index(session.index, session.home)
    notices = []
    if index is None:
        notices.append(_index_notice(lang, why_not))
    fired = {f.rule for f in findings}
    # nothing the checks found explains the question: let the log's own refusals steer the search
    symptoms = log_symptoms(d) if not rel.relevant and not rel.generic else []
    query = "\n".join([session.search_query(question)] + symptoms)
    retrieved = retrieve(question, rel.relevant, index=index, fired=fired, k=k, lang=lang, query=query,
                         team=intent.team, versions=getattr(d, "versions", None))
    if retrieved.problem and index is not None:
        notices.append(_index_notice(lang, retrieved.problem))
    support = measure(question, retrieved.question, index if retrieved.indexed else None,
                      finding_score=max(rel.scores.values(), default=0.0), team=intent.team)
    timings["retrieve"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    before = [r for turn in session.turns for r in turn.relevant]
    comp = compose(question, d, rel, retrieved, lang, intent=intent, support=support,
                   lang_sources=_lang_sources(lang), envelope=session.envelope, symptoms=symptoms,
                   answered_before=before)
    timings["compose"] = time.perf_counter() - t2
    return Prepared(question=question, lang=lang, diagnosis=d, relevance=rel, retrieved=retrieved,
                    composition=comp, intent=intent, support=support, notices=notices, timings=timings,
                    known_secrets=session.known_secrets_if_computed())


def _findings_json(p: Prepared) -> list[dict]:
    return p.diagnosis.to_dict()["findings"] if p.diagnosis is not None else []


def offline_answer(p: Prepared, extra_notices: list[str] | None = None) -> Answer:
    """The composed answer; notices travel beside it (shells show them once, above the answer)."""
    text = p.composition.text
    return Answer(answer=scrub_known(redact_text(text), p.known_secrets), findings=_findings_json(p),
                  passages=p.composition.numbering.to_dicts(),
                  llm=None, abstained=p.composition.abstained, lang=p.lang, relevant=p.composition.relevant,
                  headline=scrub_known(redact_text(p.composition.headline), p.known_secrets),
                  notices=list(p.notices) + list(extra_notices or []), timings=dict(p.timings), question=p.question)


# --------------------------------------------------------------------------- LLM path

def prompt_passages(p: Prepared) -> list[Passage]:
    """The passages the model may cite: each finding's pages, then the question's, no repeats."""
    seen: set[str] = set()
    out: list[Passage] = []
    for fs in p.retrieved.findings:
        for c in (fs.why, fs.fix, *fs.notes):
            if c is not None and Numbering.key(c) not in seen:
                seen.add(Numbering.key(c))
                out.append(c)
    for c in p.retrieved.question:
        if Numbering.key(c) not in seen:
            seen.add(Numbering.key(c))
            out.append(c)
    return out


def _log_excerpt(d) -> list[str]:
    if d is None:
        return []
    # lines a rule cites are in its finding; a log-line finding's own lines stay here, in the data fence
    evidence = {(e.file, e.line) for f in d.findings if f.source == "rule" for e in f.evidence if e.kind == "log"}
    return [ev.raw for ev in d.events
            if (ev.kind in LOG_EXCERPT_KINDS or (ev.level or "") in LOG_EXCERPT_LEVELS)
            and (ev.file, ev.lineno) not in evidence]


CONFIG_FIRST = ("plugins", "wildduck.yaml", "smtp.ini", "host_list")
COMMENT_KINDS = {"plugins", "ini", "list", "yaml", "toml"}


def config_for_prompt(d) -> list[tuple[str, str]]:
    """The pasted configuration, most telling files first, comment and blank lines dropped."""
    def rank(name: str) -> tuple:
        base = name.rsplit("/", 1)[-1]
        return (CONFIG_FIRST.index(base) if base in CONFIG_FIRST else len(CONFIG_FIRST), name)
    out = []
    for name, f in sorted(d.configset.files.items(), key=lambda kv: rank(kv[0])):
        if f.kind == "log":
            continue
        lines = f.lines
        if f.kind in COMMENT_KINDS:
            lines = [l for l in lines if l.strip() and not l.lstrip().startswith(("#", ";"))]
        out.append((name, "\n".join(lines)))
    return out


def _held_to(p: Prepared) -> dict:
    """What advice is checked against: the pasted config, every finding, the versions."""
    d = p.diagnosis
    return {"cs": d.configset if d is not None else None, "findings": list(d.findings) if d is not None else [],
            "versions": getattr(d, "versions", None)}


def flagged_passages(p: Prepared, passages: list[Passage]) -> dict[int, str]:
    """Passage number -> what mxdoctor's rules flag in the advice it gives (told to the model)."""
    from app.answer.advice import check_passage
    out = {}
    for n, passage in enumerate(passages, 1):
        check = check_passage(passage, **_held_to(p))
        if check.held:
            out[n] = check.reasons("en", limit=2)
    return out


def outbound_messages(session, p: Prepared) -> list[dict[str, str]]:
    from app.answer.prompt import PromptInput, build_messages
    d = p.diagnosis
    config = config_for_prompt(d) if d else []
    relevant = list(p.relevance.relevant) + [f for f in p.relevance.others if f.severity == "error"]
    passages = prompt_passages(p)
    inp = PromptInput(question=p.question, lang=p.lang, findings=relevant, passages=passages,
                      config_files=config, log_lines=_log_excerpt(d),
                      history=[(turn.question, turn.answer) for turn in session.turns],
                      flagged=flagged_passages(p, passages))
    return build_messages(inp, session.masker if session.settings.mask_identifiers else None,
                          session.known_secrets)


def hold_check(p: Prepared, text: str, cited: list[tuple[int, Passage]]):
    """The answer's own advice and that of the passages it cites, held to the findings and rules."""
    from app.answer.advice import check_advice, check_passage
    held = _held_to(p)
    check = check_advice(text, **held)
    for n, passage in cited:
        for issue in check_passage(passage, **held).issues:
            issue.said = f"[{n}] {passage.title}: {issue.said}"
            check.issues.append(issue)
    return check


def _checked_llm_answer(p: Prepared, text: str, settings, cached: bool) -> tuple[Answer | None, str, list[str]]:
    """(the model's answer after the checks, or None when it is not shown; the notice why; the
    advice issues that held it back)."""
    passages = prompt_passages(p)
    check = cite.check_citations(text, len(passages), p.lang)
    if not check.cited:
        return None, t(p.lang, "llm_uncited"), []
    advice = hold_check(p, check.text, [(n, passages[n - 1]) for n in check.cited])
    if advice.held:
        return None, t(p.lang, "llm_held", reasons=advice.reasons(p.lang)), \
            advice.sentences(p.lang)
    shown_text = check.text.strip()
    findings = [f for f in (p.diagnosis.findings if p.diagnosis else [])]
    overridden = cite.overridden_findings(shown_text, findings)
    numbering_order = list(check.cited)
    if overridden:
        # put the findings back in front, with their own (offline) citations appended to the list
        block_numbering = Numbering()
        for n in numbering_order:
            block_numbering.cite(passages[n - 1])
        block = render_findings([finding_sources(f, p.lang) for f in overridden], p.lang, block_numbering,
                                t(p.lang, "llm_contradiction"))
        body = cite.renumber(shown_text, numbering_order)
        text_out = f"{block}\n\n---\n\n{body}\n"
        passage_dicts = block_numbering.to_dicts()
    else:
        text_out = cite.renumber(shown_text, numbering_order) + "\n"
        passage_dicts = [passage_dict(i, passages[n - 1]) for i, n in enumerate(numbering_order, 1)]
    notices = list(p.notices)
    return Answer(answer=scrub_known(redact_text(text_out), p.known_secrets), findings=_findings_json(p),
                  passages=passage_dicts,
                  llm=settings.describe(), abstained=False, lang=p.lang,
                  relevant=[f.rule for f in p.relevance.relevant], notices=notices,
                  citation_issues=check.issues, cached=cached, timings=dict(p.timings), question=p.question), "", []


def llm_events(session, p: Prepared) -> Iterator[AnswerEvent]:
    from app.answer.llm import Completion, LLMUnavailable, ResponseCache
    settings = session.settings
    messages = outbound_messages(session, p)
    restorer = session.masker.restorer()
    completion = Completion(settings, messages, ResponseCache(session.home) if settings.cache else None)
    t0 = time.perf_counter()
    try:
        for piece in completion:
            shown = restorer.feed(piece)
            if shown:
                yield AnswerEvent("token", shown)
        tail = restorer.finish()
        if tail:
            yield AnswerEvent("token", tail)
    except LLMUnavailable as exc:
        notice = t(p.lang, "llm_fallback", reason=exc.reason)
        yield AnswerEvent("notice", notice)
        yield AnswerEvent("final", answer=offline_answer(p, [notice]))
        return
    p.timings["llm"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    answer, notice, held = _checked_llm_answer(p, session.masker.restore(completion.text), settings, completion.cached)
    p.timings["llm_check"] = time.perf_counter() - t1
    if answer is not None:
        answer.timings["llm_check"] = p.timings["llm_check"]
    if answer is None:              # the notice quotes the model's words: redacted like an answer
        notice = scrub_known(redact_text(notice), p.known_secrets)
        yield AnswerEvent("notice", notice)
        answer = offline_answer(p, [notice])
        answer.held = [scrub_known(redact_text(h), p.known_secrets) for h in held]
    yield AnswerEvent("final", answer=answer)


def run_turn(session, question: str, k: int = 6, use_llm: bool | None = None) -> Iterator[AnswerEvent]:
    t0 = time.perf_counter()
    p = prepare(session, question, k=k)
    for n in p.notices:
        yield AnswerEvent("notice", n)
    want_llm = session.settings.enabled if use_llm is None else (use_llm and session.settings.enabled)
    final: Answer | None = None
    if want_llm:
        for ev in llm_events(session, p):
            if ev.kind == "final":
                final = ev.answer
            else:
                yield ev
    else:
        final = offline_answer(p)
        yield AnswerEvent("token", final.answer)
    assert final is not None
    final.timings["total"] = time.perf_counter() - t0
    session.record_turn(final)
    if final.abstained and session.record_unanswered:
        from app.answer.feedback import record_feedback
        try:
            record_feedback(question, final.answer, None, passages=final.passages, abstained=True,
                            lang=final.lang, session_id=session.id, home=session.home,
                            known_secrets=session.known_secrets)
        except OSError:
            pass        # the unanswered list is a nicety; the answer stands without it
    yield AnswerEvent("final", answer=final)
