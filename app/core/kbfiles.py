"""Typed kb/ data files: YAML read through a pydantic model, re-read when the file changes.

Knowledge lives in kb/ as data (word lists, glossaries, plugin tables); the code that uses it
declares its shape as a model. A file that does not fit is an error naming the file, the key and,
where YAML can tell, the line — never a silent default.
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

M = TypeVar("M", bound=BaseModel)


def _key_line(text: str, loc: tuple) -> int | None:
    """The line of the innermost mapping key in `loc` that YAML can place (1-based)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


@functools.lru_cache(maxsize=32)
def _load(model: type[M], file: FileStamp) -> M:
    path = Path(file.path)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=str(path),
                         line=mark.line + 1 if mark else None) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, model, text, path) from None


def _first_error(exc: ValidationError, model: type[BaseModel], text: str, path: Path) -> InputError:
    """The most useful error first: an unknown key (likely a typo of a missing one) with the key
    it probably meant, then any error YAML can place on a line."""
    errors = sorted(exc.errors(), key=lambda e: (e["type"] != "extra_forbidden", _key_line(text, e["loc"]) is None))
    err = errors[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    message = f"{where}: {err['msg']}"
    if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
        close = difflib.get_close_matches(str(err["loc"][0]), list(model.model_fields), n=1)
        message = f"{where}: unknown key" + (f"; did you mean `{close[0]}`?" if close else "")
    return InputError(message, file=str(path), line=_key_line(text, err["loc"]))


def load_kb_file(name: str, model: type[M]) -> M:
    """kb/`name` as `model`, cached until the file changes."""
    return _load(model, stamp(kb_path(name)))
