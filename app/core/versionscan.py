"""Where a version shows in what an admin pastes: one reader per kind of input, each returning
`Found`s with the file and line (app.core.versions picks among them).

    Starting up Haraka version 2.8.28                 Haraka's start-up line (haraka.js, 2.8 and 3.x)
    Haraka.js — Version: 3.3.4                        `haraka -v` (bin/haraka)
    Node.js v20.11.1  /  node: '20.11.1'              node's fatal-error footer, `npm version`
    "Haraka": "^3.0.3"                                package.json (a range), git tags (#v5.8.43)
    "node_modules/Haraka": {"version": "2.8.28"}      package-lock.json (exact, lockfile v1-v3)
    ├── Haraka@2.8.28                                 `npm ls`
    FROM node:14-alpine / RUN npm i -g Haraka@2.8.28  Dockerfile (ARG/ENV substituted)
    image: nodemailer/wildduck:v1.42.1                docker-compose
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from app.core.semver import is_exact, parse_range
from app.core.versions import Found, canonical_package

ANSI_RE = re.compile(r"\x1b?\[[0-9;]*m")
STARTUP_RE = re.compile(r"Starting up Haraka version (?P<v>\S+)")
HARAKA_V_RE = re.compile(r"\bHaraka\.js\s*[—–-]*\s*Version:\s*(?P<v>\S+)")
NODE_RES = [re.compile(r"^\s*Node\.js (?P<v>v\d+\.\d+\.\d+)\s*$"),          # node >= 18 after an uncaught error
            re.compile(r"\bnode:\s*'(?P<v>\d+\.\d+\.\d+)'")]                  # `npm version`, process.versions
NODE_CMD_RE = re.compile(r"^\s*(?:\S*[$#>]\s*)?node\s+(?:-v|--version)\s*$")
BARE_VERSION_RE = re.compile(r"^\s*(?P<v>v\d+\.\d+\.\d+)\s*$")
WANTED = r"(?:[Hh]araka|haraka-plugin-[\w.-]+|wildduck)"
NPM_LS_RE = re.compile(r"^[\s│|`]*[├└+`\\][─\-]+[┬─\-]?\s*(?P<name>" + WANTED + r")@(?P<v>[^\s]+)")
NPM_LS_ROOT_RE = re.compile(r"^(?P<name>[Hh]araka)@(?P<v>\d[^\s]*)\s+/")
NPM_INSTALL_RE = re.compile(r"\b(?:npm\s+(?:install|i|add|isntall)|yarn\s+(?:global\s+)?add"
                            r"|pnpm\s+(?:add|install|i))\b")
NPM_SPEC_RE = re.compile(r"(?<![\w@/.-])(?P<name>" + WANTED + r")@(?P<v>[^\s'\";&|)]+)")
FROM_RE = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?P<image>\S+)", re.I)
IMAGE_RE = re.compile(r"^\s*-?\s*image:\s*[\"']?(?P<image>[^\s\"'#]+)")
ARG_RE = re.compile(r"^\s*(?:ARG|ENV)\s+(?P<name>[A-Za-z_]\w*)(?:=|\s+)[\"']?(?P<value>[^\s\"']*)", re.I)
VAR_RE = re.compile(r"\$\{?([A-Za-z_]\w*)(?::-[^}]*)?\}?")
TAG_VERSION_RE = re.compile(r"^v?(?P<v>\d+(?:\.\d+){0,2}(?:-(?:alpha|beta|rc)[\w.]*)?)(?:$|[-_])")
IMAGE_PACKAGES = {"node": "node", "haraka": "haraka", "wildduck": "wildduck"}
DEP_SECTIONS = ("dependencies", "optionalDependencies", "devDependencies", "peerDependencies")


def new_found(package: str, version: str, file: str, line: int | None, source: str, order: int = 0) -> Found | None:
    """A Found with the version as a range can read it (`v2.8.28/3f2a1c` -> 2.8.28), or None."""
    version = version.strip().lstrip("vV=").split("/", 1)[0] if version else ""
    if not version or parse_range(version) is None:
        return None
    return Found(canonical_package(package), version, file, line, source, order)


def _keep(items: Iterable[Found | None]) -> list[Found]:
    return [f for f in items if f is not None]


# --------------------------------------------------------------------------- logs

def scan_events(events: Iterable) -> list[Found]:
    """Haraka's start-up lines among parsed log events (a later start names the version running now)."""
    out = []
    for n, ev in enumerate(events):
        if ev.kind == "startup" and ev.fields.get("version"):
            out.append(new_found("haraka", ev.fields["version"], ev.file, ev.lineno, "log", n))
    return _keep(out)


