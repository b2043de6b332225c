"""Build kb/plugins/universe.yaml: the published npm packages Haraka can load as plugins
(`mxdoctor catalog universe`).

Why: the catalog knows the plugins one Haraka release installs; an admin's config/plugins may name
any of the others published on npm. npm's search API is not always reachable, so candidate names
are gathered from what is at hand - the current universe file (its packages and its unchecked
candidates), the catalog, Haraka packages (docs, Plugins.md, package.json, the plugins installed
beside it), package lists (a `name<TAB>version` list of npm packages) and any text file of names -
and each is confirmed with `npm view NAME name version versions deprecated --json` (a few at a
time, each with a timeout). A name npm answers 404 for is dropped; names npm was not asked about
stay as they were, or as `candidates` for the next refresh. When npm cannot be reached at all the
current file is kept as it is.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

# a package name in any text: `haraka-plugin-x` or `@scope/haraka-plugin-x` (npm names are lower case)
NAME_RE = re.compile(r"(?<![\w@.-])(@[a-z0-9][\w.-]*/)?haraka-plugin-[a-z0-9][\w.-]*", re.I)
NOT_PART_OF_NAME = (".git", ".svg", ".png", ".md", ".json", ".html", ".js", ".")
TEXT_SUFFIXES = {".md", ".markdown", ".json", ".js", ".txt", ".yaml", ".yml", ".ini", ".html", ".rst", ""}
MAX_TEXT_BYTES = 2 * 1024 * 1024
NPM_TIMEOUT_S = 30
NETWORK_CODES = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH",
                 "EHOSTUNREACH", "ERR_SOCKET_TIMEOUT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY")
ENTRY_KEYS = ("version", "first", "versions", "deprecated", "via")


class RegistryUnreachable(Exception):
    """npm could not be asked at all (no npm, no network, a timeout)."""


@dataclass
class Candidates:
    """Names to look at, the sources that named them, and versions a package list gave."""
    names: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)      # source label -> names it gave
    listed: dict[str, str] = field(default_factory=dict)      # name -> latest version (package lists)

    def add(self, label: str, names: Iterable[str]) -> None:
        found = {n for n in names if is_package_name(n)}
        self.counts[label] = self.counts.get(label, 0) + len(found)
        self.names |= found


def is_package_name(name: str) -> bool:
    """A name npm could hold: lower case, `haraka-plugin-` and more (scoped or not)."""
    return name == name.lower() and bool(NAME_RE.fullmatch(name)) and not name.endswith("-")


def names_in_text(text: str) -> set[str]:
    out = set()
    for m in NAME_RE.finditer(text):
        name = m.group(0)
        while name.lower().endswith(NOT_PART_OF_NAME):
            name = name[:-1] if name.endswith(".") else name[: name.rfind(".")]
        if name == name.lower():           # haraka-plugin-SOMETHING is a placeholder, not a name
            out.add(name)
    return out


def names_in_dir(root: Path) -> set[str]:
    """Names in the text files under `root` (docs, README, package.json, sources), not in its node_modules."""
    out: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("node_modules", ".git")]
        for fn in filenames:
            path = Path(dirpath) / fn
            if path.suffix.lower() in TEXT_SUFFIXES and path.stat().st_size <= MAX_TEXT_BYTES:
                out |= names_in_text(path.read_text(encoding="utf-8", errors="replace"))
    return out


def installed_beside(package_dir: Path) -> set[str]:
    """haraka-plugin-* packages installed beside a Haraka package (its node_modules siblings)."""
    parent = package_dir.parent
    found = {p.name for p in parent.glob("haraka-plugin-*") if (p / "package.json").is_file()}
    return found | {f"{p.parent.name}/{p.name}" for p in parent.glob("@*/haraka-plugin-*") if (p / "package.json").is_file()}


def package_list(path: Path) -> dict[str, str]:
    """{name: latest version} of the haraka plugin packages in a `name<TAB>version...` list."""
    out = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if "haraka-plugin-" not in line:
                continue
            name, _, rest = line.rstrip("\n").partition("\t")
            if is_package_name(name):
                out[name] = rest.split("\t", 1)[0].strip()
    return out


def catalog_packages(path: Path) -> set[str]:
    """The npm packages a catalog file names (`package:` of its plugins)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(info.get("package")) for info in (doc.get("plugins") or {}).values()
            if isinstance(info, dict) and info.get("package")}


