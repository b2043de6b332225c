"""One explanation per line that needs one (see select.py): emitter, hook, effect, source line."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from app.core.explain import effect
from app.core.explain.match import Hit, Matcher
from app.core.explain.select import category, message_text
from app.core.messages import Message, MessageIndex, message_index
from app.core.model import LogEvent


@dataclass
class LineExplanation:
    event: LogEvent
    category: str                    # error | refusal | reply
    text: str                        # the message part of the line
    emitter: str                     # plugin name, 'core', or the line's own tag when nothing matched
    hook: str | None
    effect: str
    message: Message | None = None   # the best match in the index
    others: list[Message] = field(default_factory=list)   # other messages the line could be
    in_version: bool = True          # False: only releases other than the user's have this message
    continues: bool = False          # a stack frame or a wrapped part of the line before it
    detail: str = ""                 # the error named in the continuation lines (Error: Cannot find ...)

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
                   index: MessageIndex | None = None) -> list[LineExplanation]:
    """Explain every line that needs it, in log order."""
    matcher = _matcher(index or message_index())
    out: list[LineExplanation] = []
    for ev in events:
        cat = category(ev)
        if cat is None:
            continue
        last = out[-1] if out else None
        if last is not None and cat == "error" and _continues(ev, last):
            text = message_text(ev).strip()
            head = next(x for x in reversed(out) if not x.continues)
            if not head.detail and _ERROR_NAME.match(text) and text not in head.text:
                head.detail = text
            out.append(replace(last, event=ev, text=text, continues=True))
        else:
            out.append(_explain(ev, cat, matcher, version))
    return out


# what Haraka prints after an error's first line: its stack frames and the fields of the error object
_CONTINUATION = re.compile(r"^(?:$|Require stack:|- [/.\w]|at \S|\^+$|[{}\[\]],?$|throw \w+;?$|[\w$]+: .*,$|[\w$]+: (?:-?\d+|'[^']*')$|"
                           r"\w*Error\b|node:\S+:\d+$|\.\.\. \d+ more)")


_ERROR_NAME = re.compile(r"\w*Error\b:? ")


def _continues(ev: LogEvent, last: LineExplanation) -> bool:
    """A line of the same error as the line just before it (same file, emitter, level, connection)."""
    prev = last.event
    if ev.file != prev.file or ev.lineno != prev.lineno + 1 or ev.level != prev.level or ev.origin != prev.origin:
        return False
    return ev.uuid == prev.uuid and bool(_CONTINUATION.match(message_text(ev).strip()))


def _explain(ev: LogEvent, cat: str, matcher: Matcher, version: str | None) -> LineExplanation:
    f = ev.fields
    if cat == "refusal":
        text = f.get("msg", "")
        hits = matcher.refusal(text, f.get("plugin"), f.get("retval", ""), version)
        hook = f.get("hook")
        meaning = effect.refusal(f.get("retval", ""), hook)
        tag = f.get("plugin") or ev.origin or "core"
    elif cat == "reply":
        text = f.get("text", "")
        hits = matcher.reply(text, version)
        hook, meaning, tag = None, effect.reply(f.get("code", "")), "core"
    else:
        text = message_text(ev)
        hits = matcher.log_line(text, ev.origin, ev.level, version)
        hook, tag = None, ev.origin or "core"
        meaning = ""
    best: Hit | None = hits[0] if hits else None
    emitter = best.message.emitter if best else tag
    if hook is None and best is not None and len(best.message.hooks) == 1 and best.message.hooks[0] != "any":
        hook = best.message.hooks[0]
    if cat == "error":
        kind = best.message.kind if best else "log"
        server = matcher.index.server_of(best.message if best else None, ev.origin)   # WildDuck, ZoneMTA
        meaning = effect.log_line(ev.level or "", emitter, hook, kind, server)
    return LineExplanation(ev, cat, text, emitter, hook, meaning,
                           best.message if best else None, [h.message for h in hits[1:4]],
                           best.in_version if best else True)
