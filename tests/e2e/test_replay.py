"""`mxdoctor replay` on real Haraka: the canonical broken example and its fixed version at 3.3.4
and a 2.8 release, a dead backend and a forward host, and a machine without node.

Each replay starts one real Haraka on loopback (~2-3 s). After every run the sandbox must be gone
and no process of Haraka's group alive, checked here from /proc, not from the report's own word.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.haraka

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = ROOT / "kb" / "examples" / "canonical"
VERSIONS = ["3.3.4", "2.8.28"]
ALICE = "alice@example.com"
NOBODY = "nobody@example.com"
CLI_TIMEOUT = 120
LOG_LINE = re.compile(r"^\s+\[(DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|ALERT|EMERG)\]")


def _require(version: str) -> Path:
    try:
        from haraka_install import CACHE_ROOT, require_haraka
    except ImportError:
        from tests.haraka_install import CACHE_ROOT, require_haraka
    require_haraka(version)
    return CACHE_ROOT


@pytest.fixture
def cache_root(request, monkeypatch) -> Path:
    """The tests' shared Haraka installs, seen by replay through MXDOCTOR_CACHE."""
    root = _require(request.param)
    monkeypatch.setenv("MXDOCTOR_CACHE", str(root))
    return root


def _fixed_copy(tmp_path: Path) -> Path:
    """The canonical example with mxdoctor's own combined, verified fix applied."""
    from app.core.diagnose import diagnose
    target = tmp_path / "fixed"
    shutil.copytree(CANONICAL, target)
    d = diagnose([str(target / "config")])
    assert d.fixed is not None and "MXD101" in d.fixed.applied, "the fixer no longer fixes MXD101"
    for name, text in d.fixed.files.items():
        (target / name).write_text(text, encoding="utf-8")
    return target / "config"


def _nothing_left(report: dict) -> None:
    sandbox = Path(report["sandbox"])
    assert sandbox.name.startswith("mxdoctor-replay-") and not sandbox.exists(), report["sandbox"]
    leftovers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if str(sandbox) in cmdline:
                leftovers.append(f"{entry}: {cmdline}")
    assert leftovers == [], leftovers
    assert report["processes_left"] == []


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "app.cli", "replay", *args], capture_output=True, text=True, check=False,
                          env=full_env, timeout=CLI_TIMEOUT, cwd=ROOT)


def _row(report: dict, stage: str, target: str | None = None) -> dict:
    return next(r for r in report["dialogue"] if r["stage"] == stage and r["target"] == target)


@pytest.mark.parametrize("cache_root", VERSIONS, indirect=True, ids=VERSIONS)
def test_broken_example_accepts_the_recipient_and_stores_nothing(cache_root, request):
    version = request.node.callspec.params["cache_root"]
    proc = _cli(str(CANONICAL / "config"), "--rcpt", ALICE, "--haraka-version", version, "--format", "json")
    assert proc.returncode == 1, proc.stderr            # exit 1: the replay shows mail not arriving
    report = json.loads(proc.stdout)
    assert report["outcomes"] == {ALICE: "processed_not_stored"} and report["outcome"] == "processed_not_stored"
    assert report["exit_code"] == 1
    assert report["haraka_version"] == version
    assert f"Haraka/{version}" in _row(report, "banner")["real"]
    rcpt = _row(report, "rcpt", ALICE)
    assert rcpt["code"] == 250 and rcpt["answered_by"] == "rcpt_to.in_host_list"
    assert rcpt["agrees"] is True and "wildduck" in rcpt["shadowed"]
    assert rcpt["emitter"] == "rcpt_to.in_host_list" and "host_list" in rcpt["attributed"]
    end = _row(report, "data_end")
    assert end["real"].startswith("250 Message processed") and end["emitter"] == "wildduck"
    assert any("stores the message for nobody" in n for n in end["predicted_notes"]), end["predicted_notes"]
    log = "\n".join(report["raw_log"])
    assert "hook=queue plugin=wildduck" in log and "RESOLVED" not in log and "STORED" not in log
    assert report["resolved"] == [] and report["stored"] == []
    assert any("never resolved" in v and ALICE in v for v in report["verdict"]), report["verdict"]
    assert {"file": "smtp.ini", "key": "listen", "was": "[::0]:25"}.items() <= report["changes"][0].items()
    assert {p["name"]: p["how"] for p in report["plugins"]}["wildduck"] == "stand-in"
    _nothing_left(report)


