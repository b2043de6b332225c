"""`mxdoctor settings [--markdown]`: every environment variable mxdoctor reads, and its value now.

`--markdown` prints the README's table of them, generated from ingest/settings.py, so the
README cannot drift from the code (tests/test_settings.py compares the two).
"""
from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

KINDS = {"Path": "path", "tuple": "paths", "int": "integer", "bool": "flag", "SecretStr": "secret", "str": "text"}


def add_parser(sub) -> None:
    p = sub.add_parser("settings", help="list the environment variables mxdoctor reads, with their values")
    p.add_argument("--markdown", action="store_true", help="the README's table of them")
    p.set_defaults(run=run)


def _kind(annotation: Any) -> str:
    """`Path | None` → path: the type a user writes, not the Python one."""
    if get_origin(annotation) in (Union, UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return KINDS[(get_origin(annotation) or annotation).__name__]


def _default(value: Any) -> str:
    if value is None or value == ():
        return ""
    return f"`{int(value) if isinstance(value, bool) else value}`"


def markdown_table() -> str:
    from ingest.settings import Settings
    lines = ["| Variable | Type | Default | What it sets |", "| --- | --- | --- | --- |"]
    for field in Settings.model_fields.values():
        lines.append(f"| `{field.validation_alias}` | {_kind(field.annotation)} | {_default(field.default)} "
                     f"| {field.description} |")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if hasattr(value, "get_secret_value"):
        return "set (not shown)"
    if isinstance(value, tuple):
        return ":".join(str(v) for v in value)
    return str(int(value) if isinstance(value, bool) else value)


def current_values() -> str:
    """Each variable and the value in effect: `unset`, or the default, or what the environment says."""
    from ingest.settings import NAMES, Settings, settings
    env = settings()
    width = max(map(len, NAMES))
    lines = []
    for name, field in Settings.model_fields.items():
        value = getattr(env, name)
        if name in env.model_fields_set:
            shown = _shown(value)
        else:
            shown = "unset" if value in (None, ()) else f"{_shown(value)} (default)"
        lines.append(f"{field.validation_alias:<{width}}  {shown}")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    print(markdown_table() if args.markdown else current_values(), end="")
    return 0
