"""What a cache of a file's content is keyed on: its path, mtime_ns and size.

Every cache of data read from files (the plugin catalog, kb/*.yaml, the KB's pages) is keyed on
these stamps, so a running process (the app) picks up an edit at its next call, and all of them
are invalidated the same way. A stat is cheap next to parsing YAML.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, NamedTuple


class FileStamp(NamedTuple):
    path: str
    mtime_ns: int
    size: int


def stamp(path: Path) -> FileStamp:
    """The file's stamp; -1s when it cannot be read, so its appearing later changes the key too."""
    try:
        st = path.stat()
    except OSError:
        return FileStamp(str(path), -1, -1)
    return FileStamp(str(path), st.st_mtime_ns, st.st_size)


def stamps(paths: Iterable[Path]) -> tuple[FileStamp, ...]:
    return tuple(stamp(p) for p in paths)
