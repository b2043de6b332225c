"""Hand-kept kb/ YAML read into a typed model, so a slip in the data fails when it is loaded,
naming the file and the key, instead of surfacing later as a wrong answer.

Each file is parsed and validated once per version of it on disk (path, mtime, size), so an edit
is picked up by a running process and an unchanged file is not read twice.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.core.errors import InputError
from ingest.kbdata import kb_path

Schema = TypeVar("Schema", bound=BaseModel)


class KbDataError(InputError):
    """A kb/ data file that is missing, not YAML, or not of its schema."""


def load_kb(schema: type[Schema], *parts: str) -> Schema:
    """kb/<parts...> validated by `schema`."""
    path = kb_path(*parts)
    try:
        stat = path.stat()
    except OSError as exc:
        raise KbDataError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    return _load(schema, str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _load(schema: type[Schema], path: str, mtime_ns: int, size: int) -> Schema:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KbDataError(f"cannot be read as YAML: {exc}", file=path) from None
    try:
        return schema.model_validate(doc or {})
    except ValidationError as exc:
        raise KbDataError(describe(exc), file=path) from None


def describe(exc: ValidationError) -> str:
    """Every problem as `key.path: what is wrong`."""
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'top level'}: {err['msg']}"
                     for err in exc.errors())
