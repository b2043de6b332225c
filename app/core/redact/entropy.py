"""Secrets in free text: a question, a comment, a log message, a line no file kind claims.

- prose that says what a secret is: "my password is hunter2", "the api key: abc", "密码是 x";
- a random-looking string (Shannon entropy per character over a threshold, letters and
  digits mixed) within a few words after a secret-like word: `srs secret 5RSx...`,
  `X-Key a8F3...`, `webhook token was 0f3a...`. UUIDs (Haraka's transaction ids), hex digests
  of commits in links, paths and host names are not secrets.
"""
from __future__ import annotations

import math
import re
from collections import Counter

from app.core.redact.spans import Spans

PROSE_RE = re.compile(
    r"(?i)(?:\b(?:password|passwd|passphrase|pw|pwd|secret|token|api[ _-]?key|access[ _-]?key|passcode)|"
    r"密码|口令|令牌|密钥)\s*(?:is|was|=|:|：|是|为|set\s+to|to)\s*[\"'`“]?(?P<v>[^\s\"'`”,;。，、{}()\[\]<>]{4,})")
STOPWORDS = {"the", "not", "empty", "missing", "wrong", "correct", "required", "still", "masked", "unset",
             "blank", "same", "different", "invalid", "expired", "there", "here", "that", "this", "what", "used",
             "stored", "shown", "hidden", "redacted", "being", "rejected", "accepted", "checked", "given", "right",
             "from", "into", "only", "never", "always", "also", "just", "like", "changed", "known", "sent", "read"}
NEAR_RE = re.compile(r"(?i)secret|token|key|pass|pwd|auth|credential|signature|salt|bearer|密码|密钥")
CANDIDATE_RE = re.compile(r"(?<![\w/.\-+=])[A-Za-z0-9+/_\-]{16,}={0,2}(?![\w/\-])")
UUID_RE = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
NEAR_CHARS = 60


def entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def random_looking(token: str) -> bool:
    """Letters and digits mixed, and as varied as a generated secret (not a word, id or hook name)."""
    if UUID_RE.match(token) or not re.search(r"\d", token) or not re.search(r"[A-Za-z]", token):
        return False
    if re.fullmatch(r"[0-9a-f]{24}", token):
        return False                                    # a MongoDB ObjectId (WildDuck's user and message ids)
    if re.fullmatch(r"[0-9a-f]+", token):
        return len(token) >= 20 and entropy(token) >= 3.0
    if "_" in token and token.replace("_", "").isalpha():
        return False
    return entropy(token) >= 3.5


NEAR_WORDS = ("secret", "token", "key", "pass", "pwd", "auth", "credential", "signature", "salt", "bearer", "密码",
              "密钥", "口令", "令牌", "pw")


def scan_line(line: str, offset: int, spans: Spans) -> None:
    low = line.lower()
    if not any(w in low for w in NEAR_WORDS):
        return
    for m in PROSE_RE.finditer(line):
        v = m.group("v")
        if v.lower() not in STOPWORDS and not v.endswith((".ini", ".yaml", ".toml", ".json", ".conf")):
            spans.add_group(m, "v", offset)
    done = -1
    for near in NEAR_RE.finditer(line):
        window = line[max(near.end(), done):near.end() + NEAR_CHARS + 80]
        base = max(near.end(), done)
        for m in CANDIDATE_RE.finditer(window):
            if m.start() <= NEAR_CHARS and random_looking(m.group()):
                spans.add(offset + base + m.start(), offset + base + m.end())
        done = near.end() + NEAR_CHARS + 80
