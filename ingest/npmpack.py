"""`npm pack NAME@VERSION`, cached: the one way mxdoctor fetches a published package.

Why its own module: ingest reads docs from the tarball, and the generators in app.build read code
from it; both share the cache, and the generators must not pull in ingest's indexing packages.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NPM_TIMEOUT = 120


def pack(package: str, version: str, cache: Path) -> Path:
    """The cached tarball for package@version, running `npm pack` when it is not cached yet."""
    cache.mkdir(parents=True, exist_ok=True)
    safe = package.replace("@", "").replace("/", "-")
    for existing in cache.glob(f"{safe}-{version}.tgz"):
        return existing
    npm = shutil.which("npm")
    if not npm:
        raise OSError("npm is not installed")
    proc = subprocess.run([npm, "pack", f"{package}@{version}", "--pack-destination", str(cache), "--silent"],
                          capture_output=True, text=True, timeout=NPM_TIMEOUT, cwd=cache, check=False)
    if proc.returncode != 0:
        raise OSError((proc.stderr or proc.stdout).strip().splitlines()[-1] if (proc.stderr or proc.stdout).strip()
                      else f"npm pack exited {proc.returncode}")
    name = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    path = cache / name
    if not path.is_file():
        found = sorted(cache.glob(f"{safe}-*.tgz"))
        if not found:
            raise OSError("npm pack produced no tarball")
        path = found[-1]
    return path
