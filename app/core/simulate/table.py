"""kb/simulator/behaviours.yaml, typed: what each plugin answers at each hook, in which case.

The schema checks the data against the models it names (app/core/simulate/models.py): a
behaviour gives either one answer `always`, or a `model` with an answer for each of its cases and
the config names it `reads`; texts may only fill in the values the model gives. A slip fails
when the file is loaded, naming the file and the key.
"""
from __future__ import annotations

import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from app.core.kbfile import load_kb
from app.core.simulate.context import SECTION_RE, SETTING_RE, Decision, SimContext
from app.core.simulate.models import FILE, MODELS, NAMES, SECTION, SETTING, Model

Code = Literal["CONT", "OK", "DENY", "DENYSOFT", "UNKNOWN"]
ALWAYS_VALUES = ("plugin", "hook")     # every text may name the plugin and the hook
FILE_RE = re.compile(r"^[\w.\-/]+$")


class Answer(BaseModel):
    """One answer of a plugin at a hook: the code, the reply text, and the words shown with it."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    answer: Code
    msg: str = ""            # the reply text; empty for Haraka's default one
    depends: str = ""        # what this answer rests on
    depends_zh: str = ""     # the same in Chinese (same placeholders); app.core.localize reads it
    note: str = ""
    note_zh: str = ""        # the note in Chinese (same placeholders); app.core.localize reads it
    could: list[Code] = []   # the answers it may give instead, when the outside world decides
    assumes: dict[str, str] = {}   # config file not given -> what this answer assumed of it
    assumes_zh: dict[str, str] = {}   # the same in Chinese (same placeholders); app.core.localize reads it

    def decision(self, values: dict[str, str]) -> Decision:
        return Decision(self.answer, self.msg.format(**values), self.depends.format(**values),
                        self.note.format(**values), list(self.could),
                        {name: what.format(**values) for name, what in self.assumes.items()})

    def placeholders(self) -> set[str]:
        texts = [self.msg, self.depends, self.depends_zh, self.note, self.note_zh, *self.assumes.values()]
        return {field for text in texts for _, field, _, _ in string.Formatter().parse(text) if field}


def _check_placeholders(answer: Answer, allowed: tuple[str, ...], where: str) -> None:
    unknown = answer.placeholders() - set(allowed)
    if unknown:
        raise ValueError(f"{where} uses {', '.join(sorted('{' + u + '}' for u in unknown))}; "
                         f"it may use {', '.join('{' + a + '}' for a in allowed)}")


def _check_reads(spec: Model, reads: dict[str, str | list[str]]) -> None:
    if set(reads) != set(spec.reads):
        raise ValueError(f"reads must name exactly {', '.join(sorted(spec.reads)) or 'nothing'}")
    for name, kind in spec.reads.items():
        value = reads[name]
        ok = isinstance(value, list) if kind == NAMES else isinstance(value, str) and bool(
            {FILE: FILE_RE, SECTION: SECTION_RE, SETTING: SETTING_RE}[kind].match(value))
        if not ok:
            shape = {FILE: "a file name", SECTION: "`file.ini [section]`",
                     SETTING: "`file.ini [section] key`", NAMES: "a list of names"}[kind]
            raise ValueError(f"reads.{name} must be {shape}")


class Behaviour(BaseModel):
    """How one plugin decides at some hooks: always the same, or by a model's cases."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    hooks: list[str] = Field(min_length=1)
    always: Answer | None = None
    model: str | None = None
    reads: dict[str, str | list[str]] = {}
    answers: dict[str, Answer] = {}

    @model_validator(mode="after")
    def _fits_its_model(self) -> Behaviour:
        if self.always is not None:
            if self.model or self.reads or self.answers:
                raise ValueError("give either `always` or a `model` with `answers`, not both")
            _check_placeholders(self.always, ALWAYS_VALUES, "always")
            return self
        spec = MODELS.get(self.model or "")
        if spec is None:
            raise ValueError(f"model {self.model!r} is not one of {', '.join(sorted(MODELS))}")
        if set(self.answers) != set(spec.cases):
            raise ValueError(f"answers must cover exactly the cases of {self.model}: {', '.join(spec.cases)}")
        _check_reads(spec, self.reads)
        for case, answer in self.answers.items():
            _check_placeholders(answer, ALWAYS_VALUES + spec.values, f"answers.{case}")
        return self

    def decide(self, plugin: str, hook: str, ctx: SimContext) -> Decision:
        values = {"plugin": plugin, "hook": hook}
        if self.always is not None:
            return self.always.decision(values)
        case, found = MODELS[self.model].run(ctx, self.reads)
        return self.answers[case].decision({**values, **found})


class DenyReply(BaseModel):
    """The SMTP codes for DENY and DENYSOFT at a hook, and the text when the plugin gives none."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    deny: int
    denysoft: int
    text: str


class BehaviourTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    non_decisive_hooks: frozenset[str]
    observer_roles: frozenset[str]
    plugins: dict[str, list[Behaviour]]
    outside_world: dict[str, Answer]
    unmodelled: Answer
    deny_replies: dict[str, DenyReply]
    deny_reply_otherwise: DenyReply
    _at: dict[tuple[str, str], Behaviour] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> BehaviourTable:
        for name, answer in [*self.outside_world.items(), ("unmodelled", self.unmodelled)]:
            _check_placeholders(answer, ALWAYS_VALUES, name)
        for plugin, behaviours in self.plugins.items():
            for behaviour in behaviours:
                for hook in behaviour.hooks:
                    if (plugin, hook) in self._at:
                        raise ValueError(f"plugins.{plugin}: hook {hook} is given twice")
                    self._at[(plugin, hook)] = behaviour
        return self

    def answers(self) -> list[Answer]:
        """Every answer the table gives (for the words a reader sees, in any language)."""
        out = [*self.outside_world.values(), self.unmodelled]
        return out + [a for bs in self.plugins.values() for b in bs
                      for a in [*b.answers.values(), *([b.always] if b.always else [])]]

    def at(self, plugin: str, hook: str) -> Behaviour | None:
        return self._at.get((plugin, hook))

    def deny_reply(self, hook: str) -> DenyReply:
        return self.deny_replies.get(hook, self.deny_reply_otherwise)


def behaviour_table() -> BehaviourTable:
    return load_kb(BehaviourTable, "simulator", "behaviours.yaml")
