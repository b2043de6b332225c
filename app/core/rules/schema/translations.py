"""A translation must say the same thing in another language: the slots it fills are the English
ones, and it has a step for each manual step."""
from __future__ import annotations

from app.core.rules.schema.rulefile import RuleFile
from app.core.rules.schema.validate import SchemaProblem, dotted
from ingest.ruletext import SLOT_RE


def _slots(*texts: str | None) -> set[str]:
    return {m.group(1) for t in texts if t for m in SLOT_RE.finditer(t)}


def _where(words, slot: str) -> tuple:
    """Where in a translation `slot` is used (a field, or a manual step), for the error's line."""
    for field in ("title", "explanation", "fix_summary"):
        if slot in _slots(getattr(words, field)):
            return (field,)
    return next((("manual", i) for i, step in enumerate(words.manual or []) if slot in _slots(step)), ())


def check_translations(model: RuleFile) -> None:
    manual = [str(op["manual"]) for op in (model.fix.ops if model.fix else []) if "manual" in op]
    english = _slots(model.title, model.explanation, model.fix.summary if model.fix else "", *manual)
    for lang, words in model.i18n.items():
        used = _slots(words.title, words.explanation, words.fix_summary, *(words.manual or []))
        extra = sorted(used - english)
        if extra:
            loc = ("i18n", lang, *_where(words, extra[0]))
            there = ", ".join(f"{{{s}}}" for s in sorted(english))
            raise SchemaProblem(f"{dotted(loc)}: slot {{{extra[0]}}} is not in the English text; "
                                + (f"use the slots it has ({there})" if there else
                                   "the English text has no slots: write the words out"), loc)
        if words.manual is not None and len(words.manual) != len(manual):
            raise SchemaProblem(f"i18n.{lang}.manual: {len(words.manual)} step(s) for {len(manual)} manual fix "
                                "op(s); give one per op, in order", ("i18n", lang, "manual"))
