"""Split `---` YAML front matter from Markdown; bad front matter is reported, not fatal."""
from __future__ import annotations

from typing import Any

import yaml

from ingest.yamlload import safe_load


def split_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """(metadata, body, error). Without front matter: ({}, text, None)."""
    if not text.startswith("---"):
        return {}, text, None
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text, "front matter starts with --- but never ends"
    raw, body = text[3:end], text[end + 4:].lstrip("\n")
    try:
        meta = safe_load(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        return {}, body, f"invalid front matter{where}: {getattr(exc, 'problem', exc)}"
    if not isinstance(meta, dict):
        return {}, body, "front matter is not a mapping"
    return meta, body, None
