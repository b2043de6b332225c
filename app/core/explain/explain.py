"""One explanation per line that needs one (see select.py): emitter, hook, effect, source line."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial

from app.core.corereplies import core_default, core_message
from app.core.explain import effect
from app.core.explain.known import known_line
from app.core.explain.knownwords import core_says
from app.core.explain.match import Hit, Matcher
from app.core.explain.words import OTHER_LANGS, code, say, sentences
from app.core.logs.loud import RESULT_KINDS, category, message_text, reply_text, without_uuid
from app.core.messages import HARAKA, Message, MessageIndex, message_index
from app.core.model import LogEvent


@dataclass
class LineExplanation:
    """One explained line. The plain fields are English; `i18n` has the same sentences in the other
    languages: `{"zh": {"effect": ..., "crashed_in": ..., "means": ..., "fix": ...}}`, where `effect`
    is always there, `crashed_in` when a stack names the failing code, and `means` / `fix` (the
    `system` error's words) when the line holds an OS or library error. Computed when read, from the
    same facts as the English (`meaning` is the effect's sentence builder, bound to this line; one
    built without it repeats its English effect there)."""
    event: LogEvent
    category: str                    # error | refusal | reply | result; asked about: hook | summary | log
    text: str                        # the message part of the line
    emitter: str                     # plugin name, 'core', or the line's own tag when nothing matched
    hook: str | None
    effect: str
    message: Message | None = None   # the best match in the index
    others: list[Message] = field(default_factory=list)   # other messages the line could be
    in_version: bool = True          # False: only releases other than the user's have this message
    continues: bool = False          # a stack frame or a wrapped part of the line before it
    detail: str = ""                 # the error named in the continuation lines (Error: Cannot find ...)
    crashed_in: str = ""             # the first stack frame in a plugin's or Haraka's own code
    then: Message | None = None      # the reply the printing function gives right after (from the index)
    crash_frame: str = ""            # the stack frame `crashed_in` was read from
    meaning: Callable[[str], str] | None = field(default=None, repr=False, compare=False)  # lang -> effect

    @property
    def matched(self) -> bool:
        return self.message is not None

    @property
    def group(self) -> str:
        """Lines of one template (or, unmatched, of one emitter and text) form one group."""
        if self.message is not None:
            return self.message.id
        return f"{self.emitter}|{self.event.level or ''}|{_shape(self.text)}"

    @property
    def system(self):
        """What the OS/library error words in the line mean (ECONNREFUSED...), or None."""
        from app.core.explain.syserrors import system_error
        return system_error(f"{self.text} {self.detail}", "Haraka" if self.emitter == "core" else self.emitter)

    def source(self, version: str | None) -> str:
        return self.message.link(version) if self.message else ""

    @property
    def i18n(self) -> dict[str, dict[str, str]]:
        """The line's sentences in the other languages (see the class docstring)."""
        return {lang: self._words(lang) for lang in OTHER_LANGS}

    def _words(self, lang: str) -> dict[str, str]:
        out = {"effect": self.meaning(lang) if self.meaning else self.effect}
        if self.crash_frame:
            out["crashed_in"] = crash_site(self.crash_frame, lang)
        system = self.system
        if system is not None:
            out.update(system.i18n[lang])
        return out


def _shape(text: str) -> str:
    """Text with its numbers, addresses and ids blanked, so repeats of a line group together."""
    text = re.sub(r"<[^>]*>|\S+@\S+|\b[0-9a-f]{8,}(?:-[0-9a-f-]+)?\b|\d+(?:\.\d+)*", "#", text)
    return text[:160]


_matchers: dict[int, Matcher] = {}


def _matcher(index: MessageIndex) -> Matcher:
    key = id(index)
    if key not in _matchers:
        _matchers.clear()
        _matchers[key] = Matcher(index)
    return _matchers[key]


def explain_events(events: Iterable[LogEvent], version: str | None = None,
                   index: MessageIndex | None = None, *, quiet: bool = False) -> list[LineExplanation]:
    """Explain every line that needs it, in log order. `quiet`: also every quiet line whose meaning
    mxdoctor knows (known.py), for a line the user asks about; a log read in bulk leaves them out."""
    index = index or message_index()
    matcher = _matcher(index)
    out: list[LineExplanation] = []
    for ev in events:
        cat = category(ev)
        last = out[-1] if out else None
        if cat is None:
            if last is not None and _wrapped(ev, last):   # the rest of a line the paste wrapped
                out[-1] = _explain(replace(last.event, raw=f"{last.event.raw} {ev.raw.strip()}"), last.category,
                                   matcher, version, index)
            elif quiet:
                out.extend(_explain_known(ev, matcher, version, index))
            continue
        if last is not None and cat == "error" and _continues(ev, last):
            text = message_text(ev).strip()
            head = next(x for x in reversed(out) if not x.continues)
            if not head.detail and _ERROR_NAME.match(text) and text not in head.text:
                head.detail = text
            if not head.crashed_in:
                head.crashed_in = crash_site(text)
                head.crash_frame = text if head.crashed_in else ""
            out.append(replace(last, event=ev, text=text, continues=True))
        else:
            out.append(_explain(ev, cat, matcher, version, index))
    return out


# what Haraka prints after an error's first line: its stack frames and the fields of the error object
_CONTINUATION = re.compile(r"^(?:$|Require stack:|- [/.\w]|at \S|\^+$|[{}\[\]],?$|throw \w+;?$|[\w$]+: .*,$|[\w$]+: (?:-?\d+|'[^']*')$|"
                           r"\w*Error\b|node:\S+:\d+$|\.\.\. \d+ more)")


_ERROR_NAME = re.compile(r"\w*Error\b:? ")


# a stack frame: `at fn (/path/file.js:12:34)` or `at /path/file.js:12:34`
_FRAME = re.compile(r"^at (?:(?P<fn>[^()]+?) \()?(?P<path>[^()]*?\.[cm]?js):(?P<line>\d+)(?::\d+)?\)?$")
_PLUGIN_PATH = re.compile(r"(?:/node_modules/haraka-plugin-(?P<pkg>[\w.-]+)/(?P<rest>.+)|/plugins/(?P<own>[\w./-]+)\.js)$")


def crash_site(frame: str, lang: str = "en") -> str:
    """'the dkim_sign plugin (plugins/dkim_sign.js:120, get_key)' for the first frame in a plugin's code,
    'Haraka's outbound/index.js:55' for Haraka's own; '' for node's internals and other packages."""
    m = _FRAME.match(frame.strip())
    if m is None or m.group("path").startswith("node:"):
        return ""
    path, fn, line = m.group("path"), (m.group("fn") or "").strip(), m.group("line")
    fn = say(lang, "crash_fn", fn=code(lang, fn)) if fn and fn != "<anonymous>" else ""
    p = _PLUGIN_PATH.search(path)
    if p is not None:
        name = p.group("pkg") or p.group("own")
        file = p.group("rest") or f"plugins/{p.group('own')}.js"
        return say(lang, "crash_plugin", name=name, place=code(lang, f"{file}:{line}"), fn=fn)
    if "/Haraka/" in path or "/haraka/" in path:
        file = path.rsplit('/Haraka/', 1)[-1].rsplit('/haraka/', 1)[-1]
        return say(lang, "crash_core", place=code(lang, f"{file}:{line}"), fn=fn)
    return ""


def _wrapped(ev: LogEvent, last: LineExplanation) -> bool:
    """A line with no log format right after an unexplained loud line: the rest of it, wrapped."""
    return (ev.kind == "other" and ev.level is None and not last.matched and last.category == "error"
            and ev.file == last.event.file and ev.lineno == last.event.lineno + 1 and bool(ev.raw.strip()))


def continuation(text: str) -> bool:
    """Text of a stack frame or of an error object's fields (what follows an error's first line)."""
    return bool(_CONTINUATION.match(text.strip()))


def _continues(ev: LogEvent, last: LineExplanation) -> bool:
    """A line of the same error as the line just before it (same file, emitter, level, connection)."""
    prev = last.event
    if ev.file != prev.file or ev.lineno != prev.lineno + 1 or ev.level != prev.level or ev.origin != prev.origin:
        return False
    return ev.uuid == prev.uuid and continuation(message_text(ev))


Meaning = Callable[[str], str]        # lang -> what the line means for the mail (effect.py, bound to the line)
Parts = tuple[str, list[Hit], "str | None", "Meaning | None", str]   # text, hits, hook, meaning, the line's tag


def _refusal_parts(ev: LogEvent, matcher: Matcher, version: str | None) -> Parts:
    f = ev.fields
    text = without_uuid(f.get("msg", ""))
    hits = matcher.refusal(text, f.get("plugin"), f.get("retval", ""), version)
    return text, hits, f.get("hook"), partial(effect.refusal, f.get("retval", ""), f.get("hook")), \
        f.get("plugin") or ev.origin or "core"


def _reply_parts(ev: LogEvent, matcher: Matcher, version: str | None) -> Parts:
    """A 4xx/5xx Haraka sent; one of core's computed replies also says why core wrote it."""
    text = reply_text(ev)
    meaning, hits = partial(effect.reply, text[:3]), matcher.reply(text, version)
    shape = core_default(text[4:], code=text[:3])
    if shape is not None:
        meaning = partial(_with_core, meaning, shape.says, shape.hook)
        core = None if hits else core_message(shape, text[4:], version, matcher.index)
        hits = hits or ([Hit(core, False, not version or core.has_version(version), True)] if core else [])
    return text, hits, None, meaning, "core"


def _result_parts(ev: LogEvent, matcher: Matcher, version: str | None) -> Parts:
    """Core's summary of a step: its reply text may still name the plugin's message, or be one of
    core's computed replies ('I cannot deliver mail for <x>', kb/live/replies.yaml)."""
    code = ev.fields.get("code", "")
    text, hook = without_uuid(ev.fields.get("msg", "")), RESULT_KINDS[ev.kind]
    hits = matcher.refusal(text, None, code, version) if text.strip() else []
    shape = core_default(text) if not hits and text.strip() else None
    core = core_message(shape, text, version, matcher.index) if shape is not None else None
    if core is not None:
        hits = [Hit(core, False, not version or core.has_version(version), True)]
        return text, hits, hook, partial(_with_core, partial(effect.refusal, code, hook), shape.says, shape.hook), "core"
    return text, hits, hook, partial(effect.refusal, code, hook), "core"


def _with_core(meaning: Meaning, says: str, hook: str, lang: str) -> str:
    """A line's effect, then what the core computed reply it holds means."""
    return sentences(lang, meaning(lang), core_says(lang, says, hook))


def _explain_known(ev: LogEvent, matcher: Matcher, version: str | None, index: MessageIndex) -> list[LineExplanation]:
    """A quiet line mxdoctor knows (known.py) as an explanation; [] for any other."""
    k = known_line(ev, matcher, version, index)
    if k is None:
        return []
    in_version = k.message is None or not version or k.message.package != HARAKA or k.message.has_version(version)
    return [LineExplanation(ev, k.category, k.text, k.emitter, k.hook, k.meaning("en"), k.message, k.others,
                            in_version, meaning=k.meaning)]


def _error_parts(ev: LogEvent, matcher: Matcher, version: str | None) -> Parts:
    text = message_text(ev)
    return text, matcher.log_line(text, ev.origin, ev.level, version), None, None, ev.origin or "core"


PARTS = {"refusal": _refusal_parts, "reply": _reply_parts, "result": _result_parts, "error": _error_parts}


def _emitter(cat: str, tag: str, best: Hit | None, index: MessageIndex) -> str:
    """Who printed the line. Haraka's: the plugin the line names (core and the libraries a plugin
    inherits, like redis, log on its behalf; the message says which code it was), else core.
    WildDuck's and ZoneMTA's: the server, whatever npmlog prefix the line carries."""
    if cat in ("reply", "result"):
        return "core"
    if best is not None and index.server_of(best.message, None):
        return best.message.emitter
    named = tag if tag and tag != "-" and tag not in index.core_names else ""
    return named or (best.message.emitter if best else "core")


def _explain(ev: LogEvent, cat: str, matcher: Matcher, version: str | None, index: MessageIndex) -> LineExplanation:
    text, hits, hook, meaning, tag = PARTS[cat](ev, matcher, version)
    best: Hit | None = hits[0] if hits else None
    emitter = _emitter(cat, tag, best, index)
    if hook is None and best is not None and len(best.message.hooks) == 1 and best.message.hooks[0] != "any":
        hook = best.message.hooks[0]
    then = index.reply_after(best.message, version) if best is not None and cat == "error" else None
    if cat == "error":
        server = index.server_of(best.message if best else None, ev.origin)   # WildDuck, ZoneMTA
        meaning = partial(effect.log_line, ev.level or "", emitter, hook, best.message.kind if best else "log",
                          then, server)
    return LineExplanation(ev, cat, text, emitter, hook, meaning("en"),
                           best.message if best else None, [h.message for h in hits[1:4]],
                           best.in_version if best else True, then=then, meaning=meaning)
