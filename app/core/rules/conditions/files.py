"""Predicates on the files themselves: given or not, empty, misnamed, or holding a line of text."""
from __future__ import annotations

import difflib
import fnmatch
import re
from typing import Any

from app.core.model import ConfigFile, Evidence
from app.core.rules.conditions.absent import missing_file
from app.core.rules.conditions.match import Match
from app.core.rules.conditions.span import span
from app.core.rules.conditions.words import say
from app.core.rules.context import Context

MISNAMED_CUTOFF = 0.8      # difflib ratio: tsl.ini ~ tls.ini, smtp_foward.ini ~ smtp_forward.ini
NOT_CONFIG_SUFFIXES = (".js", ".pem", ".key", ".crt", "~", ".bak", ".orig")


def file(ctx: Context, name: str) -> Match:
    """name: the file was given (and parsed)"""
    f = ctx.cs.get(name)
    return Match(f is not None, [Evidence(f.name, None, say("file_given", file=f.name))] if f else [], {"file": name})


def no_file(ctx: Context, name: str) -> Match:
    """name: the file was not given"""
    ok = ctx.cs.get(name) is None
    return Match(ok, [Evidence(name, None, say("no_file", file=name), "absent")] if ok else [], {"file": name})


def list_empty(ctx: Context, name: str) -> Match:
    """name: a list file (e.g. host_list) was given but has no entries"""
    f = ctx.cs.get(name)
    if f is None:
        return missing_file(ctx, name) or Match(False)
    ok = isinstance(f.parsed, list) and not f.parsed
    return Match(ok, [Evidence(f.name, None, say("no_entries"), "config")] if ok else [], {"file": name})


def misnamed_config_file(ctx: Context, arg: Any) -> Match:
    """true: a file in config/ that nothing reads is named almost like one that Haraka or a
    plugin does read"""
    if not ctx.catalog.core_files:
        return Match(False)                    # no core list (a user catalog alone): cannot tell
    known = ctx.catalog.known_config_files()
    candidates = sorted(known)
    for name, f in sorted(ctx.cs.files.items()):
        if not name.startswith("config/"):
            continue
        base = name.removeprefix("config/")
        if "/" in base or base in known or base.endswith(NOT_CONFIG_SUFFIXES):
            continue
        close = difflib.get_close_matches(base, candidates, n=1, cutoff=MISNAMED_CUTOFF)
        if close:
            return Match(True, [Evidence(f.name, None, say("did_you_mean", file=base, suggestion=close[0]), "config")],
                         {"file": base, "suggestion": close[0]})
    return Match(False)


def _wanted(f: ConfigFile, globs: list[str] | None, kinds: list[str] | None) -> bool:
    if globs and not any(fnmatch.fnmatch(f.name, g) or fnmatch.fnmatch(f.basename, g) for g in globs):
        return False
    return not (kinds and f.kind not in kinds)


def text(ctx: Context, arg: dict) -> Match:
    """{regex, files?: [glob], kinds?: [kind], ignore_case?: true}: a regex matches a line of the
    given files"""
    rx = re.compile(arg["regex"], re.I if arg.get("ignore_case", True) else 0)
    for f in ctx.cs.files.values():
        if not _wanted(f, arg.get("files"), arg.get("kinds")):
            continue
        for i, line in enumerate(f.lines, 1):
            m = rx.search(span(line))
            if m:
                values = {"match": m.group(0), "file": f.name, "line": i}
                values.update({k: v for k, v in m.groupdict().items() if v is not None})
                return Match(True, [Evidence(f.name, i, line.strip()[:300])], values)
    return Match(False)


PREDICATES = {"file": file, "no_file": no_file, "list_empty": list_empty,
              "misnamed_config_file": misnamed_config_file, "text": text}
