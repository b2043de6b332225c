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


def pack_many(specs: list[tuple[str, str]], cache: Path, chunk: int = 40) -> dict[tuple[str, str], Path]:
    """Tarballs of many (package, version) at once: one `npm pack a@1 b@2 ...` per `chunk` of the
    ones not cached yet, since starting npm costs far more than a small download."""
    cache.mkdir(parents=True, exist_ok=True)

    def cached(package: str, version: str) -> Path:
        return cache / f"{package.replace('@', '').replace('/', '-')}-{version}.tgz"

    todo = [s for s in specs if not cached(*s).is_file()]
    npm = shutil.which("npm")
    if todo and not npm:
        raise OSError("npm is not installed")
    for i in range(0, len(todo), chunk):
        part = [f"{p}@{v}" for p, v in todo[i:i + chunk]]
        proc = subprocess.run([npm, "pack", *part, "--pack-destination", str(cache), "--silent"], capture_output=True,
                              text=True, timeout=NPM_TIMEOUT * 4, cwd=cache, check=False)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [f"npm pack exited {proc.returncode}"]
            raise OSError(tail[0])
    missing = [f"{p}@{v}" for p, v in specs if not cached(p, v).is_file()]
    if missing:
        raise OSError(f"npm pack produced no tarball for {', '.join(missing[:5])}")
    return {s: cached(*s) for s in specs}
