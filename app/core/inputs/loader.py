"""Read paths or pasted text into a ConfigSet, parsing each file by kind.

Nothing here raises on bad content: unreadable or malformed parts become `Problem`s on the
ConfigSet and the rest is still parsed, so one damaged file never hides findings elsewhere.
Only "nothing usable at all" (a missing path) raises InputError.
"""
from __future__ import annotations

import os
from pathlib import Path

from app.core.errors import InputError
from app.core.inputs.classify import canonical_name, kind_for_content, kind_for_name
from app.core.inputs.split import split_paste
from app.core.model import ConfigFile, ConfigSet, Problem
from app.core.parsers.flat import list_values
from app.core.parsers.ini import parse_ini
from app.core.parsers.plugins_file import parse_plugins
from app.core.parsers.structured import parse_structured
from ingest.textio import to_lines

MAX_FILE_BYTES = 64 * 1024 * 1024       # bigger files are read only this far (and reported)
MAX_DIR_FILES = 2000
SKIP_DIRS = {"node_modules", ".git", "__pycache__", "queue"}


def _aliases(aliases: dict[str, str] | None) -> dict[str, str]:
    if aliases is not None:
        return aliases
    from app.core.catalog import load_catalog
    return load_catalog().aliases


def add_file(cs: ConfigSet, name: str, origin: str, data: bytes | str,
             kind: str | None = None, aliases: dict[str, str] | None = None, taken_as: str = "") -> ConfigFile | None:
    """Decode, classify and parse one file into `cs`. Returns the file, or None if it had no text."""
    lines, dec = to_lines(data)
    display = name or origin
    if dec.binary:
        cs.problems.append(Problem(display, None, "binary data, not a text file: skipped"))
        return None
    for note in dec.notes or []:
        cs.problems.append(Problem(display, None, note))
    kind = kind or kind_for_name(name) or kind_for_content(lines)
    cname = canonical_name(name, kind) if name and not name.startswith("pasted") else _default_name(kind, cs, name)
    f = ConfigFile(name=cname, origin=origin, kind=kind, lines=lines, taken_as=taken_as)
    _parse(f, cs, _aliases(aliases) if kind == "plugins" else {})
    if cname in cs.files and cs.files[cname].origin != origin:
        cs.problems.append(Problem(cname, None, f"given twice; using the copy from {origin}"))
    cs.files[cname] = f
    return f


def _default_name(kind: str, cs: ConfigSet, base: str = "") -> str:
    base = base or {"plugins": "config/plugins", "log": "pasted.log", "ini": "pasted.ini",
                    "yaml": "pasted.yaml"}.get(kind, "pasted.txt")
    name, n = base, 2
    while name in cs.files:
        stem, dot, ext = base.rpartition(".")
        name = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
        n += 1
    return name


def _parse(f: ConfigFile, cs: ConfigSet, aliases: dict[str, str]) -> None:
    if f.kind == "plugins":
        entries, problems = parse_plugins(f.lines, aliases, f.name)
        f.parsed = [e.name for e in entries]
        cs.plugins = entries
        cs.problems += problems
    elif f.kind == "ini":
        doc, problems = parse_ini(f.lines, f.name)
        f.parsed = doc.sections
        f.meta = doc
        cs.problems += problems
    elif f.kind == "list":
        f.parsed = [v for _, v in list_values(f.lines)]
    elif f.kind == "listing":
        from app.core.installed import listing_entries
        f.parsed = [name for name, _ in listing_entries(f.lines)]
    elif f.kind in {"yaml", "json", "toml"}:
        f.parsed, problems = parse_structured(f.kind, f.text, f.name)
        cs.problems += problems


def load_texts(items: list[tuple[str, str | bytes]], aliases: dict[str, str] | None = None) -> ConfigSet:
    """Named texts (e.g. from UI text areas) to a ConfigSet; each text may itself hold several files."""
    cs = ConfigSet()
    for name, data in items:
        _add_blob(cs, name, data, aliases)
    return cs


def load_inputs(paths: list[str | os.PathLike] | None = None,
                texts: list[tuple[str, str | bytes]] | None = None) -> ConfigSet:
    """Paths on disk and named texts (a raw paste is named "") as one ConfigSet: a text's file wins
    over a path's of the same name, and a pasted plugins list over the one on disk."""
    cs = load_paths(paths) if paths else ConfigSet()
    if texts:
        extra = load_texts(texts)
        cs.files.update(extra.files)
        cs.plugins = extra.plugins if extra.plugins is not None else cs.plugins
        cs.problems += extra.problems
    return cs


