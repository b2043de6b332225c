"""Predicates on settings in config files (ini, yaml, json, toml): a key's value, compared with
an operator or with a key in another file. A file that was not given is reasoned about with the
default the rule names, or left undecided when something reads it."""
from __future__ import annotations

import re
from typing import Any, Callable

from app.core.model import Evidence
from app.core.parsers.ini import truthy
from app.core.parsers.structured import key_line
from app.core.rules.conditions.absent import file_display_name, missing_file
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.span import span
from app.core.rules.conditions.words import say
from app.core.rules.context import Context


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


OPS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, b: str(a).lower() == str(b).lower(),
    "not_equals": lambda a, b: str(a).lower() != str(b).lower(),
    "lt": lambda a, b: _num(a) is not None and _num(a) < float(b),
    "gt": lambda a, b: _num(a) is not None and _num(a) > float(b),
    "le": lambda a, b: _num(a) is not None and _num(a) <= float(b),
    "ge": lambda a, b: _num(a) is not None and _num(a) >= float(b),
    "matches": lambda a, b: a is not None and re.search(str(b), span(str(a)), re.I) is not None,
    "not_matches": lambda a, b: a is None or re.search(str(b), span(str(a)), re.I) is None,
    "contains": lambda a, b: isinstance(a, (list, str)) and str(b).lower() in [str(x).lower() for x in a]
    if isinstance(a, list) else str(b).lower() in str(a).lower(),
    "in": lambda a, b: str(a).lower() in [str(x).lower() for x in b],
}


def _compare(op: str, value: Any, wanted: Any) -> bool:
    if op == "truthy":
        return truthy(value)
    if op == "falsy":
        return not truthy(value)
    if op in OPS:
        return OPS[op](value, wanted)
    raise ValueError(f"unknown config op {op!r}")


def _lookup(data: Any, dotted: str) -> tuple[bool, Any]:
    cur = data
    for part in dotted.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


def config_value(ctx: Context, arg: dict) -> tuple[bool, Any, Evidence | None]:
    """(present, value, evidence) for {file, section?, key} in ini, yaml, json or toml."""
    f = ctx.cs.get(arg["file"])
    if f is None or f.parsed is None:
        return False, None, None
    key = arg["key"]
    if f.kind == "ini":
        section = arg.get("section", "main")
        sect = f.parsed.get(section, {})
        if key not in sect:
            return False, None, None
        line = f.meta.lines.get((section, key)) if f.meta else None
        text = f.lines[line - 1].strip() if line else f"{key}={sect[key]}"
        return True, sect[key], Evidence(f.name, line, text)
    present, value = _lookup(f.parsed, key)
    if not present:
        return False, None, None
    line = key_line(f.lines, key)
    return True, value, Evidence(f.name, line, f.lines[line - 1].strip() if line else f"{key}: {value}")


# what a rule assumed of a file not given, in each language (app.core.localize reads the others)
ASSUMED_DEFAULT = {"en": "its default {key}={default} assumed", "zh": "按默认值 {key}={default} 推断"}


def _assumed_default(arg: dict, op: str) -> Match:
    """The file was not given but the rule knows its default: reason with it, and say so."""
    ok = _compare(op, arg["default"], arg.get("value"))
    where = file_display_name(arg["file"])
    return Match(ok, [], {"value": arg["default"], "key": arg["key"], "file": where},
                 assumes={where: ASSUMED_DEFAULT["en"].format(key=arg["key"], default=arg["default"])})


def _absent(arg: dict, present: bool, given: bool) -> Match:
    ok = not present and (given or arg.get("file_may_be_missing", False))
    return Match(ok, [Evidence(arg["file"], None, say("not_set", key=arg["key"]), "absent")] if ok else [],
                 {"key": arg["key"], "file": arg["file"]})


def config(ctx: Context, arg: dict) -> Match:
    """{file, section?, key, op: exists|absent|truthy|falsy|equals|lt|gt|matches|..., value?,
    default?: what Haraka uses when the file is not there, file_may_be_missing?}"""
    present, value, ev = config_value(ctx, arg)
    op = arg.get("op", "exists")
    given = ctx.cs.get(arg["file"]) is not None
    if not given and "default" in arg and op not in ("absent", "exists"):
        return _assumed_default(arg, op)
    # `file_may_be_missing`: the rule reads a file's absence as "not set" (a legacy file, a log
    # that already shows the value); otherwise a file something reads but nobody gave is undecided
    undecided = None if given or arg.get("file_may_be_missing") else missing_file(ctx, arg["file"])
    if undecided is not None:
        return undecided
    if op == "absent":
        return _absent(arg, present, given)
    if not present:
        return Match(False)
    ok = True if op == "exists" else _compare(op, value, arg.get("value"))
    return Match(ok, [ev] if ok and ev else [], {"value": value, "key": arg["key"], "file": ev.file if ev else arg["file"]})


def _resolve_side(ctx: Context, side: dict) -> tuple[Any, Evidence | None]:
    present, value, ev = config_value(ctx, side)
    if not present:
        if "default" not in side:
            return None, None
        value = side["default"]
    if value is not None and side.get("extract"):
        m = re.search(side["extract"], span(str(value)))
        value = (m.groupdict().get("value") or (m.group(1) if m.groups() else m.group(0))) if m else \
            side.get("default")
    return value, ev


def _undecided_side(ctx: Context, sides: tuple[tuple[dict, Any], ...]) -> Match | None:
    """The first side whose file was not given, has no default and is read by something."""
    missing = [m for side, v in sides
               if v is None and ctx.cs.get(side["file"]) is None and "default" not in side
               for m in [missing_file(ctx, side["file"])] if m is not None]
    return missing[0] if missing else None


def differs(ctx: Context, arg: dict) -> Match:
    """{a: {file, section?, key, extract?: regex, default?}, b: {...}}: both values known and
    different (case-insensitive), after `extract` (group 1 or (?P<value>...))"""
    a, ev_a = _resolve_side(ctx, arg["a"])
    b, ev_b = _resolve_side(ctx, arg["b"])
    undecided = _undecided_side(ctx, ((arg["a"], a), (arg["b"], b)))
    if undecided is not None:
        return undecided
    if a is None or b is None or str(a).strip().lower() == str(b).strip().lower():
        return Match(False)
    return Match(True, [e for e in (ev_a, ev_b) if e], {"a_value": a, "b_value": b,
                                                        "a_file": arg["a"]["file"], "b_file": arg["b"]["file"]})


PREDICATES = {"config": config, "differs": differs}
