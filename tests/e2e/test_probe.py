"""`mxdoctor probe` against real Haraka on loopback: every reply attributed to the plugin or core
that produced it, the simulator's prediction beside it, and clear failures within the time bound.

One Haraka serves every scenario (several sessions against it): STARTTLS with a self-signed
certificate (tls), a bare-IP EHLO refused (helo.checks), a recipient on a deny list (access), one
outside host_list (core's default 550 after in_host_list passes), and a forward backend nobody
listens on (queue/smtp_forward times out after DATA). Refused and silent ports need no Haraka.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .harness import LOOPBACK, HarakaServer, free_port
from .test_real_haraka import _require_haraka

ROOT = Path(__file__).resolve().parents[2]
LOCAL, OUTSIDE, DENIED = "alice@example.com", "nobody@other.test", "blocked@example.com"
HELO = "client.example.net"
FORWARD_TIMEOUT = 2          # config/queue/smtp_forward.timeout: the dead backend's plugin timeout
STEP = 10.0                  # probe timeout per step against Haraka (above FORWARD_TIMEOUT)
MARGIN = 1.5                 # seconds a failure may take beyond its time bound


def _self_signed(tmp: Path) -> tuple[str, str]:
    key, cert = tmp / "tls_key.pem", tmp / "tls_cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "30", "-subj", "/CN=mx.example.com"],
                   check=True, capture_output=True, timeout=60)
    return key.read_text(), cert.read_text()


@pytest.fixture(scope="module")
def haraka(tmp_path_factory):
    install = _require_haraka()
    tmp = tmp_path_factory.mktemp("probe")
    key, cert = _self_signed(tmp)
    config = {
        "plugins": "tls\nhelo.checks\naccess\nrcpt_to.in_host_list\nqueue/smtp_forward\n",
        "host_list": "example.com\n",
        "rcpt_to.access.blacklist": f"{DENIED}\n",
        "helo.checks.ini": "[check]\nforward_dns=false\nrdns_match=false\n[reject]\nbare_ip=true\n"
                           "[skip]\nprivate_ip=false\n",
        "smtp_forward.ini": f"host={LOOPBACK}\nport={free_port()}\nenable_tls=false\n",
        "queue/smtp_forward.timeout": f"{FORWARD_TIMEOUT}\n",
        "tls_key.pem": key, "tls_cert.pem": cert,
    }
    with HarakaServer(config, install_dir=install, workdir=tmp / "run") as server:
        yield server


@pytest.fixture(scope="module")
def wildduck_haraka(tmp_path_factory):
    """WildDuck's plugin (the e2e stand-in: its users are config/wildduck_users) alone: it resolves
    recipients at rcpt and stores at queue, logging RESOLVED/STORED as the real one does."""
    from .scenarios import PLUGIN_FIXTURES
    install = _require_haraka()
    config = {"plugins": "wildduck\n", "wildduck_users": f"{LOCAL}\n"}
    plugins = {"wildduck.js": (PLUGIN_FIXTURES / "wildduck.js").read_text()}
    workdir = tmp_path_factory.mktemp("probe-wd") / "run"
    with HarakaServer(config, plugins, install_dir=install, workdir=workdir) as server:
        yield server


def _probe(server, **kw):
    from app.live.probe import probe
    kw.setdefault("helo", HELO)
    kw.setdefault("timeout", STEP)
    return probe(LOOPBACK, server.port, **kw)


def _by(report):
    """(stage, target) -> (reply, attribution)."""
    return {(r.stage, r.target): (r, a) for r, a in zip(report.session.replies, report.attributions)}


@pytest.mark.haraka
def test_each_reply_is_attributed_and_agrees_with_the_simulator(haraka):
    report = _probe(haraka, rcpts=[LOCAL, OUTSIDE, DENIED], send=True, config_paths=[str(haraka.dir)])
    got = _by(report)
    assert report.version == "3.3.4" and report.version_from == "banner"
    codes = {k: r.code for k, (r, _) in got.items()}
    assert codes[("rcpt", LOCAL)] == 250 and codes[("rcpt", OUTSIDE)] == 550 and codes[("rcpt", DENIED)] == 550
    assert codes[("data", None)] == 354 and codes[("data_end", None)] == 450, codes

    who = {k: a.emitter for k, (_, a) in got.items()}
    assert who[("banner", None)] == "core" and who[("mail", None)] == "core"
    assert who[("rcpt", LOCAL)] == "rcpt_to.in_host_list"          # core's default text for its silent OK
    assert "config/host_list" in got[("rcpt", LOCAL)][1].mechanism
    assert who[("rcpt", OUTSIDE)] == "core"                         # every rcpt plugin passed: core's default 550
    assert "No plugin accepted the recipient" in got[("rcpt", OUTSIDE)][1].mechanism
    assert got[("rcpt", OUTSIDE)][1].source.endswith(tuple(f"connection.js#L{n}" for n in range(1, 3000)))
    assert who[("rcpt", DENIED)] == "access"
    assert who[("data_end", None)] == "queue/smtp_forward"          # it never called back: core answered for it
    assert got[("data_end", None)][1].hook == "queue"
    assert who[("rset", None)] == "core" and who[("quit", None)] == "core"

    comparison = report.comparison
    assert comparison is not None and not comparison.differs, comparison.to_dict()
    verdicts = {(row.stage, row.target): row.verdict for row in comparison.rows}
    for must in [("banner", None), ("mail", None), ("rcpt", LOCAL), ("rcpt", OUTSIDE), ("rcpt", DENIED),
                 ("data", None)]:
        assert verdicts[must] == "agree", (must, comparison.to_dict())
    plugin = {(row.stage, row.target): row.plugin for row in comparison.rows}
    assert plugin[("rcpt", LOCAL)] == "rcpt_to.in_host_list" and plugin[("rcpt", DENIED)] == "access"

    assert report.session.probe_id and report.outcome == "refused" and report.exit_code == 1
    steps = report.next
    assert steps is not None and steps.transaction and steps.transaction in got[("data_end", None)][0].text
    commands = " ".join(c["command"] for c in steps.commands)
    assert report.session.probe_id in commands and steps.transaction in commands
    assert haraka.wait_for_log(report.session.probe_id, timeout=5), "the probe id is not in Haraka's log"


@pytest.mark.haraka
def test_without_config_unknowable_plugins_stay_unattributed(haraka):
    report = _probe(haraka, rcpts=[LOCAL, DENIED])
    got = _by(report)
    assert report.comparison is None and report.next is None
    assert "data" not in {r.stage for r in report.session.replies}          # no DATA without --send
    local = got[("rcpt", LOCAL)][1]
    assert local.emitter == "unattributed" and "does not say which plugin" in local.mechanism
    # access's text comes from its config: nothing in the index has it, and no guess is made
    assert got[("rcpt", DENIED)][1].emitter == "unattributed"
    assert [r.stage for r in report.session.replies][-2:] == ["rset", "quit"]


@pytest.mark.haraka
def test_bare_ip_ehlo_is_refused_by_helo_checks(haraka):
    report = _probe(haraka, rcpts=[LOCAL], helo="192.0.2.1", config_paths=[str(haraka.dir)])
    reply, att = _by(report)[("ehlo", None)]
    assert reply.code == 550 and "Invalid address format in HELO" in reply.text
    assert (att.emitter, att.hook, att.how) == ("helo.checks", "ehlo", "message")
    assert "haraka-plugin-helo.checks" in att.source
    assert report.session.failure is not None and report.session.failure.kind == "reply"
    assert [row.verdict for row in report.comparison.rows if row.stage == "ehlo"] == ["agree"]
    assert "mail" not in {r.stage for r in report.session.replies}


@pytest.mark.haraka
def test_starttls_with_a_self_signed_certificate(haraka):
    report = _probe(haraka, rcpts=[LOCAL], starttls=True)
    got = _by(report)
    assert report.session.tls is not None and report.session.tls.version.startswith("TLS")
    assert len(report.session.tls.fingerprint) == 64 and not report.session.tls.verified
    caps = {c["name"]: c["emitter"] for c in got[("ehlo", None)][1].capabilities}
    assert caps["STARTTLS"] == "tls" and caps["PIPELINING"] == "core"
    assert got[("starttls", None)][1].emitter == "tls"
    assert got[("ehlo_tls", None)][0].code == 250 and report.exit_code == 0

    start = time.monotonic()
    strict = _probe(haraka, rcpts=[LOCAL], starttls=True, verify_tls=True, timeout=2)
    assert time.monotonic() - start < 2 + MARGIN
    failure = strict.session.failure
    assert failure is not None and failure.kind == "tls" and "does not verify" in failure.message
    assert strict.outcome == "failed" and strict.exit_code == 3


@pytest.mark.haraka
def test_send_to_wildduck_says_where_the_message_is(wildduck_haraka):
    report = _probe(wildduck_haraka, rcpts=[LOCAL, OUTSIDE], send=True, config_paths=[str(wildduck_haraka.dir)])
    got = _by(report)
    assert got[("rcpt", LOCAL)][1].emitter == "wildduck"             # its silent OK, named by the simulator
    unknown_reply, unknown = got[("rcpt", OUTSIDE)]
    assert unknown_reply.text.startswith("5.1.1") and (unknown.emitter, unknown.how) == ("wildduck", "dsn")
    assert got[("data_end", None)][0].code == 250 and got[("data_end", None)][1].emitter == "wildduck"
    # the simulator cannot see WildDuck's users: it assumed the address exists, and says so
    row = next(r for r in report.comparison.rows if r.target == OUTSIDE)
    assert row.verdict == "assumed" and any("WildDuck" in a for a in row.assumed), row
    assert not report.comparison.differs

    steps = report.next
    assert steps is not None and steps.wildduck and report.session.sent
    assert wildduck_haraka.wait_for_log("STORED rcpt=", timeout=5)
    log = wildduck_haraka.log_lines()
    for command in (c["command"] for c in steps.commands if c["what"] in ("haraka_log", "haraka_txn")):
        needle = command.split("'")[1]                                 # grep -F '<needle>' <haraka.log>
        assert any(needle in line for line in log), command
    resolved = [line for line in log if ("RESOLVED" in line or "STORED" in line) and f"rcpt={LOCAL}" in line]
    assert len(resolved) == 2, log                                     # what the wildduck_log command finds
    mongosh = next(c["command"] for c in steps.commands if c["what"] == "mongosh")
    assert f'msgid: "<{report.session.probe_id}@{HELO}>"' in mongosh
    assert any(f"mid=<{report.session.probe_id}@{HELO}>" in line for line in log)


@pytest.fixture(scope="module")
def canonical_haraka(tmp_path_factory):
    """The canonical mistake: rcpt_to.in_host_list before wildduck, the recipient's domain listed."""
    from .scenarios import PLUGIN_FIXTURES
    install = _require_haraka()
    config = {"plugins": "rcpt_to.in_host_list\nwildduck\n", "host_list": "example.com\n",
              "wildduck_users": f"{LOCAL}\n"}
    plugins = {"wildduck.js": (PLUGIN_FIXTURES / "wildduck.js").read_text()}
    workdir = tmp_path_factory.mktemp("probe-canonical") / "run"
    with HarakaServer(config, plugins, install_dir=install, workdir=workdir) as server:
        yield server


