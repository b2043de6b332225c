"""Predicates on log lines: a kind of event seen (often enough), never seen, or one transaction
that has some events and lacks others. Each condition scans the events once per diagnosis: the
results are kept in `ctx.log_cache`, which a fix's re-check shares."""
from __future__ import annotations

import functools
import re
from typing import Any

from app.core.model import Evidence, LogEvent
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.span import span
from app.core.rules.conditions.words import say
from app.core.rules.context import Context

LOG_EVIDENCE = 3
EXACT_FIELDS = ("hook", "plugin", "retval", "code", "action", "error_code")

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


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _candidates(ctx: Context, arg: dict) -> list:
    """Only the events of the wanted kinds (most conditions name one)."""
    kind = arg.get("kind")
    if kind is None:
        return ctx.events
    kinds = _as_list(kind)
    by_kind = ctx.events_by_kind
    return [ev for k in kinds for ev in by_kind.get(k, ())] if len(kinds) > 1 else by_kind.get(kinds[0], [])


def _exact_fields_match(ev: LogEvent, arg: dict) -> bool:
    for key in EXACT_FIELDS:
        if key in arg:
            have = ev.fields.get(key, ev.fields.get("wildduck_action", "") if key == "action" else "")
            if str(have) not in [str(w) for w in _as_list(arg[key])]:
                return False
    return True


def _event_matches(ev: LogEvent, arg: dict) -> bool:
    """Does one event fit a log condition (kind, level, exact fields, field patterns, regex)?"""
    if "kind" in arg and ev.kind not in _as_list(arg["kind"]):
        return False
    if "level" in arg and (ev.level or "").upper() not in [l.upper() for l in _as_list(arg["level"])]:
        return False
    if not _exact_fields_match(ev, arg):
        return False
    for key, want in (arg.get("fields") or {}).items():
        if not _rx(str(want)).search(span(str(ev.fields.get(key, "")))):
            return False
    return not ("regex" in arg and not _rx(arg["regex"]).search(span(ev.raw)))


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


def _log_evidence(events: list[LogEvent]) -> list[Evidence]:
    return [Evidence(e.file, e.lineno, e.raw.strip()[:300], "log") for e in events[:LOG_EVIDENCE]]


def log(ctx: Context, arg: dict) -> Match:
    """{kind?, level?, hook?, plugin?, retval?, code?, action?, error_code?, fields?, regex?, min?}:
    at least `min` (default 1) log lines match"""
    hits = _hits(ctx, arg)
    if len(hits) < int(arg.get("min", 1)):
        return Match(False)
    first = hits[0]
    values = {"count": len(hits), "log_line": first.raw.strip()[:200]}
    values.update({f"log_{k}": v for k, v in first.fields.items() if isinstance(v, str)})
    if "regex" in arg:
        m = _rx(arg["regex"]).search(span(first.raw))
        if m:
            values.update({k: v for k, v in m.groupdict().items() if v is not None})
    return Match(True, _log_evidence(hits), values)


def no_log(ctx: Context, arg: dict) -> Match:
    """same as log: logs were given and no line matches"""
    if not ctx.logs_given:
        return Match(False)
    if _hits(ctx, arg, limit=1):
        return Match(False)
    return Match(True, [Evidence("logs", None, say("no_log_line"), "absent")], {})


def _transactions(ctx: Context) -> dict[str, list]:
    cached = ctx.log_cache.get("by_txn")
    if cached is None:
        cached = {}
        for ev in ctx.events:
            if ev.uuid and "." in ev.uuid:
                cached.setdefault(ev.uuid, []).append(ev)
        ctx.log_cache["by_txn"] = cached
    return cached


def log_transaction(ctx: Context, arg: dict) -> Match:
    """{has: [log cond...], lacks: [log cond...]}: one transaction (uuid.N) has all `has` events
    and none of the `lacks` events"""
    key = ("txn", repr(arg))
    if key not in ctx.log_cache:
        ctx.log_cache[key] = _log_transaction(ctx, arg)
    return ctx.log_cache[key]


def _log_transaction(ctx: Context, arg: dict) -> Match:
    has = _as_list(arg.get("has") or [])
    lacks = _as_list(arg.get("lacks") or [])
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
    return Match(True, _log_evidence(found), {"transaction": uuid, "transactions": len(hits)})


def logs_given(ctx: Context, arg: Any) -> Match:
    """true|false: log lines were supplied"""
    return Match(ctx.logs_given == bool(arg))


PREDICATES = {"log": log, "no_log": no_log, "log_transaction": log_transaction, "logs_given": logs_given}
