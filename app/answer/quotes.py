"""Sentences quoted from the knowledge base: which ones answer the question, scored by the
distinctive words they share with it (rare ones count most), at most two per passage, none that
only repeats a finding already shown, none that talks to a model. Every quote is verbatim, so the
`[n]` after it points at a passage that says exactly that.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.model import Numbering
from app.core.instructions import looks_like_instruction
from app.core.model import Finding
from app.retrieval.index import Passage
from app.retrieval.query import content_terms, cosine, idf_table, question_terms, strip_identifiers, tfidf, weight
from app.retrieval.sentences import sentences
from ingest.tokenize import text_lang

SENTENCE_MIN_SCORE = 8.0       # about two distinctive shared terms, or one very rare one (an error code)
MIN_COVERAGE = 0.3             # share of the question's term weight a quoted sentence must cover
HIGH_COVERAGE = 0.5            # ...and with most of a short question covered, a little less weight will do
SHORT_QUESTION_MIN_SCORE = 6.0
MIN_VERBATIM = 10              # a log refusal text this long, found word for word in a sentence, answers
SENTENCE_MIN_TERMS = 2
RARE_TERM = 6.5
MAX_PER_PASSAGE = 2
NEAR_DUPLICATE = 0.8           # share of shared words that makes two sentences the same quote
REDUNDANT = 0.45               # cosine to a shown finding above which a sentence only repeats it


@dataclass
class Quote:
    sentence: str
    passage: Passage
    score: float


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
    cjk = {w for w in qterms if text_lang(w) == "zh"}
    latin = qterms - cjk
    own_latin = latin & set(content_terms(strip_identifiers(question)))
    total = sum(weight(w, table) for w in qterms)
    if not cjk:
        return {"en": total, "zh": total}
    return {"en": sum(weight(w, table) for w in latin) or total,
            "zh": sum(weight(w, table) for w in cjk | own_latin) or total}


@dataclass
class _Picker:
    """The tests one sentence must pass to be quoted for a question, and what was taken so far."""
    qterms: set[str]
    table: tuple
    q_weight: dict[str, float]
    shown_vecs: list[dict[str, float]]
    verbatim: list[str]
    loose: bool
    min_coverage: float
    seen: set[str] = field(default_factory=set)
    seen_words: list[set[str]] = field(default_factory=list)

    def is_new(self, s: str) -> tuple[str, set[str]] | None:
        """(normalised text, its words), or None for a repeat, a near-duplicate or an instruction."""
        norm = re.sub(r"\W+", " ", s.lower()).strip()
        words = set(norm.split())
        if norm in self.seen or looks_like_instruction(s) or any(
                len(words & other) >= NEAR_DUPLICATE * max(1, min(len(words), len(other))) for other in self.seen_words):
            return None
        return norm, words

    def score(self, s: str) -> float | None:
        """The sentence's score for the question, or None when it does not answer it well enough
        or only repeats a finding already shown."""
        score, n, top = score_sentence(self.qterms, s, self.table)
        quotes_log = any(v in s.lower() for v in self.verbatim)
        if not quotes_log and not (self.loose and n >= 1) and \
                not accepted(score, n, top, self.q_weight[text_lang(s)], self.min_coverage):
            return None
        if self.shown_vecs and max(cosine(tfidf(s, self.table), v) for v in self.shown_vecs) >= REDUNDANT:
            return None
        return score

    def take(self, norm: str, words: set[str]) -> None:
        self.seen.add(norm)
        self.seen_words.append(words)


def pick_sentences(question: str, passages: list[Passage], shown: list[Finding], limit: int,
                   min_coverage: float = MIN_COVERAGE, verbatim: list[str] | None = None,
                   loose: bool = False) -> list[Quote]:
    """The best-scoring sentences for the question, at most two per passage, none that only repeats
    a finding already shown, none that talks to a model instead of about mail servers. A sentence
    that quotes one of the `verbatim` texts (a refusal from the user's own log) is taken as is;
    `loose` takes any sentence sharing a distinctive word (the caller ranks and filters)."""
    qterms = question_terms(strip_identifiers(question))
    if not qterms or not passages:
        return []
    table = idf_table()
    picker = _Picker(qterms, table, coverage_weights(question, qterms, table),
                     [tfidf(f"{f.title}\n{f.explanation}", table) for f in shown],
                     [v.lower() for v in verbatim or [] if len(v) >= MIN_VERBATIM], loose, min_coverage)
    quotes: list[Quote] = []
    for rank, p in enumerate(passages):
        if p.kind == "rule":        # a rule page only restates a finding, shown or not
            continue
        per_passage: list[Quote] = []
        for s in sentences(p.text):
            new = picker.is_new(s)
            score = picker.score(s) if new else None
            if score is None:
                continue
            if p.kind == "plugin":      # catalog facts make no sense without the plugin's name
                s = f"{p.title}: {s}"
            per_passage.append(Quote(s, p, score - 0.1 * rank))
            picker.take(*new)
        quotes += sorted(per_passage, key=lambda q: -q.score)[:MAX_PER_PASSAGE]
    return sorted(quotes, key=lambda q: -q.score)[:limit]


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
