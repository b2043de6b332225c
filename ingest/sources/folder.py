"""A local folder of documents (a team wiki export): Markdown, HTML, text, rST and rule YAML.

`url_base` turns a file's relative path into its wiki link, so citations point at the wiki.
The folder is the whole source: a symlink that leads out of it (to ~/.ssh, /etc, another
team's export) is skipped with a warning, since what is read here is shown to every session.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from ingest.documents import SourceDoc
from ingest.sources import SourceContext, source_name
from ingest.sources.files import SUFFIXES, SkipDoc, file_to_doc

MAX_FILES = 20_000


def link_for(rel: str, path: Path, url_base: str | None) -> str:
    if url_base:
        stem = rel.rsplit(".", 1)[0] if rel.lower().endswith((".md", ".markdown", ".html", ".htm")) else rel
        return url_base.rstrip("/") + "/" + quote(stem)
    return path.resolve().as_uri()


def outside(path: Path, real_root: Path) -> bool:
    """True when `path`, its symlinks followed, is not inside the folder."""
    try:
        return not path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):          # a symlink loop
        return True


def _walk(root: Path, real_root: Path, ctx: SourceContext) -> Iterator[Path]:
    """Document files under the folder, in order; never one whose real path is outside it.
    Symlinked folders are not entered: one inside the folder is read where it points to, one
    leading out is reported."""
    for dirpath, dirnames, filenames in os.walk(root):
        kept = []
        for d in sorted(d for d in dirnames if not d.startswith((".", "_")) and d != "node_modules"):
            link = Path(dirpath) / d
            if not link.is_symlink():
                kept.append(d)
            elif outside(link, real_root):
                ctx.warn(f"{link}: skipped: a symlink to a folder outside the folder {root}")
        dirnames[:] = kept
        for fn in sorted(filenames):
            path = Path(dirpath) / fn
            if path.suffix.lower() not in SUFFIXES:
                continue
            if outside(path, real_root):
                ctx.warn(f"{path}: skipped: a symlink to a file outside the folder {root}")
                continue
            yield path


def iter_docs(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    root = Path(spec["path"]).expanduser()
    name = source_name(spec)
    if not root.is_dir():
        ctx.warn(f"{root}: not a folder; source {name} skipped")
        return
    real_root = root.resolve()
    count = 0
    for path in _walk(root, real_root, ctx):
        count += 1
        if count > MAX_FILES:
            ctx.warn(f"{root}: more than {MAX_FILES} files; the rest were not indexed")
            return
        rel = path.relative_to(root).as_posix()
        try:
            yield file_to_doc(path, rel, name, link_for(rel, path, spec.get("url_base")),
                              kind=spec.get("kind", "wiki"))
        except (SkipDoc, OSError, UnicodeError) as exc:
            ctx.warn(f"{path}: skipped: {exc}")
