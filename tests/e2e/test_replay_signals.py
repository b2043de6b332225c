"""`mxdoctor replay` stopped by a signal (timeout, CI cancel, systemd send SIGTERM; a closed
terminal SIGHUP) leaves nothing behind: no Haraka process of the run, no sandbox dir.

Each run gets its own TMPDIR, so the sandbox (and Haraka's command line, which names it) can be
found from outside, by /proc and the directory listing, whenever the signal came.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.haraka

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = ROOT / "kb" / "examples" / "canonical" / "config"


@pytest.fixture(scope="module")
def cache_root() -> Path:
    try:
        from haraka_install import CACHE_ROOT, require_haraka
    except ImportError:
        from tests.haraka_install import CACHE_ROOT, require_haraka
    require_haraka("3.3.4")
    return CACHE_ROOT


def _processes_naming(path: Path) -> list[str]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if str(path) in cmdline.replace("\0", " "):
                out.append(f"{entry}: {cmdline}")
    return out


def _start(tmp: Path, cache_root: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MXDOCTOR_CACHE": str(cache_root), "TMPDIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "replay", str(CANONICAL), "--rcpt", "alice@example.com",
                             "--haraka-version", "3.3.4"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _sandbox(tmp: Path) -> list[Path]:
    return [p for p in tmp.iterdir() if p.name.startswith("mxdoctor-replay-")]


def _haraka_running(tmp: Path) -> bool:
    return any(" -c " in p.replace("\0", " ") for p in _processes_naming(tmp))


# (what the signal waits for, seconds after that): fixed moments after start, the sandbox dir
# appearing (haraka -i at work), Haraka's own process running (starting up or listening)
MOMENTS = [("start", 0.5), ("start", 1.0), ("start", 1.5), ("sandbox", 0.0), ("haraka", 0.0), ("haraka", 0.4)]


@pytest.mark.parametrize("after,delay", MOMENTS, ids=[f"{a}+{d}s" for a, d in MOMENTS])
def test_sigterm_stops_haraka_and_removes_the_sandbox(after, delay, cache_root, tmp_path):
    proc = _start(tmp_path, cache_root)
    try:
        if after == "sandbox":
            assert _wait_for(lambda: _sandbox(tmp_path), 30), "the sandbox never appeared"
        elif after == "haraka":
            assert _wait_for(lambda: _haraka_running(tmp_path), 30), "Haraka never started"
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    left = _processes_naming(tmp_path)
    assert left == [], left
    assert _sandbox(tmp_path) == [], ([(p, sorted(str(q.relative_to(p)) for q in p.rglob("*"))[:20]) for p in _sandbox(tmp_path)], err[-1500:])
    if after != "start":         # the handler is installed long before the sandbox exists
        assert proc.returncode == 128 + signal.SIGTERM, (proc.returncode, err)
        stopped = [line for line in err.splitlines() if line.startswith("mxdoctor replay: stopped by SIGTERM")]
        assert len(stopped) == 1 and "Traceback" not in err, err
        assert "removed: yes" in stopped[0] and "processes left: 0" in stopped[0], stopped
    else:
        assert proc.returncode in (128 + signal.SIGTERM, -signal.SIGTERM, 0, 1), (proc.returncode, err)
        assert "Traceback" not in err, err


def test_sighup_is_as_clean_as_sigterm(cache_root, tmp_path):
    proc = _start(tmp_path, cache_root)
    try:
        assert _wait_for(lambda: _haraka_running(tmp_path), 30), "Haraka never started"
        proc.send_signal(signal.SIGHUP)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert _processes_naming(tmp_path) == [] and _sandbox(tmp_path) == []
    assert proc.returncode == 128 + signal.SIGHUP and "stopped by SIGHUP" in err, (proc.returncode, err)