# the fixed run at 2.8.28 is told in Chinese: the verdict's words come from the same facts
FIXED = [("3.3.4", "en", "wildduck (mxdoctor's stand-in) resolved <{rcpt}> and would store it", "refused <{rcpt}>"),
         ("2.8.28", "zh", "wildduck（mxdoctor 的替身）解析了 <{rcpt}>，并会存储它", "拒绝了 <{rcpt}>")]
# what the verdict proved (the hook order reaches wildduck) and what it did not (MongoDB)
PROVEN = {"en": ("rcpt and queue hooks (proven here)", "MongoDB (not tested here)"),
          "zh": ("rcpt 和 queue 钩子（此处已验证）", "MongoDB（此处未验证）")}


@pytest.mark.parametrize("cache_root,lang,stored,refused", FIXED, indirect=["cache_root"], ids=VERSIONS)
def test_fixed_example_resolves_and_stores(cache_root, lang, stored, refused, request, tmp_path):
    from app.live.replay.render import render_markdown, render_text
    from app.live.replay.run import replay
    version = request.node.callspec.params["cache_root"]
    result = replay(_fixed_copy(tmp_path), rcpts=[ALICE, NOBODY], unknown=[NOBODY], haraka_version=version,
                    progress=None, lang=lang)
    report = result.to_dict()
    assert f"Haraka/{version}" in _row(report, "banner")["real"]
    rcpt = _row(report, "rcpt", ALICE)
    assert rcpt["code"] == 250 and rcpt["answered_by"] == "wildduck"
    assert _row(report, "rcpt", NOBODY)["code"] == 550
    log = "\n".join(report["raw_log"])
    assert f"RESOLVED rcpt={ALICE}" in log and f"STORED rcpt={ALICE}" in log
    assert report["resolved"] == [ALICE] and report["stored"] == [ALICE]
    verdict = next(v for v in report["verdict"] if stored.format(rcpt=ALICE) in v)
    assert all(words in verdict for words in PROVEN[lang]), verdict
    assert any(refused.format(rcpt=NOBODY) in v for v in report["verdict"]), report["verdict"]
    assert report["outcomes"] == {ALICE: "stored", NOBODY: "rejected_at_rcpt"}
    assert (report["outcome"], report["exit_code"]) == ("mixed", 1)
    assert "--rcpt" in rcpt["note"] and "MongoDB" in rcpt["note"], rcpt["note"]   # the stand-in's own list, said
    from app.core.mdsafe import md_text
    text, markdown = render_text(result, lang), render_markdown(result, lang)
    assert stored.format(rcpt=ALICE) in text and f"STORED rcpt={ALICE}" in text
    assert md_text(stored.format(rcpt=ALICE)) in markdown and f"STORED rcpt={ALICE}" in markdown
    listen = next(c for c in report["changes"] if c["key"] == "listen")
    assert ("本机" in listen["why"]) == (lang == "zh"), listen
    _nothing_left(report)


# A local plugin that tries to reach an outside address from the rcpt hook and logs what happened.
REACH_OUT = """'use strict'
const net = require('net')
exports.hook_rcpt = function (next, connection) {
    const sock = net.connect(25, '192.0.2.10')
    const done = (what) => { connection.loginfo(this, `reach-out: ${what}`); sock.destroy(); next() }
    sock.once('connect', () => done('CONNECTED'))
    sock.once('error', (err) => done(`error ${err.code}`))
}
"""


