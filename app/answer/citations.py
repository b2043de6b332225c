"""The post-check of an LLM answer: every `[n]` must point at a passage that exists, every
paragraph must cite something, and the answer may not wave away a finding of the checks.

Nothing here trusts the model: markers to missing passages are removed, uncited paragraphs are
flagged in place, and findings the answer leaves out or denies are put back in front of it by the
caller. Passages are renumbered to the ones actually cited, in order of first use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.lang import t
from app.core.model import Finding

MARKER_RE = re.compile(r"\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]")
FENCE_RE = re.compile(r"```.*?(?:```|\Z)", re.S)
DENIAL_RE = re.compile(
    r"(?i)\b(?:(?:your |the )?(?:config(?:uration)?|setup|set-up|everything)\s+(?:is|looks|seems)\s+"
    r"(?:fine|ok|okay|correct|good|right|healthy|valid)|nothing (?:is )?wrong|no (?:problems?|issues?|errors?|"
    r"misconfigurations?) (?:found|detected|were found|in your)|there (?:are|were) no (?:problems?|issues?))"
    r"|配置(?:没有|没|并无)问题|配置(?:是)?正常|一切正常|没有(?:发现)?(?:任何)?问题")
IDENT_RE = re.compile(r"[A-Za-z0-9][\w./-]*[._/][\w./-]*[A-Za-z0-9]|\b\d{3}\b")


@dataclass
class CitationCheck:
    text: str
    cited: list[int] = field(default_factory=list)       # valid passage numbers, first use first
    removed: list[int] = field(default_factory=list)     # markers that pointed at no passage
    uncited: int = 0                                     # paragraphs flagged for citing nothing
    issues: list[str] = field(default_factory=list)


def _paragraphs(text: str) -> list[tuple[str, bool]]:
    """(chunk, is_claim) in order; code fences, headings and short labels are not claims."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in FENCE_RE.finditer(text):
        out += _split_prose(text[pos:m.start()])
        out.append((m.group(0), False))
        pos = m.end()
    out += _split_prose(text[pos:])
    return out


def _split_prose(text: str) -> list[tuple[str, bool]]:
    out = []
    for block in re.split(r"(\n\s*\n)", text):
        if not block:
            continue
        stripped = block.strip()
        claim = bool(stripped) and not stripped.startswith(("#", ">")) and len(stripped) >= 40 \
            and not stripped.endswith((":", "："))
        out.append((block, claim))
    return out


def check_citations(text: str, n_passages: int, lang: str = "en") -> CitationCheck:
    result = CitationCheck(text="")

    def fix_marker(m: re.Match) -> str:
        kept = []
        for part in re.split(r"\s*[,，]\s*", m.group(1)):
            n = int(part)
            if 1 <= n <= n_passages:
                kept.append(n)
                if n not in result.cited:
                    result.cited.append(n)
            elif n not in result.removed:
                result.removed.append(n)
                result.issues.append(t(lang, "llm_removed_citation", n=n))
        return "".join(f"[{n}]" for n in kept)

    pieces = []
    for chunk, claim in _paragraphs(text):
        if claim:
            chunk = MARKER_RE.sub(fix_marker, chunk)
            if not MARKER_RE.search(chunk):
                result.uncited += 1
                body = chunk.rstrip()
                chunk = f"{body} *(⚠ {t(lang, 'llm_uncited_paragraph')})*" + chunk[len(body):]
        pieces.append(chunk)
    result.text = "".join(pieces)
    if result.uncited:
        result.issues.append(f"{result.uncited} paragraph(s) {t(lang, 'llm_uncited_paragraph')}")
    return result


def renumber(text: str, order: list[int]) -> str:
    """Rewrite markers so the cited passages become 1..m in `order`."""
    new = {old: i for i, old in enumerate(order, 1)}
    return MARKER_RE.sub(lambda m: "".join(f"[{new[int(p)]}]" for p in re.split(r"\s*[,，]\s*", m.group(1))
                                           if int(p) in new), text)


def mentions(text: str, f: Finding) -> bool:
    """The answer talks about this finding: its rule id, or an identifier from its title."""
    low = text.lower()
    if f.rule.lower() in low:
        return True
    idents = [i.lower() for i in IDENT_RE.findall(f.title) if len(i) >= 3]
    return any(i in low for i in idents)


def overridden_findings(text: str, findings: list[Finding]) -> list[Finding]:
    """Error/warning findings the answer denies ("your config is fine") or leaves out (errors only)."""
    serious = [f for f in findings if f.severity in ("error", "warning")]
    if not serious:
        return []
    if DENIAL_RE.search(text):
        return serious
    return [f for f in serious if f.severity == "error" and not mentions(text, f)]
