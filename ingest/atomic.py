"""Replace a file all at once: a reader (or a crash) sees the old content or the new, never half.

The data goes to a temporary file in the same folder (so the rename stays on one file system),
is flushed to disk, then `os.replace` puts it in place. The temporary file is private (0600,
mkstemp's mode), ends in `.tmp` so no `*.json` / `*.onnx` glob ever picks it up, and is removed
when anything fails.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
