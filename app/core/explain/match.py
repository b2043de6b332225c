"""Find the message(s) of the index a log line is: its emitter, and where that code is.

Why templates and not keywords: a template's literal parts must all be in the line, in order, for
the line to be that message; the longest literal part is a cheap pre-check, so a big log costs little.
The line's own tag (the plugin Haraka names) narrows the search first; Haraka's core, which logs on
behalf of plugins, is always a candidate. At the user's version, the messages it really has win.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.messages import HARAKA, LEVEL_RANK, Message, MessageIndex

MEMO_SIZE = 20_000  # a log repeats its lines: remember this many answers
MIN_CUT = 24        # a cut line shorter than this says too little to name its message
MIN_LITERAL = 6     # fewer fixed characters than this ("{}: {}") say nothing about which code printed a line
_REPLY_HEAD = re.compile(r"^\d{3}[ -](?:[245]\.\d{1,3}\.\d{1,3} )?")


@dataclass(frozen=True)
class Hit:
    message: Message
    own: bool              # the line's tag names this message's emitter
    in_version: bool       # the user's version has it (True when the version is unknown)
    exact: bool            # the template has enough literal text to tell it apart (not only computed parts)


def _reply_code(retval: str) -> set[str]:
    retval = retval.upper()
    if retval[:1] == "2":                 # a plugin's OK with a message of its own ("250 Message processed")
        return {"OK"}
    if retval[:1] in ("4", "5"):
        soft = retval[:1] == "4"
        return {"DENYSOFT", "DENYSOFTDISCONNECT"} if soft else {"DENY", "DENYDISCONNECT"}
    return {retval}


class Matcher:
    """Matches lines against one index; remembers answers, since a log repeats its lines."""

    def __init__(self, index: MessageIndex):
        self.index = index
        self.replies = [m for ms in index.by_emitter.values() for m in ms if m.kind == "reply"]
        self._memo: dict[tuple, list[Hit]] = {}
        # WildDuck's and ZoneMTA's logger adapters may print at another level than the call names
        self.haraka_style = {name for name, pkg in index.packages.items() if pkg.style == "haraka"}

    def log_line(self, text: str, origin: str | None, level: str | None, version: str | None) -> list[Hit]:
        return self._cached("log", text, origin or "", level or "", version or "")

    def refusal(self, text: str, plugin: str | None, retval: str, version: str | None) -> list[Hit]:
        return self._cached("refusal", text, plugin or "", retval, version or "")

    def reply(self, text: str, version: str | None) -> list[Hit]:
        return self._cached("reply", _REPLY_HEAD.sub("", text), "", text[:1], version or "")

    def _cached(self, what: str, text: str, origin: str, extra: str, version: str) -> list[Hit]:
        key = (what, text, origin, extra, version)
        hits = self._memo.get(key)
        if hits is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            hits = self._memo[key] = self._find(what, text, origin, extra, version)
        return hits

    def _pool(self, what: str, origin: str, extra: str) -> list[Message]:
        """The messages a line of this kind can be: logs by its tag, replies by their code."""
        if what == "log":         # a Haraka log call prints at its own level, always
            level = extra if extra in LEVEL_RANK else ""
            return [m for m in self.index.candidates(origin) if m.kind != "reply" and (
                not level or not m.level or m.level == level or m.package not in self.haraka_style)]
        if what == "refusal":
            codes = _reply_code(extra)
            return [m for m in self.index.candidates(origin) if m.kind == "reply" and _code_fits(m.code, codes)]
        codes = _reply_code(extra + "00")
        return [m for m in self.replies if _code_fits(m.code, codes) or m.code[:1] == extra]

    def _find(self, what: str, text: str, origin: str, extra: str, version: str) -> list[Hit]:
        pool = self._pool(what, origin, extra)
        hits = [h for h in (self._hit(m, text, origin, version) for m in pool if _fits(m, text)) if h.exact or h.own]
        if not any(h.exact for h in hits) and len(text) >= MIN_CUT:     # a line cut short in the paste?
            cut = [h for h in (self._hit(m, text, origin, version) for m in pool if _fits_cut(m, text)) if h.exact]
            hits = cut + hits
        level = extra if what == "log" and extra in LEVEL_RANK else None
        hits.sort(key=lambda h: (not h.exact, not h.own, not h.in_version,
                                 level is not None and h.message.level != level,
                                 -len(h.message.template.replace("{}", "")), h.message.id))
        return hits

    def _hit(self, m: Message, text: str, origin: str, version: str) -> Hit:
        own = self.index.owns(m, origin)        # its plugin, or its npmlog prefix (WildDuck, ZoneMTA)
        # `version` is Haraka's: a plugin's or library's releases are numbered on their own
        in_version = not version or m.package != HARAKA or m.has_version(version)
        literal = re.sub(r"\s|\{\}", "", m.template)
        return Hit(m, own, in_version, len(literal) >= MIN_LITERAL)


def _code_fits(code: str, codes: set[str]) -> bool:
    """A message's code ('DENY', 'DENY|DENYSOFT' for either, '' when computed) can be one of `codes`."""
    return not code or any(c in codes for c in code.split("|"))


def _fits_cut(m: Message, text: str) -> bool:
    """`text` is the start of this message, cut off somewhere (the paste wrapped or truncated it):
    the literal parts are found in order and the text ends inside one of them or a computed part."""
    parts = [p.replace("{{", "{").replace("}}", "}") for p in re.split(r"(?<!\{)\{\}(?!\})", m.template)]
    if len(parts[0].strip()) < MIN_LITERAL and len(parts) > 1:
        return False
    pos = 0
    for i, part in enumerate(parts):
        rest = text[pos:]
        if i == 0:
            if rest.startswith(part):
                pos = len(part)
                continue
            return part.startswith(rest) and len(rest) >= MIN_CUT
        at = rest.find(part) if part else 0
        if at < 0:
            return True                 # cut inside a computed part or inside this literal part
        pos += at + len(part)
    return False                        # the whole template fitted: that is a full match, not a cut


def _fits(m: Message, text: str) -> bool:
    if m.anchor and m.anchor not in text:
        return False
    return bool(m.pattern.match(text))
