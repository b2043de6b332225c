"""Tokens for the lexical index, for English *and* Chinese.

English: lower-case words, keeping dotted/underscored plugin names whole (`rcpt_to.in_host_list`)
and also their parts (no stemming: `plugins` is also a file name, and the bench lost more than it
gained with plural folding). Chinese: jieba's search-mode segmentation, plus character bigrams
so a term jieba does not know still matches. Function words and question words are dropped, and
bigrams never span a grammatical particle, because in a mostly English index every Chinese token
is rare and a `什么` or `的用` would otherwise count as much as `灰名单`.
"""
from __future__ import annotations

import logging
import re

WORD_RE = re.compile(r"[a-z0-9][a-z0-9_.\-/@]*[a-z0-9]|[a-z0-9]")
CJK_RE = re.compile(r"[\u4e00-\u9fff]+")
STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "is", "it", "for", "on", "be", "as", "at", "by", "with",
        "that", "this", "are", "was", "i", "my", "me", "do", "does", "why", "what", "how", "not", "no", "can",
        "的", "了", "是", "在", "我", "吗", "呢", "和", "也", "就", "都", "把", "被", "有", "没有", "为什么", "怎么",
        "什么", "为什", "怎么办", "怎样", "如何", "应该", "可以", "能否", "是否", "是不是", "哪个", "哪些",
        "哪里", "这个", "那个", "这样", "那样", "一下", "还是", "但是", "可是", "而且", "或者", "已经", "时候",
        "我的", "我们", "你们", "他们"}
# particles that never belong to a term: a CJK run is cut at them before bigrams are formed
PARTICLES_RE = re.compile(r"[的了吗呢吧啊呀么都也被把就和]+")

_jieba = None


def cjk_count(text: str) -> int:
    """How many Chinese characters (CJK unified ideographs) the text holds."""
    return sum(len(run) for run in CJK_RE.findall(text or ""))


CODE_RE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`|<?https?://\S+|mxdoctor://\S+", re.S)
LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/@']*")


def chinese_share(text: str) -> float:
    """How Chinese a piece of prose reads: Chinese characters against Latin words, outside code
    (fenced blocks, `inline code`) and links, which stay as written in either language. 1.0 is all
    Chinese; a text with neither counts as 0."""
    prose = CODE_RE.sub(" ", text or "")
    cjk, latin = cjk_count(prose), len(LATIN_WORD_RE.findall(prose))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def text_lang(text: str, *, min_chars: int = 1, min_share: float = 0) -> str:
    """"zh" or "en": the one language detector, for questions, sentences and documents alike.

    A question or a sentence is Chinese as soon as it holds one Chinese character (the default);
    a document is asked for more (`min_chars`, and a `min_share` of its characters), so that an
    English page quoting a few Chinese words stays English."""
    n = cjk_count(text)
    return "zh" if n >= min_chars and n > len(text or "") * min_share else "en"


def cut_words(text: str) -> list[str]:
    """jieba's search-mode segmentation of a Chinese run (jieba loaded on first use)."""
    global _jieba
    if _jieba is None:
        import jieba
        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return [w for w in _jieba.cut_for_search(text) if w.strip()]


def tokenize(text: str) -> list[str]:
    text = text.lower()
    out: list[str] = []
    for w in WORD_RE.findall(text):
        if w in STOP:
            continue
        out.append(w)
        if any(c in w for c in "._-/@"):
            out += [p for p in re.split(r"[._\-/@]+", w) if p and p not in STOP and len(p) > 1]
    for run in CJK_RE.findall(text):
        out += [w for w in cut_words(run) if len(w) > 1 and w not in STOP]
        for part in PARTICLES_RE.split(run):
            out += [b for b in (part[i:i + 2] for i in range(len(part) - 1)) if b not in STOP]
    return out