@pytest.mark.haraka
@pytest.mark.parametrize("send", [False, True])
def test_the_canonical_mistake_shows_live_stored_for_nobody(canonical_haraka, send):
    """A recipient wildduck refuses is no longer in the transaction: the queue is judged on the one
    in_host_list accepted, which wildduck never resolved, so it stores for nobody (with or without DATA)."""
    from app.live.render import render
    report = _probe(canonical_haraka, rcpts=[LOCAL, OUTSIDE], send=send, config_paths=[str(canonical_haraka.dir)])
    got = _by(report)
    assert got[("rcpt", LOCAL)][1].emitter == "rcpt_to.in_host_list"
    assert got[("rcpt", OUTSIDE)][0].code == 550 and got[("rcpt", OUTSIDE)][1].emitter == "wildduck"
    assert report.comparison.outcome == "processed_not_stored"
    text = render(report)
    assert "WildDuck never stores it" in text
    if send:
        end, who = got[("data_end", None)]
        assert end.code == 250 and who.emitter == "wildduck" and "for nobody" in who.mechanism
        assert canonical_haraka.wait_for_log("Message processed|STORED|mid=", timeout=5)
        assert not any("RESOLVED" in line or "STORED" in line for line in canonical_haraka.log_lines())
    assert "WildDuck" in render(report, lang="zh") and "从未存储" in render(report, lang="zh")


