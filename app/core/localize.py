"""A diagnosis in the reader's language: findings carry their words in every language the rule
(or the line explainer) has (`Finding.i18n`); this swaps them in for one reader, at the edge,
so checks run once and the UI's language switch needs no new diagnosis.

A missing translation falls back to the English words, marked so the reader sees why the text
is English (never an empty field or a template)."""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import replace
from typing import Any

from app.core.model import Finding
from ingest.cjk import close_cjk_gaps, flow

LANGS = ("en", "zh")
GENERATED = ("simulation", "absent", "config")   # evidence kinds whose text a condition wrote
UNTRANSLATED = {"zh": "（暂无中文译文，以下为英文原文）"}
__all__ = ["close_cjk_gaps", "flow", "localized", "localized_all", "localized_diagnosis", "english",
           "assumption", "evidence_text", "step_note"]


def _word(words: dict[str, Any], key: str, english: str, lang: str) -> str:
    text = words.get(key)
    if text:
        return str(text)
    if not english:
        return english
    return f"{UNTRANSLATED.get(lang, '(English)')} {english}" if key == "explanation" else english


def _manual(words: dict[str, Any], finding: Finding, english: list[str]) -> list[str]:
    """The fix's manual steps: the rule's own steps translated (they come first), anything the
    fix added afterwards (why an edit was not offered) as it is."""
    steps = list(words.get("manual") or [])
    own = sum(1 for op in finding.fix_ops if op.op == "manual")
    if len(steps) != own or own > len(english):
        return list(english)
    return steps + english[own:]


def _pattern(template: str) -> re.Pattern:
    """An English template as a regex whose named groups catch the values it was filled with."""
    parts = re.split(r"\{(\w+)\}", template)
    rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(rf"^{rx}$", re.S)


@functools.lru_cache(maxsize=4)
def _assumption_words(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    """(English pattern, template in `lang`) for every assumption the simulator table and the
    config conditions can make of a file not given."""
    from app.core.rules.conditions.config import ASSUMED_DEFAULT
    from app.core.simulate.table import behaviour_table
    pairs = [(ASSUMED_DEFAULT["en"], ASSUMED_DEFAULT.get(lang, ""))]
    if lang == "zh":
        pairs += [(en, a.assumes_zh[f]) for a in behaviour_table().answers() for f, en in a.assumes.items()
                  if f in a.assumes_zh]
    return tuple((_pattern(en), other) for en, other in pairs if other)


def _rewrite(text: str, pairs, values=lambda v: v) -> str:
    """`text` again from the first (English pattern, other template) pair it was made from; the
    values it was filled with go through `values` (as it is when no pattern fits)."""
    for rx, template in pairs:
        m = rx.match(text)
        if m:
            return template.format(**{k: values(v) for k, v in m.groupdict().items()})
    return text


def assumption(text: str, lang: str) -> str:
    """What was assumed of a file not given, in `lang` (as it is when no words are known)."""
    return _rewrite(text, _assumption_words(lang)) if lang != "en" else text


_NOTE_OWNER = re.compile(r"^([\w.@/-]+): (.+)$", re.S)      # a plugin's (or hook's) name, then its note


@functools.lru_cache(maxsize=4)
def _step_note_words(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    """(English pattern, template in `lang`) for every note a simulated step can carry: the walk's
    own sentences (a plugin's note, a doubt) and each plugin answer's note (kb/simulator)."""
    from app.core.simulate.notewords import NOTES
    from app.core.simulate.table import behaviour_table
    pairs = [(w["en"], w.get(lang, "")) for w in NOTES.values()]
    if lang == "zh":
        pairs += [(a.note, a.note_zh) for a in behaviour_table().answers() if a.note]
        pairs += [(a.depends, a.depends_zh) for a in behaviour_table().answers() if a.depends]
    # the most specific template first: a plugin's own note before the bare "{plugin}: {note}"
    pairs.sort(key=lambda p: -len(re.sub(r"\{\w+\}", "", p[0])))
    return tuple((_pattern(en), other) for en, other in pairs if other)


def step_note(text: str, lang: str) -> str:
    """A note of a simulated step in `lang` (as it is when no words are known); the note inside a
    plugin's note or a carried doubt is translated too."""
    if lang == "en" or not lang:
        return text
    owner = _NOTE_OWNER.match(text)            # "rcpt_to.in_host_list: example.com is taken to be ..."
    if owner:                                  # the note first: a template's {domain} must not eat the name
        inner = step_note(owner.group(2), lang)
        if inner != owner.group(2):
            from app.core.simulate.notewords import NOTES
            return NOTES["plugin_note"].get(lang, "{plugin}: {note}").format(plugin=owner.group(1), note=inner)
    return _rewrite(text, _step_note_words(lang), lambda v: step_note(v, lang) if " " in v else v)


@functools.lru_cache(maxsize=4)
def _evidence_words(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    """Every sentence the checks write from a template: evidence, and why a fix is left out."""
    from app.core.fix import SKIP_WORDS
    from app.core.rules.conditions.words import EVIDENCE
    return tuple((_pattern(w["en"]), w[lang]) for w in [*EVIDENCE.values(), *SKIP_WORDS.values()] if w.get(lang))


def _value_words(value: str, lang: str) -> str:
    """A value caught in an English sentence that is itself a sentence we have words for (the
    simulated outcome, "no plugin")."""
    from app.core.rules.conditions.words import EVIDENCE
    from app.core.verdict import outcome_texts
    for entry in [*outcome_texts().values(), *EVIDENCE.values()]:
        if isinstance(entry, dict) and entry.get("en") == value and entry.get(lang):
            return str(entry[lang])
    return value


def evidence_text(text: str, lang: str) -> str:
    """A sentence the checks wrote from a template (evidence, a fix left out of the set), in `lang`;
    anything else (quoted lines of the input) stays as it is."""
    return _rewrite(text, _evidence_words(lang), lambda v: _value_words(v, lang)) if lang != "en" else text


def localized(finding: Finding, lang: str) -> Finding:
    """The finding as a reader of `lang` sees it (English: itself)."""
    if lang == "en" or not lang:
        return finding
    words = finding.i18n.get(lang) or {}
    english = {"title": finding.title, "explanation": finding.explanation, "fix_summary": finding.fix_summary}
    out = replace(finding, i18n={**finding.i18n, "en": english}, title=_word(words, "title", finding.title, lang),
                  explanation=_word(words, "explanation", finding.explanation, lang),
                  fix_summary=_word(words, "fix_summary", finding.fix_summary, lang),
                  assumes={name: assumption(what, lang) for name, what in finding.assumes.items()},
                  evidence=[replace(e, text=evidence_text(e.text, lang)) if e.kind in GENERATED else e
                            for e in finding.evidence])
    if finding.fix is not None:
        out.fix = replace(finding.fix, summary=_word(words, "fix_summary", finding.fix.summary, lang),
                          manual=_manual(words, finding, finding.fix.manual))
    return out


def localized_all(findings: list[Finding], lang: str) -> list[Finding]:
    return [localized(f, lang) for f in findings]


def localized_diagnosis(diagnosis, lang: str):
    """A shallow copy of the diagnosis whose findings read in `lang`."""
    if diagnosis is None or lang == "en" or not lang:
        return diagnosis
    out = copy.copy(diagnosis)
    out.findings = localized_all(diagnosis.findings, lang)
    return out


def english(finding: Finding, key: str) -> str:
    """A finding's English words, also once it has been localized (matching against English
    pages needs them)."""
    return str((finding.i18n.get("en") or {}).get(key) or getattr(finding, key))
