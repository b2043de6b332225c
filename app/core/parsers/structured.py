"""YAML, JSON and TOML config files (wildduck.yaml, WildDuck's *.toml, docker-compose.yml)."""
from __future__ import annotations

import json
import re
from typing import Any

import yaml

try:
    import tomllib
except ModuleNotFoundError:      # Python 3.10: the same parser, as a package
    import tomli as tomllib

from app.core.model import Problem
from ingest.yamlload import PASTE, YAMLBudgetError, safe_load_all


def _line_of(exc: Exception) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return mark.line + 1
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else None


def parse_structured(kind: str, text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse; on failure return None and a Problem naming the line. YAML is read within the paste
    budget (`ingest.yamlload.PASTE`): an alias bomb is refused, not expanded."""
    try:
        if kind == "yaml":
            docs = [d for d in safe_load_all(text, PASTE) if d is not None]
            return (docs[0] if len(docs) == 1 else (docs or None)), []
        if kind == "json":
            return json.loads(text), []
        if kind == "toml":
            return tomllib.loads(text), []
    except YAMLBudgetError as exc:
        return None, [Problem(file, _line_of(exc), f"YAML not read: {exc.problem}", "error")]
    except (yaml.YAMLError, json.JSONDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [Problem(file, _line_of(exc), f"could not parse {kind.upper()}: {first}", "error")]
    return None, []


def key_line(lines: list[str], dotted: str) -> int | None:
    """Best-effort line number of a (dotted) key in YAML/TOML text, for evidence."""
    last = dotted.split(".")[-1]
    pat = re.compile(rf"^\s*[\"']?{re.escape(last)}[\"']?\s*[:=]")
    for i, line in enumerate(lines, 1):
        if pat.match(line):
            return i
    return None
