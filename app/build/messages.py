"""Build the message index (`mxdoctor messages build`): every message Haraka and its plugins can log
or reply, at every release we index, read from the published packages with a real JS parser.

Why: a log line is explained by the code that printed it. messages.js (acorn) lists each log call,
`next(CODE, msg)`, `respond(code, msg)` and thrown error of a package dir; here we fetch each
release, run it, and merge the releases into one diffable file per package under kb/messages/,
where each message records the version ranges that have it and the line it sits on in each.
Only facts are stored: templates (literal text, computed parts as {}), file, line, function.
WildDuck and ZoneMTA are read in their own style (app/build/stack.py): npmlog prefixes, API
error codes, and the settings of their default config.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.build import stack
from app.build.build import node_binary
from app.build.npm import prefetch, releases, tarball, unpack
from app.core.errors import InputError
from app.core.messages import HARAKA, vkey

MESSAGES_JS = Path(__file__).with_name("messages.js")
EXTRACT_TIMEOUT_S = 900
MANY_HOOKS = 6          # a helper reached from this many hooks runs under any hook
Progress = Callable[[str], None]


@dataclass
class Target:
    """One package and the releases of it to index."""
    package: str
    versions: list[str]
    repo: str = ""                       # https://github.com/owner/name
    tag: str = "v{version}"              # how a release is tagged upstream
    dates: dict[str, str] = field(default_factory=dict)
    git_dir: Path | None = None          # index from a git mirror's tags instead of npm
    style: str = "haraka"                # how messages.js reads it: haraka | npmlog (WildDuck, ZoneMTA)


def _stable(version: str) -> bool:
    return bool(re.fullmatch(r"\d+\.\d+\.\d+", version))


def npm_target(package: str, since: str = "", lo: str = "", hi: str = "", last: int = 0) -> Target:
    """The stable releases of an npm package published on or after `since`, within [lo, hi]; with
    `last`, only that many of the newest."""
    found = [r for r in releases(package) if _stable(r.version)]
    keep = [r for r in found if (not since or not r.date or r.date >= since)
            and (not lo or vkey(r.version) >= vkey(lo)) and (not hi or vkey(r.version) <= vkey(hi))]
    keep.sort(key=lambda r: vkey(r.version))
    if last:
        keep = keep[-last:]
    return Target(package, [r.version for r in keep], dates={r.version: r.date for r in keep},
                  style="npmlog" if stack.is_stack(package) else "haraka")


def git_target(package: str, git_dir: Path, repo: str) -> Target:
    """The release tags (vX.Y.Z or X.Y.Z) of a git mirror, for a package that is not on npm."""
    out = subprocess.run(["git", "--git-dir", str(git_dir), "tag"], capture_output=True, text=True, check=True).stdout
    tags = {t.lstrip("v"): t for t in out.split() if _stable(t.lstrip("v"))}
    versions = sorted(tags, key=vkey)
    prefix = "v" if versions and tags[versions[-1]].startswith("v") else ""
    return Target(package, versions, repo=repo, tag=prefix + "{version}", git_dir=git_dir,
                  style="npmlog" if stack.is_stack(package) else "haraka")


def repo_url(package_json: dict) -> str:
    """github.com URL of a package.json `repository`, without .git; '' when it names none."""
    repo = package_json.get("repository") or ""
    url = repo.get("url", "") if isinstance(repo, dict) else str(repo)
    m = re.search(r"github\.com[/:]([\w.-]+/[\w.-]+?)(?:\.git)?$", url) or re.fullmatch(r"([\w.-]+/[\w.-]+)", url)
    return f"https://github.com/{m.group(1)}" if m else ""


# --------------------------------------------------------------------------- fetch + extract

def _fetch(target: Target, version: str, work: Path) -> Path:
    dest = work / f"{target.package.replace('/', '-')}-{version}"
    if target.git_dir is None:
        return unpack(tarball(target.package, version), dest)
    dest.mkdir(parents=True)
    tag = target.tag.format(version=version)
    archive = subprocess.run(["git", "--git-dir", str(target.git_dir), "archive", tag], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def extract(dirs: list[Path], tools: Path, style: str = "haraka") -> dict[str, dict]:
    """Run messages.js over package dirs; {dir: {messages, errors}}."""
    cmd = [node_binary(), str(MESSAGES_JS), "--acorn", str(tools), *(["--style", style] if style != "haraka" else []),
           *map(str, dirs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=EXTRACT_TIMEOUT_S, check=False)
    if proc.returncode != 0:
        raise InputError("messages.js failed: " + " | ".join(proc.stderr.strip().splitlines()[-3:]))
    return json.loads(proc.stdout)


def ensure_tools(tools: Path) -> Path:
    """acorn and acorn-walk installed in `tools` (npm, once per machine)."""
    if not (tools / "node_modules" / "acorn-walk").is_dir():
        tools.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(tools),
                        "acorn@8", "acorn-walk@8"], check=True, timeout=600, capture_output=True)
    return tools


def index_target(target: Target, tools: Path, jobs: int = 4, progress: Progress | None = None) -> dict:
    """Fetch every release of `target`, extract its messages, and merge them into one document."""
    say = progress or (lambda _m: None)
    with tempfile.TemporaryDirectory(prefix="mxdoctor-messages-") as tmp:
        work = Path(tmp)
        if target.git_dir is None:         # every release in a few npm calls
            prefetch(target.package, target.versions)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            dirs = list(pool.map(lambda v: _fetch(target, v, work), target.versions))
        say(f"{target.package}: {len(dirs)} release(s) fetched")
        if not target.repo and dirs:
            target.repo = repo_url(json.loads((dirs[-1] / "package.json").read_text(encoding="utf-8")))
        found = extract(dirs, tools, target.style)
        per_version = {v: found[str(d)]["messages"] for v, d in zip(target.versions, dirs)}
        errors = sorted({e for d in dirs for e in found[str(d)]["errors"]})
        inherits: dict[str, set[str]] = {}
        for d in dirs:
            for file, names in (found[str(d)].get("inherits") or {}).items():
                inherits.setdefault(file, set()).update(names)
        extra = {}
        if target.style == "npmlog" and dirs:
            per_version = {v: stack.settle(target.package, ms) for v, ms in per_version.items()}
            extra = stack.settings(dirs[-1], tools, target.versions[-1])
    doc = merge(target, per_version, errors)
    if inherits:
        doc["inherits"] = {file: sorted(names) for file, names in sorted(inherits.items())}
    if extra:       # after the releases, before the (long) list of messages
        messages = doc.pop("messages")
        doc.update(extra, messages=messages)
    return doc


# --------------------------------------------------------------------------- merge

def _key(m: dict) -> tuple:
    key = (m["file"], m["function"], m["kind"], m.get("level") or m.get("code") or "", m["template"],
           m.get("dsn") or "")
    # npmlog prefixes and API statuses (WildDuck, ZoneMTA) only: Haraka's ids stay as they were
    extra = tuple(str(m[k]) for k in ("prefix", "status") if m.get(k))
    return key + extra if extra else key


def message_id(package: str, key: tuple) -> str:
    return hashlib.sha1("\0".join((package, *key)).encode()).hexdigest()[:10]


def ranges(versions: list[str], lines: dict[str, int]) -> dict[str, int]:
    """{"first..last": line} over runs of consecutive indexed versions that have the same line."""
    out: dict[str, int] = {}
    run: list[str] = []
    for version in [*versions, None]:
        if run and (version is None or lines.get(version) != lines[run[0]]):
            out[run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}"] = lines[run[0]]
            run = []
        if version is not None and version in lines:
            run.append(version)
    return out


def merge(target: Target, per_version: dict[str, list[dict]], errors: Iterable[str] = ()) -> dict:
    """One document for the package: its indexed versions and each distinct message with where it is."""
    seen: dict[tuple, dict] = {}
    for version in target.versions:
        for m in per_version.get(version, []):
            key = _key(m)
            entry = seen.setdefault(key, {"m": m, "lines": {}, "hooks": set(), "files": set(), "keys": set()})
            entry["lines"].setdefault(version, m["line"])
            entry["hooks"].update(m["hooks"])
            entry["files"].update(m["config"]["files"])
            entry["keys"].update(m["config"]["keys"])
    messages = [_entry(target, key, e) for key, e in seen.items()]
    messages.sort(key=lambda m: (m["file"], min(m["at"].values()), m["id"]))
    doc = {"package": target.package, "repo": target.repo, "tag": target.tag}
    if target.style != "haraka":
        doc["style"] = target.style
    return {**doc, "versions": target.versions, "parse_errors": list(errors), "messages": messages}


def _entry(target: Target, key: tuple, e: dict) -> dict:
    m = e["m"]
    hooks = sorted(e["hooks"])
    out: dict = {"id": message_id(target.package, key), "kind": m["kind"]}
    if m.get("level"):
        out["level"] = m["level"]
    if m.get("code"):
        out["code"] = m["code"]
    if m.get("dsn"):
        out["dsn"] = m["dsn"]
    for name in ("status", "prefix", "action"):     # WildDuck / ZoneMTA only
        if m.get(name):
            out[name] = m[name]
    out.update({"template": m["template"], "file": m["file"], "function": m["function"],
                "hooks": ["any"] if len(hooks) >= MANY_HOOKS else hooks})
    if e["files"] or e["keys"]:
        out["config"] = {k: sorted(v) for k, v in (("files", e["files"]), ("keys", e["keys"])) if v}
    out["at"] = ranges(target.versions, e["lines"])
    return out


# --------------------------------------------------------------------------- plan + write

HEADER = """# GENERATED by `mxdoctor messages build` from the published package{s} - do not edit by hand.
# What {package} can log or reply, per indexed release: templates (literal text, computed parts
# as {{}}), the file, function and hooks that print them, the config they read, and for each run
# of releases the line they sit on (link: {repo}/blob/{tag}/FILE#LLINE).
"""


def package_json_at(package: str, version: str) -> dict:
    """package.json of a published release, read from its tarball without unpacking it."""
    with tarfile.open(tarball(package, version)) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/package.json") and m.name.count("/") == 1)
        return json.load(tar.extractfile(member))


def haraka_dependencies(versions: Iterable[str]) -> list[str]:
    """Every haraka-* package (plugins, and the libraries that log through Haraka's logger) that Haraka
    depends on, or lists as optional, in any of `versions`."""
    names: set[str] = set()
    for version in versions:
        pkg = package_json_at(HARAKA, version)
        for section in ("dependencies", "optionalDependencies"):
            names.update(n for n in pkg.get(section) or {}
                         if n.split("/")[-1].startswith("haraka-") and n not in NOT_RUN)
    return sorted(names)


def file_name(package: str) -> str:
    return package.replace("@", "").replace("/", "__") + ".yaml"


def write_package(doc: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / file_name(doc["package"])
    header = HEADER.format(s="" if doc.get("source") != "git" else " git tags", package=doc["package"],
                          repo=doc.get("repo") or "(repository unknown)",
                          tag=(doc.get("tag") or "v{version}").replace("{version}", "VERSION"))
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=200, default_flow_style=False)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(header + body, encoding="utf-8")
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------- the whole build

HARAKA_RANGE = ("2.8.0", "3.3.4")
SINCE = "2018-01-01"
NOT_RUN = {"haraka-test-fixtures", "haraka-eslint", "eslint-plugin-haraka"}   # never loaded by a running Haraka
GIT_PACKAGES = {"haraka-plugin-wildduck": "https://github.com/zone-eu/haraka-plugin-wildduck"}


def plan(haraka_range: tuple[str, str] = HARAKA_RANGE, since: str = SINCE, only: Iterable[str] = (),
         last: int = stack.LAST) -> list[Target]:
    """Haraka at every release in range, every plugin package it depends on at releases since `since`,
    and the rest of the stack (WildDuck, ZoneMTA) at their `last` releases; `only` these packages."""
    wanted = set(only)
    targets = []
    if not wanted or wanted - set(stack.STACK_PACKAGES):
        haraka = npm_target(HARAKA, lo=haraka_range[0], hi=haraka_range[1])
        names = [HARAKA, *haraka_dependencies(haraka.versions)]
        targets = [haraka if name == HARAKA else npm_target(name, since=since) for name in names
                   if not wanted or name in wanted]
    targets += [npm_target(name, last=last) for name in stack.STACK_PACKAGES if not wanted or name in wanted]
    return [t for t in targets if t.versions]


def build_messages(out_dir: Path, tools: Path, targets: list[Target], jobs: int = 4,
                   progress: Progress | None = None) -> list[Path]:
    """Index each target and write its file; returns the files written."""
    ensure_tools(tools)
    written = []
    for target in targets:
        doc = index_target(target, tools, jobs=jobs, progress=progress)
        doc["source"] = "git" if target.git_dir else "npm"
        written.append(write_package(doc, out_dir))
        if progress:
            progress(f"{target.package}: {len(doc['messages'])} messages over {len(target.versions)} release(s)")
    return written
