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

import ipaddress
import re
from dataclasses import dataclass, field

from app.core.inputs.classify import PLUGIN_NAME_RE, mostly
from app.core.inputs.shapes import plugin_names, shipped_shapes
from app.core.logs.formats import has_level_mark
from app.core.parsers.flat import list_values

DOMAIN_RE = re.compile(r"^(?=.{4,253}$)(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$", re.I)
INI_SECTION_RE = re.compile(r"^\s*\[([^\]\s][^\]]*)\]\s*$")
INI_KV_RE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*=")
YAML_KEY_RE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w.\-]*):(?:\s|$)")
TOML_VALUE_RE = re.compile(r"^\s*[A-Za-z_][\w.\-]*\s*=\s*(?:\"|'|\[|\{|true\b|false\b|-?\d)")
DOCKER_RE = re.compile(r"^\s*(?:FROM|RUN|COPY|ADD|ENV|ARG|WORKDIR|EXPOSE|CMD|ENTRYPOINT|USER|VOLUME|LABEL|HEALTHCHECK"
                       r"|SHELL|ONBUILD|STOPSIGNAL|MAINTAINER)\s+\S")
NPM_TREE_RE = re.compile(r"^[\s│|`]*[├└+`\\][─\-]+[┬─\-]?\s*(?:@[\w.\-]+/)?[\w.\-]+@\S+|^[\w.\-@/]+@\S+\s+/\S*\s*$")
MIN_SHAPE_SCORE = 2.0       # shared keys/sections needed before a block is named after a shipped file


@dataclass
class Block:
    start: int                     # 1-based first line in the paste
    lines: list[str]
    shape: str                     # plugins | ini | yaml | toml | json | log | pem | domains | networks
                                   # | dockerfile | npm-ls | context
    name: str = ""                 # the file it was taken as
    reason: str = ""
    alternatives: list[str] = field(default_factory=list)   # other files it could be

    @property
    def kind(self) -> str:
        """The ConfigFile kind this block is parsed as."""
        return {"domains": "list", "networks": "list", "dockerfile": "context", "npm-ls": "context"
                }.get(self.shape, self.shape)

    @property
    def end(self) -> int:
        return self.start + len(self.lines) - 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


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
    return _file_shape(body) or _syntax_shape(body) or _list_shape(lines)


def _file_shape(body: list[str]) -> str | None:
    """json (package.json, a lockfile), a Dockerfile or `npm ls` output, by their first lines."""
    if body[0].lstrip().startswith("{"):
        return "json"
    if DOCKER_RE.match(body[0]) and mostly([l for l in body if l[:1] not in (" ", "\t")], DOCKER_RE.match, 2):
        return "dockerfile"
    if mostly(body, NPM_TREE_RE.match, 2) and any(NPM_TREE_RE.match(l) for l in body[:2]):
        return "npm-ls"
    return None


def _syntax_shape(body: list[str]) -> str | None:
    """pem, log, ini, toml or yaml when the lines' syntax says so."""
    if any("-----BEGIN " in l for l in body):
        return "pem"
    if mostly(body, has_level_mark, 2):
        return "log"
    if any(INI_SECTION_RE.match(l) for l in body) or all(INI_KV_RE.match(l) for l in body):
        return _ini_or_toml(body)
    if mostly(body, YAML_KEY_RE.match, 3) or body[0].startswith((" ", "\t", "- ")):
        return "yaml"
    return None


def _ini_or_toml(body: list[str]) -> str:
    """Both read `key = value` under `[section]`; only TOML quotes its strings."""
    kvs = [l for l in body if INI_KV_RE.match(l)]
    quoted = kvs and all(TOML_VALUE_RE.match(l) for l in kvs) and any(re.search(r"=\s*[\"']", l) for l in kvs)
    return "toml" if quoted else "ini"


def _list_shape(lines: list[str]) -> str:
    """What a flat list of values holds: domains, networks, plugin names, or something else."""
    values = [v for _, v in list_values(lines)]
    if not values:
        return "context"
    if all(DOMAIN_RE.match(v) for v in values):
        return "domains"
    if all(_is_network(v) for v in values):
        return "networks"
    if all(PLUGIN_NAME_RE.match(v) for v in values) and _names_a_plugin(values):
        return "plugins"
    return "context"


def _names_a_plugin(values: list[str]) -> bool:
    known = plugin_names()
    return any(v in known or v.removeprefix("haraka-plugin-") in known or v.startswith(("queue/", "auth/"))
               for v in values)


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


