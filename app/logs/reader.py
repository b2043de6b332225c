"""Stream the text lines of a log file of any size, whatever bytes it holds.

Reads fixed-size binary chunks and decodes them incrementally (a multi-byte character split
across chunks is kept whole), so memory stays flat. Invalid UTF-8 becomes U+FFFD, a BOM is
dropped, UTF-16 is followed, CRLF and lone CR end lines, and a line longer than MAX_LINE is
cut (the rest up to its newline is skipped) instead of being held in memory. A file that
looks binary yields nothing and says so in `notes`.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

from app.textio import MAX_LINE, _utf16_guess, looks_binary

CHUNK = 1 << 20


@dataclass
class LineReader:
    """Iterate over `lines()`; afterwards `encoding`, `binary`, `lines_cut`, `replaced` tell what happened."""
    stream: BinaryIO
    encoding: str = "utf-8"
    binary: bool = False
    lines_cut: int = 0
    replaced: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        head = self.stream.read(CHUNK)
        if not head:
            return
        head = self._detect(head)
        if self.binary:
            self.notes.append("binary data, not a text log: skipped")
            return
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        pending = ""
        skipping = False  # inside the cut-off tail of an over-long line
        chunk = head
        while True:
            final = not chunk
            text = decoder.decode(chunk, final=final)
            if "\ufffd" in text:
                self.replaced += text.count("\ufffd")
            if "\r" in text:
                if text.endswith("\r") and not final:
                    text, carry = text[:-1], "\r"
                else:
                    carry = ""
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            else:
                carry = ""
            if skipping:
                nl = text.find("\n")
                if nl == -1:
                    text = ""
                else:
                    text, skipping = text[nl + 1:], False
            if pending:
                text = pending + text
            parts = text.split("\n")
            pending = parts.pop()
            if parts and max(map(len, parts)) > MAX_LINE:
                for i, part in enumerate(parts):
                    if len(part) > MAX_LINE:
                        parts[i] = part[:MAX_LINE]
                        self.lines_cut += 1
            yield from parts
            pending += carry
            if len(pending) > MAX_LINE:
                yield pending[:MAX_LINE]
                self.lines_cut += 1
                pending, skipping = "", True
            if final:
                break
            chunk = self.stream.read(CHUNK)
        if pending:
            yield pending
        if self.replaced:
            self.notes.append(f"{self.replaced} undecodable byte(s) replaced")
        if self.lines_cut:
            self.notes.append(f"{self.lines_cut} line(s) longer than {MAX_LINE} characters were cut")

    def _detect(self, head: bytes) -> bytes:
        if head.startswith(codecs.BOM_UTF8):
            return head[3:]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
            return head
        guess = _utf16_guess(head[:8192])
        if guess:
            self.encoding = guess
            return head
        self.binary = looks_binary(head)
        return head
