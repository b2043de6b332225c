"""What proving it live costs: `probe` and `replay` next to the bare work they explain (the baseline).

  probe     mxdoctor's probe (SMTP session + attribution of every reply + the simulator beside it)
            against one real Haraka on loopback, vs the bare SMTP session (app.live.smtp.talk) to the
            same server: the difference is what explaining costs per session
  replay    `replay` of the built-in broken example (sandbox, rewrite, start Haraka, the session,
            the log explained, cleanup) vs starting the same Haraka release by hand on its core
            (rcpt_to.in_host_list + the wildduck stand-in) and sending one message (the harness alone)
Each case runs N times (--runs); the median wall time and the peak RSS of this process are printed.

    .venv/bin/python bench/live.py [--runs 5] [--haraka-version 3.3.4]

Needs node and an installed Haraka release (tests/haraka_install.py puts 3.3.4 in ~/.cache/mxdoctor).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CANONICAL = ROOT / "kb" / "examples" / "canonical" / "config"
RCPT = "postmaster@example.com"


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_probe(runs: int, install: Path) -> None:
    from app.live.haraka.server import HarakaServer
    from app.live.probe import probe
    from app.live.smtp import talk
    config = {"plugins": "helo.checks\nrcpt_to.in_host_list\nqueue/smtp_forward\n", "host_list": "example.com\n"}
    with HarakaServer(config, install_dir=install) as server:
        envelope = {"rcpts": [RCPT, "someone@other.test"], "mail_from": "sender@example.net",
                    "helo": "client.example.net", "timeout": 10.0}
        probe("127.0.0.1", server.port, config_paths=[str(server.config_dir)], **envelope)     # warm the caches
        bare = _median(lambda: talk("127.0.0.1", server.port, **envelope), runs)
        full = _median(lambda: probe("127.0.0.1", server.port, config_paths=[str(server.config_dir)], **envelope),
                       runs)
    print(f"probe   baseline (bare SMTP session) {bare * 1000:7.1f} ms   "
          f"probe (+attribution, simulator) {full * 1000:7.1f} ms   overhead {(full - bare) * 1000:6.1f} ms")


def bench_replay(runs: int, install: Path, version: str) -> None:
    from app.live.haraka.server import HarakaServer
    from app.live.replay.run import replay
    from app.live.smtp import talk
    standin = (ROOT / "app" / "live" / "standins" / "wildduck.js").read_text(encoding="utf-8")
    config = {"plugins": "rcpt_to.in_host_list\nwildduck\n", "host_list": "example.com\n",
              "mxdoctor_replay_users": RCPT + "\n"}

    def by_hand():
        with HarakaServer(config, {"wildduck.js": standin}, install_dir=install) as server:
            talk("127.0.0.1", server.port, rcpts=[RCPT], mail_from="sender@example.net", helo="client.example.net",
                 send=True, timeout=10.0)

    def mxdoctor_replay():
        replay(str(CANONICAL), rcpts=[RCPT], haraka_version=version, progress=None)

    mxdoctor_replay()                                  # warm: installs nothing new, fills the caches
    bare = _median(by_hand, runs)
    full = _median(mxdoctor_replay, runs)
    print(f"replay  baseline (start Haraka by hand, one message) {bare:5.2f} s   "
          f"mxdoctor replay {full:5.2f} s   overhead {full - bare:5.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--haraka-version", default="3.3.4")
    args = parser.parse_args()
    from haraka_install import haraka_dir
    install = haraka_dir(args.haraka_version)
    if install is None:
        print("no Haraka install (needs node and npm)", file=sys.stderr)
        return 2
    bench_probe(args.runs, install)
    bench_replay(args.runs, install, args.haraka_version)
    print(f"peak RSS of this process: {_peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
