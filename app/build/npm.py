"""Fetch published npm packages the way the generators need them: versions, release dates, tarballs.

Why: the message index (and the plugin universe) are generated from what was really published, at
each release. `npm` is the one tool that reaches the registry here; tarballs are cached under the
mxdoctor cache dir so a rebuild only downloads new releases.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InputError
from ingest.home import cache_home
from ingest.npmpack import pack

NPM_TIMEOUT_S = 180


@dataclass(frozen=True)
class Release:
    package: str
    version: str
    date: str          # ISO date of publication, '' when npm did not say


def npm_binary() -> str:
    npm = shutil.which("npm")
    if not npm:
        raise InputError("npm is not installed (or not on PATH): the generators read published packages")
    return npm


def cache_dir() -> Path:
    return cache_home() / "npm"


def _npm(*args: str, cwd: Path | None = None) -> str:
    try:
        proc = subprocess.run([npm_binary(), *args], capture_output=True, text=True, timeout=NPM_TIMEOUT_S,
                              cwd=cwd, check=False)
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"npm {' '.join(args)} took over {NPM_TIMEOUT_S}s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise InputError(f"npm {' '.join(args)} failed: {tail[0]}")
    return proc.stdout


def releases(package: str) -> list[Release]:
    """Every published version of `package`, oldest first, with its publication date."""
    times = json.loads(_npm("view", package, "time", "--json") or "{}")
    listed = json.loads(_npm("view", package, "versions", "--json") or "[]")
    listed = [listed] if isinstance(listed, str) else listed
    return [Release(package, v, str(times.get(v, ""))[:10]) for v in listed]


def tarball(package: str, version: str) -> Path:
    """The package's tarball at `version`, from the cache or downloaded with `npm pack`."""
    try:
        return pack(package, version, cache_dir())
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"npm pack {package}@{version} failed: {exc}") from exc


def unpack(tgz: Path, dest: Path) -> Path:
    """Extract an npm tarball (its files sit under package/) into dest; returns the package root."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz) as tar:
        tar.extractall(dest, filter="data")
    roots = [p for p in dest.iterdir() if p.is_dir()]
    return roots[0] if len(roots) == 1 else dest
