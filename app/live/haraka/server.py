"""A fresh, throw-away Haraka instance on a free loopback port: set up, start, read its log, stop.

Why: replay and the e2e tests need the real Haraka to answer, with nothing left behind. Haraka is
started in its own process group and the whole group is killed at stop (and at interpreter exit),
every wait is bounded, and the instance dir (a temp dir unless one is given) is removed at stop.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from app.live.stopping import held
from ingest.settings import environment

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 20.0      # seconds until the port must be listening
STOP_GRACE = 2.0          # seconds between SIGTERM and SIGKILL
LOG_FORMATS = ("default", "logfmt", "json")
# Haraka's per-connection summary line, in each of the three log formats
DISCONNECT_RE = re.compile(r'\] disconnect ip=|message=disconnect |"message":"disconnect"')

_live: set["HarakaServer"] = set()


class HarakaError(RuntimeError):
    """Haraka could not be set up or did not come up; the message carries its log tail."""


def haraka_cli(install_dir: str | os.PathLike) -> Path:
    """The `haraka` command script of a Haraka package dir (node_modules/Haraka) or of the npm
    project dir holding node_modules/."""
    root = Path(install_dir)
    for candidate in (root / "node_modules" / "Haraka" / "bin" / "haraka",
                      root / "node_modules" / ".bin" / "haraka",
                      root / "bin" / "haraka"):           # tolerate being handed the package dir
        if candidate.is_file():
            return candidate.resolve()
    raise HarakaError(f"no haraka command under {root}")


def node_binary() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        raise HarakaError("node is not on PATH")
    return node


def free_port() -> int:
    """A port the OS says is free right now (a later bind may still race; start() retries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_listening(port: int, pid: int) -> bool:
    """True when process `pid` holds a socket listening on 127.0.0.1:port (Linux /proc).

    Checking this opens no connection, so Haraka's log stays free of probe connections; the
    owner check keeps a port someone else grabbed in the meantime from counting as ours."""
    want = f"0100007F:{port:04X}"
    inodes = set()
    try:
        with open("/proc/net/tcp") as fh:
            next(fh, None)
            for line in fh:
                parts = line.split()
                if len(parts) > 9 and parts[1] == want and parts[3] == "0A":
                    inodes.add(f"socket:[{parts[9]}]")
        if not inodes:
            return False
        fd_dir = f"/proc/{pid}/fd"
        for fd in os.listdir(fd_dir):
            try:
                if os.readlink(f"{fd_dir}/{fd}") in inodes:
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False


def group_alive(pgid: int) -> list[int]:
    """Pids of process group `pgid` still running (zombies, only waiting to be reaped, excluded)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


class HarakaServer:
    """A fresh `haraka -i` instance with the given config, started on a free loopback port.

    `config` maps names relative to config/ ("plugins", "host_list", "smtp.ini", "dkim/x/selector"
    ...) to file text or bytes; `plugins_dir_files` maps names relative to the instance's plugins/
    dir to JS source. smtp.ini always gets `listen=127.0.0.1:<port>` (do not set `listen`
    yourself); log.ini is written from `log_format`/`timestamps` unless `config` gives its own.
    `env` adds variables to Haraka's environment (e.g. NODE_OPTIONS, which is otherwise removed).
    `workdir` given: the instance lives there and is left in place at stop.
    """

    def __init__(self, config: dict[str, str | bytes], plugins_dir_files: dict[str, str] | None = None,
                 log_format: str = "default", timestamps: bool = False, *,
                 install_dir: str | os.PathLike,
                 workdir: str | os.PathLike | None = None,
                 start_timeout: float = START_TIMEOUT, env: dict[str, str] | None = None,
                 prefix: str = "haraka-e2e-") -> None:
        if log_format not in LOG_FORMATS:
            raise ValueError(f"log_format must be one of {LOG_FORMATS}")
        self.config = dict(config)
        self.plugins_dir_files = dict(plugins_dir_files or {})
        self.log_format = log_format
        self.timestamps = timestamps
        self.install_dir = Path(install_dir)
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=prefix))
        self.start_timeout = start_timeout
        self.extra_env = dict(env or {})
        self.dir = self.workdir / "haraka"
        self.log_path = self.workdir / "haraka.log"
        self.port = 0
        self.pgid: int | None = None          # Haraka's process group, kept after stop for checks
        self.proc: subprocess.Popen | None = None
        self._final_log: str | None = None   # kept when our own temp dir is removed at stop

    # -- paths

    @property
    def config_dir(self) -> Path:
        return self.dir / "config"

    @property
    def plugins_dir(self) -> Path:
        return self.dir / "plugins"

    # -- lifecycle

    def __enter__(self) -> "HarakaServer":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def pick_port(self) -> int:
        """The port to try next (a subclass may choose differently)."""
        return free_port()

    def start(self) -> None:
        self._install()
        last_error = ""
        for _attempt in range(3):           # a port grabbed by someone else between pick and bind
            self.port = self.pick_port()
            self._write_config()
            self._spawn()
            outcome = self._wait_until_listening()
            if outcome == "up":
                return
            last_error = self._log_tail()
            self._kill()
            if outcome != "port_in_use":
                break
        raise HarakaError(f"Haraka did not start on {LOOPBACK}:{self.port}:\n{last_error}")

    def stop(self) -> None:
        self._kill()
        _live.discard(self)
        if self._own_workdir and self.workdir.exists():
            self._final_log = self._read_log()
            _remove(self.workdir)

    # -- setup

    def _install(self) -> None:
        cli = haraka_cli(self.install_dir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        with held():        # a signal waits for `haraka -i`: cut short, it would go on writing into the sandbox
            result = subprocess.run([node_binary(), str(cli), "-i", str(self.dir)], capture_output=True,
                                    text=True, timeout=60, stdin=subprocess.DEVNULL)
        if result.returncode != 0 or not self.config_dir.is_dir():
            raise HarakaError(f"haraka -i failed ({result.returncode}): {result.stdout}{result.stderr}")
        for name, text in self.plugins_dir_files.items():
            _write(self.plugins_dir / name, text)

    def _write_config(self) -> None:
        for name, text in self.config.items():
            if name not in ("smtp.ini", "log.ini"):
                _write(self.config_dir / name, text)
        (self.config_dir / "smtp.ini").write_text(self._smtp_ini())
        (self.config_dir / "log.ini").write_text(_text(self.config.get("log.ini")) or self._log_ini())

    def _smtp_ini(self) -> str:
        """The given smtp.ini with our listen line in [main] (Haraka reads keys before any
        section header as [main] too, so a bare prefix line works for every input)."""
        given = _text(self.config.get("smtp.ini"))
        if re.search(r"^[ \t]*listen[ \t]*(=|$)", given, re.M):
            raise ValueError("smtp.ini must not set listen; the server picks the port")
        listen = f"listen={LOOPBACK}:{self.port}\n"
        header = re.compile(r"^[ \t]*\[main\][ \t]*$", re.M)
        if header.search(given):
            return header.sub(lambda m: m.group(0) + "\n" + listen.rstrip("\n"), given, count=1)
        return listen + given

    def _log_ini(self) -> str:
        return (f"[main]\nlevel=info\ntimestamps={'true' if self.timestamps else 'false'}\n"
                f"format={self.log_format}\n")

    def _spawn(self) -> None:
        log = open(self.log_path, "wb")      # a fresh log per attempt: no stale EADDRINUSE
        try:
            env = {k: v for k, v in environment().items() if not k.startswith(("HARAKA", "NODE_OPTIONS"))}
            env["NO_COLOR"] = "1"
            env.update(self.extra_env)
            with held():        # a signal now waits until the group is known and registered
                self.proc = subprocess.Popen(
                    [node_binary(), str(haraka_cli(self.install_dir)), "-c", str(self.dir)],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    cwd=self.dir, env=env, start_new_session=True)
                self.pgid = self.proc.pid
                _live.add(self)
        finally:
            log.close()

    def _wait_until_listening(self) -> str:
        deadline = time.monotonic() + self.start_timeout
        marker = f"listening on {LOOPBACK}:{self.port}".lower()
        while time.monotonic() < deadline:
            text = self._read_log().lower()
            if self.proc is None:
                return "exited"
            if marker in text or port_listening(self.port, self.proc.pid):
                return "up"
            if "eaddrinuse" in text:
                return "port_in_use"
            if self.proc.poll() is not None:
                return "exited"
            time.sleep(0.05)
        return "timeout"

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
            # the leader is gone; make sure no worker of its group outlived it
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break

    # -- logs

    def _read_log(self) -> str:
        if self._final_log is not None:
            return self._final_log
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_tail(self, n: int = 40) -> str:
        return "\n".join(self._read_log().splitlines()[-n:])

    def log_lines(self) -> list[str]:
        """Everything Haraka printed (stdout and stderr) so far, one entry per line. While it
        runs, a last line without its newline is still being written and is left out."""
        text = self._read_log()
        if self.proc is not None and text and not text.endswith("\n"):
            text = text[:text.rfind("\n") + 1]
        return text.splitlines()

    def wait_for_disconnects(self, count: int, timeout: float = 10.0) -> bool:
        """Wait (bounded) until Haraka has logged `count` connection summaries: after that the
        log holds everything those transactions printed (except asynchronous outbound work)."""
        return self.wait_for_log(DISCONNECT_RE, count=count, timeout=timeout)

    def wait_for_log(self, pattern: str | re.Pattern, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait (bounded) until `pattern` matches at least `count` log lines."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            if sum(1 for line in self.log_lines() if rx.search(line)) >= count:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _write(target: Path, content: str | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)


@atexit.register
def _kill_leftovers() -> None:
    for server in list(_live):
        server._kill()


def _remove(path: Path, seconds: float = 5.0) -> None:
    """Remove a sandbox for good: a process killed a moment ago (`haraka -i` cut short by a signal,
    a worker of the group) may still write a file into it while rmtree runs, so try again until
    it is gone (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists() or time.monotonic() >= deadline:
            return
        time.sleep(0.05)
