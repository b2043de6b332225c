"""Turn whatever bytes a user pasted into clean text lines, losing nothing readable.

Handles BOMs, UTF-16, invalid UTF-8 (replaced, not fatal), CRLF/CR, NUL bytes and ANSI colour
codes, and says when the input is binary so callers can report it instead of parsing noise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
MAX_LINE = 64 * 1024  # longer lines are cut (and reported) so no parser sees megabyte lines


@dataclass
class Decoded:
    text: str
    encoding: str
    binary: bool = False
    replaced: int = 0          # count of undecodable bytes replaced with U+FFFD
    notes: list[str] | None = None


def looks_binary(data: bytes) -> bool:
    """Binary = NULs outside a UTF-16 pattern, or many control bytes in the first 8 KiB."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or guess_utf16(sample):
        return False
    if sample.count(b"\x00") > max(1, len(sample) // 100):
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 27 or 27 < b < 32)
    return controls > len(sample) // 10


def guess_utf16(sample: bytes) -> str | None:
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes | str) -> Decoded:
    """Decode bytes to text. Never raises."""
    if isinstance(data, str):
        text = data[1:] if data.startswith("\ufeff") else data
        return Decoded(text=text, encoding="str")
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data, enc = data[3:], "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    else:
        enc = guess_utf16(data[:8192]) or "utf-8"
    if enc == "utf-8" and looks_binary(data):
        return Decoded(text="", encoding="binary", binary=True)
    py_enc = "utf-8" if enc == "utf-8-sig" else enc
    text = data.decode(py_enc, errors="replace")
    replaced = text.count("\ufffd")
    if replaced:
        notes.append(f"{replaced} undecodable byte(s) replaced")
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text=text, encoding=enc, replaced=replaced, notes=notes)


def strip_ansi(line: str) -> str:
    return ANSI_RE.sub("", line) if "\x1b" in line else line


def clean_line(line: str) -> str:
    """One line ready for parsing: no ANSI codes, no NULs, no trailing CR."""
    line = strip_ansi(line)
    if "\x00" in line:
        line = line.replace("\x00", "")
    return line.rstrip("\r")


def split_lines(text: str) -> list[str]:
    """Lines without endings; CRLF, LF and lone CR all end a line."""
    if not text:
        return []
    lines = re.split(r"\r\n|\n|\r", text)
    if lines and lines[-1] == "":
        lines.pop()
    return [clean_line(l) for l in lines]


def to_lines(data: bytes | str) -> tuple[list[str], Decoded]:
    d = decode(data)
    if d.binary:
        return [], d
    lines = split_lines(d.text)
    cut = 0
    for i, l in enumerate(lines):
        if len(l) > MAX_LINE:
            lines[i] = l[:MAX_LINE]
            cut += 1
    if cut:
        d.notes = (d.notes or []) + [f"{cut} line(s) longer than {MAX_LINE} characters were cut"]
    return lines, d
