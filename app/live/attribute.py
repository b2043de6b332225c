"""Who produced a live SMTP reply: Haraka's core or which plugin, at which hook, and how.

Why: "550 I cannot deliver mail for <x>" reads like a plugin's refusal, but it is core's default
when every plugin on the rcpt hook passed; "250 recipient <x> OK" is core's text for a plugin's
silent OK. The answer is derived from data: the message index (kb/messages, every reply text a
plugin or core writes, at each release), the shapes of core's computed replies and the stage ->
hook map (kb/live/replies.yaml), the catalog (which plugin registers which hook, which role adds
which EHLO capability), the admin's config/plugins (narrows the candidates) and, when given, the
simulator's step (names the plugin a default text hides). Nothing matched: 'unattributed'.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from app.core.catalog import load_catalog
from app.core.corereplies import CoreDefault, clean_text, core_message, replies_table
from app.core.explain import effect
from app.core.explain.match import Hit, Matcher
from app.core.localize import step_note
from app.core.messages import HARAKA, Message, MessageIndex, message_index
from app.core.model import Catalog, ConfigSet, HookStep
from app.live.capabilities import capability
from app.live.corereply import core_command
from app.live.smtp import Reply
from app.live.words import LANGS, names, say

UNATTRIBUTED = "unattributed"
_ENHANCED = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\s")
TIMEOUT_FUNCTION = "run_next_hook"      # plugins.js: core answers for a plugin that never called back


@dataclass
class Attribution:
    emitter: str                  # 'core', a plugin name, or 'unattributed'
    hook: str | None
    mechanism: str                # one or two sentences: how the reply came about (English)
    how: str                      # message | default | simulator | config | timeout | none
    confidence: str               # high | medium | low | none
    source: str = ""              # the code that writes the reply, at the admin's release
    message_id: str = ""
    candidates: list[str] = field(default_factory=list)
    capabilities: list[dict] = field(default_factory=list)    # EHLO: {name, emitter, says, i18n}
    i18n: dict[str, dict[str, str]] = field(default_factory=dict)
    says: str = ""                # the core default it matched (kb/live/replies.yaml `says`), if any

    def said(self, lang: str = "en") -> str:
        return self.i18n.get(lang, {}).get("mechanism", self.mechanism) if lang != "en" else self.mechanism

    def to_dict(self) -> dict:
        return asdict(self)


_matchers: dict[int, Matcher] = {}


def _matcher(index: MessageIndex) -> Matcher:
    if id(index) not in _matchers:
        _matchers.clear()
        _matchers[id(index)] = Matcher(index)
    return _matchers[id(index)]


class _Ctx:
    """What one attribution reads: the reply, its cleaned text, the stage's hooks and the config."""

    def __init__(self, reply: Reply, version: str | None, catalog: Catalog, config: ConfigSet | None,
                 step: HookStep | None, index: MessageIndex):
        self.reply, self.version, self.catalog, self.index = reply, version, catalog, index
        self.table = replies_table()
        self.text = clean_text(reply.text, self.table)
        enhanced = _ENHANCED.match(reply.text)
        self.status = enhanced.group(1) if enhanced else ""
        self.hooks = self.table.stage_hooks.get(reply.stage, [])
        self.listed = ([catalog.resolve(p.name) for p in config.plugins if not p.duplicate]
                       if config is not None and config.plugins else None)
        self.raw_step = step
        self.step = step if step is not None and _step_code(step) == reply.code else None

    def on_hooks(self, hooks: list[str]) -> list[str]:
        """Listed plugins that register one of `hooks` (catalog), in config/plugins order."""
        out = []
        for name in self.listed or []:
            info = self.catalog.get(name)
            regs = [h.hook for h in info.hooks] + [c.get("hook") for c in info.conditional_hooks] if info else []
            if any(h in hooks for h in regs) and name not in out:
                out.append(name)
        return out

    def hook_of(self, plugin: str | None, hooks: tuple[str, ...] = ()) -> str | None:
        """The stage's hook `plugin` answers on: of the message's hooks or else the catalog's
        registrations, the first in the stage's order; the stage's own hook when none fits."""
        info = self.catalog.get(plugin) if plugin and plugin != "core" else None
        own = [h for h in hooks if h != "any"] or ([h.hook for h in info.hooks] if info else [])
        return next((h for h in self.hooks if h in own), self.hooks[0] if self.hooks else None)

    def notes(self, plugin: str | None) -> list[str]:
        """The simulator's reasons for `plugin`'s answer ('example.com is listed in config/host_list')."""
        if self.step is None:
            return []
        if plugin:
            picked = [n for n in self.step.notes if n.startswith(f"{plugin}: ")]
        else:       # core's answer: the reasons each listed plugin passed
            picked = [n for n in self.step.notes if n.split(": ", 1)[0] in (self.listed or [])]
        return picked[:2]