def load_paste(text: str | bytes, aliases: dict[str, str] | None = None) -> ConfigSet:
    """One pasted blob, possibly several files behind `==> name <==` headers."""
    return load_texts([("", text)], aliases)


def _add_blob(cs: ConfigSet, name: str, data: str | bytes, aliases: dict[str, str] | None) -> None:
    lines, dec = to_lines(data)
    if dec.binary:
        cs.problems.append(Problem(name or "paste", None, "binary data, not text: skipped"))
        return
    parts = split_paste(lines)
    if not any(part_name is not None for part_name, _, _ in parts):
        if name:                        # the text area says which file it is
            add_file(cs, name, "paste", data, aliases=aliases)
        else:
            _add_blocks(cs, lines, 1, aliases)
        return
    for part_name, start, part_lines in parts:
        if part_name is None:           # no header: the files in it are told apart by their content
            _add_blocks(cs, part_lines, start, aliases)
            continue
        origin = f"paste (line {start})"
        add_file(cs, part_name, origin, "\n".join(part_lines) + ("\n" if part_lines else ""), aliases=aliases)


def _add_blocks(cs: ConfigSet, lines: list[str], offset: int, aliases: dict[str, str] | None) -> None:
    from app.core.inputs.blocks import detect_blocks
    for b in detect_blocks(lines, offset):
        origin = f"paste (lines {b.start}-{b.end})"
        add_file(cs, b.name, origin, b.text, kind=b.kind if b.kind != "context" else None, aliases=aliases,
                 taken_as=b.reason)


def load_paths(paths: list[str | os.PathLike], aliases: dict[str, str] | None = None) -> ConfigSet:
    """A Haraka install dir (with config/), a config dir, or single files."""
    cs = ConfigSet()
    if not paths:
        raise InputError("no input given: pass a Haraka directory, a config directory or files")
    for p in map(Path, paths):
        if not p.exists():
            raise InputError("no such file or directory", file=str(p))
        if p.is_dir():
            _load_dir(cs, p, aliases)
        else:
            _load_one(cs, p, p.name if p.parent.name != "config" else f"config/{p.name}", aliases)
    return cs


def _load_dir(cs: ConfigSet, root: Path, aliases: dict[str, str] | None) -> None:
    count = 0
    if (root / "node_modules").is_dir():
        _list_node_modules(cs, root / "node_modules")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for fn in sorted(filenames):
            path = Path(dirpath) / fn
            count += 1
            if count > MAX_DIR_FILES:
                cs.problems.append(Problem(str(root), None, f"more than {MAX_DIR_FILES} files; the rest were not read"))
                return
            rel = path.relative_to(root).as_posix()
            if root.name == "config":
                rel = f"config/{rel}"      # a config dir given directly: its files are Haraka config
            _load_one(cs, path, rel, aliases)


def _list_node_modules(cs: ConfigSet, node_modules: Path) -> None:
    """An install dir's node_modules is not read, only listed (scoped packages one level down), so
    the checks can see which npm plugins are installed."""
    try:
        names = []
        for p in sorted(node_modules.iterdir()):
            if p.name.startswith("@") and p.is_dir():
                names += [f"{p.name}/{q.name}" for q in sorted(p.iterdir()) if q.is_dir()]
            elif p.is_dir() and not p.name.startswith("."):
                names.append(p.name)
    except OSError as exc:
        cs.problems.append(Problem(str(node_modules), None, f"cannot list: {exc.strerror or exc}"))
        return
    add_file(cs, "node_modules/", str(node_modules), "\n".join(names) + "\n", kind="listing")


def _load_one(cs: ConfigSet, path: Path, name: str, aliases: dict[str, str] | None) -> None:
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES)
    except OSError as exc:
        cs.problems.append(Problem(str(path), None, f"cannot read: {exc.strerror or exc}"))
        return
    if size > MAX_FILE_BYTES:
        cs.problems.append(Problem(str(path), None, f"{size} bytes; only the first {MAX_FILE_BYTES} were read"))
    add_file(cs, name, str(path), data, aliases=aliases)
