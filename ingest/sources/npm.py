"""Docs shipped inside npm packages (Haraka's docs/, plugin READMEs, WildDuck's docs/), and their
default config files (`configs:` patterns: WildDuck's config/*.toml, ZoneMTA's config/default.js),
whose comments are the settings' documentation.

`npm pack NAME@VERSION` downloads the tarball from the registry (pinned versions; cached under
the data dir); nothing upstream is ever copied into this repository. With `changelog: true` the
package's changelog (CHANGELOG.md, Changes.md or History.md at its root: the name varies by
release) is read too, as a `changelog` document that is chunked one release per chunk
(ingest.changelog). A config file becomes one
page: a heading per TOML table (or per run of lines), each part verbatim in a fenced block, with
values of secret-looking keys written as <redacted>.
"""
from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.changelog import is_changelog
from ingest.documents import SourceDoc
from ingest.npmpack import pack
from ingest.sources import SourceContext, source_name
from ingest.sources.files import SUFFIXES, SkipDoc, file_to_doc, read_text

DEFAULT_PATHS = ["README.md", "docs/**"]


CONFIG_SUFFIXES = {".toml", ".js", ".json", ".ini", ".yaml", ".yml"}
CONFIG_PART_LINES = 40
_FENCE_LANG = {".toml": "toml", ".js": "javascript", ".json": "json", ".ini": "ini", ".yaml": "yaml", ".yml": "yaml"}
_SECRET = re.compile(r"""^(\s*#?\s*["']?[\w.-]*(?:pass|password|secret|token|salt|privateKey|apiKey)["']?\s*[=:]\s*)"""
                     r"""(["'][^"']*["']|[^\s,#]+)""", re.IGNORECASE)


def extract_docs(tgz: Path, dest: Path, patterns: list[str], changelog: bool = False,
                 configs: list[str] = ()) -> list[Path]:
    """Extract only documentation members matching `patterns`, with `changelog` the changelog at the
    root whatever its name, and config files matching `configs` (relative to the package root)."""
    out: list[Path] = []
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
            if ".." in Path(rel).parts or Path(rel).is_absolute():
                continue
            is_doc = Path(rel).suffix.lower() in SUFFIXES and any(fnmatch.fnmatch(rel, p) or rel == p for p in patterns)
            is_config = Path(rel).suffix.lower() in CONFIG_SUFFIXES and any(fnmatch.fnmatch(rel, p) for p in configs)
            if not (is_doc or is_config or (changelog and is_changelog(rel))):
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
        paths = spec.get("paths")         # `paths: []` with `changelog: true`: the changelog alone
        configs = list(spec.get("configs") or ())
        files = extract_docs(tgz, dest, DEFAULT_PATHS if paths is None else paths, bool(spec.get("changelog")),
                             configs)
    except (tarfile.TarError, OSError, EOFError) as exc:
        tgz.unlink(missing_ok=True)   # a truncated download: fetch it again next time
        ctx.warn(f"{name}: {tgz.name} is not a readable tarball ({exc}); removed from the cache, skipped")
        return
    web = spec.get("url_base") or f"https://www.npmjs.com/package/{package}/v/{version}"
    for path in files:
        rel = path.relative_to(dest).as_posix()
        url = f"{spec['repo_url'].rstrip('/')}/{rel}" if spec.get("repo_url") else web
        changelog = bool(spec.get("changelog")) and is_changelog(rel)
        try:
            if any(fnmatch.fnmatch(rel, p) for p in configs):
                doc = config_to_doc(path, rel, name, url, f"{package} {version}")
            else:
                doc = file_to_doc(path, rel, name, url, kind="changelog" if changelog else "upstream")
        except (SkipDoc, OSError) as exc:
            ctx.warn(f"{name}/{rel}: skipped: {exc}")
            continue
        doc.meta.setdefault("package", package)
        if changelog:
            doc.title = f"{package} changelog"
        yield doc


def config_to_doc(path: Path, rel: str, source: str, url: str, release: str) -> SourceDoc:
    """A shipped default config file as a page: its comments document the settings."""
    text = "\n".join(_SECRET.sub(r"\1<redacted>", line) for line in read_text(path).splitlines())
    if not text.strip():
        raise SkipDoc("empty config file")
    lang = _FENCE_LANG.get(Path(rel).suffix.lower(), "")
    title = f"{release}: default config {rel}"
    body = [f"# {title}", "", (f"The defaults {release} ships in `{rel}`; a deployment overrides them in its own "
                               "config directory.")]
    for heading, part in _config_parts(text, Path(rel).suffix.lower() == ".toml"):
        body += ["", f"## {rel} {heading}".rstrip(), "", f"```{lang}", part.strip("\n"), "```"]
    return SourceDoc(doc_id=f"{source}:{rel}", source=source, title=title, text="\n".join(body) + "\n", path=rel,
                     url=url, lang="en", kind="upstream", meta={"config": rel})


def _config_parts(text: str, toml: bool) -> list[tuple[str, str]]:
    """(heading, lines) parts: a TOML file by its tables, any other by runs of lines cut at blank lines."""
    parts: list[tuple[str, list[str]]] = [("", [])]
    for n, line in enumerate(text.splitlines(), 1):
        head = re.match(r"\s*(\[\[?[^\]]+\]\]?)\s*(?:#.*)?$", line) if toml else None
        if head or (not toml and not line.strip() and len(parts[-1][1]) >= CONFIG_PART_LINES):
            parts.append((head.group(1) if head else f"(from line {n + 1})", []))
        parts[-1][1].append(line)
    return [(h, "\n".join(lines)) for h, lines in parts if "".join(lines).strip()]