@pytest.mark.parametrize("cache_root", ["3.3.4"], indirect=True, ids=["3.3.4"])
def test_backends_are_dead_or_stand_ins_and_nothing_leaves_loopback(cache_root, tmp_path):
    from app.live.replay.run import replay
    haraka = tmp_path / "haraka"
    (haraka / "config").mkdir(parents=True)
    (haraka / "plugins").mkdir()
    (haraka / "plugins" / "reach_out.js").write_text(REACH_OUT)
    files = {"plugins": "reach_out\nrcpt_to.in_host_list\nrspamd\nqueue/smtp_forward\n",
             "host_list": "example.com\n",
             "rspamd.ini": "[main]\nhost=10.20.30.40\nport=11333\n[check]\nlocal_ip=true\nprivate_ip=true\n",
             "smtp_forward.ini": "[main]\nhost=192.0.2.25\nport=25\nenable_tls=false\n"}
    for name, text in files.items():
        (haraka / "config" / name).write_text(text)
    from app.live.replay.render import render_text
    result = replay(haraka, rcpts=[ALICE], progress=None)
    report = result.to_dict()
    backends = {b["name"]: b for b in report["backends"]}
    rspamd = backends["rspamd"]
    assert rspamd["state"] == "dead" and rspamd["where"].startswith("127.0.0.1:")
    assert {"file": "rspamd.ini", "key": "host", "was": "10.20.30.40", "now": "127.0.0.1"}.items() <= \
        next(c for c in report["changes"] if c["file"] == "rspamd.ini" and c["key"] == "host").items()
    log = "\n".join(report["raw_log"])
    dead_port = rspamd["where"].rsplit(":", 1)[1]
    assert f"127.0.0.1:{dead_port}" in log and "ECONNREFUSED" in log, "rspamd never tried its (dead) backend"
    dead_rows = [r for r in report["log"] if "ECONNREFUSED" in r["line"] and dead_port in r["line"]]
    assert dead_rows and all("on purpose" in r["note"] for r in dead_rows), report["log"]
    assert "reach-out: error ECONNREFUSED" in log and "reach-out: CONNECTED" not in log
    assert "blocked a connection to 192.0.2.10:25" in log
    assert backends["the forward host"]["state"] == "stand-in"
    assert [m["rcpts"] for m in report["forwarded"]] == [[ALICE]], "the sink did not get the message"
    assert {p["name"]: p["how"] for p in report["plugins"]}["reach_out"] == "local"
    text = render_text(result)
    assert "rspamd: dead on purpose at 127.0.0.1:" in text and "the forward host: stand-in at 127.0.0.1:" in text
    assert f"RCPT {ALICE}" in text
    _nothing_left(report)


