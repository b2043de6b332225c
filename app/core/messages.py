"""The message index: what Haraka and its plugins, WildDuck and ZoneMTA can log or reply, at which
release, from where.

Why: a log line is explained by the code that printed it. kb/messages/<package>.yaml is generated
from the published packages (`mxdoctor messages build`, see app/build/messages.py); this module
reads it and finds the messages a line can be, most specific first, at the user's version when known.
Haraka's lines name their plugin; WildDuck's and ZoneMTA's (npmlog) name a prefix (`ERR! LMTP ...`),
so their messages are found by prefix, and their package files also list the settings their
default config ships (stack.py).
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

from app.core.semver import parse_version
from ingest.atomic import write_atomic
from ingest.filestamp import stamps
from ingest.home import cache_home
from ingest.kbdata import kb_dir

HARAKA = "Haraka"
STACK_NAMES = {"wildduck": "WildDuck", "zone-mta": "ZoneMTA"}     # how an admin names the rest of the stack
PLUGIN_PREFIX = "haraka-plugin-"
LEVEL_RANK = {"DATA": 0, "PROTOCOL": 1, "DEBUG": 2, "INFO": 3, "NOTICE": 4, "WARN": 5, "ERROR": 6, "CRIT": 7,
              "ALERT": 8, "EMERG": 9}


@functools.lru_cache(maxsize=4096)
def vkey(version: str) -> tuple[int, int, int]:
    """Sortable key of a release number, read by app.core.semver: '3.0.10' -> (3, 0, 10), '3.1' -> (3, 1, 0);
    what is no version is (0, 0, 0). Remembered: a log's lines ask about the same few releases again and again."""
    v = parse_version(version)
    return (v.major, v.minor, v.patch) if v is not None else (0, 0, 0)


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
    prefix: str = ""              # npmlog prefix (WildDuck, ZoneMTA): 'LMTP', 'Sender/{}/{}'
    status: int = 0               # api: the HTTP status the error is answered with
    dsn: str = ""                 # reply: the haraka-dsn function that writes it ('no_such_user')

    @property
    def emitter(self) -> str:
        """The name a log line shows for it (see file_emitter)."""
        return file_emitter(self.package, self.file)

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
    def prefix_pattern(self) -> re.Pattern[str] | None:
        """What the npmlog prefix looks like in a line ('Sender/{}/{}' -> 'Sender/default/2211[4f]'); a
        prefix with a space ('API [Filter]') shows its first word where a line's origin is."""
        if not self.prefix:
            return None
        head = self.prefix.split(" ", 1)[0]
        return re.compile(r"(.+?)".join(re.escape(p) for p in head.split("{}")) + r"\Z")

    @functools.cached_property
    def anchor(self) -> str:
        """The longest literal part: a line without it cannot be this message (cheap pre-check)."""
        parts = [p.replace("{{", "{").replace("}}", "}").strip() for p in re.split(r"\{\}", self.template)]
        return max(parts, key=len, default="")


def plugin_name(package: str) -> str:
    base = package.rsplit("/", 1)[-1]
    return base.removeprefix(PLUGIN_PREFIX)


_PREFIX_WORD = re.compile(r"[^\s/\[\]{}():]+")


def prefix_key(prefix: str) -> str:
    """The fixed first word of an npmlog prefix, as the code writes it ('Sender/{}/{}', 'API [Filter]')
    and as a line shows it ('Sender/default/2211[4f]', 'API'): 'Sender', 'API'; '' when it is computed."""
    m = _PREFIX_WORD.match(prefix)
    return m.group(0) if m else ""


@dataclass(frozen=True)
class Setting:
    """One setting a package's shipped default config defines (WildDuck's config/*.toml, ZoneMTA's
    config/default.js); secrets are stored as <redacted>."""
    package: str
    key: str                      # dotted path: 'dbs.redis.port'
    value: object
    file: str                     # in the package: 'config/dbs.toml'
    line: int
    version: str                  # the release it was read from
    repo: str = ""
    tag: str = "v{version}"

    @property
    def link(self) -> str:
        where = f"#L{self.line}" if self.line else ""
        if not self.repo:
            return f"{self.package}@{self.version} {self.file}{where}"
        return f"{self.repo}/blob/{self.tag.format(version=self.version)}/{self.file}{where}"


def settings_of(doc: dict) -> tuple[Setting, ...]:
    version = str(doc.get("settings_version") or "")
    return tuple(Setting(doc["package"], str(s["key"]), s.get("value"), str(s.get("file") or ""),
                         int(s.get("line") or 0), version, doc.get("repo") or "", doc.get("tag") or "v{version}")
                 for s in doc.get("settings") or ())


def _message(doc: dict, raw: dict) -> Message:
    config = raw.get("config") or {}
    return Message(id=raw["id"], package=doc["package"], kind=raw["kind"], template=raw.get("template") or "",
                   file=raw["file"], function=raw.get("function") or "", hooks=tuple(raw.get("hooks") or ()),
                   at=tuple((str(k), int(v)) for k, v in raw["at"].items()), level=raw.get("level", ""),
                   code=str(raw.get("code", "")), config_files=tuple(config.get("files", ())),
                   config_keys=tuple(config.get("keys", ())), repo=doc.get("repo") or "",
                   tag=doc.get("tag") or "v{version}", prefix=str(raw.get("prefix") or ""),
                   status=int(raw.get("status") or 0), dsn=str(raw.get("dsn") or ""))


@dataclass(frozen=True)
class PackageIndex:
    package: str
    versions: tuple[str, ...]
    messages: tuple[Message, ...]
    style: str = "haraka"                 # npmlog: WildDuck, ZoneMTA (found by prefix, not by plugin name)
    settings: tuple[Setting, ...] = ()    # what its default config ships, at its newest indexed release
    inherits: dict[str, tuple[str, ...]] = field(default_factory=dict)   # file -> plugins whose code it runs


