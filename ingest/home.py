"""Where the index lives: MXDOCTOR_HOME, else the user's data dir (XDG)."""
from __future__ import annotations

import os
from pathlib import Path


def data_home() -> Path:
    env = os.environ.get("MXDOCTOR_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "mxdoctor"


def cache_home() -> Path:
    """Per-machine derived files (the ONNX graph built from the installed model): MXDOCTOR_CACHE,
    else the user's cache dir (XDG). Safe to delete; rebuilt on demand."""
    env = os.environ.get("MXDOCTOR_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mxdoctor"
