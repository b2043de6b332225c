"""The list of sources an ingest reads: kb/sources.yaml (shipped) plus the user's own file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ingest.home import data_home
from ingest.kbdata import kb_path


def user_sources_path(home: Path | None = None) -> Path:
    return (home or data_home()) / "sources.yaml"


class SourcesFileError(ValueError):
    """A sources file that cannot be read; the message names the file."""


def _read(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise SourcesFileError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except (OSError, UnicodeError) as exc:
        raise SourcesFileError(f"{path}: cannot read the sources file: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sources") or [], list):
        raise SourcesFileError(f"{path}: expected a mapping with a `sources:` list")
    return [s for s in data.get("sources") or [] if isinstance(s, dict) and s.get("type")]


def load_sources(home: Path | None = None, include_upstream: bool = True) -> list[dict[str, Any]]:
    specs = _read(kb_path("sources.yaml"))
    if not include_upstream:
        specs = [s for s in specs if s["type"] == "kb"]
    specs += _read(user_sources_path(home))
    if not any(s["type"] == "kb" for s in specs):
        specs.insert(0, {"type": "kb"})
    return specs


def add_user_source(spec: dict[str, Any], home: Path | None = None) -> Path:
    path = user_sources_path(home)
    specs = _read(path)
    key = {k: spec.get(k) for k in ("type", "path", "url", "package")}
    specs = [s for s in specs if {k: s.get(k) for k in key} != key] + [spec]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"sources": specs}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
