"""Which Haraka release to replay on: the one given, else the one the config dir shows, else the
newest the knowledge base describes. A range (package.json's ^2.8.0, --haraka-version 2.8.x) is
narrowed to the newest published release in it that kb/plugins/releases.yaml knows."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.live.replay.reasons import reason


@dataclass
class Chosen:
    version: str
    source: str        # "--haraka-version", "<file>:<line>", or "newest in mxdoctor's knowledge base"


def _newest_in(range_) -> str | None:
    from app.core.releases import known_releases
    from app.core.semver import parse_version
    inside = [v for v in known_releases() if parse_version(v) is not None and range_.contains(v)]
    return max(inside, key=parse_version) if inside else None


def _beside(config_dir: Path) -> list[Path]:
    """Given the config dir itself, the install's package files next to it say the version too."""
    if (config_dir / "config").is_dir():
        return []
    return [p for p in (config_dir.parent / "package.json", config_dir.parent / "package-lock.json") if p.is_file()]


def choose_version(config_dir: Path, given: str | None, lang: str = "en") -> Chosen:
    """InputError when --haraka-version is not a version or a range, or no known release fits it."""
    from app.core.errors import InputError
    from app.core.inputs import load_paths
    from app.core.versions import assumed_haraka, detect_versions
    versions = detect_versions(load_paths([config_dir] + _beside(config_dir)), haraka_version=given)
    best = versions.haraka
    if best is None:
        return Chosen(assumed_haraka(), reason(lang, "v_newest"))
    where = "--haraka-version" if best.source == "cli" else best.where
    if best.exact:
        return Chosen(best.version, where)
    newest = _newest_in(best.range)
    if newest is None:
        raise InputError(f"no Haraka release mxdoctor knows is in {best.version!r} ({where}); "
                         "pass --haraka-version with an exact release, e.g. 3.3.4")
    return Chosen(newest, reason(lang, "v_range", where=where, range=best.version))
