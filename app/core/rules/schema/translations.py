"""A translation must say the same thing in another language: the slots it fills are the English
ones, and it has a step for each manual step."""
from __future__ import annotations

from app.core.rules.schema.rulefile import RuleFile
from app.core.rules.schema.validate import SchemaProblem
from ingest.ruletext import SLOT_RE


def _slots(*texts: str | None) -> set[str]:
    return {m.group(1) for t in texts if t for m in SLOT_RE.finditer(t)}


def check_translations(model: RuleFile) -> None:
    manual = [str(op["manual"]) for op in (model.fix.ops if model.fix else []) if "manual" in op]
    english = _slots(model.title, model.explanation, model.fix.summary if model.fix else "", *manual)
    for lang, words in model.i18n.items():
        used = _slots(words.title, words.explanation, words.fix_summary, *(words.manual or []))
        extra = sorted(used - english)
        if extra:
            raise SchemaProblem(f"i18n.{lang}: slot {{{extra[0]}}} is not in the English text "
                                f"(slots there: {', '.join(sorted(english)) or 'none'})", ("i18n", lang))
        if words.manual is not None and len(words.manual) != len(manual):
            raise SchemaProblem(f"i18n.{lang}.manual: {len(words.manual)} step(s) for {len(manual)} manual fix "
                                "op(s); give one per op, in order", ("i18n", lang, "manual"))
