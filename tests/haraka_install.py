"""A real Haraka (3.3.4 by default) for the tests that compare mxdoctor with Haraka itself.

Why: the catalog and the hook order are only trustworthy when checked against the real thing.
The install itself is app.live.haraka.install (shared with `mxdoctor replay`); this module pins
the tests to ~/.cache/mxdoctor whatever MXDOCTOR_CACHE says (a test that points MXDOCTOR_CACHE at
a temp dir still gets the shared install) and adds the skip-or-fail policy.

    haraka_dir(version="3.3.4") -> Path | None   # node_modules/Haraka of that Haraka's install
    require_haraka(version="3.3.4") -> Path      # same, or pytest.skip (locally) / pytest.fail (CI=true)
    install_packages(version, ["haraka-plugin-x@1.2.3", ...]) -> str | None   # None = ok, else why not
    cache_dir(version) -> Path                   # ~/.cache/mxdoctor/haraka-<version>

MXDOCTOR_HARAKA_DIR may name a Haraka package dir or a dir holding node_modules/Haraka; it is
used for the default version only.
"""
from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from app.live.haraka import install as _install

HARAKA_VERSION = "3.3.4"
CACHE_ROOT = Path.home() / ".cache" / "mxdoctor"
DONE_MARKER = _install.DONE_MARKER

_why_missing: list[str] = []


def cache_dir(version: str = HARAKA_VERSION) -> Path:
    """The npm project dir a Haraka `version` is installed into."""
    return _install.cache_dir(version, CACHE_ROOT)


CACHE_DIR = cache_dir(HARAKA_VERSION)


def why_missing() -> str:
    """Why the last haraka_dir()/install_packages() call found nothing ('' when it did)."""
    return "; ".join(_why_missing)


def install_packages(version: str, specs: list[str]) -> str | None:
    """npm-install extra packages (plugins) into Haraka `version`'s install dir, under its lock.
    A spec whose package is already in node_modules is skipped. None when all are there."""
    return _install.install_packages(version, specs, CACHE_ROOT)


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
        found = _install.haraka_package(Path(env).expanduser())
        if found is None:
            _why_missing.append(f"MXDOCTOR_HARAKA_DIR={env} holds no Haraka package")
        return found
    try:
        return _install.install_haraka(version, CACHE_ROOT)
    except _install.InstallError as exc:
        _why_missing.append(str(exc))
        return None


def require_haraka(version: str = HARAKA_VERSION) -> Path:
    """The Haraka dir for a test; skip without it locally, fail without it in CI."""
    import pytest

    found = haraka_dir(version)
    if found is not None:
        return found
    reason = f"real Haraka {version} unavailable: " + (why_missing() or "unknown reason")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
