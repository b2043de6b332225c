"""Stream the text lines of a log file of any size, whatever bytes it holds.

Reads fixed-size binary chunks and decodes them incrementally (a multi-byte character split
across chunks is kept whole), so memory stays flat. Invalid UTF-8 becomes U+FFFD, a BOM is
dropped, UTF-16 is followed, CRLF and lone CR end lines, and a line longer than MAX_LINE is
cut (the rest up to its newline is skipped) instead of being held in memory. A file that is
mostly control bytes yields nothing and says so in `notes`; stray NULs are just dropped.
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Iterator

from ingest.textio import MAX_LINE, guess_utf16

CHUNK = 1 << 20
# rotated logs are often compressed: read them as they are
_COMPRESSED = ((b"\x1f\x8b", gzip.open), (b"BZh", bz2.open), (b"\xfd7zXZ\x00", lzma.open))
_TEXT_CONTROLS = frozenset("\t\n\r\x1b\x0c\x00")
_READ_ERRORS = (OSError, EOFError, lzma.LZMAError)


def open_log(path: str | os.PathLike) -> BinaryIO:
    """Open a log for binary reading, decompressing gzip / bzip2 / xz files transparently."""
    with open(path, "rb") as probe:
        magic = probe.read(6)
    for prefix, opener in _COMPRESSED:
        if magic.startswith(prefix):
            return opener(path, "rb")
    return open(path, "rb")


def looks_binary_log(sample: bytes) -> bool:
    """Binary = over 10% control bytes or invalid UTF-8 among the non-NUL bytes.

    NULs alone do not count: a crash or a truncated rotation leaves NUL blocks in real logs.
    """
    text = sample[:8192].decode("utf-8", errors="replace")
    meaningful = len(text) - text.count("\x00")
    if meaningful == 0:
        return False
    bad = text.count("\ufffd") + sum(1 for ch in text if ch < " " and ch not in _TEXT_CONTROLS)
    return bad * 10 > meaningful


@dataclass
class LineReader:
    """Iterate over `lines()`; afterwards `encoding`, `binary`, `lines_cut`, `replaced` tell what happened."""
    stream: BinaryIO
    detect: bool = True          # sniff BOM / UTF-16 / binary (off for a region cut from the middle of a file)
    encoding: str = "utf-8"
    binary: bool = False
    lines_cut: int = 0
    replaced: int = 0
    notes: list[str] = field(default_factory=list)

    def _read(self) -> bytes:
        # read1: a decompressor hands over what it has, so a truncated archive still yields its start
        read = getattr(self.stream, "read1", None) or self.stream.read
        try:
            return read(CHUNK)
        except _READ_ERRORS as exc:   # truncated or corrupt compressed data, I/O error
            self.notes.append(f"reading stopped early: {exc}")
            return b""

    def lines(self) -> Iterator[str]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[str]]:
        """The lines in lists of one chunk each: iterating a list is cheaper than a generator per line."""
        head = self._read()
        if not head:
            return
        if self.detect:
            head = self._detect(head)
        if self.binary:
            self.notes.append("binary data, not a text log: skipped")
            return
        yield from self._split(self._texts(head))
        if self.replaced:
            self.notes.append(f"{self.replaced} undecodable byte(s) replaced")
        if self.lines_cut:
            self.notes.append(f"{self.lines_cut} line(s) longer than {MAX_LINE} characters were cut")

    def _texts(self, head: bytes) -> Iterator[str]:
        """The text of each chunk with `\n` line ends; the last one is final (it may be empty)."""
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        carry = ""
        chunk = head
        while True:
            final = not chunk
            text = decoder.decode(chunk, final=final)
            if carry:
                text, carry = carry + text, ""
            if "\ufffd" in text:
                self.replaced += text.count("\ufffd")
            if "\r" in text:
                if text.endswith("\r") and not final:   # maybe the CR of a CRLF split across chunks
                    text, carry = text[:-1], "\r"
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            yield text
            if final:
                return
            chunk = self._read()

    def _split(self, texts: Iterable[str]) -> Iterator[list[str]]:
        """Whole lines, each at most MAX_LINE long: a line's start is kept, the rest up to its end skipped."""
        pending = ""
        skipping = False  # inside the cut-off tail of an over-long line
        for text in texts:
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
                self._cut(parts)
            if len(pending) > MAX_LINE:
                parts.append(pending[:MAX_LINE])
                self.lines_cut += 1
                pending, skipping = "", True
            if parts:
                yield parts
        if pending:
            yield [pending]

    def _cut(self, parts: list[str]) -> None:
        for i, part in enumerate(parts):
            if len(part) > MAX_LINE:
                parts[i] = part[:MAX_LINE]
                self.lines_cut += 1

    def _detect(self, head: bytes) -> bytes:
        if head.startswith(codecs.BOM_UTF8):
            return head[3:]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
            return head
        guess = guess_utf16(head[:8192])
        if guess:
            self.encoding = guess
            return head
        self.binary = looks_binary_log(head)
        return head
