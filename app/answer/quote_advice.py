"""Quotes held to the checks: a sentence the offline composer would quote is run through
app.answer.advice first. One whose advice a rule flags (a wiki runbook's "set `all=true` in
config/relay.ini") or that waves a finding away is not quoted as advice: it is named after the
answer's own advice with a warning that says which rule flags it, never as the headline, and it
gets no `[n]` (its page is not offered as a source for it).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.answer.advice import AdviceCheck, check_passage
from app.answer.lang import t
from app.answer.quotes import Quote


@dataclass
class Flagged:
    quote: Quote
    check: AdviceCheck


def screen(quotes: list[Quote], diagnosis) -> tuple[list[Quote], list[Flagged]]:
    """(quotes that may stand as advice, quotes whose advice the checks flag), each in order."""
    cs = diagnosis.configset if diagnosis is not None else None
    findings = list(diagnosis.findings) if diagnosis is not None else []
    versions = getattr(diagnosis, "versions", None)
    ok: list[Quote] = []
    flagged: list[Flagged] = []
    for q in quotes:
        check = check_passage(q.passage, cs, findings, versions=versions, sentence=q.sentence)
        if check.held:
            flagged.append(Flagged(q, check))
        else:
            ok.append(q)
    return ok, flagged


def render_flagged(flagged: list[Flagged], lang: str) -> str:
    """One warning line per flagged quote: the page, what it proposes, the rule that flags it."""
    lines = []
    for f in flagged:
        p = f.quote.passage
        source = f"“{p.title}”" + (f" ({p.source})" if p.source and p.source not in p.title else "")
        lines.append(t(lang, "quote_flagged", source=source, reasons=f.check.reasons(lang, limit=2)))
    return "\n".join(lines)