def _because(lang: str, notes: list[str], plugin: str | None = None) -> str:
    """': <the simulator's reasons>' in `lang` ('' when it gave none); `plugin`'s own name is dropped."""
    if not notes:
        return ""
    said = [step_note(n, lang) for n in notes]
    if plugin:
        said = [n.removeprefix(f"{plugin}: ") for n in said]
    return say(lang, "because", why="; ".join(said))


def _step_code(step: HookStep) -> int | None:
    reply = step.reply or ""
    return int(reply[:3]) if reply[:3].isdigit() else None


def attribute(reply: Reply, *, version: str | None, catalog: Catalog | None = None, config: ConfigSet | None = None,
              step: HookStep | None = None, index: MessageIndex | None = None) -> Attribution:
    """Who produced `reply` and how. `step`: the simulator's step for this stage (compare.py), used
    only when its code agrees with the live one."""
    if reply.code is None:
        return _both(lambda lang: say(lang, "no_reply", why=reply.text), UNATTRIBUTED, None, "none", "none")
    ctx = _Ctx(reply, version, catalog or load_catalog(), config, step, index or message_index())
    att = (_from_default(ctx) or _from_message(ctx) or _from_dsn(ctx) or _from_core_command(ctx) or _from_step(ctx)
           or _unattributed(ctx))
    if reply.stage in ("ehlo", "ehlo_tls"):
        att.capabilities = [capability(line, ctx.table.capabilities, ctx.catalog, ctx.listed)
                            for line in reply.text.split("\n")[1:] if line.strip()]
    return att


def _both(words, emitter: str, hook: str | None, how: str, confidence: str, **extra) -> Attribution:
    """An Attribution with its mechanism in every language (`words`: lang -> sentence)."""
    return Attribution(emitter, hook, words("en"), how, confidence,
                       i18n={lang: {"mechanism": words(lang)} for lang in LANGS if lang != "en"}, **extra)


def _refusal(code: int, retval: str, hook: str | None, lang: str) -> str:
    """What a 4xx/5xx means for the mail (the line explainer's words); '' for 2xx/3xx."""
    if code < 400:
        return ""
    word = retval if retval.startswith("DENY") else ("DENYSOFT" if code < 500 else "DENY")
    return " " + effect.refusal(word, hook, lang)


def _retval(code: int) -> str:
    return "OK" if code < 400 else ("DENYSOFT" if code < 500 else "DENY")


def _core_link(ctx: _Ctx, d: CoreDefault) -> tuple[str, str]:
    m = core_message(d, ctx.reply.text, ctx.version, ctx.index, code=ctx.reply.code)
    return (_link(m, ctx), m.id) if m is not None else ("", "")


def _link(m: Message, ctx: _Ctx) -> str:
    """The message's source line at the server's Haraka release; a plugin package's own releases are
    numbered apart, so its newest indexed one."""
    return m.link(ctx.version if m.package == HARAKA else None)


def _from_default(ctx: _Ctx) -> Attribution | None:
    r = ctx.reply
    d = next((d for d in ctx.table.defaults if d.stage == r.stage and re.fullmatch(d.code, str(r.code))
              and re.search(d.pattern, ctx.text)), None)
    if d is None:
        return None
    source, mid = _core_link(ctx, d)
    hooks = ctx.table.stage_hooks.get(r.stage, [d.hook])
    if d.decided == "core" or (d.decided == "accept" and not (ctx.step and ctx.step.answered_by)):
        why = ctx.notes(None) if d.says == "no_rcpt_plugin" else []
        words = (lambda lang: say(lang, d.says, because=_because(lang, why))
                 + _refusal(r.code, "", d.hook, lang))
        return _both(words, "core", d.hook, "default", "high", source=source, message_id=mid, says=d.says)
    who, how, confidence, cands = _decider(ctx, hooks)
    why = ctx.notes(who) if who != UNATTRIBUTED else []

    def words(lang: str) -> str:
        who_words = say(lang, "the_plugin", plugin=who) if who != UNATTRIBUTED else say(lang, "a_plugin")
        tail = _because(lang, why, who) if why else _cands_words(lang, cands, who)
        return say(lang, "rcpt_ok" if d.says == "rcpt_ok" or d.says == "mail_ok" else d.says, who=who_words,
                   retval=_retval(r.code), hook=d.hook, because=tail) + _refusal(r.code, "", d.hook, lang)
    return _both(words, who, d.hook, how, confidence, source=source, message_id=mid, candidates=cands, says=d.says)