def load_package(path: Path) -> PackageIndex:
    with open(path, encoding="utf-8") as fh:
        return package_of(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def package_of(doc: dict) -> PackageIndex:
    return PackageIndex(doc["package"], tuple(doc.get("versions") or ()),
                        tuple(_message(doc, m) for m in doc.get("messages") or ()), doc.get("style") or "haraka",
                        settings_of(doc), {f: tuple(n) for f, n in (doc.get("inherits") or {}).items()})


def file_emitter(package: str, file: str) -> str:
    """The name a log line shows for code in this package's file: the plugin, 'core' for Haraka's own
    files and libraries, or the server ('wildduck', 'zone-mta') for the rest of the stack."""
    if package == HARAKA:
        m = re.fullmatch(r"plugins/(.+?)(?:/index)?\.js", file)
        return m.group(1) if m else "core"
    if package.startswith("haraka-") and not package.startswith(PLUGIN_PREFIX):
        return "core"          # Haraka's own libraries (haraka-net-utils, haraka-results, ...)
    return plugin_name(package)


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
        self.by_emitter: dict[str, list[Message]] = {}      # Haraka's side: by the plugin a line names
        self.by_prefix: dict[str, list[Message]] = {}       # WildDuck, ZoneMTA: by the npmlog prefix
        self.unprefixed: list[Message] = []                 # theirs, printed under a prefix computed at run time
        self.by_code: dict[str, list[Message]] = {}         # API error codes ('UserNotFound')
        self.by_function: dict[tuple[str, str, str], list[Message]] = {}
        self.inherits: dict[str, set[str]] = {}     # emitter -> the plugins whose code runs as it
        for pkg in self.packages.values():
            for file, names in pkg.inherits.items():
                self.inherits.setdefault(file_emitter(pkg.package, file), set()).update(plugin_name(n) for n in names)
            for m in pkg.messages:
                self._add(pkg, m)

    def _add(self, pkg: PackageIndex, m: Message) -> None:
        if pkg.style == "haraka":
            self.by_emitter.setdefault(m.emitter, []).append(m)
        elif prefix_key(m.prefix):
            self.by_prefix.setdefault(prefix_key(m.prefix), []).append(m)
        else:
            self.unprefixed.append(m)
        if m.kind == "api" and m.code:
            self.by_code.setdefault(m.code, []).append(m)
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
        (dnsbl runs dns_list_base's code, karma haraka-plugin-redis's), or those WildDuck and ZoneMTA
        print under that npmlog prefix (and theirs whose prefix is computed at run time), then Haraka core's."""
        core = self.by_emitter.get("core", [])
        if not origin or origin in self.core_names:
            return core
        names, todo = [], [plugin_name(origin)]
        while todo:
            name = todo.pop()
            if name not in names:
                names.append(name)
                todo.extend(sorted(self.inherits.get(name, ())))
        own = [m for name in names for m in self.by_emitter.get(name, [])]
        prefixed = self.by_prefix.get(prefix_key(origin), [])
        return own + prefixed + (self.unprefixed if prefixed else []) + core

    def owns(self, message: Message, origin: str | None) -> bool:
        """Whether a line tagged `origin` names `message`'s emitter: its plugin, or its npmlog prefix."""
        if not origin:
            return False
        if self.packages.get(message.package, _NO_PACKAGE).style != "haraka":
            return message.prefix_pattern is not None and bool(message.prefix_pattern.match(origin))
        return message.emitter == plugin_name(origin)

    def server_of(self, message: Message | None, origin: str | None) -> str | None:
        """'WildDuck (LMTP)' for a line WildDuck or ZoneMTA printed (its message, or else the packages that
        print its prefix); None for Haraka's lines."""
        if message is not None:
            if self.packages.get(message.package, _NO_PACKAGE).style == "haraka":
                return None
            names = [STACK_NAMES.get(message.package, message.package)]
        else:
            names = sorted({STACK_NAMES.get(m.package, m.package) for m in self.by_prefix.get(prefix_key(origin or ""), ())})
            if not names:
                return None
        key = prefix_key(origin or "") or prefix_key(message.prefix if message else "")
        return " or ".join(names) + (f" ({key})" if key and key != "Gelf" else "")

    def by_function_dsn(self, names: set[str]) -> list[Message]:
        """The reply messages written by these haraka-dsn functions ('no_such_user'), every package."""
        return [m for ms in self.by_function.values() for m in ms if m.kind == "reply" and m.dsn in names]

    def api_errors(self, code: str) -> list[Message]:
        """The API error replies with this code (WildDuck's `{"error": ..., "code": "UserNotFound"}`)."""
        return list(self.by_code.get(code, ()))

    def settings_for(self, message: Message) -> list[Setting]:
        """The shipped settings under the config keys the message's function reads ('dbs.redis' ->
        dbs.redis.host, dbs.redis.port, ...), from its package's default config."""
        pkg = self.packages.get(message.package)
        if pkg is None or not pkg.settings or not message.config_keys:
            return []
        keys = message.config_keys
        return [s for s in pkg.settings if any(s.key == k or s.key.startswith(k + ".") for k in keys)]


_NO_PACKAGE = PackageIndex("", (), ())


@functools.lru_cache(maxsize=4)
def _load(folder: str) -> MessageIndex:
    return MessageIndex(package_of(doc) for doc in _docs(sorted(Path(folder).glob("*.yaml"))))


def message_index(folder: Path | None = None) -> MessageIndex:
    """The index shipped in kb/messages (or another folder of the same files); cached."""
    return _load(str(folder or kb_dir() / "messages"))
