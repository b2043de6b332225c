"""A rule file checked against the schema: every mistake becomes one sentence that names the
file, the line of the key at fault and, for a typo, the nearest valid key or value."""
from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.core.rules.schema.fixes import FIX_ARGS
from app.core.rules.schema.predicates import ARGS, COMBINATORS
from app.core.rules.schema.rulefile import ID_PATTERN, LANG_PATTERN, RuleFile
from app.core.rules.schema.suggest import nearest
from app.core.rules.schema.types import PACKAGE_RE

Loc = tuple  # a path into the YAML document: ("when", "all", 0, "log", "plugn")


class SchemaProblem(Exception):
    """One mistake: its message and where it is in the document."""

    def __init__(self, message: str, loc: Loc):
        super().__init__(message)
        self.message, self.loc = message, loc


@lru_cache(maxsize=None)
def adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _allowed_keys(model: Any) -> list[str]:
    fields = getattr(model, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _model_at(root: Any, loc: Loc) -> Any:
    """The model class a location inside `root`'s data belongs to (for 'did you mean')."""
    model = root
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields:
            return None
        field = next((f for n, f in fields.items() if (f.alias or n) == part), None)
        if field is None:
            continue
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> Any:
    """The first pydantic model inside an annotation (X, X | None, list[X], dict[str, X])."""
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__metadata__", None)
    if meta is not None:
        return _inner_model(annotation.__origin__)
    return None


def _data_loc(loc: tuple, value: Any) -> Loc:
    """The parts of a pydantic location that are keys or indexes of the data (a union's branch
    names, such as `literal[...]` or `list[str]`, are not)."""
    out: list = []
    for part in loc:
        if isinstance(value, dict) and part in value:
            out.append(part)
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            out.append(part)
            value = value[part]
    return tuple(out)


def _sentence(err: dict, root: Any, base: Loc, value: Any) -> SchemaProblem:
    """A pydantic error as an admin reads it."""
    loc = _data_loc(err["loc"], value)
    if err["type"] == "missing" and err["loc"]:
        loc = loc + (err["loc"][-1],)
    where = dotted(base + loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(_model_at(root, loc[:-1])) if root is not None else []
        allowed = [] if key in allowed else allowed  # the model guessed is not the branch that ran
        close = nearest(str(key), allowed)
        hint = f": did you mean {close!r}?" if close else (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return SchemaProblem(f"{where}: unknown key {key!r}{hint}", base + loc)
    if kind == "missing":
        fields = getattr(_model_at(root, loc[:-1]), "model_fields", {}) if root is not None else {}
        about = next((f.description for n, f in fields.items() if (f.alias or n) == loc[-1] and f.description), None)
        return SchemaProblem(f"{dotted(base + loc[:-1]) or 'the rule'}: missing required key {loc[-1]!r}: add it"
                             + (f" - {about}" if about else ""), base + loc[:-1])
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        got = err.get("input")
        close = nearest(str(got), [x.strip(" '") for x in str(expected).replace(" or ", ",").split(",")])
        hint = f": did you mean {close!r}?" if close else f" (expected {expected})"
        return SchemaProblem(f"{where}: {got!r} is not allowed{hint}", base + loc)
    return SchemaProblem(f"{where}: {_value_problem(err, where)}", base + loc)


def _value_problem(err: dict, where: str) -> str:
    """A value of the wrong type or shape: what was expected instead."""
    kind, ctx = err["type"], err.get("ctx", {})
    msg = err["msg"].removeprefix("Value error, ")
    got = _shown(err.get("input"))
    if kind.startswith("dict") and where in _MAPPING_AT:
        return f"{_MAPPING_AT[where]} (got {got})"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]} (got {got})"
    if kind == "string_pattern_mismatch":
        name, what = _PATTERNS.get(ctx.get("pattern", ""), (None, None))
        return f"{msg} (got {got})" + (f": not {name}; expected {what}" if name else "")
    if kind == "greater_than_equal":
        return f"expected at least {ctx['ge']} (got {got})"
    if kind == "too_short":
        return f"expected at least {ctx['min_length']} entry (got {got})"
    return f"{msg} (got {got})" if "input" in err and kind.endswith(("_type", "_parsing")) else msg


# what a value of the wrong type should have been, by pydantic's error type
_EXPECTED = {
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false (unquoted)", "bool_parsing": "true or false (unquoted)",
    "string_type": "text (quote it if YAML reads it as a number, a date or true/false)",
    "list_type": "a list: [a, b], or one '- item' per line",
    "dict_type": "a mapping (key: value)", "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}
_MAPPING_AT = {"versions": 'must be a mapping {package: range}: write e.g. {haraka: ">=3.1"}'}
# what a field's pattern asks for, in words: what the value is not, and what it should be
_PATTERNS = {
    ID_PATTERN: ("a rule id", "2-5 capital letters and 3-4 digits, e.g. MXD101 or ACME001"),
    r"^https?://": ("a web address", "one starting http:// or https://"),
    PACKAGE_RE: ("a package name", "an npm package such as haraka or haraka-plugin-wildduck"),
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _first(errors: list[dict]) -> dict:
    """The error to report: pydantic's first, except that a required key reported missing next to
    an unknown key of the same mapping is that key misspelt (`than:` for `then:`), so the unknown
    key (with its 'did you mean') is what the admin must fix."""
    first = errors[0]
    if first["type"] != "missing":
        return first
    parent, want = first["loc"][:-1], str(first["loc"][-1])
    extras = [e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == parent]
    if not extras:
        return first
    return max(extras, key=lambda e: difflib.SequenceMatcher(None, str(e["loc"][-1]), want).ratio())


def validate_value(kind: Any, value: Any, base: Loc, context: dict) -> Any:
    """`value` as `kind`, or the first SchemaProblem. Strict: the engine reads the rule's raw
    values, so a value must already be what the schema says ("no" is not false, "3" not 3)."""
    try:
        return adapter(kind).validate_python(value, context=context, strict=True)
    except ValidationError as exc:
        root = kind if hasattr(kind, "model_fields") else _inner_model(kind)
        raise _sentence(_first(exc.errors(include_url=False)), root, base, value) from None


def check_when(node: Any, context: dict, loc: Loc = ("when",)) -> None:
    """A condition tree: one key per mapping, known predicates, typed arguments."""
    if not isinstance(node, dict) or len(node) != 1:
        raise SchemaProblem(f"{dotted(loc)}: a condition is a mapping with exactly one key (a predicate, "
                            f"all, any or not); {_one_key_hint(node, loc)}", loc)
    (key, arg), = node.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise SchemaProblem(f"{dotted(loc + (key,))}: must be a non-empty list of conditions; "
                                f"{_list_hint(arg)}", loc + (key,))
        for i, sub in enumerate(arg):
            check_when(sub, context, loc + (key, i))
        return
    if key == "not":
        check_when(arg, context, loc + (key,))
        return
    if key not in ARGS:
        close = nearest(str(key), [*ARGS, *COMBINATORS])
        raise SchemaProblem(f"{dotted(loc)}: unknown predicate {key!r}" +
                            (f": did you mean {close!r}?" if close else
                             f" (known: {', '.join([*COMBINATORS, *ARGS])})"), loc + (key,))
    kind, _ = ARGS[key]
    validate_value(kind, arg, loc + (key,), context)
    if key == "outcome":
        _check_outcomes(arg, loc + (key,))


def _one_key_hint(node: Any, loc: Loc) -> str:
    """How to write a condition that is not one key: several keys, none, or not a mapping."""
    if isinstance(node, list) and loc and loc[-1] == "not":
        return "`not:` takes one condition, not a list: drop the '- ' (or put several under `any:`)"
    if isinstance(node, list):
        return "got a list: put its items under `all:` (every one must hold) or `any:` (one is enough)"
    if not isinstance(node, dict):
        return f"got {_shown(node)}: write `predicate: argument` (plugin: wildduck)"
    if not node:
        return "this one is empty: give it a predicate, or remove it"
    keys = ", ".join(map(str, node))
    if loc and isinstance(loc[-1], int):
        return f"this one has {len(node)} ({keys}): make each its own list item, starting with '- '"
    return f"this one has {len(node)} ({keys}): put them as list items under `all:` (every one must hold) " \
           "or `any:` (one is enough)"


def _list_hint(arg: Any) -> str:
    if isinstance(arg, list):
        return "add a condition ('- plugin: ...'), or remove the empty list"
    if isinstance(arg, dict) and arg:
        first = next(iter(arg))
        return f"got a mapping: write each condition as a list item ('- {first}: ...')"
    return f"got {_shown(arg)}: write each condition as a list item ('- plugin: ...')"


def _check_outcomes(arg: Any, loc: Loc) -> None:
    from app.core.verdict import outcome_texts
    known = outcome_texts()
    for name in arg if isinstance(arg, list) else [arg]:
        if name not in known:
            close = nearest(str(name), known)
            raise SchemaProblem(f"{dotted(loc)}: unknown outcome {name!r}" +
                                (f": did you mean {close!r}?" if close else f" (known: {', '.join(known)})"), loc)


def check_fix_ops(ops: list, context: dict) -> None:
    for i, raw in enumerate(ops):
        loc = ("fix", "ops", i)
        if not isinstance(raw, dict) or len(raw) != 1:
            raise SchemaProblem(f"{dotted(loc)}: a fix op is a mapping with one key "
                                f"({', '.join(sorted(FIX_ARGS))})", loc)
        (op, args), = raw.items()
        if op not in FIX_ARGS:
            close = FIX_SYNONYMS.get(str(op)) or nearest(str(op), FIX_ARGS)
            raise SchemaProblem(f"{dotted(loc)}: unknown fix op {op!r}" +
                                (f": did you mean {close!r}?" if close else f" ({', '.join(sorted(FIX_ARGS))})"),
                                loc + (op,))
        validate_value(FIX_ARGS[op], args, loc + (op,), context)


# names teams write for a fix op, which spelling alone would not lead to (delete_plugin is not
# dedupe_plugins)
FIX_SYNONYMS = {"delete_plugin": "remove_plugin", "disable_plugin": "remove_plugin",
                "comment_plugin": "remove_plugin", "drop_plugin": "remove_plugin",
                "enable_plugin": "add_plugin", "insert_plugin": "add_plugin", "reorder_plugin": "move_plugin",
                "remove_key": "delete_key", "unset_key": "delete_key", "add_key": "set_key",
                "add_line": "append_line", "delete_line": "remove_line", "comment_line": "remove_line",
                "remove_file": "delete_file", "create_file": "write_file"}


def check_rule(data: Any, context: dict) -> RuleFile:
    """The whole file: top-level keys and types, then `when`, fix ops, ids and translations."""
    if not isinstance(data, dict):
        raise SchemaProblem("a rule file must be a mapping (id, title, severity, ...)", ())
    model = validate_value(RuleFile, data, (), context)
    check_when(data["when"], context)
    check_fix_ops((model.fix.ops if model.fix else []), context)
    _check_ids(model)
    from app.core.rules.schema.translations import check_translations
    check_translations(model)
    return model


def _check_ids(model: RuleFile) -> None:
    import re
    for i, rid in enumerate(model.symptom_of):
        if not re.match(ID_PATTERN, rid):
            close = rid.strip().upper() if re.match(ID_PATTERN, rid.strip().upper()) else None
            raise SchemaProblem(f"symptom_of[{i}]: {rid!r} is not a rule id" +
                                (f": did you mean {close!r}?" if close else " (expected an id such as MXD101)"),
                                ("symptom_of", i))
    for lang in model.i18n:
        if not re.match(LANG_PATTERN, lang):
            head, _, tail = lang.strip().replace("_", "-").partition("-")
            close = head.lower() + (f"-{tail}" if tail else "")
            raise SchemaProblem(f"i18n: {lang!r} is not a language code" +
                                (f": did you mean {close!r}?" if re.match(LANG_PATTERN, close) else
                                 " (expected a code such as zh, ja, zh-TW)"), ("i18n", lang))