def _cands_words(lang: str, cands: list[str], who: str) -> str:
    if who != UNATTRIBUTED:
        return ""
    return say(lang, "candidates", names=names(lang, cands)) if cands else say(lang, "not_said")


def _decider(ctx: _Ctx, hooks: list[str], step: HookStep | None = None) -> tuple[str, str, str, list[str]]:
    """The plugin behind a default text: the simulator's answer, else the one listed plugin on the hook."""
    step = step or ctx.step
    if step is not None and step.answered_by:
        return step.answered_by, "simulator", "high", ctx.on_hooks(hooks)
    for some in (hooks[:1], hooks):           # the stage's own hook first (queue before data_post)
        cands = ctx.on_hooks(some)
        if len(cands) == 1:
            return cands[0], "config", "medium", cands
    return UNATTRIBUTED, "none", "low", ctx.on_hooks(hooks)


def _hits(ctx: _Ctx) -> list[Hit]:
    hits = [h for h in _matcher(ctx.index).reply(f"{ctx.reply.code} {ctx.text}", ctx.version) if h.exact]
    hits = [h for h in hits if _fits_stage(h.message, ctx)]
    if ctx.listed is not None:
        mine = [h for h in hits if h.message.emitter == "core" or ctx.catalog.resolve(h.message.emitter) in ctx.listed]
        hits = mine or hits
    return sorted(hits, key=lambda h: not h.in_version)


def _fits_stage(m: Message, ctx: _Ctx) -> bool:
    hooks = [h for h in m.hooks if h != "any"]
    if not hooks:
        info = ctx.catalog.get(m.emitter) if m.emitter != "core" else None
        hooks = [h.hook for h in info.hooks] if info else []
    return not hooks or any(h in ctx.hooks for h in hooks)


def _from_message(ctx: _Ctx) -> Attribution | None:
    hits = _hits(ctx)
    if not hits:
        return None
    m, r = hits[0].message, ctx.reply
    hook = ctx.hooks[0] if m.emitter == "core" and ctx.hooks else ctx.hook_of(m.emitter, m.hooks)
    others = sorted({h.message.emitter for h in hits} - {m.emitter})
    confidence = "high" if not others and hits[0].in_version else "medium"
    extra = {"source": _link(m, ctx), "message_id": m.id, "candidates": others}
    if m.function == TIMEOUT_FUNCTION:
        return _timeout(ctx, extra)
    if m.emitter == "core":
        return _core_message(ctx, m, hook, confidence, extra)
    why = ctx.notes(m.emitter)

    def words(lang: str) -> str:
        retval = m.code if m.code and not m.code[:1].isdigit() else _retval(r.code)
        because = _because(lang, why, m.emitter)
        return say(lang, "plugin_said", who=m.emitter, retval=retval.split("|")[0], hook=hook, because=because) \
            + _refusal(r.code, m.code.split("|")[0], hook, lang)
    return _both(words, m.emitter, hook, "message", confidence, **extra)


def _core_message(ctx: _Ctx, m: Message, hook: str | None, confidence: str, extra: dict) -> Attribution:
    def words(lang: str) -> str:
        where = say(lang, "core_hook", hook=hook) if hook else ""
        return say(lang, "core_wrote", function=m.function, hook=where) + _refusal(ctx.reply.code, m.code, hook, lang)
    return _both(words, "core", hook, "message", confidence, **extra)


def _from_core_command(ctx: _Ctx) -> Attribution | None:
    """A reply core writes itself while reading the command (app/live/corereply.py)."""
    m = core_command(ctx.index, ctx.table.commands.get(ctx.reply.stage, []), ctx.reply.code, ctx.text, ctx.version)
    if m is None:
        return None
    confidence = "high" if not ctx.version or m.has_version(ctx.version) else "medium"
    return _core_message(ctx, m, ctx.hooks[0] if ctx.hooks else None, confidence,
                         {"source": _link(m, ctx), "message_id": m.id})