# --------------------------------------------------------------------------- plain text

def _line_finds(line: str, i: int, name: str, prev: str, npm_install: bool) -> list[Found | None]:
    text = ANSI_RE.sub("", line)
    out: list[Found | None] = []
    for rx, pkg, source in ((STARTUP_RE, "haraka", "log"), (HARAKA_V_RE, "haraka", "haraka -v")):
        m = rx.search(text)
        if m:
            out.append(new_found(pkg, m.group("v"), name, i, source, i))
    for rx in NODE_RES:
        m = rx.search(text)
        if m:
            out.append(new_found("node", m.group("v"), name, i, "node", i))
    m = BARE_VERSION_RE.match(text)
    if m and NODE_CMD_RE.match(ANSI_RE.sub("", prev)):
        out.append(new_found("node", m.group("v"), name, i, "node", i))
    m = NPM_LS_RE.match(text) or NPM_LS_ROOT_RE.match(text)
    if m and is_exact(m.group("v").lstrip("v")):
        out.append(new_found(m.group("name"), m.group("v"), name, i, "npm ls", i))
    if npm_install and NPM_INSTALL_RE.search(text):
        out += [new_found(s.group("name"), s.group("v"), name, i, "npm install", i) for s in NPM_SPEC_RE.finditer(text)]
    return out


def scan_text(name: str, lines: list[str], npm_install: bool = True) -> list[Found]:
    """Version lines anywhere in a text: start-up lines, `haraka -v`, node, `npm ls`, npm install."""
    out: list[Found | None] = []
    prev = ""
    for i, line in enumerate(lines, 1):
        if len(line) < 2000:
            out += _line_finds(line, i, name, prev, npm_install)
        prev = line
    return _keep(out)


# --------------------------------------------------------------------------- package.json, lockfiles

def _key_line(lines: list[str], key: str, start: int = 0) -> int | None:
    """1-based line of the first `"key":` at or after line index `start`."""
    rx = re.compile(r'"' + re.escape(key) + r'"\s*:')
    return next((i for i in range(start, len(lines)) if rx.search(lines[i])), -1) + 1 or None


def _wanted(name: str) -> bool:
    return bool(re.fullmatch(WANTED, name))


def _dep_spec(spec: str) -> str:
    """A dependency's version: the spec itself, or a git URL's `#v5.8.43` / `#semver:^6.0` tag."""
    spec = str(spec).strip()
    if "#" in spec:
        spec = spec.rsplit("#", 1)[1].removeprefix("semver:")
    return spec


def scan_package_json(name: str, lines: list[str], data: Any) -> list[Found]:
    """A package's own version (node_modules/Haraka/package.json) and its dependencies' ranges."""
    if not isinstance(data, dict):
        return []
    out: list[Found | None] = []
    own = str(data.get("name", ""))
    if _wanted(own) and data.get("version"):
        out.append(new_found(own, str(data["version"]), name, _key_line(lines, "version"), "installed package.json"))
    for section in DEP_SECTIONS:
        deps = data.get(section)
        if not isinstance(deps, dict):
            continue
        start = (_key_line(lines, section) or 1) - 1
        for dep, spec in deps.items():
            if _wanted(dep) and isinstance(spec, str):
                out.append(new_found(dep, _dep_spec(spec), name, _key_line(lines, dep, start), "package.json"))
    return _keep(out)