def test_without_node_says_what_to_install(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = _cli(str(CANONICAL / "config"), "--rcpt", ALICE, env={"PATH": str(empty)})
    assert proc.returncode == 2
    assert "replay needs node (>= 18) and npm" in proc.stderr and "nodejs.org" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("cache_root", ["3.3.4"], indirect=True, ids=["3.3.4"])
def test_a_haraka_that_does_not_start_is_shown_and_cleaned_up(cache_root, tmp_path):
    from app.live.replay.run import replay
    haraka = tmp_path / "haraka"
    (haraka / "config").mkdir(parents=True)
    (haraka / "plugins").mkdir()
    (haraka / "plugins" / "broken.js").write_text("exports.register = function () { throw new Error('boom at load') }\n")
    (haraka / "config" / "plugins").write_text("broken\n")
    report = replay(haraka, rcpts=[ALICE], progress=None).to_dict()
    assert "did not start" in report["haraka_error"] and "boom at load" in report["haraka_error"]
    assert report["dialogue"] == [] and report["verdict"] == []
    assert (report["outcome"], report["exit_code"]) == ("haraka_did_not_start", 3)
    _nothing_left(report)


# Haraka's stock smtp.ini has two `;listen=` lines; an admin may uncomment both (and leave one in
# a section). TLS with Haraka's default file names: the throw-away pair takes their place.
STOCK_SMTP_INI = """; address to listen on (default: all IPv6 and IPv4 addresses, port 25)
listen=[::0]:25
; listen on port 587 too
listen=[::0]:25,[::0]:587
nodes=cpus
[headers]
listen=0.0.0.0:2525
max_lines=1000
"""


@pytest.mark.parametrize("cache_root", ["3.3.4"], indirect=True, ids=["3.3.4"])
def test_every_listen_line_is_replaced_and_a_stored_mail_exits_0(cache_root, tmp_path):
    config = _fixed_copy(tmp_path)
    (config / "smtp.ini").write_text(STOCK_SMTP_INI)
    (config / "tls.ini").write_text("; key and cert: Haraka's defaults, tls_key.pem and tls_cert.pem\n")
    (config / "tls_key.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot a real key\n")
    (config / "tls_cert.pem").write_text("-----BEGIN CERTIFICATE-----\nnot a real cert\n")
    proc = _cli(str(config), "--rcpt", ALICE, "--haraka-version", "3.3.4", "--format", "json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert (report["outcomes"], report["outcome"], report["exit_code"]) == ({ALICE: "stored"}, "stored", 0)
    listens = [(c["key"], c["was"], c["now"]) for c in report["changes"] if c["key"].endswith("listen")]
    port = f"127.0.0.1:{report['port']}"
    assert listens == [("listen", "[::0]:25", port), ("listen", "[::0]:25,[::0]:587", None),
                       ("[headers] listen", "0.0.0.0:2525", None)], listens
    key = next(c for c in report["changes"] if c["file"] == "tls_key.pem")
    assert "private key" in key["was"] and "throw-away" in key["now"], key
    assert "STARTTLS" in report["session"]["capabilities"], "the throw-away pair did not stand in for tls_*.pem"
    _nothing_left(report)


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "plugins").write_text("rcpt_to.in_host_list\n")
    for args in ([str(tmp_path / "missing"), "--rcpt", ALICE], [str(tmp_path), "--rcpt", ALICE, "--haraka-version", "9.x"],
                 [str(tmp_path), "--rcpt", ALICE, "--from", "x\r\nRSET"]):
        proc = _cli(*args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == "", proc.stderr


@pytest.mark.parametrize("cache_root", ["3.3.4"], indirect=True, ids=["3.3.4"])
def test_the_chinese_report_is_chinese_and_aligned(cache_root):
    from ingest.tokenize import chinese_share
    long_rcpt = "postmaster@example.com"
    proc = _cli(str(CANONICAL / "config"), "--rcpt", long_rcpt, "--haraka-version", "3.3.4", "--lang", "zh")
    assert proc.returncode == 1, proc.stderr[-2000:]
    text = proc.stdout
    share = chinese_share(text)
    assert share >= 0.72, f"{share:.0%} Chinese"     # 69% before the step notes and plan words were translated
    ours = "\n".join(line for line in text.splitlines() if not LOG_LINE.match(line))   # Haraka's own lines aside
    for english in ("records results only", "no recipient was resolved", "may answer", "bundled", "stand-in",
                    "(unset)", "MongoDB and Redis", "：yes", "knowledge base"):
        assert english not in ours, english
    title = text.splitlines()[0]
    assert title.count("（") == 1 and "结果：processed_not_stored" in text, title
    dialogue = text[text.index("真实的 SMTP 对话"):text.index("真实日志")].splitlines()[1:-1]
    label = f"rcpt <{long_rcpt}>"
    column = 2 + len(label) + 1
    assert any(line.startswith(f"  {label} 实际:") for line in dialogue), dialogue
    for line in dialogue:       # every row's text starts in the same column
        assert line[column - 1] == " " and line[column] != " ", line


def _readme_replay() -> tuple[list[str], list[str], str]:
    """The README's replay example (command, shown lines) and its replay section's text."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### replay"):readme.index("### triage")]
    block = section[section.index("$ mxdoctor replay"):section.index("```", section.index("$ mxdoctor replay"))]
    command, *shown = block.rstrip("\n").split("\n")
    return command[2:].split()[2:], shown, section


@pytest.mark.parametrize("cache_root", ["3.3.4"], indirect=True, ids=["3.3.4"])
def test_the_readme_replay_example_is_what_replay_prints(cache_root):
    from tests.journeys.test_readme import missing_lines
    args, shown, _section = _readme_replay()
    proc = _cli(*args)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert missing_lines(shown, proc.stdout) == [], proc.stdout


def test_the_readme_and_help_give_the_same_exit_codes():
    from app.live.replay.outcome import EXIT_CODES
    _args, _shown, section = _readme_replay()
    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", section, re.M))
    assert set(table) == {str(code) for code in EXIT_CODES}
    help_text = subprocess.run([sys.executable, "-m", "app.cli", "replay", "--help"], capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=CLI_TIMEOUT).stdout
    flat = " ".join(help_text.split())
    for code, what in EXIT_CODES.items():
        assert f"{code} = {what}" in flat, what
        assert table[str(code)].startswith(what.split(" (")[0]), (table[str(code)], what)
