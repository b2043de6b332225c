"""Docs shipped inside npm packages (Haraka's docs/, plugin READMEs, WildDuck's docs/).

`npm pack NAME@VERSION` downloads the tarball from the registry (pinned versions; cached under
the data dir); nothing upstream is ever copied into this repository.
"""
from __future__ import annotations

import fnmatch
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.documents import SourceDoc
from ingest.npmpack import pack
from ingest.sources import SourceContext, source_name
from ingest.sources.files import SUFFIXES, SkipDoc, file_to_doc

DEFAULT_PATHS = ["README.md", "docs/**"]


def extract_docs(tgz: Path, dest: Path, patterns: list[str]) -> list[Path]:
    """Extract only documentation members matching `patterns` (relative to the package root)."""
    out: list[Path] = []
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if Path(rel).suffix.lower() not in SUFFIXES or ".." in Path(rel).parts or Path(rel).is_absolute():
                continue
            if not any(fnmatch.fnmatch(rel, p) or rel == p for p in patterns):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = tar.extractfile(member)
            if fh is not None:
                target.write_bytes(fh.read())
                out.append(target)
    return sorted(out)


def iter_docs(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    package, version = spec["package"], str(spec.get("version", "latest"))
    name = source_name(spec)
    if ctx.offline:
        ctx.warn(f"{name}: offline mode; not fetched")
        return
    try:
        tgz = pack(package, version, ctx.cache_dir / "npm")
    except (OSError, subprocess.SubprocessError) as exc:
        ctx.warn(f"{name}: npm pack failed ({exc}); skipped — is a registry reachable?")
        return
    dest = ctx.cache_dir / "npm-docs" / f"{package.replace('/', '-')}-{version}"
    if dest.exists():
        shutil.rmtree(dest)
    try:
        files = extract_docs(tgz, dest, spec.get("paths") or DEFAULT_PATHS)
    except (tarfile.TarError, OSError, EOFError) as exc:
        tgz.unlink(missing_ok=True)   # a truncated download: fetch it again next time
        ctx.warn(f"{name}: {tgz.name} is not a readable tarball ({exc}); removed from the cache, skipped")
        return
    web = spec.get("url_base") or f"https://www.npmjs.com/package/{package}/v/{version}"
    for path in files:
        rel = path.relative_to(dest).as_posix()
        url = f"{spec['repo_url'].rstrip('/')}/{rel}" if spec.get("repo_url") else web
        try:
            doc = file_to_doc(path, rel, name, url, kind="upstream")
        except (SkipDoc, OSError) as exc:
            ctx.warn(f"{name}/{rel}: skipped: {exc}")
            continue
        doc.meta.setdefault("package", package)
        yield doc