def _dsn_candidates(ctx: _Ctx) -> tuple[list[Message], list[str]]:
    """The dsn messages this reply can be at this stage, and their plugins (the listed ones when known)."""
    if not ctx.status:
        return [], []
    tail = ctx.status.split(".", 1)[1]        # the class digit follows the reply code a plugin chose
    names = {name for name, d in ctx.table.dsn.items()
             if d.status.split(".", 1)[1] == tail and (not d.text or d.text == ctx.text)}
    msgs = [m for m in ctx.index.by_function_dsn(names) if _fits_stage(m, ctx)] if names else []
    emitters = sorted({m.emitter for m in msgs})
    by_text = any(ctx.table.dsn[n].text for n in names)    # its own words, not only a status code
    if ctx.listed is not None:
        listed = [e for e in emitters if ctx.catalog.resolve(e) in ctx.listed]
        return msgs, listed or (emitters if by_text else [])
    return msgs, emitters if by_text else []   # a status code alone ('5.7.1 <any text>') names no plugin


def _from_dsn(ctx: _Ctx) -> Attribution | None:
    """A reply a plugin wrote through haraka-dsn ('550 5.1.1 No such user'): its enhanced status code
    (and text, where the function has its own) names the dsn function; the index says which
    plugins call it at this stage; config/plugins or the simulator picks among them."""
    msgs, emitters = _dsn_candidates(ctx)
    if not emitters:
        return None
    step = ctx.step
    who = (step.answered_by if step is not None and step.answered_by in emitters
           else emitters[0] if len(emitters) == 1 else UNATTRIBUTED)
    named = who != UNATTRIBUTED
    m = next((m for m in msgs if m.emitter == who), msgs[0])
    hook, why = ctx.hook_of(m.emitter, m.hooks), ctx.notes(who) if named else []

    def words(lang: str) -> str:
        who_words = say(lang, "the_plugin", plugin=who) if named else say(lang, "a_plugin")
        tail = _because(lang, why, who) if why else _cands_words(lang, emitters, who)
        return say(lang, "dsn_said", who=who_words, retval=_retval(ctx.reply.code), hook=hook, dsn=m.dsn,
                   status=ctx.status, because=tail) + _refusal(ctx.reply.code, "", hook, lang)
    return _both(words, who, hook, "dsn", "high" if named else "low", candidates=emitters,
                 source=_link(m, ctx) if named else "", message_id=m.id if named else "")


def _timeout(ctx: _Ctx, extra: dict) -> Attribution:
    """'plugin timeout': core answered for a plugin on this stage's hooks that never called back: the
    one the simulator expects to answer there (its own prediction is then moot), else the listed one."""
    who, how, confidence, cands = _decider(ctx, ctx.hooks, ctx.raw_step)
    hook = ctx.hook_of(who if who != UNATTRIBUTED else None)
    extra["candidates"] = cands

    def words(lang: str) -> str:
        who_words = say(lang, "the_plugin", plugin=who) if who != UNATTRIBUTED else say(lang, "a_plugin")
        return say(lang, "timeout", who=who_words, hook=hook, cands=_cands_words(lang, cands, who))
    return _both(words, who, hook, "timeout" if who == UNATTRIBUTED else how, confidence, **extra)


def _from_step(ctx: _Ctx) -> Attribution | None:
    """A text the index does not have (a plugin's message set in its config), but the simulator,
    reading that config, predicts this very code from a named plugin."""
    step = ctx.step
    if step is None or not step.answered_by:
        return None
    why = ctx.notes(step.answered_by)

    def words(lang: str) -> str:
        because = _because(lang, why, step.answered_by)
        return say(lang, "plugin_said", who=step.answered_by, retval=step.retval, hook=step.hook, because=because) \
            + _refusal(ctx.reply.code, step.retval, step.hook, lang)
    return _both(words, step.answered_by, step.hook, "simulator", "medium")


def _unattributed(ctx: _Ctx) -> Attribution:
    cands = ctx.on_hooks(ctx.hooks)
    return _both(lambda lang: say(lang, "unattributed"), UNATTRIBUTED, ctx.hooks[0] if ctx.hooks else None,
                 "none", "none", candidates=cands)
