"""Log line formats, and the one place that tells which format a line is in.

A format is a module in this package (found by itself) with these names:
    NAME          what the triage counts its lines as ("default", "json", "logfmt")
    RANK          the order in which detect() asks the formats, most common first
    LEVEL_MARK    a regex for how its lines show their level anywhere in a line, to tell a pasted
                  block is a log (`has_level_mark()`)
    claims(text)  whether `text` (a line without shipper prefixes) is in this format; a cheap
                  test, because it runs on every line of logs of hundreds of megabytes
    parse(text)   (level, uuid, origin, message, extras) of a line it claims, or None when the
                  line is malformed; `extras` holds the keys beside the message (JSON), None
                  when the facts are in the message text
`detect()` offers a line to the formats by RANK; the first that claims it reads it. The parser
and the prefix stripper (a prefix ends where a format's line begins) ask `detect()`, and the
triage counts lines by the NAME of the format the parser found, so none of them knows any
format's syntax. (Two shortcuts for DEFAULT lines live in haraka_default: the triage's count of
WildDuck GELF echoes and the timeline's message text.)

To add a format: write its module here and its tests; nothing else changes
(tests/test_log_formats.py shows a format registered at test time being read everywhere).
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from typing import Protocol

Head = tuple[str, str, str, str, dict[str, str] | None]   # level, uuid ("-": none), origin, message, extras


class LogFormat(Protocol):
    NAME: str
    RANK: int
    LEVEL_MARK: str

    def claims(self, text: str) -> bool: ...

    def parse(self, text: str) -> Head | None: ...


def _discover() -> list[LogFormat]:
    """Every module of this package is a format; they are asked in the order of their RANK."""
    mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]
    return sorted(mods, key=lambda mod: mod.RANK)


FORMATS: list[LogFormat] = _discover()


def detect(text: str) -> LogFormat | None:
    """The format `text` is in (a line without shipper prefixes), or None when no format claims it."""
    for fmt in FORMATS:
        if fmt.claims(text):
            return fmt
    return None


def has_level_mark(line: str) -> bool:
    """Whether any format's level mark is anywhere in `line`: a pasted or uploaded block is a log
    when most of its lines have one (wrapped and cut lines included, which `detect` would not claim)."""
    return bool(_level_marks(tuple(FORMATS)).search(line))


@functools.lru_cache(maxsize=4)
def _level_marks(formats: tuple) -> re.Pattern:
    return re.compile("|".join(fmt.LEVEL_MARK for fmt in formats), re.I)
