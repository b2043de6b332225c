"""Sources of documents. Each type is one module with `iter_docs(spec, ctx) -> Iterator[SourceDoc]`.

A spec is a mapping from kb/sources.yaml or the user's sources file: `{type: kb}`,
`{type: folder, path, url_base?, name?}`, `{type: url, url}`, `{type: npm, package, version, paths}`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ingest.documents import SourceDoc

TYPES = ("kb", "folder", "url", "npm")


@dataclass
class SourceContext:
    cache_dir: Path
    warn: Callable[[str], None] = print
    offline: bool = False
    notes: list[str] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)   # sources whose every document was refused by policy:
                                                     # read completely (their old documents are pruned)


def source_name(spec: dict[str, Any]) -> str:
    t = spec.get("type")
    if t == "kb":
        return "kb"
    if t == "folder":
        return spec.get("name") or f"folder:{Path(spec['path']).name}"
    if t == "url":
        return spec.get("name") or "url"
    if t == "npm":
        return f"npm:{spec['package']}@{spec.get('version', 'latest')}"
    return str(t)


def iter_source(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    t = spec.get("type")
    if t not in TYPES:
        ctx.warn(f"sources: unknown source type {t!r} (known: {', '.join(TYPES)}); skipped")
        return iter(())
    return importlib.import_module(f"ingest.sources.{t}").iter_docs(spec, ctx)
