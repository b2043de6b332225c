"""What must change in the admin's config for it to run here, on loopback, and nothing else.

Each edit is a Change the admin is shown; each backend the config names is either pointed at a
loopback port nobody listens on ("dead", on purpose: the plugin's failure path runs for real) or
at a stand-in replay starts (the SMTP sink for a forward host). Everything else is copied as it is.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from app.live.replay import ini
from app.live.replay.reasons import reason

LOOPBACK = "127.0.0.1"
QUIET_LEVELS = {"notice", "warn", "warning", "error", "err", "crit", "critical", "alert", "emerg", "emergency"}
LOG_FORMATS = ("default", "logfmt", "json")


def _shown(section: str, key: str) -> str:
    return key if section == "main" else f"[{section}] {key}"


@dataclass
class Change:
    file: str
    key: str
    was: str | None
    now: str | None
    why: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Backend:
    name: str       # what it is: "rspamd", "Redis", "the forward host"
    state: str      # dead | stand-in
    where: str      # 127.0.0.1:port
    why: str

    def to_dict(self) -> dict:
        return asdict(self)


class Rewriter:
    """Edits config files (name -> text) in place and records why."""

    def __init__(self, files: dict[str, str], dead_port: int, sink_port: int | None, lang: str = "en"):
        self.files = files
        self.lang = lang
        self.dead = f"{LOOPBACK}:{dead_port}"
        self.dead_port = dead_port
        self.sink_port = sink_port
        self.changes: list[Change] = []
        self.backends: list[Backend] = []

    def set(self, file: str, section: str, key: str, value: str | None, why: str) -> None:
        text = self.files.get(file, "")
        new, was = ini.put(text, section, key, value)
        if was == value or (was is None and value is None):
            return
        self.files[file] = new
        self.changes.append(Change(file, _shown(section, key), was, value, why))

    def backend(self, name: str, state: str, why: str, port: int | None = None) -> None:
        where = f"{LOOPBACK}:{port}" if port else self.dead
        if not any(b.name == name for b in self.backends):
            self.backends.append(Backend(name, state, where, why))

    def why(self, key: str, **slots: object) -> str:
        return reason(self.lang, key, **slots)

    # -- the server itself

    def smtp_ini(self) -> None:
        text = self.files.get("smtp.ini", "")
        self._listen(text)
        for key in ("daemonize", "daemon_pid_file", "daemon_log_file", "user", "group"):
            if ini.get(text, "main", key) is not None:
                self.set("smtp.ini", "main", key, None, self.why(key))
        nodes = ini.get(text, "main", "nodes")
        if nodes is not None and nodes.strip() not in ("0", "1"):
            self.set("smtp.ini", "main", "nodes", "1", self.why("nodes"))
        if ini.get(text, "main", "spool_dir") is not None:
            self.set("smtp.ini", "main", "spool_dir", "queue", self.why("spool_dir"))

    def _listen(self, text: str) -> None:
        """Every line saying where to listen goes (any section, any number of them): the server
        adds its own loopback one. The first becomes that change, each further one a removal."""
        self.files["smtp.ini"], removed = ini.remove_everywhere(text, {"listen", "port", "listen_address"})
        listen = [r for r in removed if r[2] == "listen"] or [(0, "main", "listen", None)]
        first = listen[0]
        self.changes.append(Change("smtp.ini", _shown(first[1], "listen"), first[3] or self.why("listen_unset"),
                                   f"{LOOPBACK}:<port>", self.why("listen")))
        for line, sec, key, value in removed:
            if (line, sec, key, value) != first:
                self.changes.append(Change("smtp.ini", _shown(sec, key), value, None,
                                           self.why("listen_again", line=line)))

    def log_ini(self) -> tuple[str, bool]:
        """log.ini with a level that shows the plugins' info lines; returns (format, timestamps)."""
        text = self.files.get("log.ini", "")
        level = (ini.get(text, "main", "level") or "").strip().lower()
        if level in QUIET_LEVELS:
            self.set("log.ini", "main", "level", "info", self.why("level"))
        fmt = (ini.get(text, "main", "format") or "default").strip().lower()
        if fmt not in LOG_FORMATS:
            self.set("log.ini", "main", "format", "default", self.why("format"))
            fmt = "default"
        old = (self.files.get("loglevel") or "").strip().lower()
        if old in QUIET_LEVELS:
            self.files["loglevel"] = "INFO\n"
            self.changes.append(Change("loglevel", "level", old.upper(), "INFO", self.why("level")))
        ts = (ini.get(text, "main", "timestamps") or "").strip().lower() in ("true", "1", "yes")
        return fmt, ts

    def tls_ini(self, have_pair: bool) -> None:
        text = self.files.get("tls.ini")
        if text is None:
            return
        for _i, section, key, _v in ini.entries(text):
            if key in ("key", "cert"):
                now = f"mxdoctor-replay-{key}.pem" if have_pair else None
                self.set("tls.ini", section, key, now, self.why("tls_pair" if have_pair else "tls_none"))
            elif key == "dhparam":
                self.set("tls.ini", section, key, None, self.why("dhparam"))

    # -- backends

    def point_dead(self, file: str, section: str, host_key: str, port_key: str | None, name: str,
                   used: bool = False) -> None:
        """The backend `file` names, at the dead port. A file not given is written when a listed
        plugin `used` it: its default (localhost) might reach a daemon on this machine."""
        text = self.files.get(file)
        if text is None and not used:
            return
        why = self.why("dead_change", name=name)
        if port_key is None:
            self.set(file, section, host_key, self.dead, why)
        else:
            self.set(file, section, host_key, LOOPBACK, why)
            self.set(file, section, port_key, str(self.dead_port), why)
        self.backend(name, "dead", self.why("dead_backend", file=file))

    def backends_ini(self, used: set[str]) -> None:
        """`used`: the backends the listed plugins talk to (redis, rspamd, spamassassin, clamd)."""
        self.point_dead("redis.ini", "server", "host", "port", "Redis", "redis" in used)
        self.point_dead("rspamd.ini", "main", "host", "port", "rspamd", "rspamd" in used)
        self.point_dead("spamassassin.ini", "main", "spamd_socket", None, "spamd", "spamassassin" in used)
        self.point_dead("clamd.ini", "main", "clamd_socket", None, "clamd", "clamd" in used)

    def forward(self, file: str) -> None:
        """smtp_forward.ini / smtp_proxy.ini: every host at the SMTP sink replay runs."""
        text = self.files.get(file, "")
        why = self.why("forward_change")
        for section in ["main"] + [s for s in ini.sections(text) if s != "main"]:
            if section == "main" or ini.get(text, section, "host") is not None:
                self.set(file, section, "host", LOOPBACK, why)
                self.set(file, section, "port", str(self.sink_port), why)
        self.backend("the forward host", "stand-in", self.why("forward_backend"), self.sink_port)

    def wildduck_yaml(self) -> None:
        text = self.files.get("wildduck.yaml")
        if text is None:
            return
        urls = re.compile(r"\b(mongodb(?:\+srv)?|redis)://[^\s'\"/]+")
        new = urls.sub(lambda m: f"{'mongodb' if m.group(1).startswith('mongo') else 'redis'}://{self.dead}", text)
        if new != text:
            self.files["wildduck.yaml"] = new
            self.changes.append(Change("wildduck.yaml", "mongo, redis", self.why("db_urls"), self.dead,
                                       self.why("wildduck_change")))
        self.backend("MongoDB and Redis (WildDuck)", "dead", self.why("wildduck_backend"))
