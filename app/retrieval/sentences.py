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


def _units(text: str) -> list[tuple[str, str]]:
    """(kind, text) blocks: para | item | row | code; headings dropped, table rows one each."""
    units: list[tuple[str, str]] = []
    cur: list[str] = []
    kind = "para"
    in_code = False
    code: list[str] = []
    table: list[str] = []

    def flush():
        nonlocal cur
        if cur:
            units.append((kind, join_lines(cur)))
        cur = []

    def flush_table():
        units.extend(("row", row) for row in _table_rows(table))
        table.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if table and not stripped.startswith("|"):
            flush_table()
        if stripped.startswith("|") and not in_code:
            flush()
            table.append(stripped)
            continue
        if stripped.startswith("```"):
            if in_code:
                units.append(("code", "\n".join(code)))
                code, in_code = [], False
            else:
                flush()
                in_code = True
            continue
        if in_code:
            code.append(line)
            continue
        if not stripped or stripped.startswith(("#", "|", ">")) or stripped.startswith("Severity: **"):
            flush()
            continue
        if LIST_RE.match(line):
            flush()
            kind = "item"
            cur = [LIST_RE.sub("", line)]
            continue
        if kind == "item" and cur and not line.startswith((" ", "\t")):
            flush()
            kind = "para"
        if not cur:
            kind = kind if kind == "item" and line.startswith((" ", "\t")) else "para"
        cur.append(line)
    flush()
    flush_table()
    if in_code and code:
        units.append(("code", "\n".join(code)))
    return units


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
        parts = [p.strip() for p in SENT_SPLIT_RE.split(_clean(body)) if p and p.strip()]
        if i == 0 and parts and not text.lstrip().startswith("#") and MIDSENTENCE_RE.match(parts[0]):
            parts = parts[1:]           # the chunk starts inside a sentence (chunk overlap)
        for j, s in enumerate(parts):
            if s.endswith((":", "：")):
                nxt = units[i + 1] if i + 1 < len(units) else None
                if j == len(parts) - 1 and nxt and nxt[0] == "code" and 0 < nxt[1].count("\n") + 1 <= max_code_lines:
                    out.append(s + "\n```\n" + nxt[1].strip("\n") + "\n```")
                continue
            if len(s) < 20 or len(s) > 500:
                continue
            out.append(s)
    return out
