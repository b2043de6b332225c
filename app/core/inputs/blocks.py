"""A paste without `==> name <==` headers, cut into the files it holds and each one named by content.

Admins paste host_list, wildduck.yaml and smtp.ini one after the other into one box. Blank lines
separate paragraphs; each paragraph gets a shape (log, plugin list, domain list, network list,
ini, yaml, toml, PEM) and consecutive paragraphs of one file are joined again. The file is then
named by what is in it: ini sections and keys and yaml keys are compared with the shapes of the
files Haraka, its plugins and WildDuck ship (kb/config-shapes.yaml, generated from the real
packages), a list of domains is host_list, a plugin list is config/plugins. Every block keeps the
reason it was taken as that file, so the app can show it and the admin can correct it.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass, field

import yaml

from app.core.inputs.classify import LOG_LINE_RE, PLUGIN_NAME_RE
from app.core.parsers.flat import list_values
from ingest.kbdata import kb_path

DOMAIN_RE = re.compile(r"^(?=.{4,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$", re.I)
INI_SECTION_RE = re.compile(r"^\s*\[([^\]\s][^\]]*)\]\s*$")
INI_KV_RE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*=")
YAML_KEY_RE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w.\-]*):(?:\s|$)")
TOML_VALUE_RE = re.compile(r"^\s*[A-Za-z_][\w.\-]*\s*=\s*(?:\"|'|\[|\{|true\b|false\b|-?\d)")
MIN_SHAPE_SCORE = 2.0       # shared keys/sections needed before a block is named after a shipped file


@dataclass
class Block:
    start: int                     # 1-based first line in the paste
    lines: list[str]
    shape: str                     # plugins | ini | yaml | toml | log | pem | domains | networks | context
    name: str = ""                 # the file it was taken as
    reason: str = ""
    alternatives: list[str] = field(default_factory=list)   # other files it could be

    @property
    def kind(self) -> str:
        """The ConfigFile kind this block is parsed as."""
        return {"domains": "list", "networks": "list"}.get(self.shape, self.shape)

    @property
    def end(self) -> int:
        return self.start + len(self.lines) - 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@functools.lru_cache(maxsize=2)
def _shapes(path: str, mtime: float) -> dict[str, dict]:
    return (yaml.safe_load(open(path, encoding="utf-8")) or {}).get("files") or {}


def shipped_shapes() -> dict[str, dict]:
    """The shipped files' shapes, plus the keys mxdoctor's own rules read (relay.ini ships empty,
    but the rules know its [relay] all / acl / dest_domains)."""
    path = kb_path("config-shapes.yaml")
    shapes = _shapes(str(path), path.stat().st_mtime) if path.is_file() else {}
    return _with_rule_keys(shapes)


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


def _plugin_names() -> set[str]:
    from app.core.catalog import load_catalog
    cat = load_catalog()
    return set(cat.plugins) | set(cat.aliases)


# --------------------------------------------------------------------------- one paragraph's shape

def _is_network(v: str) -> bool:
    try:
        ipaddress.ip_network(v.strip(), strict=False)
        return True
    except ValueError:
        return False


def shape_of(lines: list[str]) -> str:
    body = [l for l in lines if l.strip() and not l.lstrip().startswith(("#", ";"))]
    if not body:
        return "comment"
    if any("-----BEGIN " in l for l in body):
        return "pem"
    if sum(bool(LOG_LINE_RE.search(l)) for l in body) >= max(1, len(body) // 2):
        return "log"
    if any(INI_SECTION_RE.match(l) for l in body) or all(INI_KV_RE.match(l) for l in body):
        # both read `key = value` under `[section]`; only TOML quotes its strings
        kvs = [l for l in body if INI_KV_RE.match(l)]
        return "toml" if kvs and all(TOML_VALUE_RE.match(l) for l in kvs) and any(
            re.search(r"=\s*[\"']", l) for l in kvs) else "ini"
    if sum(bool(YAML_KEY_RE.match(l)) for l in body) >= max(1, len(body) // 3) or body[0].startswith((" ", "\t", "- ")):
        return "yaml"
    values = [v for _, v in list_values(lines)]
    if values and all(DOMAIN_RE.match(v) for v in values):
        return "domains"
    if values and all(_is_network(v) for v in values):
        return "networks"
    if values and all(PLUGIN_NAME_RE.match(v) for v in values):
        known = _plugin_names()
        if any(v in known or v.removeprefix("haraka-plugin-") in known or v.startswith(("queue/", "auth/"))
               for v in values):
            return "plugins"
    return "context"


# --------------------------------------------------------------------------- naming by shipped shapes

def _ini_keys(lines: list[str]) -> tuple[set[str], set[tuple[str, str]]]:
    sections, pairs, section = set(), set(), "main"
    for l in lines:
        m = INI_SECTION_RE.match(l)
        if m:
            section = m.group(1).strip()
            sections.add(section)
            continue
        m = INI_KV_RE.match(l)
        if m and not l.lstrip().startswith(("#", ";")):
            pairs.add((section, m.group(1)))
    return sections, pairs


def _yaml_keys(lines: list[str]) -> tuple[set[str], set[tuple[str, str]]]:
    tops, pairs, top, indent = set(), set(), None, None
    for l in lines:
        m = YAML_KEY_RE.match(l)
        if not m or l.lstrip().startswith("#"):
            continue
        depth = len(m.group(1).expandtabs())
        if depth == 0:
            top, indent = m.group(2), None
            tops.add(top)
        elif top is not None:
            indent = depth if indent is None else indent
            if depth == indent:
                pairs.add((top, m.group(2)))
    return tops, pairs


def rank_shipped(kind: str, lines: list[str], shapes: dict[str, dict] | None = None) -> list[tuple[float, str, str]]:
    """(score, file, why) for every shipped file of this kind that shares names with the block
    (an unquoted `key = value` file may be either ini or TOML)."""
    kinds = {"ini": ("ini", "toml"), "yaml": ("yaml",), "toml": ("toml",)}[kind]
    sections, pairs = _yaml_keys(lines) if kind == "yaml" else _ini_keys(lines)
    if kind == "yaml":
        sections = sections | {s for s, _ in pairs}
    out = []
    for name, shape in (shapes if shapes is not None else shipped_shapes()).items():
        if shape.get("kind") not in kinds:
            continue
        known = shape.get("sections") or {}
        shared_sections = {s for s in sections if s in known and s != "main"}
        shared_keys = {(s, k) for s, k in pairs if k in (known.get(s) or [])}
        loose_keys = {k for s, k in pairs if (s, k) not in shared_keys and any(k in ks for ks in known.values()
                                                                             if isinstance(ks, list))}
        score = 2.0 * len(shared_sections) + len(shared_keys) + 0.5 * len(loose_keys)
        if score and shape.get("kind") == kind:
            score += 0.25                  # a tie between tls.ini and tls.toml goes to the block's own syntax
            names = sorted(shared_sections)[:3] + sorted(k for _, k in shared_keys)[:4]
            out.append((score, name, ", ".join(names)))
    return sorted(out, key=lambda x: (-x[0], x[1]))


def _full(name: str) -> str:
    """Haraka's files live in config/; WildDuck's TOML files do not."""
    return name if name.endswith(".toml") else f"config/{name}"


def name_block(kind: str, lines: list[str], shapes: dict[str, dict] | None = None) -> tuple[str, str, list[str]]:
    """(file name, reason, other candidates) for one block of a known shape."""
    values = [v for _, v in list_values(lines)]
    if kind == "plugins":
        return "config/plugins", "every line is a plugin name Haraka knows", []
    if kind == "domains":
        return "config/host_list", f"every line is a domain name ({len(values)}); host_list is the file " \
                                   "that lists the domains an MX receives mail for", ["config/me"]
    if kind == "networks":
        return "config/relay_acl_allow", "every line is an IP address or network; relay_acl_allow is the " \
                                         "file of that shape", []
    if kind == "log":
        return "pasted.log", "log lines", []
    if kind in ("ini", "yaml", "toml"):
        sections, pairs = _yaml_keys(lines) if kind == "yaml" else _ini_keys(lines)
        if kind == "yaml" and "services" in sections:
            return "docker-compose.yml", "a `services:` mapping, as docker compose reads it", []
        ranked = rank_shipped(kind, lines, shapes)
        if ranked and ranked[0][0] >= MIN_SHAPE_SCORE and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            score, name, why = ranked[0]
            return _full(name), f"its names ({why}) are those of {name}", [_full(n) for _, n, _ in ranked[1:4]]
        others = [_full(n) for _, n, _ in ranked[:4]]
        return f"pasted.{ 'yml' if kind == 'yaml' else kind}", f"an {kind} file whose names match no shipped file " \
            "closely enough", others
    if kind == "pem":
        return "pasted.pem", "a PEM certificate or key", []
    return "pasted.txt", "not a file shape mxdoctor knows", []


# --------------------------------------------------------------------------- the whole paste

def _line_family(line: str) -> str:
    """What kind of line this is, coarsely: a log line, part of a structured file (ini/yaml/toml),
    a bare value (a list file's entry), or a comment."""
    if not line.strip() or line.lstrip().startswith(("#", ";")):
        return "comment"
    if LOG_LINE_RE.search(line):
        return "log"
    if line[:1] in (" ", "\t") or line.lstrip().startswith("- ") or INI_SECTION_RE.match(line) \
            or INI_KV_RE.match(line) or YAML_KEY_RE.match(line) or "-----" in line:
        return "structured"
    return "value"


def _split_families(start: int, para: list[str]) -> list[tuple[int, list[str]]]:
    """A paragraph cut where its lines change family: two files pasted with no blank line between
    them (host_list's domains straight followed by wildduck.yaml's `redis:`) are two paragraphs."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    cur_start, family = start, None
    for i, line in enumerate(para, start):
        fam = _line_family(line)
        if fam != "comment" and family is not None and fam != family and cur:
            out.append((cur_start, cur))
            cur, cur_start = [], i
        if fam != "comment":
            family = fam
        cur.append(line)
    if cur:
        out.append((cur_start, cur))
    return out


def _paragraphs(lines: list[str], offset: int) -> list[tuple[int, list[str]]]:
    out, cur, start = [], [], None
    for i, line in enumerate(lines, offset):
        if line.strip():
            if start is None:
                start = i
            cur.append(line)
        elif cur:
            out += _split_families(start, cur)
            cur, start = [], None
    if cur:
        out += _split_families(start, cur)
    return out


def detect_blocks(lines: list[str], offset: int = 1) -> list[Block]:
    """The files in a headerless paste, in order, each with the name it was taken as. A paragraph
    of comments belongs to what follows it; a paragraph of the same shape as the block before it
    continues that block (a blank line inside one file) unless its names say it is another file."""
    shapes = shipped_shapes()          # read once: every block is compared with all of them
    blocks: list[Block] = []
    comments: list[str] = []
    comments_start: int | None = None
    for start, para in _paragraphs(lines, offset):
        shape = shape_of(para)
        if shape == "comment":
            comments_start = comments_start or start
            comments += para + [""]
            continue
        prev = blocks[-1] if blocks else None
        if prev is not None and _continues(prev, shape, para, shapes):
            prev.lines += [""] * max(1, (comments_start or start) - prev.end - 1) + comments + para
        else:
            blocks.append(Block(start=comments_start or start, lines=comments + list(para), shape=shape))
        comments, comments_start = [], None
    if comments and blocks:
        blocks[-1].lines += [""] + comments[:-1]
    for b in blocks:
        b.name, b.reason, b.alternatives = name_block(b.shape, b.lines, shapes)
    return blocks


def _continues(prev: Block, shape: str, para: list[str], shapes: dict[str, dict]) -> bool:
    if shape != prev.shape:
        return prev.shape == "yaml" and para[0].startswith((" ", "\t"))   # an indented yaml continuation
    if shape in ("ini", "toml", "yaml"):
        before, after = name_block(shape, prev.lines, shapes)[0], name_block(shape, para, shapes)[0]
        return before == after or after.startswith("pasted") or before.startswith("pasted")
    return True
