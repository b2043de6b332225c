"""Text that is not ours, made inert in Markdown: shown as written, never live HTML, a link or an image.

Pasted files, logs and ingested pages reach Markdown through rule slots, quotes and answers.
Escaping a few characters is not enough when the text may itself hold Markdown: a backslash, a
backtick or a line break changes how the next character is read. So `neutralize` walks the text
the way a CommonMark reader does — backslash pairs, code spans (kept verbatim: nothing in them
is live), fenced blocks at the start of a line — and escapes, everywhere else, every character
that can open HTML or a link: `<` (raw HTML, autolinks), `[` and `]` (links, images, reference
definitions, footnotes, Streamlit's `:color[...]`), stray backticks, and `$` (math) for the app.
A caller may keep a few constructs it has checked itself (`keep`: the app's safe links and `[n]`).
No Streamlit or Markdown package is needed: the core and the light install use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

FENCE_RE = re.compile(r"(`{3,}|~{3,})([^\n]*)")
CLOSE_RE = r"^ {{0,3}}{char}{{{n},}}[ \t]*$"
URL_SAFE = ":/?#@!$&'*+,;=%-._~"          # RFC 3986 reserved and unreserved, less ()[] and quotes


@dataclass(frozen=True)
class Mode:
    """How strictly to escape. `html`: plain text, shown exactly as typed (exports): & and > as
    entities too, and a backslash is a character, not an escape; `cell`: inside a table row (|
    escaped, one line); `fences`: fenced blocks at the start of a line are code (only when the text
    starts a line of its own); `dollar`: escape $ (math)."""
    html: bool = False
    cell: bool = False
    fences: bool = True
    dollar: bool = False


Keep = Callable[[str, int, Mode], "tuple[str, int] | None"]


def _escape(c: str, mode: Mode) -> str:
    if c in "[]":
        return "\\" + c
    if c == "<":
        return "&lt;"
    if c == ">" and mode.html:
        return "&gt;"
    if c == "&" and mode.html:
        return "&amp;"
    if c == "|" and mode.cell:
        return "\\|"
    if c == "$" and mode.dollar:
        return "\\$"
    return c


def _fence(text: str, i: int) -> int | None:
    """End of a fenced block opening at `i` (a line start), or None when none opens there."""
    m = FENCE_RE.match(text, i)
    if not m or (m.group(1)[0] == "`" and "`" in m.group(2)):
        return None
    char, n = re.escape(m.group(1)[0]), len(m.group(1))
    close = re.compile(CLOSE_RE.format(char=char, n=n), re.M).search(text, m.end())
    if close is None:
        return len(text)                # an unclosed fence runs to the end, as in CommonMark
    nl = text.find("\n", close.end())
    return len(text) if nl < 0 else nl + 1


def _code_span(text: str, i: int, run: int) -> int | None:
    """End of an inline code span whose opening run of `run` backticks starts at `i`: the next run
    of exactly that length on the same line, with no `|` between (a table would split it)."""
    j = i + run
    while j < len(text) and text[j] not in "\n|":
        if text[j] == "`":
            k = j
            while k < len(text) and text[k] == "`":
                k += 1
            if k - j == run:
                return k
            j = k
        else:
            j += 1
    return None


def neutralize(text: str, mode: Mode = Mode(), keep: Keep | None = None) -> str:
    """`text` with every construct that could become HTML, a link or an image made literal."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    if mode.cell:
        text = text.replace("\n", " ")
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if mode.fences and (i == 0 or text[i - 1] == "\n"):
            end = _fence(text, i)
            if end is not None:
                out.append(text[i:end])
                i = end
                continue
        c = text[i]
        if c == "\\":
            if mode.html or i + 1 == n:             # plain text, or a lone one at the end: a character
                out.append("\\\\")
                i += 1
            else:                                   # Markdown: a pair stays a pair
                out.append(text[i:i + 2])
                i += 2
            continue
        if c == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = _code_span(text, i, run)
            out.append(text[i:end] if end else "\\`" * run)
            i = end or i + run
            continue
        kept = keep(text, i, mode) if keep and c in "![" else None
        if kept:
            out.append(kept[0])
            i = kept[1]
            continue
        out.append(_escape(c, mode))
        i += 1
    return "".join(out)


def md_text(text: str) -> str:
    """User text inside an export's prose: HTML-escaped, no links, no fences (it may start mid-line)."""
    return neutralize(str(text), Mode(html=True, fences=False))


def md_cell(text: str) -> str:
    """User text inside a Markdown table cell."""
    return neutralize(str(text), Mode(html=True, fences=False, cell=True))


def md_code(text: str, cell: bool = False) -> str:
    """`text` as one inline code span, whatever backticks it holds (nothing in a code span is live)."""
    text = re.sub(r"\r\n?|\n", " ", str(text))           # any line ending would end a table row
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    body = text.replace("|", "\\|") if cell else text
    return f"{ticks}{pad}{body}{pad}{ticks}"


def md_code_block(text: str, info: str = "") -> list[str]:
    """`text` as a fenced block whose fence no line of it can close."""
    text = re.sub(r"\r\n?", "\n", text)
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + re.sub(r"[`\s]", "", info), text.rstrip("\n"), fence]


def safe_url(url: str) -> str:
    """A URL that stays one Markdown link destination: spaces, brackets, quotes, backslashes and
    angle brackets percent-encoded (the scheme is the caller's to check)."""
    return quote(url or "", safe=URL_SAFE)
