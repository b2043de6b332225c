"""Words that carry meaning, how rare they are, and the sentences of a passage.

The offline composer needs three small things: the content terms of a question (Chinese terms
expanded to English through the glossary), an IDF table so that `ERRQ05` counts for more than
`mail`, and a Markdown-aware sentence splitter (notes are hard-wrapped; code, tables and headings
are not sentences).
"""
from __future__ import annotations

import functools
import math
import re

from ingest.tokenize import CJK_RE, STOP, WORD_RE, cut_words

PLACEHOLDER_RE = re.compile(r"\buser\d+@|\b(?:[\w-]+\.)*domain\d+\.example\b|\bIPv[46]_\d+\b")

# Say nothing about *which* problem it is: every question and every page has them.
GENERIC = {
    "mail", "mails", "email", "emails", "e-mail", "message", "messages", "haraka", "server", "servers", "get",
    "gets", "got", "work", "works", "working", "use", "used", "using", "see", "one", "all", "any", "some", "also",
    "still", "just", "only", "but", "from", "have", "has", "had", "will", "would", "should", "could", "there",
    "here", "when", "then", "than", "into", "our", "your", "you", "they", "them", "their", "its", "we", "us",
    "after", "before", "since", "about", "which", "who", "where", "need", "needs", "way", "like", "does",
    "did", "done", "now", "again", "every", "each", "other", "same", "more", "most", "very", "much", "many",
    "file", "files", "config", "configuration", "setup", "set", "log", "logs", "line", "lines", "say", "says",
    "said", "show", "shows", "look", "looks", "thing", "things", "problem", "problems", "issue", "issues",
    "wrong", "right", "fine", "ok", "okay", "help", "please", "thanks", "know", "want", "make", "sure",
    "up", "on", "at", "by", "go", "am", "as", "be", "we", "us", "me", "my", "so", "if", "do", "or", "oh", "yes",
    "if", "so", "are", "were", "been", "being", "can't", "cannot", "don't", "doesn't", "isn't", "won't",
    "下", "个", "这", "那", "吗", "呢", "啊", "吧", "请", "帮忙", "一下", "什么", "这个", "那个", "这是", "我们", "你们",
    "他们", "它", "邮件", "服务器", "配置", "日志", "问题", "是否", "可以", "需要", "如何", "怎么办", "还是", "但是",
    "已经", "一直", "总是", "时候", "之后", "之前", "里", "中", "上", "会", "能", "要", "看", "说", "到", "去", "让",
}
# Everyday English: rare in a small technical knowledge base, so IDF alone would overrate them.
COMMON_EN = set("""
able about above across actually add added again against almost already although always among another
anyone anything anyway around away back bad became because become becomes best better between big both
bring built call came can case cause certain change changed changes clear come comes copy could current
day days different does doing done down during each early easy else end enough even ever every exactly
example fact far few find first follow following found free full further gave get give given gives goes
going good great had hard has have having help her here high him his hold how however idea important
instead keep kept kind last late later least left less let like little long look looked lot made main
many may maybe mean means might mine more most much must near need needed never new next nice none nor
not nothing now number off often old once only open other others otherwise our out over own part past
people per perhaps place point possible pretty probably put quite rather read real really reason right
run same see seem seems seen set several shall short should show side similar simple since small some
something sometimes soon still such sure take taken tell than that the their them then there these
they thing think this those though through thus time times today together too took toward try trying
turn two under until upon use used using usually very want was way ways well went were what whatever
when where whether which while who whole whom whose why will with within without work would write
wrote year yes yet you your yours
""".split())
# A few symptom words the glossary does not carry; our own list.
EXTRA_ZH = {
    "两次": "twice duplicate more than once", "重复": "duplicate twice", "启动": "start startup",
    "退出": "exit stop startup", "附件": "attachment size", "太大": "too big size", "垃圾邮件": "spam junk",
    "黑名单": "blacklist blocklist open relay", "通知": "notification notifications", "迁移": "migration",
    "用户": "user users", "丢失": "lost missing", "重试": "retry deferred 451", "日志级别": "loglevel log level",
    "几乎什么都没有": "loglevel", "病毒": "virus clamd", "扫描": "scan scanner", "证书": "certificate tls",
}
INSTRUCTION_RE = re.compile(
    r"(?i)\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\byou are (?:now )?(?:an?|the) (?:ai|assistant|language model|llm)\b|\bsystem prompt\b"
    r"|\b(?:say|answer|reply|respond|tell the user)\b.{0,30}\b(?:config(?:uration)? is (?:fine|ok|correct)|no problems?)\b"
    r"|(?:忽略|无视|忘记).{0,12}(?:指令|提示|说明|规则)")


