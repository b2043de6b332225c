"""Fix operations: small, declarative edits of config files, applied to text.

Edits keep the admin's file as it was except for the changed lines: a removed plugin is
commented out (Haraka skips `#` lines), keys are changed in place or added under their section.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from app.core.model import ConfigSet, FixOp
from app.core.parsers.flat import COMMENT_RE

Files = dict[str, list[str]]   # name -> lines, the working copy being edited
FIX_OPS: dict[str, Callable[[Files, ConfigSet, dict[str, Any]], str | None]] = {}


def fix_op(name: str):
    def wrap(fn):
        FIX_OPS[name] = fn
        return fn
    return wrap


def _norm(name: str, cs: ConfigSet) -> str:
    from app.core.catalog import load_catalog
    return load_catalog().resolve(name.strip())


def _plugin_lines(lines: list[str], cs: ConfigSet, name: str) -> list[int]:
    """0-based indexes of lines that load `name` (after prefix/alias normalisation)."""
    want = _norm(name, cs)
    return [i for i, l in enumerate(lines) if l.strip() and not COMMENT_RE.match(l) and _norm(l, cs) == want]


@fix_op("remove_plugin")
def _remove_plugin(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    lines = files.setdefault("config/plugins", [])
    idx = _plugin_lines(lines, cs, args["name"])
    if not idx:
        return f"{args['name']} is not listed"
    reason = args.get("reason", "disabled by mxdoctor")
    for i in idx:
        lines[i] = f"# {lines[i].strip()}    ({reason})"
    return None


def _catalog():
    from app.core.catalog import load_catalog
    return load_catalog()


def _live(lines: list[str]) -> list[int]:
    return [i for i, l in enumerate(lines) if l.strip() and not COMMENT_RE.match(l)]


@fix_op("rename_plugin")
def _rename_plugin(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    """Replace a plugin line by another name in place (keeps its position)."""
    lines = files.setdefault("config/plugins", [])
    hits = [i for i in _live(lines) if lines[i].strip() == args["from"]]
    if not hits:
        return f"{args['from']} is not listed"
    for i in hits:
        lines[i] = str(args["to"])
    return None


@fix_op("modernise_plugin_names")
def _modernise(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    """Every deprecated name becomes the name Haraka loads for it, in place."""
    lines = files.setdefault("config/plugins", [])
    aliases = _catalog().aliases
    for i in _live(lines):
        raw = lines[i].strip()
        bare = raw.removeprefix("haraka-plugin-")
        if bare in aliases:
            lines[i] = aliases[bare]
    return None


@fix_op("dedupe_plugins")
def _dedupe(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    """Comment out every later line that loads a plugin already loaded above it."""
    lines = files.setdefault("config/plugins", [])
    seen: set[str] = set()
    for i in _live(lines):
        name = _norm(lines[i], cs)
        if name in seen:
            lines[i] = f"# {lines[i].strip()}    (duplicate: Haraka would register its hooks twice)"
        seen.add(name)
    return None


@fix_op("split_inline_comments")
def _split_inline(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    """`name  # note` becomes `# note` on its own line above `name` (Haraka keeps inline text)."""
    lines = files.setdefault("config/plugins", [])
    out: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i in set(_live(lines)) and (" " in stripped or "\t" in stripped):
            name, rest = stripped.split(None, 1)
            rest = rest.lstrip("#;/ ").strip()
            if rest:
                out.append(f"# {rest}")
            out.append(name)
        else:
            out.append(line)
    lines[:] = out
    return None


@fix_op("add_plugin")
def _add_plugin(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    lines = files.setdefault("config/plugins", [])
    name = args["name"]
    if _plugin_lines(lines, cs, name):
        return None
    pos = _position(lines, cs, args)
    lines.insert(pos, name)
    return None


@fix_op("move_plugin")
def _move_plugin(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    lines = files.setdefault("config/plugins", [])
    idx = _plugin_lines(lines, cs, args["name"])
    if not idx:
        return f"{args['name']} is not listed"
    text = lines[idx[0]].strip()
    for i in reversed(idx):
        del lines[i]
    lines.insert(_position(lines, cs, args), text)
    return None


def _position(lines: list[str], cs: ConfigSet, args: dict[str, Any]) -> int:
    if args.get("before"):
        idx = _plugin_lines(lines, cs, args["before"])
        if idx:
            return idx[0]
    if args.get("after"):
        idx = _plugin_lines(lines, cs, args["after"])
        if idx:
            return idx[-1] + 1
    if args.get("position") == "start":
        first = [i for i, l in enumerate(lines) if l.strip() and not COMMENT_RE.match(l)]
        return first[0] if first else len(lines)
    # end: after the last plugin line, so trailing comments stay trailing
    last = [i for i, l in enumerate(lines) if l.strip() and not COMMENT_RE.match(l)]
    return last[-1] + 1 if last else len(lines)


SECTION_RE = re.compile(r"^\s*\[([^\]]*)\]\s*$")


def _ini_find(lines: list[str], section: str, key: str) -> tuple[int | None, int | None]:
    """(index of the key's line, index after the section's last line)."""
    current, key_idx, end = "main", None, None
    key_re = re.compile(rf"^\s*{re.escape(key)}(\[\])?\s*(=|$)")
    for i, line in enumerate(lines):
        m = SECTION_RE.match(line)
        if m:
            if current == section and end is None:
                end = i
            current = m.group(1).strip()
            continue
        if current == section and key_re.match(line) and not COMMENT_RE.match(line):
            key_idx = i
    if end is None:
        end = len(lines) if current == section or section == "main" and not any(SECTION_RE.match(l) for l in lines) \
            else None
    return key_idx, end


@fix_op("set_key")
def _set_key(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    name = _file_name(cs, args["file"])
    lines = files.setdefault(name, [])
    section, key, value = args.get("section", "main"), args["key"], args["value"]
    if name.endswith((".yaml", ".yml")):
        return _set_yaml_scalar(lines, key, value)
    key_idx, end = _ini_find(lines, section, key)
    new = f"{key}={_ini_value(value)}"
    if key_idx is not None:
        lines[key_idx] = new
    elif end is not None:
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        lines.insert(end, new)
    else:
        if lines and lines[-1].strip():
            lines.append("")
        lines += [f"[{section}]", new]
    return None


@fix_op("delete_key")
def _delete_key(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    name = _file_name(cs, args["file"])
    lines = files.setdefault(name, [])
    key_idx, _ = _ini_find(lines, args.get("section", "main"), args["key"])
    if key_idx is None:
        return f"{args['key']} is not set in {name}"
    lines[key_idx] = f"; {lines[key_idx].strip()}    (disabled by mxdoctor)"
    return None


@fix_op("write_file")
def _write_file(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    files[_file_name(cs, args["file"])] = str(args.get("content", "")).splitlines()
    return None


@fix_op("append_line")
def _append_line(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    lines = files.setdefault(_file_name(cs, args["file"]), [])
    if args["line"] not in (l.strip() for l in lines):
        lines.append(str(args["line"]))
    return None


@fix_op("remove_line")
def _remove_line(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    """Comment out every line of a list/ini file that matches `regex`."""
    name = _file_name(cs, args["file"])
    lines = files.get(name)
    if not lines:
        return f"{name} not given"
    rx = re.compile(args["regex"])
    hit = False
    for i, line in enumerate(lines):
        if not COMMENT_RE.match(line) and rx.search(line):
            lines[i] = f"# {line.strip()}    ({args.get('reason', 'disabled by mxdoctor')})"
            hit = True
    return None if hit else f"no line of {name} matches {args['regex']}"


@fix_op("delete_file")
def _delete_file(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    name = _file_name(cs, args["file"])
    if name not in files:
        return f"{name} not given"
    files[name] = None   # type: ignore[assignment]  # deleted: the diff removes every line
    return None


@fix_op("manual")
def _manual(files: Files, cs: ConfigSet, args: dict[str, Any]) -> str | None:
    return None   # nothing to edit: the step is shown to the admin


def _file_name(cs: ConfigSet, name: str) -> str:
    f = cs.get(name)
    if f is not None:
        return f.name
    return name if "/" in name or name.endswith((".yaml", ".yml", ".toml")) and name != "wildduck.yaml" \
        else f"config/{name}"


def _ini_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _set_yaml_scalar(lines: list[str], dotted: str, value: Any) -> str | None:
    """Change `key: old` to `key: value` for the last path part; refuse anything structural."""
    last = dotted.split(".")[-1]
    rx = re.compile(rf"^(\s*{re.escape(last)}\s*:\s*)([^#]*?)(\s*(#.*)?)$")
    for i, line in enumerate(lines):
        m = rx.match(line)
        if m and m.group(2).strip():
            rendered = value if isinstance(value, (int, float)) else f"'{value}'" if isinstance(value, str) and \
                re.search(r"[:#{}\[\],&*?|<>=!%@`]", value) else value
            if isinstance(value, bool):
                rendered = "true" if value else "false"
            lines[i] = f"{m.group(1)}{rendered}{m.group(3) or ''}"
            return None
    return f"{dotted} not found as a plain value in the YAML file; edit it by hand"


def apply_ops(cs: ConfigSet, ops: list[FixOp]) -> tuple[Files, Files, list[str]]:
    """(original files, edited files, messages). Only files an op touched are returned."""
    originals: Files = {name: list(f.lines) for name, f in cs.files.items()}
    work: Files = {name: list(lines) for name, lines in originals.items()}
    messages: list[str] = []
    for op in ops:
        msg = FIX_OPS[op.op](work, cs, op.args)
        if msg:
            messages.append(msg)
    changed = {n: l for n, l in work.items() if originals.get(n) != l}
    return {n: originals.get(n, []) for n in changed}, changed, messages   # a None value: file deleted
