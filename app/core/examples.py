"""Built-in example setups (kb/examples/): the canonical broken WildDuck MX and friends."""
from __future__ import annotations

from pathlib import Path

from ingest.kbdata import kb_path


def example_dir(name: str = "canonical") -> Path:
    return kb_path("examples", name)


def example_names() -> list[str]:
    base = kb_path("examples")
    return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def example_files(name: str = "canonical") -> dict[str, str]:
    """{canonical file name: text} of an example's config (and logs/ if present)."""
    root = example_dir(name)
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != "README.md":
            out[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return out