def _names_in(kind: str, lines: list[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """The sections and (section, key) pairs a block names; a yaml block's top-level keys with
    keys under them count as sections."""
    sections, pairs = _yaml_keys(lines) if kind == "yaml" else _ini_keys(lines)
    if kind == "yaml":
        sections = sections | {s for s, _ in pairs}
    return sections, pairs


def _overlap(shape: dict, sections: set[str], pairs: set[tuple[str, str]]) -> tuple[float, list[str]]:
    """How much a block shares with one shipped file (a shared section counts most, a key under
    the same section next, a key found under another section least), and the names shared."""
    known = shape.get("sections") or {}
    shared_sections = {s for s in sections if s in known and s != "main"}
    shared_keys = {(s, k) for s, k in pairs if k in (known.get(s) or [])}
    loose_keys = {k for s, k in pairs if (s, k) not in shared_keys and any(k in ks for ks in known.values()
                                                                         if isinstance(ks, list))}
    score = 2.0 * len(shared_sections) + len(shared_keys) + 0.5 * len(loose_keys)
    return score, sorted(shared_sections)[:3] + sorted(k for _, k in shared_keys)[:4]


def rank_shipped(kind: str, lines: list[str], shapes: dict[str, dict] | None = None) -> list[tuple[float, str, str]]:
    """(score, file, why) for every shipped file of this kind that shares names with the block
    (an unquoted `key = value` file may be either ini or TOML)."""
    kinds = {"ini": ("ini", "toml"), "yaml": ("yaml",), "toml": ("toml",)}[kind]
    sections, pairs = _names_in(kind, lines)
    out = []
    for name, shape in (shapes if shapes is not None else shipped_shapes()).items():
        if shape.get("kind") not in kinds:
            continue
        score, names = _overlap(shape, sections, pairs)
        if score and shape.get("kind") == kind:
            # a tie between tls.ini and tls.toml goes to the block's own syntax
            out.append((score + 0.25, name, ", ".join(names)))
    return sorted(out, key=lambda x: (-x[0], x[1]))


def _full(name: str) -> str:
    """Haraka's files live in config/; WildDuck's TOML files do not."""
    return name if name.endswith(".toml") else f"config/{name}"


# Blocks named by their shape alone: shape -> (file name, reason).
NAMED_BY_SHAPE = {
    "plugins": ("config/plugins", "every line is a plugin name Haraka knows"),
    "networks": ("config/relay_acl_allow", "every line is an IP address or network; relay_acl_allow is the "
                                           "file of that shape"),
    "log": ("pasted.log", "log lines"),
    "pem": ("pasted.pem", "a PEM certificate or key"),
    "dockerfile": ("Dockerfile", "Dockerfile instructions (FROM, RUN, ...)"),
    "npm-ls": ("npm-ls.txt", "the package tree `npm ls` prints"),
}


def _name_json(lines: list[str]) -> tuple[str, str, list[str]]:
    text = "\n".join(lines)
    if '"lockfileVersion"' in text:
        return "package-lock.json", "a JSON object with lockfileVersion, as npm writes package-lock.json", []
    if re.search(r'"(?:dependencies|optionalDependencies|devDependencies)"\s*:', text) or \
            (re.search(r'^\s*"name"\s*:', text, re.M) and re.search(r'^\s*"version"\s*:', text, re.M)):
        return "package.json", "a JSON object with a name, a version or dependencies, as package.json has", []
    return "pasted.json", "a JSON file mxdoctor does not know by its keys", []


def name_block(kind: str, lines: list[str], shapes: dict[str, dict] | None = None) -> tuple[str, str, list[str]]:
    """(file name, reason, other candidates) for one block of a known shape."""
    if kind in ("ini", "yaml", "toml"):
        return _name_structured(kind, lines, shapes)
    if kind == "json":
        return _name_json(lines)
    if kind == "domains":
        count = len(list_values(lines))
        return "config/host_list", f"every line is a domain name ({count}); host_list is the file " \
                                   "that lists the domains an MX receives mail for", ["config/me"]
    name, reason = NAMED_BY_SHAPE.get(kind, ("pasted.txt", "not a file shape mxdoctor knows"))
    return name, reason, []


def _name_structured(kind: str, lines: list[str], shapes: dict[str, dict] | None) -> tuple[str, str, list[str]]:
    """An ini, yaml or toml block is the shipped file whose names it shares most, when one clearly leads."""
    if kind == "yaml" and "services" in _yaml_keys(lines)[0]:
        return "docker-compose.yml", "a `services:` mapping, as docker compose reads it", []
    ranked = rank_shipped(kind, lines, shapes)
    if ranked and ranked[0][0] >= MIN_SHAPE_SCORE and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
        score, name, why = ranked[0]
        return _full(name), f"its names ({why}) are those of {name}", [_full(n) for _, n, _ in ranked[1:4]]
    others = [_full(n) for _, n, _ in ranked[:4]]
    return f"pasted.{ 'yml' if kind == 'yaml' else kind}", f"an {kind} file whose names match no shipped file " \
        "closely enough", others


# --------------------------------------------------------------------------- the whole paste

def _line_family(line: str) -> str:
    """What kind of line this is, coarsely: a log line, part of a structured file (ini/yaml/toml),
    a bare value (a list file's entry), or a comment."""
    if not line.strip() or line.lstrip().startswith(("#", ";")):
        return "comment"
    if has_level_mark(line):
        return "log"
    if line[:1] in (" ", "\t") or line.lstrip().startswith(("- ", "{", "}", "[", "]")) or INI_SECTION_RE.match(line) \
            or INI_KV_RE.match(line) or YAML_KEY_RE.match(line) or "-----" in line:
        return "structured"
    return "value"


def _split_families(start: int, para: list[str]) -> list[tuple[int, list[str]]]:
    """A paragraph cut where its lines change family: two files pasted with no blank line between
    them (host_list's domains straight followed by wildduck.yaml's `redis:`) are two paragraphs."""
    out: list[tuple[int, list[str]]] = []
    first = next((l for l in para if l.strip() and not l.lstrip().startswith("#")), "")
    if first.lstrip().startswith("{") or DOCKER_RE.match(first):
        return [(start, para)]          # JSON and Dockerfiles mix every family of line
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
    if prev.shape == "json" and prev.text.count("{") > prev.text.count("}"):
        return True                     # a JSON object not closed yet: the blank line is inside it
    if shape != prev.shape:
        return prev.shape == "yaml" and para[0].startswith((" ", "\t"))   # an indented yaml continuation
    if shape in ("ini", "toml", "yaml"):
        before, after = name_block(shape, prev.lines, shapes)[0], name_block(shape, para, shapes)[0]
        return before == after or after.startswith("pasted") or before.startswith("pasted")
    return True
