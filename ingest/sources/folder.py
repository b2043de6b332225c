"""A local folder of documents (a team wiki export): Markdown, HTML, text, rST and rule YAML.

`url_base` turns a file's relative path into its wiki link, so citations point at the wiki.
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


def iter_docs(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    root = Path(spec["path"]).expanduser()
    name = source_name(spec)
    if not root.is_dir():
        ctx.warn(f"{root}: not a folder; source {name} skipped")
        return
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d != "node_modules")
        for fn in sorted(filenames):
            path = Path(dirpath) / fn
            if path.suffix.lower() not in SUFFIXES:
                continue
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
