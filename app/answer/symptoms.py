"""What the pasted log says went wrong, as words the search can use.

When no finding explains the question, the refusals in the log usually do: "why is mail to lin
rejected?" with a log full of `code=DENY msg="5.2.2 Mailbox full"` is a question about a full
mailbox. The distinct refusal texts (reply messages, the last reply of failed connections) are
added to what is searched and quoted from, never to what is checked.
"""
from __future__ import annotations

import re

from app.core.logs.verdicts import DENY_CODES, DENYSOFT_CODES

REFUSED = DENY_CODES.keys() | DENYSOFT_CODES.keys()
KINDS = {"recipient", "sender", "hook_result", "message", "queue"}
MAX_SYMPTOMS = 2
NOISE = re.compile(r"<[^>]*>|\S+@\S+|\b[0-9A-F]{8}-[0-9A-F-]{27,}\b(?:\.\d+)?|\(\s*\)")
LR_FAILED = re.compile(r"^[45]\d\d\b")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", NOISE.sub(" ", text)).strip(" .:-")


def log_symptoms(diagnosis) -> list[str]:
    """Up to two distinct refusal texts from the log, most frequent first."""
    if diagnosis is None or not getattr(diagnosis, "events", None):
        return []
    counts: dict[str, int] = {}
    for ev in diagnosis.events:
        f = ev.fields
        text = ""
        if ev.kind in KINDS and (f.get("code") in REFUSED or f.get("retval") in REFUSED):
            text = f.get("msg", "")
        elif ev.kind == "disconnect" and LR_FAILED.match(f.get("lr", "")):
            text = f["lr"]
        text = _clean(text)
        if len(text) >= 6:
            counts[text] = counts.get(text, 0) + 1
    return [t for t, _ in sorted(counts.items(), key=lambda kv: -kv[1])][:MAX_SYMPTOMS]
