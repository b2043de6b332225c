"""Hand-kept kb/ YAML read into a typed model, so a slip in the data fails when it is loaded,
naming the file, the line and the key, instead of surfacing later as a wrong answer.

Knowledge lives in kb/ as data (plugin behaviour tables, paste hints, word lists, the glossary);
the code that reads it declares its shape as a pydantic model. Each file is parsed and validated
once per version of it on disk (ingest.filestamp), so an edit reaches a running process.
"""
from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.core.errors import InputError
from ingest.filestamp import FileStamp, stamp
from ingest.kbdata import kb_path
from ingest.yamlload import key_line

Schema = TypeVar("Schema", bound=BaseModel)


class KbDataError(InputError):
    """A kb/ data file that is missing, not YAML, or not of its schema."""


def load_kb(schema: type[Schema], *parts: str) -> Schema:
    """kb/<parts...> validated by `schema`."""
    return _load(schema, stamp(kb_path(*parts)))


@functools.lru_cache(maxsize=32)
def _load(schema: type[Schema], file: FileStamp) -> Schema:
    path = file.path
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KbDataError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", file=path) from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KbDataError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=path,
                          line=mark.line + 1 if mark else None) from None
    try:
        return schema.model_validate(doc or {})
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: (e["type"] != "extra_forbidden", _key_line(text, e["loc"]) is None))
        raise KbDataError(describe(errors, schema), file=path, line=_key_line(text, errors[0]["loc"])) from None


def describe(errors: list[dict], schema: type[BaseModel]) -> str:
    """Every problem as `key.path: what is wrong`; an unknown key says which key it probably meant."""
    out = []
    for err in errors:
        where = ".".join(str(p) for p in err["loc"]) or "top level"
        message = err["msg"]
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            close = difflib.get_close_matches(str(err["loc"][0]), list(schema.model_fields), n=1)
            message = "unknown key" + (f" (did you mean `{close[0]}`?)" if close else "")
        out.append(f"{where}: {message}")
    return "; ".join(out)


def _key_line(text: str, loc: tuple) -> int | None:
    try:
        return key_line(yaml.compose(text), loc)
    except yaml.YAMLError:
        return None
