"""Cut a big plain log file into byte regions at line ends, each knowing its first line number.

Several processes can then read one file without each of them scanning all of it. A file is
only cut when that is safe: not compressed (no seeking), not UTF-16 (a `\\n` byte is not a line
end there), and no lone CR line ends before the last cut (line numbers come from counting
`\\n` bytes, and the reader also ends lines at a lone CR).
"""
from __future__ import annotations

import codecs
import os
from dataclasses import dataclass

from app.core.logs.reader import _COMPRESSED, guess_utf16

_COUNT_CHUNK = 1 << 22


@dataclass(frozen=True)
class Region:
    start: int        # byte offset where a line starts
    end: int          # byte offset just after a line end (or the end of the file)
    first_line: int   # number of the region's first line in the whole file


def plan_regions(path: str | os.PathLike, parts: int) -> list[Region] | None:
    """`parts` regions covering the file, or None when it cannot (or need not) be cut."""
    size = os.path.getsize(path)
    if parts < 2 or size < parts * 4096:
        return None
    with open(path, "rb") as f:
        head = f.read(8192)
        if any(head.startswith(magic) for magic, _ in _COMPRESSED):
            return None
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or guess_utf16(head):
            return None
        cuts = [0]
        for k in range(1, parts):
            f.seek(size * k // parts)
            while True:                       # to the next line end, without holding a huge line
                piece = f.readline(1 << 20)
                if not piece or piece.endswith(b"\n"):
                    break
            pos = f.tell()
            if pos <= cuts[-1] or pos >= size:
                return None
            cuts.append(pos)
        cuts.append(size)
        regions, first = [], 1
        for k in range(parts):
            regions.append(Region(cuts[k], cuts[k + 1], first))
            if k < parts - 1:
                lines = _count_lines(f, cuts[k], cuts[k + 1])
                if lines is None:
                    return None
                first += lines
    return regions


def _count_lines(f, start: int, end: int) -> int | None:
    """`\\n` bytes in [start, end); None if a lone CR would make the reader see more lines."""
    f.seek(start)
    left, lines, lone_cr, trailing_cr = end - start, 0, 0, False
    while left > 0:
        chunk = f.read(min(_COUNT_CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
        lines += chunk.count(b"\n")
        if trailing_cr and not chunk.startswith(b"\n"):
            lone_cr += 1                       # the CR ending the previous chunk was not part of a CRLF
        trailing_cr = chunk.endswith(b"\r")
        if b"\r" in chunk:
            lone_cr += chunk.count(b"\r") - chunk.count(b"\r\n") - trailing_cr
    if trailing_cr:
        lone_cr += 1
    return None if lone_cr else lines


class RangeReader:
    """A binary stream over bytes [start, end) of a file, for LineReader."""

    def __init__(self, path: str | os.PathLike, start: int, end: int):
        self._file = open(path, "rb")
        self._file.seek(start)
        self._left = end - start

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n < 0 else min(n, self._left)
        data = self._file.read(n)
        self._left -= len(data)
        return data

    read1 = read

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "RangeReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
