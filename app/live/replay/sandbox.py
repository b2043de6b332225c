"""The admin's config made runnable here: copied, with only what must change rewritten.

`build_sandbox()` returns the files to hand HarakaServer (config/ and plugins/), the changes
made, the backends left dead or replaced by a stand-in, and how each plugin runs.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.live.replay.plugins import PluginRun, backends_used, plan_plugins
from app.live.replay.rewrite import Backend, Change, Rewriter
from app.live.replay.source import Source
from app.live.standins import USERS_FILE, WILDDUCK

FORWARDERS = {"queue/smtp_forward": "smtp_forward.ini", "queue/smtp_proxy": "smtp_proxy.ini"}


@dataclass
class Sandbox:
    config: dict[str, str | bytes]
    plugin_files: dict[str, str]
    log_format: str
    timestamps: bool
    changes: list[Change] = field(default_factory=list)
    backends: list[Backend] = field(default_factory=list)
    plugins: list[PluginRun] = field(default_factory=list)
    users: list[str] = field(default_factory=list)      # the wildduck stand-in's users
    forwards: bool = False                              # a forward host points at the sink


def _texts(src: Source) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for name, raw in src.config.items():
        try:
            out[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            out[name] = raw
    return out


def tls_pair() -> tuple[bytes, bytes] | None:
    """A throw-away self-signed key and certificate (openssl), or None without openssl."""
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    with tempfile.TemporaryDirectory(prefix="mxdoctor-tls-") as tmp:
        key, cert = Path(tmp) / "key.pem", Path(tmp) / "cert.pem"
        try:
            subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                            "-out", str(cert), "-days", "2", "-subj", "/CN=localhost"],
                           capture_output=True, timeout=60, check=True, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            return None
        return key.read_bytes(), cert.read_bytes()


def build_sandbox(src: Source, haraka_pkg: Path, deprecated: dict[str, str], *, dead_port: int,
                  sink_port: int | None, users: list[str],
                  install: Callable[[list[str]], str | None], lang: str = "en") -> Sandbox:
    """Everything the sandboxed Haraka gets, and every reason it differs from the admin's."""
    files = _texts(src)
    text_files = {k: v for k, v in files.items() if isinstance(v, str)}
    rw = Rewriter(text_files, dead_port, sink_port, lang)
    rw.smtp_ini()
    fmt, ts = rw.log_ini()
    names = src.plugin_list()
    pair = tls_pair() if "tls" in names or "tls.ini" in text_files else None
    rw.tls_ini(pair is not None)
    runs = plan_plugins(names, set(src.local_plugins), haraka_pkg, deprecated, install, lang)
    rw.backends_ini(backends_used(runs, haraka_pkg, src.local_plugins, deprecated))
    forwards = False
    for plugin, ini_name in FORWARDERS.items():
        if plugin in names and sink_port:
            rw.forward(ini_name)
            forwards = True
    rw.point_dead("lmtp.ini", "main", "host", "port", "the LMTP server")
    plugin_files = dict(src.local_plugins)
    for run in runs:
        if run.how == "stand-in":
            plugin_files[f"{run.name}.js"] = WILDDUCK.read_text(encoding="utf-8")
            rw.wildduck_yaml()
        elif run.how == "left out":
            _comment_out(rw, run)
    files.update(rw.files)
    if pair is not None:
        files["mxdoctor-replay-key.pem"], files["mxdoctor-replay-cert.pem"] = pair
    if any(r.how == "stand-in" for r in runs):
        files[USERS_FILE] = "".join(f"{u}\n" for u in users)
    _keys_left_out(rw, src.left_out, pair, files)
    rw.backend("DNS", "dead", rw.why("dns"))
    return Sandbox(files, plugin_files, fmt, ts, rw.changes, rw.backends, runs, list(users), forwards)


# Haraka's tls plugin reads these names in config/ when tls.ini names no key or cert
DEFAULT_PAIR = {"tls_key.pem": 0, "tls_cert.pem": 1}


def _kind(name: str) -> str:
    """What a file not copied holds, for the change list: key, certificate, DKIM key, or either."""
    low = name.lower()
    if low.startswith("dkim/") or "/dkim/" in low:
        return "kind_dkim"
    if "key" in low.rsplit("/", 1)[-1] or low.endswith(("private", ".p12", ".pfx")):
        return "kind_key"
    if "cert" in low or low.endswith((".crt", "chain.pem")):
        return "kind_cert"
    return "kind_either"


def _keys_left_out(rw: Rewriter, left_out: list[str], pair: tuple[bytes, bytes] | None, files: dict) -> None:
    """Each key or certificate not copied, said with what it is and what (if anything) stands in:
    Haraka's default tls_key.pem / tls_cert.pem get the throw-away pair under the same name."""
    for name in left_out:
        was = rw.why("key_file", what=rw.why(_kind(name)))
        if pair is not None and name in DEFAULT_PAIR:
            files[name] = pair[DEFAULT_PAIR[name]]
            rw.changes.append(Change(name, "(file)", was, rw.why("pair_now"), rw.why("key_replaced")))
        else:
            rw.changes.append(Change(name, "(file)", was, None, rw.why("key_kept")))


def _comment_out(rw: Rewriter, run: PluginRun) -> None:
    lines = rw.files.get("plugins", "").splitlines()
    out = [f"# {line}  (left out by mxdoctor replay)" if line.split("#", 1)[0].strip() == run.name else line
           for line in lines]
    rw.files["plugins"] = "\n".join(out) + "\n"
    rw.changes.append(Change("plugins", run.name, run.name, None, run.detail))
