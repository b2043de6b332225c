"""A real `mxdoctor app` on loopback and Debian's chromium driven by Playwright.

Chromium comes from apt (`/usr/bin/chromium`), never from `playwright install`. Locally the
browser tests are skipped when chromium or playwright is missing; in CI (CI=true) that is an
error, so the end-to-end check can never silently disappear. Screenshots go to
$MXDOCTOR_TEST_OUTPUT (default: test-output/browser/ in the repository).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MXDOCTOR_CHROMIUM", "/usr/bin/chromium")
STARTUP_TIMEOUT = 120


def _require(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (required in CI: .ci/run installs it)")
        pytest.skip(why)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    out = Path(os.environ.get("MXDOCTOR_TEST_OUTPUT") or ROOT / "test-output" / "browser")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mxdoctor app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"mxdoctor app did not come up in {STARTUP_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory, output_dir):
    """`mxdoctor app` on a fresh data dir: it indexes kb/ itself first (hash-64, fast)."""
    pytest.importorskip("streamlit")
    home = tmp_path_factory.mktemp("browser-home")
    port = _free_port()
    env = dict(os.environ, MXDOCTOR_EMBEDDING="hash-64", MXDOCTOR_HOME=str(home), PYTHONUNBUFFERED="1")
    env.pop("MXDOCTOR_LLM_BACKEND", None)
    log = output_dir / "server.log"
    started = time.monotonic()
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "app", "--port", str(port), "--home", str(home)],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield {"url": url, "home": home, "startup": time.monotonic() - started, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    _require(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).is_file(), f"no chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                              "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 2200})
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()
