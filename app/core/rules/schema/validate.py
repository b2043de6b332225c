"""A rule file checked against the schema: every mistake becomes one sentence that names the
file, the line of the key at fault and, for a typo, the nearest valid key or value."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.core.rules.schema.fixes import FIX_ARGS
from app.core.rules.schema.predicates import ARGS, COMBINATORS
from app.core.rules.schema.rulefile import ID_PATTERN, LANG_PATTERN, RuleFile
from app.core.rules.schema.suggest import nearest

Loc = tuple  # a path into the YAML document: ("when", "all", 0, "log", "plugn")


class SchemaProblem(Exception):
    """One mistake: its message and where it is in the document."""

    def __init__(self, message: str, loc: Loc):
        super().__init__(message)
        self.message, self.loc = message, loc


@lru_cache(maxsize=None)
def adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


def _dotted(loc: Loc) -> str:
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
    where = _dotted(base + loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(_model_at(root, loc[:-1])) if root is not None else []
        close = nearest(str(key), allowed)
        hint = f": did you mean {close!r}?" if close else (f" (allowed: {', '.join(allowed)})" if allowed else "")
        return SchemaProblem(f"{where}: unknown key {key!r}{hint}", base + loc)
    if kind == "missing":
        return SchemaProblem(f"{_dotted(base + loc[:-1]) or 'the rule'}: missing required key {loc[-1]!r}",
                             base + loc[:-1])
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        got = err.get("input")
        close = nearest(str(got), [x.strip(" '") for x in str(expected).replace(" or ", ",").split(",")])
        hint = f": did you mean {close!r}?" if close else f" (expected {expected})"
        return SchemaProblem(f"{where}: {got!r} is not allowed{hint}", base + loc)
    msg = err["msg"].removeprefix("Value error, ")
    return SchemaProblem(f"{where}: {msg} (got {err.get('input')!r})" if "input" in err and
                         kind.endswith(("_type", "_parsing")) else f"{where}: {msg}", base + loc)


def validate_value(kind: Any, value: Any, base: Loc, context: dict) -> Any:
    """`value` as `kind`, or the first SchemaProblem."""
    try:
        return adapter(kind).validate_python(value, context=context)
    except ValidationError as exc:
        root = kind if hasattr(kind, "model_fields") else None
        raise _sentence(exc.errors(include_url=False)[0], root, base, value) from None


def check_when(node: Any, context: dict, loc: Loc = ("when",)) -> None:
    """A condition tree: one key per mapping, known predicates, typed arguments."""
    if not isinstance(node, dict) or len(node) != 1:
        raise SchemaProblem(f"{_dotted(loc)}: a condition is a mapping with exactly one key (a predicate, "
                            "all, any or not)", loc)
    (key, arg), = node.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise SchemaProblem(f"{_dotted(loc + (key,))}: must be a non-empty list of conditions", loc + (key,))
        for i, sub in enumerate(arg):
            check_when(sub, context, loc + (key, i))
        return
    if key == "not":
        check_when(arg, context, loc + (key,))
        return
    if key not in ARGS:
        close = nearest(str(key), [*ARGS, *COMBINATORS])
        raise SchemaProblem(f"{_dotted(loc)}: unknown predicate {key!r}" +
                            (f": did you mean {close!r}?" if close else " (see `mxdoctor rules schema`)"), loc + (key,))
    kind, _ = ARGS[key]
    validate_value(kind, arg, loc + (key,), context)
    if key == "outcome":
        _check_outcomes(arg, loc + (key,))


def _check_outcomes(arg: Any, loc: Loc) -> None:
    from app.core.verdict import outcome_texts
    known = outcome_texts()
    for name in arg if isinstance(arg, list) else [arg]:
        if name not in known:
            close = nearest(str(name), known)
            raise SchemaProblem(f"{_dotted(loc)}: unknown outcome {name!r}" +
                                (f": did you mean {close!r}?" if close else f" (known: {', '.join(known)})"), loc)


def check_fix_ops(ops: list, context: dict) -> None:
    for i, raw in enumerate(ops):
        loc = ("fix", "ops", i)
        if not isinstance(raw, dict) or len(raw) != 1:
            raise SchemaProblem(f"{_dotted(loc)}: a fix op is a mapping with one key "
                                f"({', '.join(sorted(FIX_ARGS))})", loc)
        (op, args), = raw.items()
        if op not in FIX_ARGS:
            close = nearest(str(op), FIX_ARGS)
            raise SchemaProblem(f"{_dotted(loc)}: unknown fix op {op!r}" +
                                (f": did you mean {close!r}?" if close else f" ({', '.join(sorted(FIX_ARGS))})"),
                                loc + (op,))
        validate_value(FIX_ARGS[op], args, loc + (op,), context)


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
            raise SchemaProblem(f"symptom_of[{i}]: {rid!r} is not a rule id (MXD101)", ("symptom_of", i))
    for lang in model.i18n:
        if not re.match(LANG_PATTERN, lang):
            raise SchemaProblem(f"i18n: {lang!r} is not a language code (zh, ja, zh-TW)", ("i18n", lang))
