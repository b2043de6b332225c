"""Replies Haraka's core writes while it reads a command, before any hook runs (`cmd_rcpt`'s
'501 Invalid RCPT TO address <x>: <why>') or with too little fixed text for the line matcher to
tell apart (2.8's EHLO '<host> Hello <client>Haraka is at your service.', indexed as '{} Hello {}').

Why apart from the message matcher: these are told by *where* they can come from, not by their
text alone: only core's functions for the stage (kb/live/replies.yaml `commands`), at the reply's
very code, are candidates; a code a plugin cannot make the core write for it (501, 503, 555, ...)
from a cmd_* function is core's own even when the index holds only its computed shape ('{}').
"""
from __future__ import annotations

import re

from app.core.messages import HARAKA, Message, MessageIndex

FILE = "connection.js"


def _fits(m: Message, text: str) -> int:
    """How `text` is this message: 3 its template matches whole, 2 its fixed text is the start and
    a computed detail follows (a later release appends the parser's reason), 1 the message is all
    computed in a command parser, 0 not at all."""
    if m.pattern.match(text):
        return 1 if m.template.strip() == "{}" else 3
    literal = m.template
    if "{}" not in literal and len(literal) >= 6 and re.match(re.escape(literal) + r"[\s:]", text):
        return 2
    return 0


def core_command(index: MessageIndex, functions: list[str], code: int, text: str,
                 version: str | None) -> Message | None:
    """The core message among `functions`' replies with this code that `text` is, the server's
    release first, then the closest fit; None when none of them can be it."""
    best: tuple | None = None
    for function in functions:
        for m in index.by_function.get((HARAKA, FILE, function), ()):
            if m.kind != "reply" or m.code != str(code):
                continue
            fit = _fits(m, text)
            if fit == 1 and not function.startswith("cmd_"):
                continue                   # a *_respond '{}' relays a plugin's own message
            if fit:
                rank = (bool(version) and m.has_version(version), fit)
                if best is None or rank > best[0]:
                    best = (rank, m)
    return best[1] if best else None
