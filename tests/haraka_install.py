"""A real Haraka 3.3.4 for the tests that compare mxdoctor with Haraka itself.

Why: the catalog and the hook order are only trustworthy when checked against the real thing.
`haraka_dir()` finds or installs one (once per machine, shared by parallel test processes);
`require_haraka()` is what a test calls: skip locally when Haraka cannot be had, fail in CI.

    haraka_dir() -> Path | None     # node_modules/Haraka of a Haraka 3.3.4 install
    require_haraka() -> Path        # same, or pytest.skip (locally) / pytest.fail (CI=true)

MXDOCTOR_HARAKA_DIR may name a Haraka package dir or a dir holding node_modules/Haraka.
"""
from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

HARAKA_VERSION = "3.3.4"
CACHE_DIR = Path.home() / ".cache" / "mxdoctor" / f"haraka-{HARAKA_VERSION}"
DONE_MARKER = ".mxdoctor-install-complete"
NPM_TIMEOUT_S = 900

_why_missing: list[str] = []


def _haraka_package(path: Path) -> Path | None:
    for candidate in (path, path / "node_modules" / "Haraka"):
        try:
            pkg = json.loads((candidate / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if pkg.get("name") == "Haraka":
            return candidate
    return None


def _install_into_cache() -> Path | None:
    npm = shutil.which("npm")
    if not npm:
        _why_missing.append("npm is not installed")
        return None
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR.parent / f"{CACHE_DIR.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # parallel test processes wait for one installer
        if (CACHE_DIR / DONE_MARKER).is_file():
            return _haraka_package(CACHE_DIR)
        manifest = CACHE_DIR / "package.json"
        if not manifest.is_file():
            manifest.write_text('{"name": "mxdoctor-haraka-cache", "private": true}\n', encoding="utf-8")
        try:
            proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", f"Haraka@{HARAKA_VERSION}"],
                                  cwd=CACHE_DIR, capture_output=True, text=True, timeout=NPM_TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            _why_missing.append(f"npm install Haraka@{HARAKA_VERSION} took over {NPM_TIMEOUT_S}s")
            return None
        found = _haraka_package(CACHE_DIR)
        if proc.returncode != 0 or found is None:
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            _why_missing.append(f"npm install Haraka@{HARAKA_VERSION} failed: {tail}")
            return None
        (CACHE_DIR / DONE_MARKER).write_text(HARAKA_VERSION + "\n", encoding="utf-8")
        return found


@functools.lru_cache(maxsize=1)
def haraka_dir() -> Path | None:
    """node_modules/Haraka of a Haraka 3.3.4 install, or None when node/npm (or the install) is
    missing. Uses MXDOCTOR_HARAKA_DIR when set, else installs once into ~/.cache/mxdoctor."""
    _why_missing.clear()
    if not shutil.which("node"):
        _why_missing.append("node is not installed")
        return None
    env = os.environ.get("MXDOCTOR_HARAKA_DIR")
    if env:
        found = _haraka_package(Path(env).expanduser())
        if found is None:
            _why_missing.append(f"MXDOCTOR_HARAKA_DIR={env} holds no Haraka package")
        return found
    return _install_into_cache()


def require_haraka() -> Path:
    """The Haraka dir for a test; skip without it locally, fail without it in CI."""
    import pytest

    found = haraka_dir()
    if found is not None:
        return found
    reason = "real Haraka unavailable: " + ("; ".join(_why_missing) or "unknown reason")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
