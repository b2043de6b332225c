"""Generate the Haraka fault corpus: logs printed by real Haraka releases with injected faults.

    python -m tests.e2e.fault_corpus [--versions 2.8.28,3.0.4,3.3.4] [--out tests/fixtures/haraka-faults]
                                     [--scenarios a,b] [--formats default,json] [--jobs 2]

For every version (installed on demand into ~/.cache/mxdoctor/haraka-<version>), every log
format that release's logger knows, and every scenario of fault_scenarios.py, one Haraka is
started on 127.0.0.1, the scenario's client talks to it, and the log is written to
<out>/<version>/<format>/<scenario>.log with the run's temp dir replaced by /tmp/HARAKA. The
manifest (<out>/manifest.yaml) lists each file with its fault and every WARN+ line and refusal
in it with its expected emitter (fault_lines.py). Everything stays on loopback; DNS too.
"""
from __future__ import annotations

import argparse
import re
import shutil
import socket
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .fault_lines import explainable, plugin_names
from .fault_manifest import plugin_sources, write_manifest
from .fault_scenarios import SCENARIOS, Ctx, FaultScenario
from .fault_tls import make_tls_variants
from .harness import DISCONNECT_RE, LOOPBACK, HarakaError, HarakaServer, free_port

try:
    from haraka_install import haraka_dir, install_packages, why_missing
except ImportError:
    from tests.haraka_install import haraka_dir, install_packages, why_missing

DEFAULT_VERSIONS = ("2.8.28", "3.0.4", "3.3.4")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "fixtures" / "haraka-faults"
PLACEHOLDER = "/tmp/HARAKA"
# the usual port of each backend; used when nothing listens there, else a free port stands in
USUAL_PORTS = {"redis": 6379, "spamd": 783, "clamd": 3310, "rspamd": 11333, "forward": 2555,
               "lmtp": 24, "dns": 53}
# plugins a scenario needs that a version's `npm install Haraka@X` does not bring (2.8.28 maps
# data.headers to headers, which it does not depend on)
EXTRA_PACKAGES = {"2.8.28": ["haraka-plugin-headers@1.0.4"]}
TALK_TIMEOUT = 45.0
START_TIMEOUT = 10.0      # Haraka starts in 1-3 s here; a fault that keeps it down logs this long

DEAD_DNS_JS = """\
'use strict'
// mxdoctor fault corpus (loaded with NODE_OPTIONS=--require): every resolver of this node process
// asks a DNS server on a closed loopback port, so no lookup leaves 127.0.0.1 and "DNS is down"
// looks the same on every machine. dns.lookup (getaddrinfo) is left alone: Haraka's own lookups
// of IP literals and /etc/hosts names need no server.
const dns = require('node:dns')
const DEAD = [process.env.MXDOCTOR_DEAD_DNS]
dns.setServers(DEAD)
dns.promises.setServers(DEAD)
class Resolver extends dns.Resolver {
    constructor (...args) { super(...args); this.setServers(DEAD) }
}
class PromiseResolver extends dns.promises.Resolver {
    constructor (...args) { super(...args); this.setServers(DEAD) }
}
dns.Resolver = Resolver
dns.promises.Resolver = PromiseResolver
"""


# --------------------------------------------------------------------------- environment

def _tcp_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        return s.connect_ex((LOOPBACK, port)) != 0


def _udp_bound(port: int) -> bool:
    want = f":{port:04X}"
    try:
        rows = Path("/proc/net/udp").read_text().splitlines()[1:]
    except OSError:
        return False
    return any(row.split()[1].endswith(want) for row in rows if len(row.split()) > 1)


def pick_dead_ports() -> dict[str, int]:
    """Each backend's usual port when nothing listens on it on 127.0.0.1, else a free port."""
    out = {}
    for name, port in USUAL_PORTS.items():
        dead = _tcp_closed(port) and not (name == "dns" and _udp_bound(port))
        out[name] = port if dead else free_port()
    return out


def log_formats(package_dir: Path) -> list[str]:
    """The log.ini formats this release's logger.js knows (DEFAULT always; LOGFMT/JSON from 2.8.x on)."""
    code = (package_dir / "logger.js").read_text(encoding="utf-8")
    found = ["default"]
    for fmt in ("logfmt", "json"):
        if re.search(rf"\b{fmt.upper()}\s*:\s*['\"]{fmt.upper()}['\"]", code):
            found.append(fmt)
    return found


# --------------------------------------------------------------------------- one run

def _log_ini(sc: FaultScenario, fmt: str) -> str:
    return f"[main]\nlevel={sc.loglevel}\ntimestamps=false\nformat={fmt}\n"


