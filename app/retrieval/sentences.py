"""The quotable sentences of a Markdown passage: notes are hard-wrapped, and code, tables and
headings are not sentences (a sentence ending in a colon keeps the short code block after it)."""
from __future__ import annotations

import re

LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")


EMPH_RE = re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__")


LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


MIDSENTENCE_RE = re.compile(r"^[a-z,;)\]–-]")


SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(\[*])|(?<=[。！？；])")


def _clean(text: str) -> str:
    text = LINK_RE.sub(r"\1", text)
    text = EMPH_RE.sub(lambda m: m.group(1) or m.group(2), text)
    return re.sub(r"\s+", " ", text).strip()


CJK_CHAR = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def join_lines(lines: list[str]) -> str:
    """Undo hard wrapping: a space between English words, nothing between Chinese characters."""
    out = ""
    for line in (l.strip() for l in lines):
        if not line:
            continue
        if out and not (CJK_CHAR.match(out[-1]) and CJK_CHAR.match(line[0])):
            out += " "
        out += line
    return out


TABLE_SEP_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")


def _table_rows(lines: list[str]) -> list[str]:
    """A Markdown table's body rows, cells joined by " | " as written (so the quote stays word for
    word in the passage), the header row dropped: a definition table (`| ERRQ06 | what it means |`)
    answers "what does ERRQ06 mean?"."""
    if len(lines) >= 2 and TABLE_SEP_RE.match(lines[1].strip()):
        lines = lines[2:]
    rows = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        cells = [c for c in cells if c]
        if len(cells) >= 2 and not TABLE_SEP_RE.match(line.strip()):
            rows.append(" | ".join(cells))
    return rows


class _Blocks:
    """Markdown lines gathered into (kind, text) blocks: para | item | row | code."""

    def __init__(self) -> None:
        self.units: list[tuple[str, str]] = []
        self.cur: list[str] = []
        self.kind = "para"
        self.in_code = False
        self.code: list[str] = []
        self.table: list[str] = []

    def flush(self) -> None:
        if self.cur:
            self.units.append((self.kind, join_lines(self.cur)))
        self.cur = []

    def flush_table(self) -> None:
        self.units.extend(("row", row) for row in _table_rows(self.table))
        self.table.clear()

    def fence(self) -> None:
        if self.in_code:
            self.units.append(("code", "\n".join(self.code)))
            self.code, self.in_code = [], False
        else:
            self.flush()
            self.in_code = True

    def prose(self, line: str) -> None:
        """A line of running text: starts a list item, continues one, or belongs to a paragraph."""
        if LIST_RE.match(line):
            self.flush()
            self.kind = "item"
            self.cur = [LIST_RE.sub("", line)]
            return
        indented = line.startswith((" ", "\t"))
        if self.kind == "item" and self.cur and not indented:
            self.flush()
            self.kind = "para"
        if not self.cur:
            self.kind = self.kind if self.kind == "item" and indented else "para"
        self.cur.append(line)

    def line(self, line: str) -> None:
        stripped = line.strip()
        if self.table and not stripped.startswith("|"):
            self.flush_table()
        if stripped.startswith("|") and not self.in_code:
            self.flush()
            self.table.append(stripped)
        elif stripped.startswith("```"):
            self.fence()
        elif self.in_code:
            self.code.append(line)
        elif not stripped or stripped.startswith(("#", "|", ">")) or stripped.startswith("Severity: **"):
            self.flush()
        else:
            self.prose(line)

    def close(self) -> list[tuple[str, str]]:
        self.flush()
        self.flush_table()
        if self.in_code and self.code:
            self.units.append(("code", "\n".join(self.code)))
        return self.units


def _units(text: str) -> list[tuple[str, str]]:
    """(kind, text) blocks: para | item | row | code; headings dropped, table rows one each."""
    blocks = _Blocks()
    for line in text.split("\n"):
        blocks.line(line)
    return blocks.close()


def _sentences_of(body: str, first: bool, text: str, nxt: tuple[str, str] | None, max_code_lines: int) -> list[str]:
    """The quotable sentences of one paragraph or list item."""
    out: list[str] = []
    parts = [p.strip() for p in SENT_SPLIT_RE.split(_clean(body)) if p and p.strip()]
    if first and parts and not text.lstrip().startswith("#") and MIDSENTENCE_RE.match(parts[0]):
        parts = parts[1:]           # the chunk starts inside a sentence (chunk overlap)
    for j, s in enumerate(parts):
        if s.endswith((":", "：")):
            if j == len(parts) - 1 and nxt and nxt[0] == "code" and 0 < nxt[1].count("\n") + 1 <= max_code_lines:
                out.append(s + "\n```\n" + nxt[1].strip("\n") + "\n```")
            continue
        if 20 <= len(s) <= 500:
            out.append(s)
    return out


def sentences(text: str, max_code_lines: int = 8) -> list[str]:
    """The quotable sentences of a Markdown passage, in order. A sentence that ends with a colon
    keeps the short code block after it (\"Remove the line:\" is no use without the line)."""
    out: list[str] = []
    units = _units(text)
    for i, (kind, body) in enumerate(units):
        if kind == "code":
            continue
        if kind == "row":
            row = _clean(body)
            if 20 <= len(row) <= 500:
                out.append(row)
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        out += _sentences_of(body, i == 0, text, nxt, max_code_lines)
    return out
