"""A real Haraka (3.3.4 by default) for the tests that compare mxdoctor with Haraka itself.

Why: the catalog and the hook order are only trustworthy when checked against the real thing.
`haraka_dir()` finds or installs one (once per machine, shared by parallel test processes);
`require_haraka()` is what a test calls: skip locally when Haraka cannot be had, fail in CI.

    haraka_dir(version="3.3.4") -> Path | None   # node_modules/Haraka of that Haraka's install
    require_haraka() -> Path                     # same, or pytest.skip (locally) / pytest.fail (CI=true)
    install_packages(version, ["haraka-plugin-x@1.2.3", ...]) -> str | None   # None = ok, else why not
    cache_dir(version) -> Path                   # ~/.cache/mxdoctor/haraka-<version>

MXDOCTOR_HARAKA_DIR may name a Haraka package dir or a dir holding node_modules/Haraka; it is
used for the default version only.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

HARAKA_VERSION = "3.3.4"
CACHE_ROOT = Path.home() / ".cache" / "mxdoctor"
DONE_MARKER = ".mxdoctor-install-complete"
NPM_TIMEOUT_S = 900

_why_missing: list[str] = []


def cache_dir(version: str = HARAKA_VERSION) -> Path:
    """The npm project dir a Haraka `version` is installed into."""
    return CACHE_ROOT / f"haraka-{version}"


CACHE_DIR = cache_dir(HARAKA_VERSION)


def why_missing() -> str:
    """Why the last haraka_dir()/install_packages() call found nothing ('' when it did)."""
    return "; ".join(_why_missing)


def _haraka_package(path: Path) -> Path | None:
    for candidate in (path, path / "node_modules" / "Haraka"):
        try:
            pkg = json.loads((candidate / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if pkg.get("name") == "Haraka":
            return candidate
    return None


@contextlib.contextmanager
def _install_lock(version: str):
    """Parallel processes wait here for one installer of the same version."""
    target = cache_dir(version)
    target.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield target


def _npm_install(target: Path, specs: list[str]) -> str | None:
    """`npm install specs` in target; None when it worked, else a short reason."""
    npm = shutil.which("npm")
    if not npm:
        return "npm is not installed"
    manifest = target / "package.json"
    if not manifest.is_file():
        manifest.write_text('{"name": "mxdoctor-haraka-cache", "private": true}\n', encoding="utf-8")
    try:
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", *specs], cwd=target,
                              capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"npm install {' '.join(specs)} took over {NPM_TIMEOUT_S}s"
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        return f"npm install {' '.join(specs)} failed: {tail}"
    return None


def _install_into_cache(version: str) -> Path | None:
    with _install_lock(version) as target:
        if (target / DONE_MARKER).is_file():
            return _haraka_package(target)
        failure = _npm_install(target, [f"Haraka@{version}"])
        found = _haraka_package(target)
        if failure or found is None:
            _why_missing.append(failure or f"npm install Haraka@{version} left no Haraka package")
            return None
        (target / DONE_MARKER).write_text(version + "\n", encoding="utf-8")
        return found


def install_packages(version: str, specs: list[str]) -> str | None:
    """npm-install extra packages (plugins) into Haraka `version`'s install dir, under its lock.
    A spec whose package is already in node_modules is skipped. None when all are there."""
    with _install_lock(version) as target:
        wanted = [s for s in specs
                  if not (target / "node_modules" / _package_name(s) / "package.json").is_file()]
        return _npm_install(target, wanted) if wanted else None


def _package_name(spec: str) -> str:
    """'haraka-plugin-x@1.2' -> 'haraka-plugin-x'; '@scope/x@1' -> '@scope/x'."""
    at = spec.find("@", 1)
    return spec if at < 0 else spec[:at]


@functools.lru_cache(maxsize=None)
def haraka_dir(version: str = HARAKA_VERSION) -> Path | None:
    """node_modules/Haraka of a Haraka `version` install, or None when node/npm (or the install)
    is missing. Uses MXDOCTOR_HARAKA_DIR for the default version when set, else installs once
    into ~/.cache/mxdoctor/haraka-<version>."""
    _why_missing.clear()
    if not shutil.which("node"):
        _why_missing.append("node is not installed")
        return None
    env = os.environ.get("MXDOCTOR_HARAKA_DIR")
    if env and version == HARAKA_VERSION:
        found = _haraka_package(Path(env).expanduser())
        if found is None:
            _why_missing.append(f"MXDOCTOR_HARAKA_DIR={env} holds no Haraka package")
        return found
    return _install_into_cache(version)


def require_haraka() -> Path:
    """The Haraka dir for a test; skip without it locally, fail without it in CI."""
    import pytest

    found = haraka_dir()
    if found is not None:
        return found
    reason = "real Haraka unavailable: " + (why_missing() or "unknown reason")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
