"""Which Haraka, node and plugin versions the admin runs, each with where it was found.

`detect_versions()` reads what was pasted (app.core.versionscan has one reader per kind of input:
Haraka's start-up line, `haraka -v`, package.json, package-lock.json, `npm ls`, a Dockerfile, a
docker-compose file) and `--haraka-version`; `Versions` keeps every find and picks one per
package: what was given on the command line, else what Haraka says it runs, else what is
installed, else what was asked for (a package.json range is a range, and says so). Rules that
name a version range (`versions:` in a rule file) are checked against it by the engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from app.core.semver import Range, is_exact, parse_range

ASSUMED_HARAKA = "3.3.4"        # what the catalog and the rules were calibrated on (kb/plugins)
NAMES = {"haraka": "Haraka", "node": "node", "wildduck": "WildDuck"}
FIRST = ("haraka", "node", "wildduck", "haraka-plugin-wildduck")
MAX_IN_LINE = 5

# how far a find is trusted, best first: what the admin says, what Haraka prints about itself,
# what npm installed, what an image or a command pins, what package.json asks for
SOURCES = {
    "cli": (0, "given with --haraka-version"),
    "given": (0, "given with the input (a rule example's versions)"),
    "log": (1, "Haraka's start-up line"),
    "haraka -v": (1, "haraka -v"),
    "node": (1, "node's own version line"),
    "package-lock.json": (2, "package-lock.json"),
    "npm ls": (2, "npm ls"),
    "installed package.json": (2, "the package's own package.json"),
    "npm install": (3, "an npm install command"),
    "image": (3, "an image tag"),
    "package.json": (4, "a package.json dependency"),
}


def canonical_package(name: str) -> str:
    """Package names as rules and finds use them: lower case (npm's `Haraka` is `haraka`)."""
    return str(name).strip().lower()


def display_name(package: str) -> str:
    return NAMES.get(package, package)


@dataclass(frozen=True)
class Found:
    """One version of one package, as written where it was found."""
    package: str              # haraka | node | wildduck | haraka-plugin-<name> | another npm name
    version: str              # 2.8.28, ^3.0.3, 14.x ... (a leading v dropped)
    file: str                 # the input's name, or "--haraka-version"
    line: int | None
    source: str               # a key of SOURCES
    order: int = 0            # position among finds of the same source: a later start-up line wins

    @property
    def exact(self) -> bool:
        return is_exact(self.version)

    @property
    def range(self) -> Range | None:
        return parse_range(self.version)

    @property
    def where(self) -> str:
        if self.source == "cli":
            return SOURCES["cli"][1]
        return f"{self.file}:{self.line}" if self.line else self.file

    def rank(self) -> tuple:
        return (SOURCES.get(self.source, (9, ""))[0], not self.exact, -self.order)

    def to_dict(self) -> dict[str, Any]:
        return {"package": self.package, "version": self.version, "exact": self.exact, "file": self.file,
                "line": self.line, "source": self.source}


@dataclass
class Versions:
    found: list[Found] = field(default_factory=list)
    assumed: str = ASSUMED_HARAKA
    enabled: tuple[str, ...] = ()     # packages of the enabled plugins: shown first after Haraka and node

    def best(self, package: str) -> Found | None:
        """The find trusted most for `package` (None when nothing names it)."""
        mine = [f for f in self.found if f.package == canonical_package(package) and f.range is not None]
        return min(mine, key=Found.rank) if mine else None

    def range_of(self, package: str) -> Range | None:
        best = self.best(package)
        return best.range if best else None

    @property
    def haraka(self) -> Found | None:
        return self.best("haraka")

    @property
    def node(self) -> Found | None:
        return self.best("node")

    def packages(self) -> list[str]:
        names = {f.package for f in self.found if f.range is not None}
        order = {p: i for i, p in enumerate(FIRST + self.enabled)}
        return sorted(names, key=lambda p: (order.get(p, len(order)), p))

    def disagreeing(self, package: str) -> Found | None:
        """Another find for `package` that cannot be the same version as the one chosen."""
        best = self.best(package)
        if best is None:
            return None
        return next((f for f in sorted(self.found, key=Found.rank) if f.package == best.package and f.range
                     is not None and not f.range.overlaps(best.range)), None)

    def describe(self, package: str, lang: str = "en") -> str:
        """`Haraka 2.8.28 (from logs/haraka.log:1)`; a range says it is one."""
        best = self.best(package)
        if best is None:
            return ""
        w = LINE_WORDS.get(lang) or LINE_WORDS["en"]
        kind = "" if best.exact else w["range"]
        origin = best.where if best.source in ("cli", "given") else w["from"].format(where=best.where)
        text = f"{display_name(package)} {best.version} {w['open']}{kind}{origin}"
        other = self.disagreeing(package)
        if other is not None:
            text += w["says"].format(where=other.where, version=other.version)
        return text + w["close"]

    def unknown_line(self, lang: str = "en") -> str:
        return (LINE_WORDS.get(lang) or LINE_WORDS["en"])["unknown"].format(assumed=self.assumed)

    def line(self, lang: str = "en") -> str:
        """Everything known in one line, Haraka first; an unknown Haraka is said so (last)."""
        w = LINE_WORDS.get(lang) or LINE_WORDS["en"]
        names = self.packages()
        parts = [self.describe(p, lang) for p in names[:MAX_IN_LINE]]
        if len(names) > MAX_IN_LINE:
            parts.append(w["more"].format(n=len(names) - MAX_IN_LINE))
        known = w["sep"].join(parts)
        if "haraka" in names:
            return f"{w['head']}{known}"
        return f"{w['head']}{known}{w['semi']}{self.unknown_line(lang)}" if known else \
            f"{w['head']}{self.unknown_line(lang)}"

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"line": self.line(lang), "assumed_haraka": self.assumed,
                "packages": {p: self.best(p).to_dict() for p in self.packages()},
                "found": [f.to_dict() for f in self.found]}


