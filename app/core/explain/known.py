"""Quiet lines whose meaning mxdoctor knows: a hook's answer whatever its retval, core's summary of
each step (sender, recipient, message, queue), connect and disconnect, a 2xx/3xx reply Haraka
sent, wildduck's RESOLVED / STORED.

Why: the bulk explainer (explain.py) explains only loud lines, since a pasted log is read for what
failed. A line the user asks about on its own (`messages explain`, the MCP tool, replay's log) is
a question about that line: `hook=rcpt plugin=rcpt_to.in_host_list retval=OK` at INFO is the
canonical silent bug (the plugin accepts, wildduck never checks), so it must be answered.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from app.core.corereplies import core_default, core_message
from app.core.explain.effect import stage
from app.core.explain.knownwords import core_says, say_known
from app.core.explain.match import Matcher
from app.core.logs.loud import message_text, reply_text, without_uuid
from app.core.messages import HARAKA, Message, MessageIndex
from app.core.model import LogEvent

# the connection.js functions that print each summary line (first: the one for an accepted step)
SUMMARY_FUNCTIONS = {"sender": ("mail_respond",), "recipient": ("rcpt_ok_respond", "rcpt_respond"),
                     "message": ("data_post_respond",), "queue": ("queue_ok_respond", "queue_respond")}
SUMMARY_HOOKS = {"sender": "mail", "recipient": "rcpt", "message": "data_post", "queue": "queue"}
PASSING = {"CONT", "OK"}
WILDDUCK = {"RESOLVED": ("wd_resolved", "rcpt"), "STORED": ("wd_stored", "queue")}


@dataclass
class Known:
    """What explain.py needs to build a LineExplanation for a quiet line."""
    category: str                       # hook | summary | reply | log
    text: str
    emitter: str
    hook: str | None
    meaning: Callable[[str], str]       # lang -> sentence
    message: Message | None = None
    others: list[Message] = field(default_factory=list)


def known_line(ev: LogEvent, matcher: Matcher, version: str | None, index: MessageIndex) -> Known | None:
    """The explanation parts of a quiet line mxdoctor knows, or None."""
    kind = ev.kind
    if kind == "hook_result":
        return _hook(ev, matcher, version)
    if kind in SUMMARY_FUNCTIONS:
        return _summary(ev, version, index)
    if kind in ("connect", "disconnect"):
        return _session(ev)
    if kind == "protocol" and ev.fields.get("direction") == "S" and ev.fields.get("code"):
        return _reply(ev, matcher, version, index)
    action = ev.fields.get("wildduck_action")
    if action in WILDDUCK and ev.fields.get("rcpt"):
        key, hook = WILDDUCK[action]
        hits = matcher.log_line(message_text(ev), ev.origin, ev.level, version)
        return Known("log", message_text(ev), "wildduck", hook,
                     partial(_words, key, {"rcpt": f"<{ev.fields['rcpt']}>"}), hits[0].message if hits else None)
    return None


def _words(key: str, slots: dict, lang: str) -> str:
    return say_known(lang, key, **slots)


def _hook_words(plugin: str, retval: str, hook: str, target: str, lang: str) -> str:
    aim = say_known(lang, "target", addr=target) if target else ""
    if retval == "OK":
        ok = say_known(lang, "hook_ok", plugin=plugin, hook=hook, target=aim, what=stage(hook, lang))
        return ok + (say_known(lang, "ok_rcpt") if hook == "rcpt" else "")
    if retval == "CONT":
        tail = f"cont_{hook}" if hook in ("rcpt", "queue", "queue_outbound") else "cont_other"
        return say_known(lang, "hook_cont", plugin=plugin, hook=hook, target=aim) + say_known(lang, tail)
    return say_known(lang, "hook_other", plugin=plugin, retval=retval, hook=hook, target=aim)


def _hook(ev: LogEvent, matcher: Matcher, version: str | None) -> Known:
    """A hook's answer: the plugin's own next(...) call is the source when the index has it."""
    f = ev.fields
    plugin, hook, retval = f.get("plugin") or "?", f.get("hook") or "?", (f.get("retval") or "").upper()
    text = without_uuid(f.get("msg", ""))
    hits = [h for h in matcher.refusal(text, plugin, retval, version) if h.own and hook in h.message.hooks]
    same = [h for h in hits if h.message.function == f.get("function")]
    hits = same or hits
    target = f"<{f['address']}>" if f.get("address") else ""
    return Known("hook", text, plugin, hook, partial(_hook_words, plugin, retval, hook, target),
                 hits[0].message if hits else None, [h.message for h in hits[1:4]])


def _summary_words(kind: str, f: dict, lang: str) -> str:
    code, msg = (f.get("code") or "").upper(), without_uuid(f.get("msg", ""))
    if kind == "recipient" and code == "OK":
        return say_known(lang, "rcpt_ok", rcpt=f"<{f.get('rcpt', '')}>")
    if kind == "sender" and code in PASSING:
        return say_known(lang, "sender_ok", sender=f"<{f.get('mail_from', '')}>", code=code)
    if kind == "message" and code in PASSING:
        return say_known(lang, "message", size=f.get("size", "?"), rcpts=f.get("rcpts", "?"), code=code)
    if kind == "queue":
        return say_known(lang, "queue_ok" if code == "OK" else "queue_cont", code=code, msg=msg)
    said = say_known(lang, "summary_msg", msg=msg) if msg else ""
    return say_known(lang, "summary", what=kind, code=code, msg=said)


def _summary(ev: LogEvent, version: str | None, index: MessageIndex) -> Known:
    """Core's summary of a step: printed by connection.js's respond function of that step."""
    msgs = [m for fn in SUMMARY_FUNCTIONS[ev.kind] for m in index.by_function.get((HARAKA, "connection.js", fn), ())
            if m.kind == "log" and m.level == "NOTICE"]
    msgs.sort(key=lambda m: bool(version) and not m.has_version(version))
    return Known("summary", without_uuid(ev.fields.get("msg", "")), "core", SUMMARY_HOOKS[ev.kind],
                 partial(_summary_words, ev.kind, dict(ev.fields)), msgs[0] if msgs else None, msgs[1:4])


def _session_words(kind: str, f: dict, lang: str) -> str:
    if kind == "connect":
        return say_known(lang, "connect", ip=f.get("ip", "?"), local=f"{f.get('local_ip', '?')}:{f.get('local_port', '?')}")
    lr = say_known(lang, "disconnect_lr", lr=f["lr"]) if f.get("lr") else ""
    return say_known(lang, "disconnect", txns=f.get("txns", "?"), rcpts=f.get("rcpts", "?"), msgs=f.get("msgs", "?"),
                     lr=lr)


def _session(ev: LogEvent) -> Known:
    return Known("summary", "", "core", None,
                 partial(_session_words, ev.kind, dict(ev.fields)))


def _reply(ev: LogEvent, matcher: Matcher, version: str | None, index: MessageIndex) -> Known | None:
    """A reply Haraka sent: one of core's computed replies (kb/live/replies.yaml), or a plugin's own text."""
    text, code = reply_text(ev), ev.fields["code"]
    body = text[4:] if text[:3] == code else text
    d = core_default(body, code=code)
    if d is not None:
        return Known("reply", text, "core", d.hook, partial(core_says, says=d.says, hook=d.hook),
                     core_message(d, body, version, index))
    hits = [h for h in matcher.reply(text, version) if h.exact]
    if not hits:
        return None
    m = hits[0].message
    hook = m.hooks[0] if len(m.hooks) == 1 and m.hooks[0] != "any" else "?"
    retval = m.code.split("|")[0] if m.code and not m.code.isdigit() else code
    key = "core_reply" if m.emitter == "core" else "plugin_reply"
    return Known("reply", text, m.emitter, None if hook == "?" else hook,
                 partial(_words, key, {"plugin": m.emitter, "retval": retval, "hook": hook}), m,
                 [h.message for h in hits[1:4]])
