"""The `when` language of rule files: small predicates combined with all / any / not.

Every predicate returns a Match: whether it holds, the evidence that shows it, and values the
explanation template can use (`{plugin}`, `{value}`, ...). Predicates are registered by name in
PREDICATES; `validate_when` checks a rule's tree before it ever runs.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from app.core.model import Evidence, PluginEntry
from app.core.parsers.ini import truthy
from app.core.parsers.structured import key_line
from app.core.rules.context import Context

MISNAMED_CUTOFF = 0.8      # difflib ratio: tsl.ini ~ tls.ini, smtp_foward.ini ~ smtp_forward.ini


@dataclass
class Match:
    """`ok` is the verdict. A condition about a file that was not given is neither true nor false:
    it comes back not ok with that file in `unknown`, and all/any/not combine such answers the
    way three-valued (Kleene) logic does, so a rule is "not checked" rather than silently passed.
    `assumes` carries what a simulated answer took for granted about files that were not given."""
    ok: bool
    evidence: list[Evidence] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    assumes: dict[str, str] = field(default_factory=dict)
    # for an undecided match: some part of the condition did hold, so the rule applies to this
    # setup as far as it can be seen (a rule undecided on nothing at all is not worth asking about)
    partial: bool = False


def _undecided(files: list[str], partial: bool = False) -> Match:
    return Match(False, unknown=list(dict.fromkeys(files)), partial=partial)


def file_display_name(name: str) -> str:
    from app.core.inputs.classify import canonical_name, kind_for_name
    return canonical_name(name, kind_for_name(name) or "list")


def file_readers(ctx: Context, name: str) -> tuple[bool, bool]:
    """(would anything in this setup read the file, does an enabled plugin read it). Haraka's
    core files are always read; a file the catalog does not know may be."""
    base = name.rsplit("/", 1)[-1]
    readers = [info.name for info in ctx.catalog.plugins.values() if base in info.config_files]
    enabled = set(ctx.cs.plugin_names()) if ctx.cs.plugins is not None else set()
    by_plugin = any(r in enabled for r in readers)
    if base in ctx.catalog.core_files or not readers:
        return True, by_plugin
    return by_plugin or ctx.cs.plugins is None, by_plugin


def _missing_file(ctx: Context, name: str) -> Match | None:
    """The answer for a condition on a file that was not given: undecided when something in this
    setup reads it (and worth asking for when an enabled plugin does), None (treat it as not
    there) when nothing does."""
    in_use, by_plugin = file_readers(ctx, name)
    if not in_use:
        return None
    return _undecided([file_display_name(name)], partial=by_plugin)


Predicate = Callable[[Context, Any], Match]
PREDICATES: dict[str, Predicate] = {}
PREDICATE_ARGS: dict[str, str] = {}   # name -> short description of the argument, for docs/errors


def predicate(name: str, doc: str):
    def wrap(fn: Predicate) -> Predicate:
        PREDICATES[name] = fn
        PREDICATE_ARGS[name] = doc
        return fn
    return wrap


def evaluate(ctx: Context, node: Any) -> Match:
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"a condition must be a mapping with one key, got {node!r}")
    (key, arg), = node.items()
    if key == "all":
        out, unknown, partial = Match(True), [], False
        for sub in arg:
            m = evaluate(ctx, sub)
            if not m.ok:
                if not m.unknown:
                    return Match(False)          # one definite "no" decides
                unknown += m.unknown
                partial = partial or m.partial
                continue
            # a guard that holds ("not X") says nothing about whether the rule applies here
            partial = partial or next(iter(sub)) != "not"
            out.evidence += m.evidence
            out.values.update(m.values)
            out.assumes.update(m.assumes)
        return _undecided(unknown, partial) if unknown else out
    if key == "any":
        unknown, partial = [], False
        for sub in arg:
            m = evaluate(ctx, sub)
            if m.ok:
                return m
            unknown += m.unknown
            partial = partial or m.partial
        return _undecided(unknown, partial) if unknown else Match(False)
    if key == "not":
        m = evaluate(ctx, arg)
        if not m.ok and m.unknown:
            return m
        return Match(not m.ok, assumes=m.assumes)
    return PREDICATES[key](ctx, arg)


def validate_when(node: Any, path: str = "when") -> list[str]:
    """Problems in a condition tree, as 'path: message' strings."""
    if not isinstance(node, dict) or len(node) != 1:
        return [f"{path}: must be a mapping with exactly one key (a predicate, all, any or not)"]
    (key, arg), = node.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            return [f"{path}.{key}: must be a non-empty list of conditions"]
        return [p for i, sub in enumerate(arg) for p in validate_when(sub, f"{path}.{key}[{i}]")]
    if key == "not":
        return validate_when(arg, f"{path}.not")
    if key not in PREDICATES:
        return [f"{path}: unknown predicate {key!r} (known: {', '.join(sorted(PREDICATES))})"]
    return []


# ------------------------------------------------------------------ plugin selectors

def _select(ctx: Context, sel: Any) -> list[PluginEntry]:
    """Enabled plugins matching a selector: a name, a list of names, or {name|role, except}."""
    if isinstance(sel, str):
        e = ctx.entry(sel)
        return [e] if e else []
    if isinstance(sel, list):
        return [e for s in sel for e in _select(ctx, s)]
    if isinstance(sel, dict):
        exclude = {ctx.catalog.resolve(x) for x in sel.get("except", [])}
        found: list[PluginEntry] = []
        if "name" in sel:
            found = _select(ctx, sel["name"])
        elif "role" in sel:
            roles = sel["role"] if isinstance(sel["role"], list) else [sel["role"]]
            found = [e for e in ctx.entries() if ctx.roles(e.name) & set(roles)]
        elif "matches" in sel:
            rx = re.compile(sel["matches"])
            found = [e for e in ctx.entries() if rx.search(e.name)]
        return [e for e in found if e.name not in exclude]
    raise ValueError(f"bad plugin selector {sel!r}")


def _plugin_ev(e: PluginEntry) -> Evidence:
    return Evidence("config/plugins", e.line, e.raw)


def _names(entries: list[PluginEntry]) -> str:
    return ", ".join(dict.fromkeys(e.name for e in entries))


@predicate("plugin", "selector: enabled in config/plugins (any of)")
def _p_plugin(ctx: Context, sel: Any) -> Match:
    found = _select(ctx, sel)
    if not found:
        return Match(False)
    return Match(True, [_plugin_ev(e) for e in found],
                 {"plugin": found[0].name, "plugins": _names(found), "plugin_line": found[0].line})


@predicate("no_plugin", "selector: none of these is enabled (needs a plugins file)")
def _p_no_plugin(ctx: Context, sel: Any) -> Match:
    if ctx.cs.plugins is None:
        return Match(False)
    if _select(ctx, sel):
        return Match(False)
    want = sel if isinstance(sel, str) else (sel.get("name") or sel.get("role") if isinstance(sel, dict) else sel)
    return Match(True, [Evidence("config/plugins", None, f"no {want} listed", "absent")], {"missing": str(want)})


@predicate("plugins_file", "true: a config/plugins file was given")
def _p_plugins_file(ctx: Context, arg: Any) -> Match:
    return Match((ctx.cs.plugins is not None) == bool(arg))


@predicate("order", "{first: selector, then: selector}: a `first` plugin is listed before a `then` plugin")
def _p_order(ctx: Context, arg: dict) -> Match:
    firsts, thens = _select(ctx, arg["first"]), _select(ctx, arg["then"])
    for f in firsts:
        for t in thens:
            if f.line < t.line and f.name != t.name:
                return Match(True, [_plugin_ev(f), _plugin_ev(t)],
                             {"first": f.name, "then": t.name, "first_line": f.line, "then_line": t.line})
    return Match(False)


@predicate("listed_after", "{plugin: name, others: selector (default any)}: plugins listed after it")
def _p_listed_after(ctx: Context, arg: dict) -> Match:
    me = ctx.entry(arg["plugin"])
    if not me:
        return Match(False)
    others = _select(ctx, arg.get("others", {"matches": "."}))
    after = [e for e in others if e.line > me.line and e.name != me.name]
    if not after:
        return Match(False)
    return Match(True, [_plugin_ev(me)] + [_plugin_ev(e) for e in after],
                 {"plugin": me.name, "after": _names(after)})


@predicate("duplicate_plugin", "true: a plugin is listed more than once")
def _p_duplicate(ctx: Context, arg: Any) -> Match:
    dups = [p for p in ctx.cs.plugins or [] if p.duplicate]
    if not dups:
        return Match(False)
    return Match(True, [_plugin_ev(p) for p in dups], {"plugin": dups[0].name, "plugins": _names(dups)})


@predicate("deprecated_plugin", "true: a plugin is listed under a deprecated name")
def _p_deprecated(ctx: Context, arg: Any) -> Match:
    old = [p for p in ctx.cs.plugins or [] if p.alias_of]
    if not old:
        return Match(False)
    return Match(True, [_plugin_ev(p) for p in old],
                 {"plugin": old[0].alias_of, "replacement": old[0].name,
                  "plugins": ", ".join(f"{p.alias_of} → {p.name}" for p in old)})


@predicate("unknown_plugin", "true: a listed plugin is not in the catalog nor in a given plugins/ dir")
def _p_unknown(ctx: Context, arg: Any) -> Match:
    local = {f.name.rsplit("/", 1)[-1].removesuffix(".js") for f in ctx.cs.files.values()
             if f.name.startswith("plugins/") or "/plugins/" in f.name}
    unknown = [p for p in ctx.entries() if ctx.catalog.get(p.name) is None and p.name not in local]
    if isinstance(arg, dict) and "matches" in arg:
        rx = re.compile(arg["matches"])
        unknown = [p for p in unknown if rx.search(p.raw)]
    if not unknown:
        return Match(False)
    return Match(True, [_plugin_ev(p) for p in unknown], {"plugin": unknown[0].raw, "plugins": _names(unknown)})


@predicate("misnamed_config_file", "true: a file in config/ that nothing reads is named almost like one "
                                   "that Haraka or a plugin does read")
def _p_misnamed(ctx: Context, arg: Any) -> Match:
    if not ctx.catalog.core_files:
        return Match(False)                    # no core list (a user catalog alone): cannot tell
    known = ctx.catalog.known_config_files()
    candidates = sorted(known)
    for name, f in sorted(ctx.cs.files.items()):
        if not name.startswith("config/"):
            continue
        base = name.removeprefix("config/")
        if "/" in base or base in known or base.endswith((".js", ".pem", ".key", ".crt", "~", ".bak", ".orig")):
            continue
        close = difflib.get_close_matches(base, candidates, n=1, cutoff=MISNAMED_CUTOFF)
        if close:
            return Match(True, [Evidence(f.name, None, f"{base} (did you mean {close[0]}?)", "config")],
                         {"file": base, "suggestion": close[0]})
    return Match(False)


# ------------------------------------------------------------------ simulation

def _sel_names(ctx: Context, sel: Any) -> set[str] | None:
    if sel is None or sel == "any":
        return None
    if isinstance(sel, dict) and "role" in sel:
        roles = set(sel["role"] if isinstance(sel["role"], list) else [sel["role"]])
        exclude = set(sel.get("except", []))
        return {n for n, info in ctx.catalog.plugins.items() if set(info.roles) & roles} - exclude
    names = sel if isinstance(sel, list) else [sel]
    return {ctx.catalog.resolve(n) for n in names}


@predicate("shadowed", "{hook, plugin: selector, by?: selector, retval?: OK|DENY|...}: the simulation never "
                       "reaches plugin at hook")
def _p_shadowed(ctx: Context, arg: dict) -> Match:
    targets = _sel_names(ctx, arg["plugin"])
    by = _sel_names(ctx, arg.get("by"))
    for step in ctx.simulation.steps:
        hidden = [p for p in step.shadowed if targets is None or p in targets]
        if step.hook == arg["hook"] and hidden and step.answered_by and arg.get("retval", step.retval) == step.retval:
            plugin = hidden[0]
            if by is None or step.answered_by in by:
                entry = ctx.entry(step.answered_by)
                ev = [Evidence("simulation", None,
                               f"{step.hook}{' ' + step.target if step.target else ''}: {step.answered_by} "
                               f"answers {step.retval} first; {plugin} never runs", "simulation")]
                if entry:
                    ev.insert(0, _plugin_ev(entry))
                return Match(True, ev, {"by": step.answered_by, "hook": step.hook, "target": step.target or "",
                                        "retval": step.retval, "plugin": plugin}, assumes=dict(step.assumes))
    return Match(False)


@predicate("answered", "{hook, by?: selector, retval?: OK|DENY|..., reply_code?: 451}: simulated step")
def _p_answered(ctx: Context, arg: dict) -> Match:
    by = _sel_names(ctx, arg.get("by"))
    for step in ctx.simulation.steps:
        if step.hook != arg["hook"]:
            continue
        if by is not None and step.answered_by not in by:
            continue
        if "retval" in arg and step.retval != arg["retval"]:
            continue
        code = str(arg.get("reply_code", ""))
        if code and not step.reply.startswith(code):
            continue
        if "answered_by_none" in arg and bool(step.answered_by) == bool(arg["answered_by_none"]):
            continue
        return Match(True, [Evidence("simulation", None,
                                     f"{step.hook}: {step.answered_by or 'no plugin'} → {step.reply or step.retval}",
                                     "simulation")],
                     {"by": step.answered_by or "", "hook": step.hook, "reply": step.reply, "target": step.target or ""},
                     assumes=dict(step.assumes))
    return Match(False)


@predicate("outcome", "name or list: the simulated transaction ends this way (stored, queue_declined, ...)")
def _p_outcome(ctx: Context, arg: Any) -> Match:
    wanted = arg if isinstance(arg, list) else [arg]
    out = ctx.simulation.outcome
    if out not in wanted:
        return Match(False)
    from app.core.verdict import outcome_sentence
    return Match(True, [Evidence("simulation", None, f"simulated: {outcome_sentence(out)}", "simulation")],
                 {"outcome": out}, assumes=ctx.simulation.assumptions)


@predicate("registered", "{hook, plugin}: plugin registers a method on hook (per catalog)")
def _p_registered(ctx: Context, arg: dict) -> Match:
    regs = ctx.simulation.order.get(arg["hook"], [])
    names = _sel_names(ctx, arg.get("plugin"))
    hit = [r for r in regs if names is None or r["plugin"] in names]
    if not hit:
        return Match(False)
    return Match(True, [], {"plugin": hit[0]["plugin"], "hook": arg["hook"]})


# ------------------------------------------------------------------ config files

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, b: str(a).lower() == str(b).lower(),
    "not_equals": lambda a, b: str(a).lower() != str(b).lower(),
    "lt": lambda a, b: _num(a) is not None and _num(a) < float(b),
    "gt": lambda a, b: _num(a) is not None and _num(a) > float(b),
    "le": lambda a, b: _num(a) is not None and _num(a) <= float(b),
    "ge": lambda a, b: _num(a) is not None and _num(a) >= float(b),
    "matches": lambda a, b: a is not None and re.search(str(b), str(a), re.I) is not None,
    "not_matches": lambda a, b: a is None or re.search(str(b), str(a), re.I) is None,
    "contains": lambda a, b: isinstance(a, (list, str)) and str(b).lower() in [str(x).lower() for x in a]
    if isinstance(a, list) else str(b).lower() in str(a).lower(),
    "in": lambda a, b: str(a).lower() in [str(x).lower() for x in b],
}


def _num(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


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


@predicate("config", "{file, section?, key, op: exists|absent|truthy|falsy|equals|lt|gt|matches|..., value?, "
                     "default?: what Haraka uses when the file is not there}")
def _p_config(ctx: Context, arg: dict) -> Match:
    present, value, ev = config_value(ctx, arg)
    op = arg.get("op", "exists")
    given = ctx.cs.get(arg["file"]) is not None
    if not given and "default" in arg and op not in ("absent", "exists"):
        # the rule knows the default: reason with it, and say that it was assumed
        ok = _compare(op, arg["default"], arg.get("value"))
        where = file_display_name(arg["file"])
        return Match(ok, [], {"value": arg["default"], "key": arg["key"], "file": where},
                     assumes={where: f"its default {arg['key']}={arg['default']} assumed"})
    # `file_may_be_missing`: the rule reads a file's absence as "not set" (a legacy file, a log
    # that already shows the value); otherwise a file something reads but nobody gave is undecided
    undecided = None if given or arg.get("file_may_be_missing") else _missing_file(ctx, arg["file"])
    if op == "absent":
        if undecided is not None:
            return undecided
        ok = not present and (given or arg.get("file_may_be_missing", False))
        return Match(ok, [Evidence(arg["file"], None, f"{arg['key']} not set", "absent")] if ok else [],
                     {"key": arg["key"], "file": arg["file"]})
    if undecided is not None:
        return undecided
    if not present:
        return Match(False)
    ok = True if op == "exists" else _compare(op, value, arg.get("value"))
    return Match(ok, [ev] if ok and ev else [], {"value": value, "key": arg["key"], "file": ev.file if ev else arg["file"]})


def _compare(op: str, value: Any, wanted: Any) -> bool:
    if op == "truthy":
        return truthy(value)
    if op == "falsy":
        return not truthy(value)
    if op in OPS:
        return OPS[op](value, wanted)
    raise ValueError(f"unknown config op {op!r}")


def _resolve_side(ctx: Context, side: dict) -> tuple[Any, Evidence | None]:
    present, value, ev = config_value(ctx, side)
    if not present:
        if "default" not in side:
            return None, None
        value = side["default"]
    if value is not None and side.get("extract"):
        m = re.search(side["extract"], str(value))
        value = (m.groupdict().get("value") or (m.group(1) if m.groups() else m.group(0))) if m else \
            side.get("default")
    return value, ev


@predicate("differs", "{a: {file, section?, key, extract?: regex, default?}, b: {...}}: both values known and "
                      "different (case-insensitive), after `extract` (group 1 or (?P<value>...))")
def _p_differs(ctx: Context, arg: dict) -> Match:
    a, ev_a = _resolve_side(ctx, arg["a"])
    b, ev_b = _resolve_side(ctx, arg["b"])
    missing = [m for side, v in ((arg["a"], a), (arg["b"], b))
               if v is None and ctx.cs.get(side["file"]) is None and "default" not in side
               for m in [_missing_file(ctx, side["file"])] if m is not None]
    if missing:
        return missing[0]
    if a is None or b is None or str(a).strip().lower() == str(b).strip().lower():
        return Match(False)
    return Match(True, [e for e in (ev_a, ev_b) if e], {"a_value": a, "b_value": b,
                                                        "a_file": arg["a"]["file"], "b_file": arg["b"]["file"]})


@predicate("file", "name: the file was given (and parsed)")
def _p_file(ctx: Context, name: str) -> Match:
    f = ctx.cs.get(name)
    return Match(f is not None, [Evidence(f.name, None, f"{f.name} given")] if f else [], {"file": name})


@predicate("no_file", "name: the file was not given")
def _p_no_file(ctx: Context, name: str) -> Match:
    ok = ctx.cs.get(name) is None
    return Match(ok, [Evidence(name, None, f"no {name} given", "absent")] if ok else [], {"file": name})


@predicate("list_empty", "name: a list file (e.g. host_list) was given but has no entries")
def _p_list_empty(ctx: Context, name: str) -> Match:
    f = ctx.cs.get(name)
    if f is None:
        return _missing_file(ctx, name) or Match(False)
    ok = isinstance(f.parsed, list) and not f.parsed
    return Match(ok, [Evidence(f.name, None, "no entries", "config")] if ok else [], {"file": name})


@predicate("text", "{regex, files?: [glob], kinds?: [kind]}: a regex matches a line of the given files")
def _p_text(ctx: Context, arg: dict) -> Match:
    import fnmatch
    rx = re.compile(arg["regex"], re.I if arg.get("ignore_case", True) else 0)
    globs = arg.get("files")
    kinds = arg.get("kinds")
    for f in ctx.cs.files.values():
        if globs and not any(fnmatch.fnmatch(f.name, g) or fnmatch.fnmatch(f.basename, g) for g in globs):
            continue
        if kinds and f.kind not in kinds:
            continue
        for i, line in enumerate(f.lines, 1):
            m = rx.search(line)
            if m:
                values = {"match": m.group(0), "file": f.name, "line": i}
                values.update({k: v for k, v in m.groupdict().items() if v is not None})
                return Match(True, [Evidence(f.name, i, line.strip()[:300])], values)
    return Match(False)


# ------------------------------------------------------------------ logs

LOG_EVIDENCE = 3


# Field patterns several rules need, by name (`fields: {ip: "@private_client"}`), so a long regex
# lives in one place: a client on a private network that is not a Docker gateway (x.x.0.1 stands
# for every outside sender when Docker's proxy hides the real address).
NAMED_PATTERNS = {
    "@private_client": r"^(?!.*\.0\.1$)(?:(?:::ffff:)?(?:10\.|172\.(?:1[6-9]|2\d|3[01])\.|192\.168\.|127\.)"
                       r"|::1$|f[cd][0-9a-f]{2}:)",
}


@functools.lru_cache(maxsize=1024)
def _rx(pattern: str) -> re.Pattern:
    return re.compile(NAMED_PATTERNS.get(pattern, pattern), re.I)


def _candidates(ctx: Context, arg: dict) -> list:
    """Only the events of the wanted kinds (most conditions name one)."""
    kind = arg.get("kind")
    if kind is None:
        return ctx.events
    kinds = kind if isinstance(kind, list) else [kind]
    by_kind = ctx.events_by_kind
    return [ev for k in kinds for ev in by_kind.get(k, ())] if len(kinds) > 1 else by_kind.get(kinds[0], [])


def _event_matches(ev, arg: dict) -> bool:
    if "kind" in arg and ev.kind not in (arg["kind"] if isinstance(arg["kind"], list) else [arg["kind"]]):
        return False
    if "level" in arg and (ev.level or "").upper() not in [l.upper() for l in
                                                             (arg["level"] if isinstance(arg["level"], list) else [arg["level"]])]:
        return False
    for key in ("hook", "plugin", "retval", "code", "action", "error_code"):
        if key in arg:
            want = arg[key] if isinstance(arg[key], list) else [arg[key]]
            have = ev.fields.get(key, ev.fields.get("wildduck_action", "") if key == "action" else "")
            if str(have) not in [str(w) for w in want]:
                return False
    for key, want in (arg.get("fields") or {}).items():
        if not _rx(str(want)).search(str(ev.fields.get(key, ""))):
            return False
    if "regex" in arg and not _rx(arg["regex"]).search(ev.raw):
        return False
    return True


def _hits(ctx: Context, arg: dict, limit: int | None = None) -> list:
    """Matching events (all, or the first `limit`), cached per diagnosis."""
    key = ("hits", repr(sorted(arg.items(), key=lambda kv: kv[0])), limit)
    cached = ctx.log_cache.get(key)
    if cached is None:
        cached = []
        for ev in _candidates(ctx, arg):
            if _event_matches(ev, arg):
                cached.append(ev)
                if limit is not None and len(cached) >= limit:
                    break
        ctx.log_cache[key] = cached
    return cached


@predicate("log", "{kind?, level?, hook?, plugin?, retval?, code?, action?, error_code?, fields?, regex?, min?}")
def _p_log(ctx: Context, arg: dict) -> Match:
    hits = _hits(ctx, arg)
    if len(hits) < int(arg.get("min", 1)):
        return Match(False)
    ev = [Evidence(h.file, h.lineno, h.raw.strip()[:300], "log") for h in hits[:LOG_EVIDENCE]]
    first = hits[0]
    values = {"count": len(hits), "log_line": first.raw.strip()[:200]}
    values.update({f"log_{k}": v for k, v in first.fields.items() if isinstance(v, str)})
    if "regex" in arg:
        m = re.search(arg["regex"], first.raw, re.I)
        if m:
            values.update({k: v for k, v in m.groupdict().items() if v is not None})
    return Match(True, ev, values)


@predicate("no_log", "same as log: logs were given and no line matches")
def _p_no_log(ctx: Context, arg: dict) -> Match:
    if not ctx.logs_given:
        return Match(False)
    if _hits(ctx, arg, limit=1):
        return Match(False)
    return Match(True, [Evidence("logs", None, "no line in the logs shows this", "absent")], {})


def _transactions(ctx: Context) -> dict[str, list]:
    cached = ctx.log_cache.get("by_txn")
    if cached is None:
        cached = {}
        for ev in ctx.events:
            if ev.uuid and "." in ev.uuid:
                cached.setdefault(ev.uuid, []).append(ev)
        ctx.log_cache["by_txn"] = cached
    return cached


@predicate("log_transaction", "{has: [log cond...], lacks: [log cond...]}: one transaction (uuid.N) has all "
                              "`has` events and none of the `lacks` events")
def _p_log_transaction(ctx: Context, arg: dict) -> Match:
    key = ("txn", repr(arg))
    if key not in ctx.log_cache:
        ctx.log_cache[key] = _log_transaction(ctx, arg)
    return ctx.log_cache[key]


def _log_transaction(ctx: Context, arg: dict) -> Match:
    has = arg.get("has") or []
    lacks = arg.get("lacks") or []
    has = has if isinstance(has, list) else [has]
    lacks = lacks if isinstance(lacks, list) else [lacks]
    hits = []
    for uuid, events in _transactions(ctx).items():
        found = [next((e for e in events if _event_matches(e, c)), None) for c in has]
        if any(f is None for f in found):
            continue
        if any(_event_matches(e, c) for c in lacks for e in events):
            continue
        hits.append((uuid, found))
    if not hits:
        return Match(False)
    uuid, found = hits[0]
    ev = [Evidence(e.file, e.lineno, e.raw.strip()[:300], "log") for e in found[:LOG_EVIDENCE]]
    return Match(True, ev, {"transaction": uuid, "transactions": len(hits)})


@predicate("logs_given", "true|false: log lines were supplied")
def _p_logs_given(ctx: Context, arg: Any) -> Match:
    return Match(ctx.logs_given == bool(arg))