def _lock_entries(data: dict) -> Iterable[tuple[str, str, str]]:
    """(package, version, key as written) of the top-level packages of a lockfile (v1, v2, v3)."""
    for key, entry in (data.get("packages") or {}).items():
        if key.startswith("node_modules/") and "/node_modules/" not in key and isinstance(entry, dict):
            yield key[len("node_modules/"):], str(entry.get("version", "")), key
    for dep, entry in (data.get("dependencies") or {}).items():
        if isinstance(entry, dict):
            yield dep, str(entry.get("version", "")), dep


def scan_lockfile(name: str, lines: list[str], data: Any) -> list[Found]:
    """Exact versions npm resolved for Haraka and its plugins."""
    if not isinstance(data, dict):
        return []
    out: list[Found | None] = []
    for package, version, key in _lock_entries(data):
        if not _wanted(package) or not is_exact(version):
            continue
        at = _key_line(lines, key)
        line = _key_line(lines, "version", at) if at else None
        out.append(new_found(package, version, name, line or at, "package-lock.json"))
    return _keep(out)


# --------------------------------------------------------------------------- images

def image_version(ref: str) -> tuple[str, str] | None:
    """(package, version) of a node, Haraka or WildDuck image tag: node:14-alpine -> (node, 14.x)."""
    ref = ref.split("@", 1)[0]
    repo, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    last = repo.rsplit("/", 1)[-1].lower()
    package = next((p for key, p in IMAGE_PACKAGES.items() if last == key or (key == "haraka" and key in last)), None)
    m = TAG_VERSION_RE.match(tag)
    if package is None or not m:
        return None
    v = m.group("v")
    parts = v.split("-", 1)[0].split(".")
    return package, v if len(parts) == 3 else ".".join(parts) + ".x"


def _substitute(text: str, env: dict[str, str]) -> str:
    return VAR_RE.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def scan_dockerfile(name: str, lines: list[str]) -> list[Found]:
    """FROM image tags and npm installs, with ARG/ENV values put in (`npm i -g Haraka@$HARAKA_VERSION`)."""
    env: dict[str, str] = {}
    out: list[Found | None] = []
    for i, raw in enumerate(lines, 1):
        line = _substitute(raw, env)
        m = ARG_RE.match(line)
        if m and m.group("value"):
            env[m.group("name")] = m.group("value")
        m = FROM_RE.match(line)
        if m and (got := image_version(m.group("image"))):
            out.append(new_found(got[0], got[1], name, i, "image", i))
        continued = i > 1 and lines[i - 2].rstrip().endswith("\\")
        if NPM_INSTALL_RE.search(line) or (continued and NPM_SPEC_RE.search(line)):
            out += [new_found(s.group("name"), s.group("v"), name, i, "npm install", i)
                    for s in NPM_SPEC_RE.finditer(line)]
    return _keep(out)


def scan_compose(name: str, lines: list[str]) -> list[Found]:
    """`image:` tags of node, Haraka and WildDuck services."""
    out = []
    for i, line in enumerate(lines, 1):
        m = IMAGE_RE.match(line)
        if m and (got := image_version(m.group("image"))):
            out.append(new_found(got[0], got[1], name, i, "image", i))
    return _keep(out)


# --------------------------------------------------------------------------- one input file

def is_dockerfile(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return base == "dockerfile" or base.startswith("dockerfile.") or base.endswith(".dockerfile")


def scan_file(f) -> list[Found]:
    """Every version a pasted or read file shows (log files are read as events, by scan_events)."""
    if f.kind == "log":
        return []
    base = f.basename.lower()
    if base == "package.json":
        return scan_package_json(f.name, f.lines, f.parsed)
    if base in ("package-lock.json", "npm-shrinkwrap.json"):
        return scan_lockfile(f.name, f.lines, f.parsed)
    if is_dockerfile(base):
        return scan_dockerfile(f.name, f.lines) + scan_text(f.name, f.lines, npm_install=False)
    if f.kind == "yaml" and "compose" in base:
        return scan_compose(f.name, f.lines)
    if f.kind in ("json", "ini", "plugins", "list", "toml"):
        return []
    return scan_text(f.name, f.lines)
