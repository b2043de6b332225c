"""What a line means for the mail, in words an admin acts on.

Why: "retval=DENYSOFT" is a fact; "the sender keeps the message and retries, so it arrives late or
bounces after days" is what the admin needs. The wording follows Haraka's semantics of hook results
(see the haraka-hook-flow note): the first OK or DENY* ends a hook; a plugin that logs an error and
calls next() without a code lets the next plugin run.

Each function decides which sentence a line gets and returns it in `lang`; the sentences themselves
are in words.py, one column per language.
"""
from __future__ import annotations

from app.core.explain.words import STAGE, WORDS, quoted, say, sentences


def stage(hook: str | None, lang: str = "en") -> str:
    """The step a hook answers for: 'RCPT TO (this recipient)', 'the data_post step'."""
    if hook and hook in STAGE[lang]:
        return STAGE[lang][hook]
    return say(lang, "stage_hook", hook=hook) if hook else say(lang, "stage_none")


def refusal(code: str, hook: str | None, lang: str = "en") -> str:
    what = stage(hook, lang)
    code = code.upper()
    if code.startswith("DENYSOFT"):
        text = say(lang, "refused_soft", what=what)
    elif code == "DISCONNECT":
        text = say(lang, "dropped", what=what)
    else:
        text = say(lang, "refused_hard", what=what)
    closed = code.endswith("DISCONNECT") and code != "DISCONNECT"
    return sentences(lang, text, say(lang, "then_closed") if closed else "")


def reply(code: str, lang: str = "en") -> str:
    return say(lang, "reply_soft" if code[:1] == "4" else "reply_hard")


def log_line(level: str, emitter: str, hook: str | None, kind: str, then=None, server: str | None = None,
             lang: str = "en") -> str:
    if server:
        return stack_line(level, server, hook, kind, lang)
    where = say(lang, "where_hook", hook=hook) if hook and hook != "any" else ""
    who = say(lang, "who_core") if emitter == "core" else say(lang, "who_plugin", emitter=emitter)
    if then is not None:             # the code that printed it answers right after: say what the client got
        tpl = then.template.replace('{}', '…')
        said = say(lang, "said_reply", text=quoted(lang, tpl)) if then.template.strip() else ""
        printed = say(lang, "printed_then", who=who, where=where, said=said,
                      codes=then.code.replace('|', WORDS[lang]["or"]))
        return sentences(lang, printed, refusal(then.code.split("|")[-1], hook, lang))
    if kind == "throw":
        key = "log_throw"
    elif level in ("CRIT", "ALERT", "EMERG"):
        key = "log_crit"
    elif level == "ERROR":
        key = "log_error"
    else:
        key = "log_warn"
    return say(lang, key, who=who, where=where)


def stack_line(level: str, server: str, hook: str | None, kind: str, lang: str = "en") -> str:
    """A line WildDuck or ZoneMTA printed (`server`: 'WildDuck (LMTP)'), or an error its API answers."""
    where = say(lang, "stack_where", hook=hook) if hook and hook != "any" else ""
    if kind == "api":
        key = "stack_api"
    elif kind == "throw":
        key = "stack_throw"
    elif level in ("ERROR", "CRIT", "ALERT", "EMERG"):
        key = "stack_error"
    else:
        key = "stack_warn"
    return say(lang, key, server=server, where=where)