LINE_WORDS = {
    "en": {"head": "Versions: ", "range": "a range, ", "from": "from {where}", "says": "; {where} says {version}",
           "open": "(", "close": ")", "sep": ", ", "semi": "; ", "more": "and {n} more (see --format json)",
           "unknown": "Haraka version unknown — rules assume {assumed}; pass --haraka-version"},
    "zh": {"head": "版本：", "range": "版本范围，", "from": "来自 {where}", "says": "；{where} 显示为 {version}",
           "open": "（", "close": "）", "sep": "，", "semi": "；", "more": "另有 {n} 个（见 --format json）",
           "unknown": "Haraka 版本未知——规则按 {assumed} 检查；可用 --haraka-version 指定，或贴出 `haraka -v` 的输出"},
}


def assumed_haraka() -> str:
    """The Haraka version the catalog (and so the rules) describe."""
    from app.core.catalog import load_catalog
    return load_catalog().haraka_version or ASSUMED_HARAKA


def override(haraka_version: str | None) -> list[Found]:
    """The `--haraka-version` find; InputError when it is neither a version nor a range."""
    if not haraka_version:
        return []
    if parse_range(haraka_version) is None:
        from app.core.errors import InputError
        raise InputError(f"--haraka-version {haraka_version!r} is not a version or a range (e.g. 2.8.28, 3.1.x)")
    return [Found("haraka", haraka_version.strip().lstrip("vV"), "--haraka-version", None, "cli")]


def detect_versions(cs=None, events: Iterable = (), haraka_version: str | None = None,
                    assumed: str | None = None) -> Versions:
    """Versions from a ConfigSet's files, log events and the command line."""
    from app.core.versionscan import scan_events, scan_file
    found = override(haraka_version) + scan_events(events)
    files = cs.files.values() if cs is not None else []
    for f in files:
        found += scan_file(f)
    enabled = tuple(f"haraka-plugin-{n}" for n in (cs.plugin_names() if cs is not None else []))
    return Versions(found=_dedupe(found), assumed=assumed or assumed_haraka(), enabled=enabled)


def _dedupe(found: list[Found]) -> list[Found]:
    seen, out = set(), []
    for f in found:
        key = (f.package, f.version, f.file, f.line)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def exact_haraka(versions) -> str | None:
    """The admin's Haraka release when it is known exactly (a range from package.json is not)."""
    found = versions.haraka if versions is not None else None
    return found.version if found is not None and found.exact else None
