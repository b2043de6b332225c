"""Run one transaction through the admin's config on their own Haraka release, on loopback.

    replay(config_dir, rcpts=[...], mail_from=..., helo=..., haraka_version=None, unknown=[...],
           keep=False, progress=print_to_stderr, lang="en") -> ReplayReport

Install (cached), sandbox, start, talk, wait for the connection's summary line, stop, remove the
sandbox (always, also on error; `keep` leaves it for debugging), then explain. Nothing is sent
anywhere but 127.0.0.1: the config's hosts are rewritten (rewrite.py) and node is preloaded with
a guard that refuses any other connection and points DNS at a dead loopback port.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.live.haraka.install import install_haraka, install_packages, node_missing
from app.live.haraka.server import HarakaError, HarakaServer, free_port, group_alive
from app.live.replay.explain import dialogue, events_of, log_rows, predict
from app.live.replay.outcome import exit_code, outcomes, overall
from app.live.replay.sandbox import Sandbox, build_sandbox
from app.live.replay.sink import Sink
from app.live.replay.source import read_source
from app.live.replay.verdict import verdict, wildduck_actions
from app.live.replay.version import choose_version
from app.live.replay.words import say
from app.live.smtp import Session, talk
from app.live.standins import LOOPBACK_GUARD
from app.live.stopping import Stopped, held, note_cleaned

SMTP_TIMEOUT = 15.0
SETTLE_TIMEOUT = 10.0


class ReplayUnavailable(RuntimeError):
    """Replay cannot run on this machine (node/npm missing, Haraka not installable); says what to do."""


@dataclass
class ReplayReport:
    config_dir: str
    haraka_version: str
    version_source: str
    port: int = 0
    changes: list[dict] = field(default_factory=list)
    backends: list[dict] = field(default_factory=list)
    plugins: list[dict] = field(default_factory=list)
    session: dict = field(default_factory=dict)
    dialogue: list[dict] = field(default_factory=list)
    prediction: dict = field(default_factory=dict)    # the simulator's outcome and steps
    log: list[dict] = field(default_factory=list)     # the real log lines worth reading, explained
    raw_log: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    forwarded: list[dict] = field(default_factory=list)  # what the sink (the forward host) received
    verdict: list[str] = field(default_factory=list)
    outcome: str = ""                                  # the run's one word (outcome.py)
    outcomes: dict[str, str] = field(default_factory=dict)   # recipient -> its outcome
    exit_code: int = 0                                 # what `mxdoctor replay` exits with
    caveats: list[str] = field(default_factory=list)
    sandbox: str = ""
    sandbox_removed: bool = False
    processes_left: list[int] = field(default_factory=list)
    haraka_error: str = ""
    lang: str = "en"

    def to_dict(self) -> dict:
        return asdict(self)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def replay(config_dir: str | Path, *, rcpts: list[str], mail_from: str = "sender@example.net",
           helo: str = "client.example.net", haraka_version: str | None = None, unknown: list[str] = (),
           keep: bool = False, progress: Callable[[str], None] | None = _stderr, lang: str = "en") -> ReplayReport:
    """See the module docstring. InputError for an unusable config dir or version; ReplayUnavailable
    when node/npm or the Haraka install is missing."""
    _check_envelope(rcpts, mail_from, helo)
    src = read_source(config_dir)                       # bad input is said first, node or not
    chosen = choose_version(src.root, haraka_version, lang)
    missing = node_missing()
    if missing:
        raise ReplayUnavailable(missing)
    pkg = _install(chosen.version, progress)
    report = ReplayReport(str(src.root), chosen.version, chosen.source, lang=lang)
    users = [r for r in rcpts if r.lower() not in {u.lower() for u in unknown}]
    with Sink() as sink:
        box = _sandbox(src, pkg, chosen.version, sink.port, users, progress, lang)
        session, lines = _run(box, pkg, report, rcpts, mail_from, helo, keep)
        received = list(sink.received)
    _explain(report, box, src.root, session, lines, received, unknown, lang)
    return report


def _check_envelope(rcpts: list[str], mail_from: str, helo: str) -> None:
    """InputError for an envelope no SMTP command can carry (a line break or control character)."""
    from app.core.errors import InputError
    if not rcpts:
        raise InputError("replay needs at least one --rcpt address")
    for option, values in (("--rcpt", rcpts), ("--from", [mail_from]), ("--helo", [helo])):
        for value in values:
            if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
                raise InputError(f"{option} {value!r}: an SMTP command cannot carry a line break or control character")


def _install(version: str, progress) -> Path:
    from app.live.haraka.install import InstallError
    try:
        return install_haraka(version, progress=progress)
    except InstallError as exc:
        raise ReplayUnavailable(f"could not install Haraka {version}: {exc}") from None


def _sandbox(src, pkg: Path, version: str, sink_port: int, users: list[str], progress, lang: str) -> Sandbox:
    from app.core.releases import release_facts
    facts = release_facts(version)
    deprecated = facts[1] if facts else {}
    return build_sandbox(src, pkg, deprecated, dead_port=free_port(), sink_port=sink_port, users=users,
                         install=lambda specs: install_packages(version, specs, progress=progress), lang=lang)


def _run(box: Sandbox, pkg: Path, report: ReplayReport, rcpts: list[str], mail_from: str, helo: str,
         keep: bool) -> tuple[Session | None, list[str]]:
    dead = next((b.where for b in box.backends if b.name == "DNS"), "127.0.0.1:9")
    env = {"NODE_OPTIONS": f"--require {LOOPBACK_GUARD}", "MXD_GUARD_DNS": dead}
    session, lines, server = None, [], None
    try:
        with held():           # the sandbox dir exists only once `server` can remove it
            workdir = tempfile.mkdtemp(prefix="mxdoctor-replay-") if keep else None
            server = HarakaServer(box.config, box.plugin_files, box.log_format, box.timestamps, install_dir=pkg,
                                  workdir=workdir, env=env, prefix="mxdoctor-replay-")
            report.sandbox = str(server.workdir)
        server.start()
        report.port = server.port
        session = talk("127.0.0.1", server.port, rcpts=rcpts, mail_from=mail_from, helo=helo, send=True,
                       timeout=SMTP_TIMEOUT)
        server.wait_for_disconnects(1, timeout=SETTLE_TIMEOUT)
    except (HarakaError, OSError, subprocess.SubprocessError) as exc:   # did not start: its log says why
        report.haraka_error = str(exc)
    finally:
        if server is not None:
            lines = _stop(server, report, sys.exc_info()[1])
    return session, lines


def _stop(server: HarakaServer, report: ReplayReport, stopping: BaseException | None) -> list[str]:
    """Stop Haraka (its whole group) and remove the sandbox; no signal cuts this short. When a
    signal is ending the run, say on it what was cleaned."""
    try:
        with held():
            lines = server.log_lines()
            server.stop()
            report.sandbox_removed = not server.workdir.exists()
            report.processes_left = group_alive(server.pgid) if server.pgid else []
    except Stopped:            # a second signal while cleaning up: the first one is already ending the run
        if stopping is None:
            raise
    note_cleaned(stopping, say(report.lang, "stopped_cleaned", pgid=server.pgid or "-", left=len(report.processes_left),
                               path=report.sandbox, removed=say(report.lang, "yes" if report.sandbox_removed else "no")))
    return lines


def _explain(report: ReplayReport, box: Sandbox, root: Path, session: Session | None, lines: list[str],
             received: list, unknown, lang: str) -> None:
    report.changes = [c.to_dict() | ({"now": c.now.replace("<port>", str(report.port))} if c.now else {})
                      for c in box.changes]
    report.backends = [b.to_dict() for b in box.backends]
    report.plugins = [p.to_dict() for p in box.plugins]
    report.raw_log = lines
    report.forwarded = [r.to_dict() for r in received]
    dead = next((b.where for b in box.backends if b.name == "DNS"), "")
    report.log = log_rows(lines, report.haraka_version, lang, dead)
    report.caveats = [say(lang, "caveat_local")]
    report.outcome, report.exit_code = overall({}, report.haraka_error), exit_code({}, report.haraka_error)
    if session is None:
        return
    events = events_of(lines)
    pred = predict(root, report.haraka_version, session, list(unknown))
    sim = pred.sim
    report.session = session.to_dict()
    report.prediction = {"outcome": sim.outcome, "unknown_plugins": list(sim.unknown_plugins),
                         "steps": [asdict(s) for s in sim.steps if s.ran or s.reply]}
    report.dialogue = dialogue(session, events, pred, lang)
    done = wildduck_actions(events)
    report.resolved, report.stored = sorted(done["resolved"]), sorted(done["stored"])
    forwarded = {r.lower() for got in received for r in got.rcpts}
    stores = any(p.how == "stand-in" for p in box.plugins)
    report.verdict = verdict(session, events, stores, forwarded, lang)
    report.outcomes = outcomes(session, events, done["stored"], stores)
    report.outcome = overall(report.outcomes, report.haraka_error)
    report.exit_code = exit_code(report.outcomes, report.haraka_error)
