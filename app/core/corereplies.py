"""Haraka core's computed replies (kb/live/replies.yaml), for every reader: the live attribution
and the log-line explainer alike.

Why one reader: "550 I cannot deliver mail for <x>" is core's default refusal whether it reaches
us as a live reply, a `S:` line of a log, a summary line's msg= or a pasted fragment; its shape,
the connection.js function that writes it and who decided the answer are data, read once here.
The message index (app.core.messages) has the source line of each function.
"""
from __future__ import annotations

import re

from pydantic import BaseModel

from app.core.kbfile import load_kb
from app.core.messages import HARAKA, Message, MessageIndex


class CoreDefault(BaseModel):
    stage: str
    code: str                 # a regex over the three digits
    pattern: str
    function: str             # the connection.js function that writes it
    hook: str
    decided: str              # core | accept | plugin
    says: str                 # the sentence key (app/live/words.py; app/core/explain/knownwords.py)


class Capabilities(BaseModel):
    core: list[str]
    roles: dict[str, str]


class Dsn(BaseModel):
    status: str               # the enhanced status code it writes: '5.1.1'
    text: str = ""            # its own text when the plugin gives none


class RepliesTable(BaseModel):
    strip: list[str]
    stage_hooks: dict[str, list[str]]
    defaults: list[CoreDefault]
    dsn: dict[str, Dsn]
    commands: dict[str, list[str]] = {}   # stage -> core's own cmd_* functions that reply at it
    capabilities: Capabilities


def replies_table() -> RepliesTable:
    return load_kb(RepliesTable, "live", "replies.yaml")


def clean_text(text: str, table: RepliesTable | None = None) -> str:
    """The reply's first line without what Haraka appends (ids) or prefixes (enhanced codes)."""
    first = text.split("\n", 1)[0].strip()
    for rx in (table or replies_table()).strip:
        first = re.sub(rx, "", first).strip()
    return first


def core_default(text: str, code: str | int | None = None, stage: str | None = None) -> CoreDefault | None:
    """The core reply shape `text` has (its code and stage narrow it when known), or None.
    Without a code, a shape that an empty text fits (the queue's 451) is not a match: an empty
    msg= says nothing about who answered."""
    table = replies_table()
    clean = clean_text(text, table)
    for d in table.defaults:
        if stage is not None and d.stage != stage:
            continue
        if code is not None and not re.fullmatch(d.code, str(code)):
            continue
        if code is None and not clean:
            continue
        if re.search(d.pattern, clean):
            return d
    return None


def core_message(d: CoreDefault, text: str, version: str | None, index: MessageIndex,
                 code: int | None = None) -> Message | None:
    """The index's reply message of the connection.js function that writes shape `d` (for its source
    line): the one whose template the text fits, in the user's release, first. `code`: the reply's
    own code, when known (a live reply), narrows it further than the shape's code pattern."""
    clean = clean_text(text)
    msgs = [m for m in index.by_function.get((HARAKA, "connection.js", d.function), ())
            if m.kind == "reply" and re.fullmatch(d.code, m.code or "") and (code is None or m.code == str(code))]
    msgs.sort(key=lambda m: (not m.pattern.match(clean), bool(version) and not m.has_version(version), m.id))
    return msgs[0] if msgs else None