def test_refused_port_fails_clearly_and_fast():
    from app.live.probe import probe
    start = time.monotonic()
    report = probe(LOOPBACK, free_port(), rcpts=[LOCAL], timeout=2)
    assert time.monotonic() - start < 2 + MARGIN
    assert report.session.failure.kind == "refused" and "refused the connection" in report.session.failure.message
    assert report.exit_code == 3


def test_silent_port_fails_clearly_within_the_timeout():
    from app.live.probe import probe
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:    # accepts (backlog), never greets
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        start = time.monotonic()
        report = probe(LOOPBACK, listener.getsockname()[1], rcpts=[LOCAL], timeout=2)
        took = time.monotonic() - start
    assert 1.5 < took < 2 + MARGIN
    assert report.session.failure.kind == "silent" and "no greeting came within 2 s" in report.session.failure.message
    assert report.exit_code == 3


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app.cli", "probe", *args], check=False, capture_output=True,
                          text=True, timeout=60, env=env, cwd=ROOT)


@pytest.mark.haraka
def test_cli_exit_codes_and_json(haraka):
    target = f"{LOOPBACK}:{haraka.port}"
    ok = _cli(target, "--rcpt", LOCAL, "--helo", HELO, "--format", "json", "--timeout", "10")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["outcome"] == "accepted" and data["exit_code"] == 0
    assert [r["attribution"]["emitter"] for r in data["replies"] if r["stage"] == "banner"] == ["core"]

    refused = _cli(target, "--rcpt", OUTSIDE, "--helo", HELO, "--config", str(haraka.dir), "--lang", "zh")
    assert refused.returncode == 1, refused.stderr
    assert "I cannot deliver mail for" in refused.stdout and "与模拟器对照" in refused.stdout

    assert _cli(f"{LOOPBACK}:{free_port()}", "--rcpt", LOCAL, "--timeout", "2").returncode == 3
    bad = _cli("[::1", "--rcpt", LOCAL)
    assert bad.returncode == 2 and "host" in bad.stderr


def _readme_probe() -> tuple[str, list[str]]:
    """The README's probe example: its command and the lines it shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### probe"):readme.index("### ingest")]
    block = section[section.index("$ mxdoctor probe"):section.index("```", section.index("$ mxdoctor probe"))]
    command, *shown = block.rstrip("\n").split("\n")
    return command[2:], shown


@pytest.mark.haraka
def test_the_readme_probe_example_is_what_probe_prints(haraka):
    """The README's example runs against this module's Haraka (the config its comment names):
    its port and config dir put in, every line it shows must be in the real output, in order."""
    from tests.journeys.test_readme import missing_lines
    command, shown = _readme_probe()
    port = f"{LOOPBACK}:{haraka.port}"
    args = command.replace("127.0.0.1:2525", port).replace("/srv/haraka", str(haraka.dir)).split()[2:]
    shown = [line.replace("127.0.0.1:2525", port).replace("/srv/haraka", str(haraka.dir)) for line in shown]
    proc = _cli(*args)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert missing_lines(shown, proc.stdout) == [], proc.stdout
