"""The settings a release's shipped default config defines: key path, default value, file and line.

Why: an explanation of a WildDuck or ZoneMTA line can then say which setting controls it (the
code reads `config.dbs.redis`; config/dbs.toml sets its default). Both servers load their config
with wild-config: config/default.toml (or default.js / default.json) is the root, and a
`# @include "dbs.toml"` comment inside `[dbs]` puts that file's keys under `dbs`. We follow the
same rules; other environments' files (test.toml, production.toml) are not defaults and are left
out, and so are settings only shown commented out. Values that look like secrets never leave the
package: they are written as <redacted>.
"""
from __future__ import annotations

import glob
import json
import re
import subprocess
from pathlib import Path

from app.build.build import node_binary

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

SETTINGS_JS = Path(__file__).with_name("settings.js")
REDACTED = "<redacted>"
_SECRET_KEY = re.compile(r"pass(word|phrase)?$|secret|token|salt|private|credential|apikey|api_key|(^|[._-])key$|"
                         r"^(dkim|tls|certs?)\.(.+\.)?(key|privateKey)$", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(r'^\s*("[^"]+"|\'[^\']+\'|[\w.-]+)\s*=')
_INCLUDE = re.compile(r'^\s*#\s*@include\s*"([^"]+)"', re.IGNORECASE)
MAX_LIST = 30


def _toml_key(raw: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', raw)
    return [a or b or c for a, b, c in parts]


def _flatten(value, prefix: str, out: dict) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif prefix:
        out[prefix] = value


def _scan(text: str) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """(dotted key -> line, [(table, include pattern, line)]) of one TOML file, by its lines."""
    table, lines, includes = "", {}, []
    for n, line in enumerate(text.splitlines(), 1):
        if m := _HEADER.match(line):
            table = ".".join(_toml_key(m.group(1)))
            lines.setdefault(table, n)
        elif m := _INCLUDE.match(line):
            includes.append((table, m.group(1), n))
        elif m := _ASSIGN.match(line):
            key = ".".join([*([table] if table else []), *_toml_key(m.group(1))])
            lines.setdefault(key, n)
    return lines, includes


def toml_settings(path: Path, root: Path, prefix: str = "", depth: int = 0) -> list[dict]:
    """Every leaf of a TOML config file and of the files it @includes, keyed under `prefix`."""
    text = path.read_text(encoding="utf-8")
    values: dict = {}
    _flatten(tomllib.loads(text), "", values)
    lines, includes = _scan(text)
    rel = path.relative_to(root).as_posix()
    out = []
    for key, value in values.items():
        line = next((lines[k] for k in _parents(key) if k in lines), 0)
        out.append({"key": f"{prefix}.{key}" if prefix else key, "value": value, "file": rel, "line": line})
    for table, pattern, _line in includes if depth < 8 else ():
        for found in sorted(glob.glob(str(path.parent / pattern))):
            under = ".".join(p for p in (prefix, table) if p)
            if found.endswith(".toml"):
                out += toml_settings(Path(found), root, under, depth + 1)
            elif found.endswith(".json"):
                out += json_settings(Path(found), root, under)
    return out


def json_settings(path: Path, root: Path, prefix: str = "") -> list[dict]:
    """A JSON file included into a table (WildDuck's api.roles from roles.json) is data, not settings:
    one entry that says where the table comes from; a JSON default config is flattened."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(root).as_posix()
    if prefix:
        return [{"key": prefix, "value": f"<{len(data)} entries>", "file": rel, "line": 0}]
    values: dict = {}
    _flatten(data, "", values)
    return [{"key": k, "value": v, "file": rel, "line": 0} for k, v in values.items()]


def _parents(key: str):
    parts = key.split(".")
    for i in range(len(parts), 0, -1):
        yield ".".join(parts[:i])


def js_settings(path: Path, root: Path, tools: Path) -> list[dict]:
    """Every leaf of a JavaScript config file (module.exports = {...}), evaluated by node."""
    proc = subprocess.run([node_binary(), str(SETTINGS_JS), "--acorn", str(tools), str(path)], capture_output=True,
                          text=True, timeout=120, check=False)
    found = json.loads(proc.stdout or "{}").get(str(path)) or {}
    rel = path.relative_to(root).as_posix()
    return [{"key": s["key"], "value": s["value"], "file": rel, "line": s.get("line", 0)}
            for s in found.get("settings", [])]


def package_settings(package_dir: Path, tools: Path) -> list[dict]:
    """The settings of a package's default config (config/default.{toml,js,json} and what it includes)."""
    config = package_dir / "config"
    out: list[dict] = []
    for name in ("default.toml", "default.json", "default.js"):
        path = config / name
        if not path.is_file():
            continue
        if name.endswith(".toml"):
            out += toml_settings(path, package_dir)
        elif name.endswith(".json"):
            out += json_settings(path, package_dir)
        else:
            out += js_settings(path, package_dir, tools)
    seen: dict[str, dict] = {}
    for s in out:                      # a later file wins, as in wild-config
        seen[s["key"]] = {**s, "value": redact(s["key"], s["value"])}
    # `[dbs]` holding only `# @include "dbs.toml"` is an empty table to TOML: its keys are listed instead
    tables = {k.rsplit(".", 1)[0] for k in seen if "." in k}
    tables |= {t.rsplit(".", i)[0] for t in tables for i in range(1, t.count(".") + 1)}
    return [s for k, s in seen.items() if not (s["value"] == {} and k in tables)]


def redact(key: str, value):
    """The value as it may be stored: secrets replaced, long lists cut."""
    if _SECRET_KEY.search(key) and value not in ("", None, False, [], {}):
        return REDACTED
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\1{REDACTED}@", value)
    if isinstance(value, list):
        if len(value) > MAX_LIST or any(isinstance(v, (dict, list)) for v in value):
            return f"<{len(value)} entries>"
        return [redact(key, v) for v in value]
    if isinstance(value, dict):     # an empty table
        return {}
    return value