def read_universe(path: Path) -> dict[str, Any]:
    """The current file as data ({} when there is none)."""
    if not Path(path).is_file():
        return {}
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


# --------------------------------------------------------------------------- asking npm

def npm_view(name: str, timeout: float = NPM_TIMEOUT_S) -> dict[str, Any] | None:
    """npm's answer for one package, None when npm has no such package (E404);
    RegistryUnreachable when npm cannot answer."""
    npm = shutil.which("npm")
    if npm is None:
        raise RegistryUnreachable("npm is not installed")
    try:
        proc = subprocess.run([npm, "view", name, "name", "version", "versions", "deprecated", "--json"],
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RegistryUnreachable(f"npm view {name} took over {timeout:g}s") from None
    return parse_npm_answer(name, proc.returncode, proc.stdout, proc.stderr)


def parse_npm_answer(name: str, returncode: int, stdout: str, stderr: str) -> dict[str, Any] | None:
    """npm's JSON answer; None for E404; any other failure means npm could not answer."""
    try:
        data = json.loads(stdout) if stdout.strip() else {}
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    error = data.get("error") or {}
    if returncode == 0 and data.get("name") and not error:
        return data
    code = str(error.get("code") or "")
    if code == "E404" or "E404" in stderr:
        return None
    reason = code or next((c for c in NETWORK_CODES if c in stderr), "") or _last_line(stderr) or "no answer"
    raise RegistryUnreachable(f"npm view {name}: {reason}")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def entry_from_npm(data: dict[str, Any]) -> dict[str, Any]:
    versions = data.get("versions") or []
    versions = [versions] if isinstance(versions, str) else list(versions)
    entry: dict[str, Any] = {"version": data.get("version"), "first": versions[0] if versions else None,
                             "versions": len(versions) or None, "deprecated": data.get("deprecated") or None,
                             "via": "npm"}
    return {k: entry[k] for k in ENTRY_KEYS if entry.get(k) is not None}


def ask_npm(names: list[str], lookup: Callable[[str], dict[str, Any] | None] = npm_view,
            jobs: int = 4) -> dict[str, dict[str, Any] | None]:
    """{name: npm's answer or None} for every name, `jobs` at a time. The first name is asked
    alone, so an unreachable registry costs one timeout; RegistryUnreachable as soon as one answer
    says npm cannot be reached (the names not yet asked are not asked)."""
    if not names:
        return {}
    answers = {names[0]: lookup(names[0])}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {name: pool.submit(lookup, name) for name in names[1:]}
        for name, future in futures.items():
            answers[name] = future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return answers


# --------------------------------------------------------------------------- the file

@dataclass
class UniverseBuild:
    doc: dict[str, Any]
    asked: int = 0
    found: int = 0
    not_found: list[str] = field(default_factory=list)


def build_universe(cands: Candidates, current: dict[str, Any], answers: dict[str, dict[str, Any] | None],
                   today: date | None = None) -> UniverseBuild:
    """The new file's data: npm's answers first, then what the current file says, then a package
    list's version; every other name stays a candidate."""
    old = current.get("packages") or {}
    old_missing = set(current.get("not_found") or [])
    packages: dict[str, dict[str, Any]] = {}
    candidates: list[str] = []
    missing: list[str] = []
    for name in sorted(cands.names | set(old) | old_missing | set(answers)):
        if name in answers:
            if answers[name] is None:
                missing.append(name)
            else:
                packages[str(answers[name].get("name") or name)] = entry_from_npm(answers[name])
        elif (old.get(name) or {}).get("via") == "npm":
            packages[name] = old[name]
        elif name in cands.listed:
            packages[name] = {"version": cands.listed[name], "via": "list"}
        elif name in old:
            packages[name] = old[name]
        elif name in old_missing:
            missing.append(name)
        else:
            candidates.append(name)
    doc = {"generated": (today or date.today()).isoformat(),
           "sources": dict(sorted(cands.counts.items())),
           "packages": dict(sorted(packages.items())),
           "candidates": candidates,
           "not_found": missing}
    return UniverseBuild(doc, asked=len(answers), found=sum(1 for a in answers.values() if a),
                         not_found=[n for n in missing if n in answers])


HEADER = """\
# GENERATED FILE - do not edit by hand.
# Published npm packages Haraka can load as plugins (haraka-plugin-* and @scope/haraka-plugin-*),
# read by app/core/universe.py: a config/plugins name that is one of these is installable, not unknown.
# Generated by `{command}` on {date}.
# packages: version = latest dist-tag, first = first version, versions = how many are published,
#   deprecated = npm's message, via = npm (confirmed with `npm view`) or list (a package list gave
#   name and latest version; `npm view` fills in the rest on a refresh).
# candidates: names the sources mention that npm has not been asked about yet.
# not_found: names npm answered 404 for when it was last asked (asked again on a full refresh).
# sources: how many names each source gave this run.
"""


def render_universe(doc: dict[str, Any], command: str) -> str:
    head = {"generated": doc["generated"], "sources": doc.get("sources") or {}}
    body = (yaml.safe_dump(head, sort_keys=False, default_flow_style=None, width=1000)
            + yaml.safe_dump({"packages": doc.get("packages") or {}}, sort_keys=False,
                             default_flow_style=None, width=1000, allow_unicode=True)
            + yaml.safe_dump({"candidates": doc.get("candidates") or [],
                              "not_found": doc.get("not_found") or []}, sort_keys=False,
                             default_flow_style=False, width=1000))
    return HEADER.format(command=command, date=doc["generated"]) + body


def write_universe(doc: dict[str, Any], path: Path, command: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_universe(doc, command), encoding="utf-8")


def summary(build: UniverseBuild) -> str:
    packages = build.doc.get("packages") or {}
    scoped = sum(1 for n in packages if n.startswith("@"))
    via_npm = sum(1 for p in packages.values() if p.get("via") == "npm")
    sources = ", ".join(f"{k} {v}" for k, v in (build.doc.get("sources") or {}).items())
    return (f"universe: {len(packages)} packages ({len(packages) - scoped} unscoped, {scoped} scoped; "
            f"{via_npm} confirmed by npm view), {len(build.doc.get('candidates') or [])} candidates not asked; "
            f"asked npm about {build.asked}: {build.found} found, {len(build.not_found)} not published"
            + (f"; names from: {sources}" if sources else ""))


DEFAULT_PACKAGE_LIST = Path("/usr/share/package-lists/npm.tsv")


@dataclass
class UniverseSources:
    out: Path                                   # the universe file (read as a source, then written)
    catalog: Path | None = None
    haraka: list[Path] = field(default_factory=list)
    package_lists: list[Path] = field(default_factory=list)
    names: list[Path] = field(default_factory=list)


def gather(src: UniverseSources) -> tuple[Candidates, dict[str, Any]]:
    """Candidate names from every source, and the current file's data."""
    from app.build.discover import locate
    cands = Candidates()
    current = read_universe(src.out)
    cands.add("current file", [*(current.get("packages") or {}), *(current.get("candidates") or []),
                               *(current.get("not_found") or [])])
    if src.catalog is not None and src.catalog.is_file():
        cands.add("catalog", catalog_packages(src.catalog))
    for haraka in src.haraka:
        layout = locate(haraka)
        version = json.loads((layout.package_dir / "package.json").read_text(encoding="utf-8")).get("version")
        cands.add(f"Haraka {version}", names_in_dir(layout.package_dir) | installed_beside(layout.package_dir))
    for path in src.package_lists:
        listed = package_list(path)
        cands.listed.update(listed)
        cands.add(f"package list {path.name}", listed)
    for path in src.names:
        cands.add(f"names file {path.name}", names_in_text(path.read_text(encoding="utf-8", errors="replace")))
    return cands, current


def refresh_universe(src: UniverseSources, command: str, *, ask: list[str] | None = None, offline: bool = False,
                     jobs: int = 4, lookup: Callable[[str], dict[str, Any] | None] = npm_view,
                     today: date | None = None) -> tuple[UniverseBuild | None, str]:
    """Gather names, ask npm (all of them, only `ask`, or none when `offline`) and write the file.
    (None, notice) when npm cannot be reached: the current file is left as it is."""
    cands, current = gather(src)
    to_ask = [] if offline else sorted(cands.names if ask is None else {n for n in ask if is_package_name(n)})
    try:
        answers = ask_npm(to_ask, lookup, jobs)
        confirmed_before = [n for n in answers if n in (current.get("packages") or {})]
        if confirmed_before and not any(answers.values()):
            raise RegistryUnreachable("it answered 404 for every package, also for those it had listed")
    except RegistryUnreachable as exc:
        return None, f"npm registry not reachable ({exc}): kept {src.out} as it is"
    build = build_universe(cands, current, answers, today)
    write_universe(build.doc, src.out, command)
    return build, summary(build) + f"\nwrote {src.out}"