def run_one(sc: FaultScenario, ctx: Ctx, fmt: str, install: Path) -> dict:
    """Run one scenario in one format; the log text (placeholdered) and what the client got."""
    workdir = Path(tempfile.mkdtemp(prefix="haraka-fault-"))
    preload = workdir / "dead_dns.js"
    preload.write_text(DEAD_DNS_JS)
    config = dict(sc.build(ctx), **{"log.ini": _log_ini(sc, fmt)})
    env = {"NODE_OPTIONS": f"--require {preload}", "MXDOCTOR_DEAD_DNS": f"{LOOPBACK}:{ctx.ports['dns']}"}
    server = HarakaServer(config, sc.plugin_files(), log_format=fmt, install_dir=install,
                          workdir=workdir, env=env, start_timeout=START_TIMEOUT)
    result = {"replies": [], "started": True, "complete": True}
    try:
        _talk(server, sc, result)
    finally:
        server.stop()
        raw = server.log_path.read_bytes().decode("utf-8", "replace")
        shutil.rmtree(workdir, ignore_errors=True)
    result["log"] = raw.replace(str(workdir), PLACEHOLDER)
    result["plugins"] = plugin_names(config["plugins"])
    return result


def _talk(server: HarakaServer, sc: FaultScenario, result: dict) -> None:
    try:
        server.start()
    except HarakaError:
        result["started"] = result["complete"] = False
        return
    talked = sc.talk(server)
    result["replies"] = talked.replies
    done = server.wait_for_log(DISCONNECT_RE, count=talked.connections, timeout=TALK_TIMEOUT)
    if sc.wait_for:
        done = server.wait_for_log(sc.wait_for, timeout=TALK_TIMEOUT) and done
    result["complete"] = done
    time.sleep(sc.settle)


# --------------------------------------------------------------------------- the corpus

def _entry(sc: FaultScenario, version: str, fmt: str, res: dict, rel: str, install: Path) -> dict:
    lines = res["log"].splitlines()
    signs = re.compile(sc.signs)
    return {"path": rel, "version": version, "format": fmt, "scenario": sc.id, "fault": sc.fault,
            "loglevel": sc.loglevel, "haraka_started": res["started"], "complete": res["complete"],
            "plugins": plugin_sources(install, sorted(res["plugins"]), sc.local_plugins),
            "replies": res["replies"],
            "fault_shows_at": [n for n, text in enumerate(lines, 1) if signs.search(text)],
            "lines": explainable(lines, fmt, res["plugins"])}


def _write(out: Path, rel: str, log: str) -> None:
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_text(log, encoding="utf-8")


def _prepare(version: str, report: dict) -> Path | None:
    """Install Haraka `version` and the extra plugins it needs; None (and why, in the report) if
    that fails."""
    install = haraka_dir(version)
    extra = EXTRA_PACKAGES.get(version, [])
    failed = why_missing() if install is None else install_packages(version, extra)
    if failed:
        report["not_produced"].append({"version": version, "why": failed})
        return None
    report["versions"][version] = {"formats": log_formats(install), "extra_packages": extra}
    return install


def _run_version(ctx: Ctx, install: Path, out: Path, todo: list[tuple[FaultScenario, str]],
                 jobs: int, report: dict) -> None:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = pool.map(lambda job: (job, run_one(job[0], ctx, job[1], install)), todo)
        for (sc, fmt), res in runs:
            rel = f"{ctx.version}/{fmt}/{sc.id}.log"
            _write(out, rel, res["log"])
            report["files"].append(_entry(sc, ctx.version, fmt, res, rel, install))
            print(f"{rel}: {len(report['files'][-1]['lines'])} lines to explain", flush=True)


def generate(versions: list[str], out: Path, scenarios: list[FaultScenario],
             formats: list[str] | None, jobs: int) -> dict:
    """Run every (version, supported format, scenario); the report write_manifest() takes."""
    tmp = Path(tempfile.mkdtemp(prefix="haraka-fault-tls-"))
    try:
        tls = make_tls_variants(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = {"ports": pick_dead_ports(), "versions": {}, "files": [], "not_produced": []}
    for version in versions:
        install = _prepare(version, report)
        if install is None:
            continue
        ctx = Ctx(version, report["ports"], tls, install)
        for sc in scenarios:
            if why := sc.skip(ctx):
                report["not_produced"].append({"version": version, "scenario": sc.id, "why": why})
        todo = [(sc, fmt) for fmt in report["versions"][version]["formats"]
                if not formats or fmt in formats for sc in scenarios if not sc.skip(ctx)]
        _run_version(ctx, install, out, todo, jobs, report)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.e2e.fault_corpus", description=__doc__.split("\n")[0])
    ap.add_argument("--versions", default=",".join(DEFAULT_VERSIONS))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--scenarios", default="", help="comma-separated scenario ids (default: all)")
    ap.add_argument("--formats", default="", help="comma-separated formats (default: all supported)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    wanted = [s for s in args.scenarios.split(",") if s]
    formats = [f for f in args.formats.split(",") if f]
    versions = [v for v in args.versions.split(",") if v]
    partial = bool(wanted or formats) or versions != list(DEFAULT_VERSIONS)
    if not partial:                       # a full run: no log of an older run stays behind
        for version in versions:
            shutil.rmtree(args.out / version, ignore_errors=True)
    scenarios = [sc for sc in SCENARIOS if not wanted or sc.id in wanted]
    report = generate(versions, args.out, scenarios, formats or None, args.jobs)
    write_manifest(args.out, report, merge=partial)
    return 0


if __name__ == "__main__":
    sys.exit(main())
