"""Where the index lives: MXDOCTOR_HOME, else the user's data dir (XDG)."""
from __future__ import annotations

from pathlib import Path

from ingest.settings import settings


def data_home() -> Path:
    s = settings()
    if s.home:
        return s.home.expanduser()
    return (s.xdg_data_home or Path.home() / ".local" / "share") / "mxdoctor"


def cache_home() -> Path:
    """Per-machine derived files (the ONNX graph built from the installed model): MXDOCTOR_CACHE,
    else the user's cache dir (XDG). Safe to delete; rebuilt on demand."""
    s = settings()
    if s.cache:
        return s.cache.expanduser()
    return (s.xdg_cache_home or Path.home() / ".cache") / "mxdoctor"
