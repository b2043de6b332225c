"""The words query analysis treats specially, read from kb/ as typed data.

kb/glossary.yaml: Chinese terms with their English, for search (`terms`) and for a question's
own terms (`question_terms`). kb/words.yaml: words that never tell two problems apart. Both are
re-read when the file changes, so an edit reaches a running app.
"""
from __future__ import annotations

import functools

from pydantic import BaseModel, ConfigDict, field_validator

from app.core.kbfile import load_kb


class Glossary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    terms: dict[str, str] = {}
    question_terms: dict[str, str] = {}

    @field_validator("terms", "question_terms", mode="before")
    @classmethod
    def _joined(cls, value):
        """A term's English may be written as a list of search words."""
        if not isinstance(value, dict):
            return value
        return {zh: " ".join(map(str, en)) if isinstance(en, list) else en for zh, en in value.items()}

    @functools.cached_property
    def longest_first(self) -> list[tuple[str, str]]:
        """(Chinese, English) pairs, longest Chinese term first, as matching needs them."""
        return sorted(self.terms.items(), key=lambda p: -len(p[0]))


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    generic: frozenset[str]
    common_english: frozenset[str]


def glossary() -> Glossary:
    return load_kb(Glossary, "glossary.yaml")


def words() -> Words:
    return load_kb(Words, "words.yaml")
