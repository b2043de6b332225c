"""Does the knowledge base answer this question? A probability, calibrated on labelled questions.

A few signals, each cheap: how much of the question the best sentence and the best passage of the
search results cover (distinctive words, weighted by rarity), how much of the question the index
has never seen at all (a question about Postfix, a k8s bill or a team roster the wiki does not
hold is mostly such words), how well the best finding of the checks matches the question, and
whether a team page leads for a question about the team's own setup. A logistic model over them
was fitted on bench/calibration/dev.yaml by bench/calibration/fit.py, which writes its weights and
the threshold to kb/calibration.yaml; the composer abstains below the threshold when no finding
answers the question either. (Embedding similarities were tried as signals too; they made the
leave-one-out accuracy worse, and would tie the calibration to one embedding.)
"""
from __future__ import annotations

import functools
import math
import threading
import weakref
from dataclasses import asdict, dataclass

import yaml

from app.answer.quotes import coverage_weights, score_sentence
from app.retrieval.passages import is_team_page
from app.retrieval.query import content_terms, idf_table, question_terms, strip_identifiers, weight
from app.retrieval.sentences import sentences
from ingest.filestamp import FileStamp, stamp
from ingest.kbdata import kb_path
from ingest.tokenize import text_lang

TOP_PASSAGES = 3
FEATURES = ("coverage", "passage_coverage", "oov", "finding", "team", "zh")
# until a calibration exists: abstain only when little of the question is found anywhere
FALLBACK = {"weights": {"bias": -1.0, "coverage": 3.0, "passage_coverage": 2.0, "oov": -4.0,
                        "finding": 0.3, "team": 1.0, "zh": 0.0},
            "center": {}, "scale": {}, "threshold": 0.5}


@dataclass
class Support:
    coverage: float = 0.0           # best sentence's share of the question's term weight
    passage_coverage: float = 0.0   # best passage's share
    oov: float = 0.0                # share of the question's term weight the index has never seen
    finding: float = 0.0            # how well the best finding of the checks matches the question
    team: float = 0.0               # the question is about the team's own setup and a team page leads
    zh: float = 0.0                 # 1 for a Chinese question (its terms go through the glossary)
    probability: float = 0.0
    threshold: float = 0.5

    @property
    def answerable(self) -> bool:
        return self.probability >= self.threshold

    def features(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in FEATURES}

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@functools.lru_cache(maxsize=4)
def _calibration(file: FileStamp) -> dict:
    m = yaml.safe_load(open(file.path, encoding="utf-8")) or {}
    if "bias" not in (m.get("weights") or {}):
        return FALLBACK               # not a model this code can use: stay cautious, never fail
    return {"weights": dict(m.get("weights") or {}), "center": dict(m.get("center") or {}),
            "scale": dict(m.get("scale") or {}), "threshold": float(m.get("threshold", 0.5))}


def calibration() -> dict:
    """kb/calibration.yaml, re-read when it changes; a cautious default without it."""
    path = kb_path("calibration.yaml")
    return _calibration(stamp(path)) if path.is_file() else FALLBACK


_vocab: "weakref.WeakKeyDictionary[object, tuple[int, frozenset[str]]]" = weakref.WeakKeyDictionary()
_vocab_lock = threading.Lock()


def index_vocabulary(index) -> frozenset[str]:
    """Every content term of every indexed chunk (computed once per index state, ~1 s for 1k chunks)."""
    count = index.count()
    with _vocab_lock:
        cached = _vocab.get(index)
        if cached and cached[0] == count:
            return cached[1]
        words: set[str] = set()
        for text, meta in index.all_chunks():
            words.update(content_terms(f"{meta.get('title', '')} {text}"))
        vocab = frozenset(words)
        _vocab[index] = (count, vocab)
        return vocab


def measure(question: str, passages: list, index=None, finding_score: float = 0.0, team: bool = False) -> Support:
    """The signals for `question` over the search's `passages` (and the best finding's relevance
    score), and the calibrated probability that they answer it."""
    qterms = question_terms(strip_identifiers(question))
    s = Support(zh=1.0 if text_lang(question) == "zh" else 0.0, finding=finding_score,
                team=1.0 if team and any(is_team_page(p) for p in passages[:1]) else 0.0)
    if qterms:
        table = idf_table()
        q_weight = coverage_weights(question, qterms, table)
        total = sum(weight(t, table) for t in qterms) or 1.0
        for p in [p for p in passages if p.kind != "rule"][:TOP_PASSAGES]:
            shared = qterms & set(content_terms(f"{p.title} {p.text}"))
            s.passage_coverage = max(s.passage_coverage, sum(weight(t, table) for t in shared) / total)
            for sent in sentences(p.text):
                score, _, _ = score_sentence(qterms, sent, table)
                s.coverage = max(s.coverage, score / (q_weight[text_lang(sent)] or 1.0))
        if index is not None:
            vocab = index_vocabulary(index)
            s.oov = sum(weight(t, table) for t in qterms if t not in vocab) / total
    cal = calibration()
    w, center, scale = cal["weights"], cal["center"], cal["scale"]
    z = w["bias"] + sum(w.get(k, 0.0) * (v - center.get(k, 0.0)) / (scale.get(k) or 1.0)
                        for k, v in s.features().items())
    s.probability = 1.0 / (1.0 + math.exp(-z))
    s.threshold = cal["threshold"]
    return s
