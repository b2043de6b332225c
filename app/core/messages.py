"""The message index: what Haraka and its plugins can log or reply, at which release, from where.

Why: a log line is explained by the code that printed it. kb/messages/<package>.yaml is generated
from the published packages (`mxdoctor messages build`, see app/build/messages.py); this module
reads it and finds the messages a line can be, most specific first, at the user's version when known.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.atomic import write_atomic
from ingest.filestamp import stamps
from ingest.home import cache_home
from ingest.kbdata import kb_dir

HARAKA = "Haraka"
PLUGIN_PREFIX = "haraka-plugin-"
LEVEL_RANK = {"DATA": 0, "PROTOCOL": 1, "DEBUG": 2, "INFO": 3, "NOTICE": 4, "WARN": 5, "ERROR": 6, "CRIT": 7,
              "ALERT": 8, "EMERG": 9}


def vkey(version: str) -> tuple[int, ...]:
    """Sortable key of a release number: '3.0.10' -> (3, 0, 10); missing or odd parts count as 0."""
    parts = re.findall(r"\d+", version.split("-", 1)[0])[:3]
    return tuple(int(p) for p in parts) + (0,) * (3 - len(parts))


def in_span(version: str, span: str) -> bool:
    lo, _, hi = span.partition("..")
    return vkey(lo) <= vkey(version) <= vkey(hi or lo)


@dataclass(frozen=True)
class Message:
    """One template an emitter can print or reply, and where it sits in each indexed release."""
    id: str
    package: str
    kind: str                     # log | reply | throw
    template: str                 # literal text, computed parts as {}
    file: str
    function: str
    hooks: tuple[str, ...]
    at: tuple[tuple[str, int], ...]   # ("3.0.0..3.3.4", line), oldest first
    level: str = ""
    code: str = ""                # reply: DENY, DENYSOFT, OK, ... or an SMTP code
    config_files: tuple[str, ...] = ()
    config_keys: tuple[str, ...] = ()
    repo: str = ""
    tag: str = "v{version}"

    @property
    def emitter(self) -> str:
        """The name a log line shows for it: the plugin, or 'core' for Haraka's own files."""
        if self.package == HARAKA:
            m = re.fullmatch(r"plugins/(.+?)(?:/index)?\.js", self.file)
            return m.group(1) if m else "core"
        if self.package.startswith("haraka-") and not self.package.startswith(PLUGIN_PREFIX):
            return "core"          # Haraka's own libraries (haraka-net-utils, haraka-results, ...)
        return plugin_name(self.package)

    def has_version(self, version: str) -> bool:
        return any(in_span(version, span) for span, _ in self.at)

    def line_at(self, version: str | None) -> tuple[str, int]:
        """(release, line) at the user's version, or at the newest release that has it."""
        if version:
            for span, line in self.at:
                if in_span(version, span):
                    return version, line
        span, line = self.at[-1]
        return span.partition("..")[2] or span, line

    def link(self, version: str | None = None) -> str:
        release, line = self.line_at(version)
        if not self.repo:
            return f"{self.package}@{release} {self.file}:{line}"
        return f"{self.repo}/blob/{self.tag.format(version=release)}/{self.file}#L{line}"

    @property
    def versions(self) -> str:
        """The indexed releases that have it, first to last: '2.8.0..3.3.4'."""
        first, last = self.at[0][0].partition("..")[0], self.at[-1][0].rpartition("..")[2]
        return first if first == last else f"{first}..{last}"

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"(?<!\{)\{\}(?!\})", self.template)
        literal = [re.escape(p.replace("{{", "{").replace("}}", "}")) for p in parts]
        return re.compile(r"\s*" + r"(.*?)".join(literal) + r"\s*\Z", re.DOTALL)

    @functools.cached_property
    def anchor(self) -> str:
        """The longest literal part: a line without it cannot be this message (cheap pre-check)."""
        parts = [p.replace("{{", "{").replace("}}", "}").strip() for p in re.split(r"\{\}", self.template)]
        return max(parts, key=len, default="")


def plugin_name(package: str) -> str:
    base = package.rsplit("/", 1)[-1]
    return base.removeprefix(PLUGIN_PREFIX)


def _message(doc: dict, raw: dict) -> Message:
    config = raw.get("config") or {}
    return Message(id=raw["id"], package=doc["package"], kind=raw["kind"], template=raw.get("template") or "",
                   file=raw["file"], function=raw.get("function") or "", hooks=tuple(raw.get("hooks") or ()),
                   at=tuple((str(k), int(v)) for k, v in raw["at"].items()), level=raw.get("level", ""),
                   code=str(raw.get("code", "")), config_files=tuple(config.get("files", ())),
                   config_keys=tuple(config.get("keys", ())), repo=doc.get("repo") or "",
                   tag=doc.get("tag") or "v{version}")


