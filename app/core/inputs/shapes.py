"""The names in the config files Haraka, its plugins and WildDuck ship (kb/config-shapes.yaml,
generated from the real packages), plus the keys mxdoctor's own rules read, and the plugin names
the catalog knows: what a pasted block is compared with to tell which file it is."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ingest.filestamp import FileStamp, stamp
from ingest.kbdata import kb_path


@functools.lru_cache(maxsize=2)
def _shapes(file: FileStamp) -> dict[str, dict]:
    if file.size < 0:
        return {}
    return (yaml.safe_load(Path(file.path).read_text(encoding="utf-8")) or {}).get("files") or {}


def shipped_shapes() -> dict[str, dict]:
    """The shipped files' shapes, plus the keys mxdoctor's own rules read (relay.ini ships empty,
    but the rules know its [relay] all / acl / dest_domains)."""
    return _with_rule_keys(_shapes(stamp(kb_path("config-shapes.yaml"))))


def _rule_keys() -> dict[str, dict[str, set[str]]]:
    from app.core.rules.loader import load_rules
    out: dict[str, dict[str, set[str]]] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, arg in node.items():
                if key == "config" and isinstance(arg, dict) and "file" in arg and "key" in arg:
                    f = str(arg["file"]).rsplit("/", 1)[-1]
                    section = str(arg.get("section", "main")) if f.endswith(".ini") else str(arg["key"]).split(".")[0]
                    leaf = str(arg["key"]) if f.endswith(".ini") else str(arg["key"]).split(".")[-1]
                    out.setdefault(f, {}).setdefault(section, set()).add(leaf)
                else:
                    walk(arg)
        elif isinstance(node, list):
            for x in node:
                walk(x)
    try:
        rules = load_rules(problems=[])
    except Exception:          # a broken team rule must not stop a paste from being read
        return out
    for rule in rules:
        walk(rule.when)
    return out


def _with_rule_keys(shapes: dict[str, dict]) -> dict[str, dict]:
    merged = {name: {**shape, "sections": {s: list(k) for s, k in (shape.get("sections") or {}).items()}}
              for name, shape in shapes.items()}
    for f, sections in _rule_keys().items():
        kind = "ini" if f.endswith(".ini") else "yaml" if f.endswith((".yaml", ".yml")) else \
            "toml" if f.endswith(".toml") else None
        if kind is None:
            continue
        entry = merged.setdefault(f, {"kind": kind, "package": "mxdoctor rules", "sections": {}})
        for section, keys in sections.items():
            have = entry["sections"].setdefault(section, [])
            have += sorted(k for k in keys if k not in have)
    return merged


def plugin_names() -> set[str]:
    """Every plugin name the catalog knows, deprecated aliases included."""
    from app.core.catalog import load_catalog
    cat = load_catalog()
    return set(cat.plugins) | set(cat.aliases)
