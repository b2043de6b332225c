"""`mxdoctor probe` against real Haraka 3.3.4 and 2.8.28 when the config given is not the whole
story, or not the server's: one server per release runs rcpt_to.in_host_list alone (example.com
in host_list, no queue plugin), while the probe is handed only a config/plugins that adds
wildduck (no host_list given).

- the refused outside recipient is not a DIFFER: the simulator *assumed* host_list lists its domain;
- the 451 after the final dot (core: no queue plugin) DIFFERS from the config's wildduck at queue,
  and the test message is said to be not accepted (no WildDuck greps, no mongosh query);
- Haraka's own replies are attributed to core: 2.8's EHLO line, the 501 for a malformed address;
- a malformed --rcpt is refused before any connection (exit 2).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import LOOPBACK, HarakaServer, free_port

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ["3.3.4", "2.8.28"]
LOCAL, OUTSIDE = "alice@example.com", "someone@elsewhere.org"
HELO = "client.example.net"
STEP = 10.0
GIVEN_PLUGINS = "rcpt_to.in_host_list\nwildduck\n"      # what the admin pasted: wildduck should queue


def _require(version: str) -> Path:
    try:
        from haraka_install import require_haraka
    except ImportError:
        from tests.haraka_install import require_haraka
    return Path(require_haraka(version))


@pytest.fixture(scope="module", params=VERSIONS)
def server(request, tmp_path_factory):
    install = _require(request.param)
    config = {"plugins": "rcpt_to.in_host_list\n", "host_list": "example.com\n"}
    with HarakaServer(config, install_dir=install, workdir=tmp_path_factory.mktemp("honest") / "run") as running:
        running.version = request.param
        yield running


def _given():
    from app.core.inputs import load_texts
    return load_texts([("config/plugins", GIVEN_PLUGINS)])


@pytest.mark.haraka
def test_a_guess_about_a_file_not_given_is_assumed_and_a_foreign_queue_differs(server):
    from app.live.probe import probe
    from app.live.render import render
    report = probe(LOOPBACK, server.port, rcpts=[LOCAL, OUTSIDE], helo=HELO, timeout=STEP, send=True,
                   config=_given())
    assert report.version == server.version
    rows = {(r.stage, r.target): r for r in report.comparison.rows}
    outside = rows[("rcpt", OUTSIDE)]
    assert outside.live == 550 and outside.verdict == "assumed", outside
    assert any(a.startswith("config/host_list (not given)") for a in outside.assumed), outside.assumed

    end = rows[("data_end", None)]
    assert end.live == 451 and end.plugin == "wildduck", end
    assert end.verdict == "differ" and end.why == "why_no_queue" and end.live_by == "core", end
    assert [r.target or r.stage for r in report.comparison.differs] == ["data_end"]

    text = render(report)
    assert f"rcpt <{OUTSIDE}>: live 550" in text and "DIFFER" not in text.split(f"rcpt <{OUTSIDE}>")[1].split("\n")[0]
    assert "the server's queue is not the config's" in text
    assert "0 against its assumptions" not in text
    assert "was not accepted" in text and " sent; look for it" not in text
    assert "mongosh" not in text and "RESOLVED" not in text
    assert report.next is not None and not report.next.accepted
    assert [c["what"] for c in report.next.commands] in (["haraka_log"], ["haraka_log", "haraka_txn"])
    assert server.wait_for_log(report.session.probe_id, timeout=5)      # the grep it offers finds it
    zh = render(report, "markdown", "zh")
    assert "服务器的队列不是这份配置的" in zh and "没有被接受" in zh and "假定 example.com" in zh


@pytest.mark.haraka
def test_haraka_s_own_replies_are_core_s(server):
    """EHLO (2.8.28 writes 'Hello <client>Haraka is at your service.' with no separator) and the 501
    Haraka's command parser writes for a malformed address: attributed to core, at the release."""
    from app.live.attribute import attribute
    from app.live.smtp import talk
    session = talk(LOOPBACK, server.port, rcpts=["notanaddress", LOCAL], mail_from="", helo=HELO, timeout=STEP)
    ehlo, bad = session.get("ehlo"), session.get("rcpt", "notanaddress")
    assert ehlo.code == 250 and bad.code == 501, session.replies
    for reply, function in ((ehlo, "helo_respond"), (bad, "cmd_rcpt")):
        att = attribute(reply, version=server.version)
        assert att.emitter == "core" and function in att.mechanism, (reply, att)
        assert f"/v{server.version}/connection.js#L" in att.source, att.source
    if server.version == "3.3.4":
        assert bad.text.startswith("Invalid RCPT TO address")


def test_a_malformed_address_is_refused_before_connecting():
    port = free_port()                             # nothing listens: a connection would be exit 3
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["--rcpt", "notanaddress"], ["--rcpt", LOCAL, "--from", "not an address"]):
        done = subprocess.run([sys.executable, "-m", "app.cli", "probe", f"{LOOPBACK}:{port}", *args, "--timeout", "2"],
                              check=False, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
        assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
        assert "is not an email address" in done.stderr and not done.stdout
