"""`mxdoctor check` end to end: findings, verified fixes, the four report formats, exit codes,
and secrets masked everywhere."""
import json

import pytest

from app.cli import main
from app.core.diagnose import diagnose
from app.core.examples import example_dir
from app.core.model import Evidence, Finding

CANONICAL = str(example_dir("canonical") / "config")
SECRET_FILES = {
    "config/plugins": "rcpt_to.in_host_list\nwildduck\n",
    "config/host_list": "example.com\n",
    "config/wildduck.yaml": "mongo:\n  url: 'mongodb://wduser:Sup3rS3cretPw@mongo:27017/wildduck'\n"
                            "redis: 'redis://:R3disPassw0rd@redis:6379/3'\nsrs:\n  secret: 'SrsS3cretValue'\n",
    "config/auth_flat_file.ini": "[core]\nmethods=PLAIN\n[users]\nalice=AlicePassw0rd1\n",
    "config/smtp_forward.ini": "host=10.0.0.2\nauth_pass=FwdPassw0rd\n",
}
SECRETS = ["Sup3rS3cretPw", "R3disPassw0rd", "SrsS3cretValue", "AlicePassw0rd1", "FwdPassw0rd"]


def test_canonical_case_found_with_verified_fix():
    d = diagnose([CANONICAL])
    top = d.findings[0]
    assert top.rule == "MXD101" and top.severity == "error"
    assert top.fix.verified and "-rcpt_to.in_host_list" in top.fix.patch
    assert any(e.file == "config/plugins" and e.line and "rcpt_to.in_host_list" in e.text for e in top.evidence)
    assert d.simulation.outcome == "processed_not_stored"
    rcpt = d.simulation.step("rcpt")
    assert rcpt.answered_by == "rcpt_to.in_host_list" and "wildduck" in rcpt.shadowed


def test_json_contract(capsys):
    assert main(["check", CANONICAL, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    f = data["findings"][0]
    assert set(f) >= {"rule", "severity", "title", "explanation", "evidence", "fix", "citations"}
    assert set(f["evidence"][0]) >= {"file", "line", "text"}
    assert set(f["fix"]) >= {"summary", "patch"}
    hooks = list(data["simulation"]["hooks"])
    assert hooks.index("mail") < hooks.index("rcpt") < hooks.index("queue")
    assert set(data["simulation"]["hooks"]["rcpt"][0]) == {"plugin", "method", "priority"}
    assert "transaction" in data["simulation"]


def test_sarif_2_1_0(capsys):
    main(["check", CANONICAL, "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    res = run["results"][0]
    assert res["ruleId"] in ids and res["level"] == "error"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1


def test_markdown_for_wiki(capsys):
    main(["check", CANONICAL, "--format", "markdown"])
    md = capsys.readouterr().out
    assert md.startswith("# mxdoctor report") and "## MXD101" in md and "```diff" in md


@pytest.mark.parametrize("fail_on,code", [("error", 1), ("warning", 1), ("never", 0)])
def test_exit_codes(fail_on, code):
    assert main(["check", CANONICAL, "--fail-on", fail_on, "--format", "json"]) == code


def test_unusable_input_exits_2_with_one_line(capsys, tmp_path):
    assert main(["check", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope" in err


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_secrets_masked_in_every_format(tmp_path, capsys, fmt):
    for name, text in SECRET_FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    main(["check", str(tmp_path), "--format", fmt, "--fail-on", "never"])
    out = capsys.readouterr().out
    assert "MXD101" in out
    for secret in SECRETS:
        assert secret not in out


def test_ranking_severity_then_evidence_strength():
    cfg = Finding("X1", "warning", "t", "c", "e", evidence=[Evidence("config/plugins", 1, "x")])
    both = Finding("X2", "warning", "t", "c", "e", evidence=[Evidence("config/plugins", 1, "x"),
                                                            Evidence("haraka.log", 9, "y", "log")])
    err = Finding("X3", "error", "t", "c", "e")
    assert [f.rule for f in sorted([cfg, both, err], key=Finding.sort_key)] == ["X3", "X2", "X1"]


def test_paste_from_stdin(monkeypatch, capsys):
    import io
    import sys
    blob = b"==> config/plugins <==\nrcpt_to.in_host_list\nwildduck\n\n==> config/host_list <==\nexample.com\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(blob)))
    assert main(["check", "-", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["rule"] == "MXD101"


def test_fixed_out_writes_the_fixed_files_and_the_report_says_where(tmp_path, capsys):
    """--fixed-out writes every verified fix applied together, and the report then says where they
    went instead of telling the admin to use the option they just used."""
    import shutil
    out = tmp_path / "fixed"
    assert main(["check", CANONICAL, "--fixed-out", str(out)]) == 1
    printed = capsys.readouterr()
    assert f"written to {out}" in printed.out and "write them with --fixed-out" not in printed.out
    assert "wrote the fixed files" in printed.err
    again = tmp_path / "again" / "config"
    shutil.copytree(CANONICAL, again)
    shutil.copy(out / "config" / "plugins", again / "plugins")
    assert "MXD101" not in {f.rule for f in diagnose([str(again)]).findings}
