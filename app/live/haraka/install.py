"""Find or npm-install one Haraka release, once per machine, shared by parallel processes.

Why here: `mxdoctor replay` runs the admin's own release, and the e2e tests run the releases the
catalog is checked against; both need the same install, made once under a file lock and marked
complete only when npm finished (an interrupted install is redone, never half-used).

    cache_dir(version, root) -> Path           # <root>/haraka-<version>; root defaults to cache_home()
    install_haraka(version, root=..., progress=print) -> Path   # node_modules/Haraka, or InstallError
    install_packages(version, specs, root=...) -> str | None    # extra plugin packages; None = ok
    node_missing() -> str | None                                # what to install when node/npm are absent
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

DONE_MARKER = ".mxdoctor-install-complete"
NPM_TIMEOUT_S = 900
NODE_HINT = "replay needs node (>= 18) and npm: apt install nodejs npm, or https://nodejs.org"

Progress = Callable[[str], None]


class InstallError(RuntimeError):
    """Haraka (or a plugin package) could not be installed; the message says why."""


def default_root() -> Path:
    """MXDOCTOR_CACHE, else the user's cache dir (~/.cache/mxdoctor)."""
    from ingest.home import cache_home
    return cache_home()


def cache_dir(version: str, root: Path | None = None) -> Path:
    """The npm project dir Haraka `version` is installed into."""
    return Path(root or default_root()) / f"haraka-{version}"


def node_missing() -> str | None:
    """None when node and npm are on PATH, else one line saying what to install."""
    if (shutil.which("node") or shutil.which("nodejs")) and shutil.which("npm"):
        return None
    return NODE_HINT


def haraka_package(path: Path) -> Path | None:
    """node_modules/Haraka under an npm project dir (or `path` itself when it is the package)."""
    for candidate in (path, path / "node_modules" / "Haraka"):
        try:
            pkg = json.loads((candidate / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if pkg.get("name") == "Haraka":
            return candidate
    return None


def installed(version: str, root: Path | None = None) -> Path | None:
    """The finished install of `version`, without installing anything."""
    target = cache_dir(version, root)
    return haraka_package(target) if (target / DONE_MARKER).is_file() else None


@contextlib.contextmanager
def install_lock(version: str, root: Path | None = None):
    """Parallel processes wait here for one installer of the same version."""
    target = cache_dir(version, root)
    target.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield target


def npm_install(target: Path, specs: list[str]) -> str | None:
    """`npm install specs` in target; None when it worked, else a short reason."""
    npm = shutil.which("npm")
    if not npm:
        return "npm is not installed"
    manifest = target / "package.json"
    if not manifest.is_file():
        manifest.write_text('{"name": "mxdoctor-haraka-cache", "private": true}\n', encoding="utf-8")
    try:
        proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", *specs], cwd=target,
                              capture_output=True, text=True, timeout=NPM_TIMEOUT_S, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return f"npm install {' '.join(specs)} took over {NPM_TIMEOUT_S}s"
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        return f"npm install {' '.join(specs)} failed: {tail}"
    return None


def install_haraka(version: str, root: Path | None = None, progress: Progress | None = None) -> Path:
    """node_modules/Haraka of release `version`, npm-installed into the cache on first use."""
    with install_lock(version, root) as target:
        if (target / DONE_MARKER).is_file() and haraka_package(target):
            return haraka_package(target)
        if progress:
            progress(f"installing Haraka {version} with npm into {target} (once per machine)...")
        failure = npm_install(target, [f"Haraka@{version}"])
        found = haraka_package(target)
        if failure or found is None:
            raise InstallError(failure or f"npm install Haraka@{version} left no Haraka package")
        (target / DONE_MARKER).write_text(version + "\n", encoding="utf-8")
        if progress:
            progress(f"Haraka {version} installed")
        return found


def package_name(spec: str) -> str:
    """'haraka-plugin-x@1.2' -> 'haraka-plugin-x'; '@scope/x@1' -> '@scope/x'."""
    at = spec.find("@", 1)
    return spec if at < 0 else spec[:at]


def install_packages(version: str, specs: list[str], root: Path | None = None,
                     progress: Progress | None = None) -> str | None:
    """npm-install extra packages (plugins) next to Haraka `version`, under its lock. A package
    already in node_modules is skipped. None when all are there, else why not."""
    with install_lock(version, root) as target:
        wanted = [s for s in specs if not (target / "node_modules" / package_name(s) / "package.json").is_file()]
        if not wanted:
            return None
        if progress:
            progress(f"installing {', '.join(wanted)} with npm next to Haraka {version}...")
        return npm_install(target, wanted)
