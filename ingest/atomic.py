"""Replace a file all at once: a reader (or a crash) sees the old content or the new, never half.

The data goes to a temporary file in the same folder (so the rename stays on one file system),
is flushed to disk, then `os.replace` puts it in place. The temporary file is private (0600,
mkstemp's mode), ends in `.tmp` so no `*.json` / `*.onnx` glob ever picks it up, and is removed
when anything fails. `locked()` serialises a read-modify-write across processes, so two writers
that both read the old file cannot drop each other's change.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

try:
    import fcntl
except ImportError:         # Windows: no advisory locks; writes stay atomic, concurrent merges are not
    fcntl = None            # type: ignore[assignment]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path`, creating its folder; OSError when it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock (fcntl.flock) on `lock_file`, created if needed (0600),
    until the block ends; other processes and threads taking the same lock wait for it."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)            # closing the descriptor releases the lock
