"""Chinese text laid out as a reader expects: no spaces between Chinese characters or punctuation
(a wrapped line, a filled template word), a space kept where Chinese meets Latin or code. Pure
text, no dependencies: the core, the rule pages and the reports all use it."""
from __future__ import annotations

import re

_PUNCT = "\u3000-\u303f\uff00-\uffef"
_HAN = "\u4e00-\u9fff"
_CJK_JOIN = re.compile(rf"(?<=[{_PUNCT}{_HAN}])[ \t]*\n\s*(?=[{_PUNCT}{_HAN}])|(?<=[{_PUNCT}])[ \t]*\n\s*"
                       rf"|[ \t]*\n\s*(?=[{_PUNCT}])")
_CJK_GAP = re.compile(rf"(?<=[{_PUNCT}{_HAN}]) +(?=[{_PUNCT}{_HAN}])")


def close_cjk_gaps(text: str) -> str:
    """Spaces between two Chinese characters (or punctuation) removed: a template writes
    `对于 {target}，` so a filled address stands apart, and a filled Chinese word must not."""
    return _CJK_GAP.sub("", text)


def flow(text: str) -> str:
    """A wrapped paragraph as one line: lines join with a space, except where Chinese meets Chinese
    or Chinese punctuation, where a space would be a visible gap."""
    return " ".join(_CJK_JOIN.sub("", text or "").split())
