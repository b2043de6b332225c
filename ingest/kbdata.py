"""Where the shipped knowledge base lives, so `app` never hard-codes paths into `kb/`.

`MXDOCTOR_KB` overrides the location (tests, a team's fork of the knowledge base).
"""
from __future__ import annotations

import functools
from pathlib import Path

from ingest.settings import setting


def kb_dir() -> Path:
    return setting("kb") or _shipped()


@functools.lru_cache(maxsize=1)
def _shipped() -> Path:
    """The kb/ beside the code (a checkout or an install), found once: it does not move."""
    here = Path(__file__).resolve().parent.parent / "kb"
    if here.is_dir():
        return here
    import importlib.resources as res
    return Path(str(res.files("kb")))


def kb_path(*parts: str) -> Path:
    return kb_dir().joinpath(*parts)