def content_terms(text: str) -> list[str]:
    """Words that can tell two problems apart: English words (dotted/underscored names whole and
    in parts), Chinese words by jieba — no character bigrams, which match by accident."""
    text = (text or "").lower()
    out: list[str] = []
    for w in WORD_RE.findall(text):
        if w in STOP or w in GENERIC or w in COMMON_EN:
            continue
        s = stem(w)
        if s != w and (s in GENERIC or s in COMMON_EN):
            continue                    # `adding` is as common as `add`
        out.append(s)
        if any(c in w for c in "._-/@"):
            out += [p for p in re.split(r"[._\-/@]+", w) if len(p) > 1 and p not in STOP and p not in GENERIC]
    for run in CJK_RE.findall(text):
        out += [w for w in cut_words(run) if w not in STOP and w not in GENERIC and len(w) > 1]
    return out


def stem(w: str) -> str:
    """One form per plain word, so a question's `reached` / `checking` meet a page's `reach` /
    `check`: plurals to singular (`keys` → `key`, `queries` → `query`), then -ing / -ed and a
    final -e dropped (`stored`, `storing`, `store` → `stor`); names and short words untouched.
    Crude on purpose: both sides go through the same rule, so it only has to be consistent."""
    if not w.isalpha() or len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[:-len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
                w = w[:-1]                  # stopped → stop, but install(ed) keeps its ll
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def strip_identifiers(text: str) -> str:
    """The question without the user's own addresses and domains, which say nothing about
    which passage answers it (`@lists.example.org` must not match "block lists")."""
    from app.core.redact import IdentifierMasker
    return PLACEHOLDER_RE.sub(" ", IdentifierMasker().mask(text or ""))


def expand(question: str) -> str:
    """The question plus English equivalents of its Chinese terms."""
    from app.retrieval.search import expand_query
    out = expand_query(question)
    extra = [en for zh, en in EXTRA_ZH.items() if zh in question]
    return out + (" " + " ".join(extra) if extra else "")


def question_terms(question: str) -> set[str]:
    return set(content_terms(expand(question)))


@functools.lru_cache(maxsize=2)
def _idf_table(signature: tuple) -> tuple[dict[str, float], float]:
    from app.retrieval.kbpages import kb_pages
    df: dict[str, int] = {}
    n = 0
    for chunks in kb_pages().values():
        for c in chunks:
            n += 1
            for w in set(content_terms(c.text)):
                df[w] = df.get(w, 0) + 1
    return {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}, math.log(n + 1) + 1.0


def idf_table() -> tuple[dict[str, float], float]:
    from app.retrieval.kbpages import _signature
    return _idf_table(_signature())


def weight(term: str, table: tuple[dict[str, float], float] | None = None) -> float:
    idf, unseen = table or idf_table()
    return idf.get(term, unseen)


# --------------------------------------------------------------------------- sentences

LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
EMPH_RE = re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__")
LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
MIDSENTENCE_RE = re.compile(r"^[a-z,;)\]–-]")
SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(\[*])|(?<=[。！？；])")


def _clean(text: str) -> str:
    text = LINK_RE.sub(r"\1", text)
    text = EMPH_RE.sub(lambda m: m.group(1) or m.group(2), text)
    return re.sub(r"\s+", " ", text).strip()


CJK_CHAR = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def join_lines(lines: list[str]) -> str:
    """Undo hard wrapping: a space between English words, nothing between Chinese characters."""
    out = ""
    for line in (l.strip() for l in lines):
        if not line:
            continue
        if out and not (CJK_CHAR.match(out[-1]) and CJK_CHAR.match(line[0])):
            out += " "
        out += line
    return out


TABLE_SEP_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")


def _table_rows(lines: list[str]) -> list[str]:
    """A Markdown table's body rows, cells joined by " | " as written (so the quote stays word for
    word in the passage), the header row dropped: a definition table (`| ERRQ06 | what it means |`)
    answers "what does ERRQ06 mean?"."""
    if len(lines) >= 2 and TABLE_SEP_RE.match(lines[1].strip()):
        lines = lines[2:]
    rows = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        cells = [c for c in cells if c]
        if len(cells) >= 2 and not TABLE_SEP_RE.match(line.strip()):
            rows.append(" | ".join(cells))
    return rows


def _units(text: str) -> list[tuple[str, str]]:
    """(kind, text) blocks: para | item | row | code; headings dropped, table rows one each."""
    units: list[tuple[str, str]] = []
    cur: list[str] = []
    kind = "para"
    in_code = False
    code: list[str] = []
    table: list[str] = []

    def flush():
        nonlocal cur
        if cur:
            units.append((kind, join_lines(cur)))
        cur = []

    def flush_table():
        units.extend(("row", row) for row in _table_rows(table))
        table.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if table and not stripped.startswith("|"):
            flush_table()
        if stripped.startswith("|") and not in_code:
            flush()
            table.append(stripped)
            continue
        if stripped.startswith("```"):
            if in_code:
                units.append(("code", "\n".join(code)))
                code, in_code = [], False
            else:
                flush()
                in_code = True
            continue
        if in_code:
            code.append(line)
            continue
        if not stripped or stripped.startswith(("#", "|", ">")) or stripped.startswith("Severity: **"):
            flush()
            continue
        if LIST_RE.match(line):
            flush()
            kind = "item"
            cur = [LIST_RE.sub("", line)]
            continue
        if kind == "item" and cur and not line.startswith((" ", "\t")):
            flush()
            kind = "para"
        if not cur:
            kind = kind if kind == "item" and line.startswith((" ", "\t")) else "para"
        cur.append(line)
    flush()
    flush_table()
    if in_code and code:
        units.append(("code", "\n".join(code)))
    return units


def sentences(text: str, max_code_lines: int = 8) -> list[str]:
    """The quotable sentences of a Markdown passage, in order. A sentence that ends with a colon
    keeps the short code block after it (\"Remove the line:\" is no use without the line)."""
    out: list[str] = []
    units = _units(text)
    for i, (kind, body) in enumerate(units):
        if kind == "code":
            continue
        if kind == "row":
            row = _clean(body)
            if 20 <= len(row) <= 500:
                out.append(row)
            continue
        parts = [p.strip() for p in SENT_SPLIT_RE.split(_clean(body)) if p and p.strip()]
        if i == 0 and parts and not text.lstrip().startswith("#") and MIDSENTENCE_RE.match(parts[0]):
            parts = parts[1:]           # the chunk starts inside a sentence (chunk overlap)
        for j, s in enumerate(parts):
            if s.endswith((":", "：")):
                nxt = units[i + 1] if i + 1 < len(units) else None
                if j == len(parts) - 1 and nxt and nxt[0] == "code" and 0 < nxt[1].count("\n") + 1 <= max_code_lines:
                    out.append(s + "\n```\n" + nxt[1].strip("\n") + "\n```")
                continue
            if len(s) < 20 or len(s) > 500:
                continue
            out.append(s)
    return out


def looks_like_instruction(text: str) -> bool:
    """Text that talks to a model instead of about mail servers: never quoted, never obeyed."""
    return bool(INSTRUCTION_RE.search(text or ""))


# --------------------------------------------------------------------------- similarity

def tfidf(text: str, table: tuple[dict[str, float], float] | None = None) -> dict[str, float]:
    """Term → weight; cached per text and IDF table (callers must not modify the result)."""
    return _tfidf(text, table or idf_table())


_tfidf_table = None


@functools.lru_cache(maxsize=8192)
def _tfidf_cached(text: str) -> dict[str, float]:
    return _tfidf_compute(text, _tfidf_table)


def _tfidf(text: str, table) -> dict[str, float]:
    """Chunk vectors are asked for again and again; the cache is emptied when the KB changes."""
    global _tfidf_table
    if table is not _tfidf_table:
        _tfidf_cached.cache_clear()
        _tfidf_table = table
    return _tfidf_cached(text)


def _tfidf_compute(text: str, table) -> dict[str, float]:
    counts: dict[str, int] = {}
    for t in content_terms(text):
        counts[t] = counts.get(t, 0) + 1
    return {t: (1.0 + math.log(n)) * weight(t, table) for t, n in counts.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0
