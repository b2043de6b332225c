"""The harness itself: a failing test must leave no Haraka behind, and a port taken between
picking and binding must not break the start-up."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from . import harness
from .harness import HarakaServer, send

pytestmark = pytest.mark.haraka

PLUGINS = {"plugins": "rcpt_to.in_host_list\n", "host_list": "example.com\n"}


@pytest.fixture(scope="module")
def install_dir() -> Path:
    try:
        from haraka_install import require_haraka
    except ImportError:
        from tests.haraka_install import require_haraka
    return Path(require_haraka())


def _live_members(pgid: int) -> list[str]:
    """Processes of process group `pgid` still running, each with its name (for the failure message)."""
    from app.live.haraka.server import group_alive
    out = []
    for pid in group_alive(pgid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue                                # gone since
        out.append(f"{pid} {stat[:stat.rfind(')') + 1]}")
    return out


def test_no_haraka_survives_an_exception_in_the_test(install_dir, tmp_path):
    with pytest.raises(RuntimeError):
        with HarakaServer(PLUGINS, install_dir=install_dir, workdir=tmp_path) as server:
            pgid = server.proc.pid
            assert _live_members(pgid), "the server should be running inside the block"
            raise RuntimeError("a failing test")
    assert _live_members(pgid) == []


def test_start_retries_when_the_picked_port_is_taken(install_dir, tmp_path, monkeypatch):
    with socket.socket() as taken:
        taken.bind((harness.LOOPBACK, 0))
        taken.listen()
        busy_port = taken.getsockname()[1]
        picks = iter([busy_port])
        real_free_port = harness.free_port
        monkeypatch.setattr(harness, "free_port", lambda: next(picks, None) or real_free_port())
        with HarakaServer(PLUGINS, install_dir=install_dir, workdir=tmp_path) as server:
            assert server.port != busy_port
            transcript = send(server, "client.example.net", "a@example.net", ["u@elsewhere.test"])
    # rejections are recorded, not raised
    assert transcript.code("banner") == 220
    assert transcript.code("rcpt", "u@elsewhere.test") == 550
    assert transcript.code("data") == 503