@dataclass(frozen=True)
class PackageIndex:
    package: str
    versions: tuple[str, ...]
    messages: tuple[Message, ...]
    inherits: dict[str, tuple[str, ...]] = field(default_factory=dict)   # file -> plugins whose code it runs


def load_package(path: Path) -> PackageIndex:
    with open(path, encoding="utf-8") as fh:
        return package_of(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def package_of(doc: dict) -> PackageIndex:
    return PackageIndex(doc["package"], tuple(doc.get("versions") or ()),
                        tuple(_message(doc, m) for m in doc.get("messages") or ()),
                        {f: tuple(n) for f, n in (doc.get("inherits") or {}).items()})


def file_emitter(package: str, file: str) -> str:
    """The emitter name of a package's file (see Message.emitter)."""
    return Message(id="", package=package, kind="log", template="", file=file, function="", hooks=(), at=()).emitter


def _docs(files: list[Path]) -> list[dict]:
    """The package files' documents. YAML is what a reviewer diffs, but parsing a megabyte of it takes
    half a second; a JSON copy in the cache dir, named by the files' sizes and times, takes 10 ms."""
    key = hashlib.sha1(repr([(s.path, s.size, s.mtime_ns) for s in stamps(files)]).encode()).hexdigest()[:16]
    cached = cache_home() / "messages" / f"{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    docs = []
    for path in files:
        with open(path, encoding="utf-8") as fh:
            docs.append(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, json.dumps(docs))
    except OSError:
        pass                        # a read-only cache only costs time
    return docs


class MessageIndex:
    """All indexed packages, looked up by the emitter a log line names."""

    def __init__(self, packages: Iterable[PackageIndex]):
        self.packages = {p.package: p for p in packages}
        self.by_emitter: dict[str, list[Message]] = {}
        self.by_function: dict[tuple[str, str, str], list[Message]] = {}
        self.inherits: dict[str, set[str]] = {}     # emitter -> the plugins whose code runs as it
        for pkg in self.packages.values():
            for file, names in pkg.inherits.items():
                self.inherits.setdefault(file_emitter(pkg.package, file), set()).update(plugin_name(n) for n in names)
        for pkg in self.packages.values():
            for m in pkg.messages:
                self.by_emitter.setdefault(m.emitter, []).append(m)
                self.by_function.setdefault((m.package, m.file, m.function), []).append(m)

    @functools.cached_property
    def core_names(self) -> frozenset[str]:
        """Names Haraka's core tags its lines with: 'core' and its own files and folders (server,
        outbound, plugins, tls_socket, ...), so a line tagged [server] is core's, not a plugin's."""
        names = {"core"}
        for m in self.by_emitter.get("core", ()):
            if m.package == HARAKA:
                names.add(m.file.split("/", 1)[0].removesuffix(".js"))
        return frozenset(names)

    def __len__(self) -> int:
        return sum(len(p.messages) for p in self.packages.values())

    def reply_after(self, m: Message, version: str | None, within: int = 8) -> Message | None:
        """The reply the same function gives right after logging `m` (a log line followed by
        next(DENYSOFT, ...) tells what the client got), at the user's release when known."""
        if m.kind == "reply" or not m.function:
            return None
        _, line = m.line_at(version)
        best = None
        for other in self.by_function.get((m.package, m.file, m.function), ()):
            if other.kind != "reply" or other.code in ("", "OK") or not other.has_version(m.line_at(version)[0]):
                continue
            _, at = other.line_at(version)
            if line < at <= line + within and (best is None or at < best[0]):
                best = (at, other)
        return best[1] if best else None

    def emitters(self) -> set[str]:
        return set(self.by_emitter)

    def candidates(self, origin: str | None) -> list[Message]:
        """Messages a line tagged `origin` may be: that plugin's own, those of the plugins it inherits
        (dnsbl runs dns_list_base's code, karma haraka-plugin-redis's), then Haraka core's."""
        if not origin or origin in self.core_names:
            return self.by_emitter.get("core", [])
        names, todo = [], [plugin_name(origin)]
        while todo:
            name = todo.pop()
            if name not in names:
                names.append(name)
                todo.extend(sorted(self.inherits.get(name, ())))
        return [m for name in names for m in self.by_emitter.get(name, [])] + self.by_emitter.get("core", [])


@functools.lru_cache(maxsize=4)
def _load(folder: str) -> MessageIndex:
    return MessageIndex(package_of(doc) for doc in _docs(sorted(Path(folder).glob("*.yaml"))))


def message_index(folder: Path | None = None) -> MessageIndex:
    """The index shipped in kb/messages (or another folder of the same files); cached."""
    return _load(str(folder or kb_dir() / "messages"))
