"""Rules with `versions:` ranges: loaded and validated with file and line, honoured by the engine
when the admin's version is known (and only then), shown on the rule's page, and
`--haraka-version` on check, simulate, triage and ask."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.core.checks import run_checks
from app.core.diagnose import diagnose
from app.core.errors import RuleError
from app.core.inputs import load_texts
from app.core.model import Problem
from app.core.rules.loader import load_rules
from app.core.rules.pages import rule_page_markdown
from app.core.rules.parse import parse_rule
from app.core.versions import Found, Versions

RULE = """id: ACME001
title: limit too old
severity: warning
category: plugins
versions: {haraka: ">=3.0", haraka-plugin-limit: "<1.2"}
when:
  plugin: limit
explanation: old limit
examples:
  fail:
    - files: {config/plugins: "limit\\n"}
  pass:
    - versions: {haraka-plugin-limit: "1.3.2"}
      files: {config/plugins: "limit\\n"}
"""

DATABYTES = [("config/databytes", "52428800\n")]


def fired(rule_text: str, files: list[tuple[str, str]], versions: Versions | None) -> bool:
    rule = parse_rule(rule_text, "ACME001.yaml")
    findings, ctx = run_checks(load_texts(files), rules=[rule], verify_fixes=False, versions=versions)
    return bool(findings)


def known(**packages: str) -> Versions:
    return Versions(found=[Found(p.replace("_", "-"), v, "test", 1, "package-lock.json") for p, v in packages.items()])


# --------------------------------------------------------------------------- loading

def test_a_rule_carries_its_ranges():
    rule = parse_rule(RULE, "ACME001.yaml")
    assert rule.versions == {"haraka": ">=3.0", "haraka-plugin-limit": "<1.2"}


@pytest.mark.parametrize("versions, message", [
    ("[haraka]", "must be a mapping"),
    ("{haraka: 3.1}", "quote it"),
    ('{haraka: "newest"}', "not a version range"),
    ('{"not a package!": ">=1"}', "not a package name"),
])
def test_bad_ranges_are_refused_at_their_line(versions, message):
    text = RULE.replace('versions: {haraka: ">=3.0", haraka-plugin-limit: "<1.2"}', f"versions: {versions}")
    with pytest.raises(RuleError) as err:
        parse_rule(text, "ACME001.yaml")
    assert message in err.value.message and err.value.line == 5


def test_a_bad_example_version_is_refused():
    with pytest.raises(RuleError, match="examples.pass"):
        parse_rule(RULE.replace('versions: {haraka-plugin-limit: "1.3.2"}', 'versions: {haraka-plugin-limit: "soon"}'),
                   "ACME001.yaml")


def test_a_team_rule_folder_with_a_bad_range_reports_and_skips_it(tmp_path):
    (tmp_path / "ACME001.yaml").write_text(RULE.replace('"<1.2"', '"<<1.2"'))
    problems: list[Problem] = []
    rules = load_rules([tmp_path], problems=problems)
    assert "ACME001" not in {r.id for r in rules}
    assert problems and problems[0].line == 5 and "haraka-plugin-limit" in problems[0].message


# --------------------------------------------------------------------------- the engine

@pytest.mark.parametrize("versions, fires", [
    (None, True),                                                   # nothing known: as always
    (known(haraka="3.3.4"), True),                                  # the limit version unknown: fires
    (known(haraka="3.3.4", haraka_plugin_limit="1.1.0"), True),
    (known(haraka="3.3.4", haraka_plugin_limit="1.3.2"), False),    # the plugin is past the range
    (known(haraka="2.8.28", haraka_plugin_limit="1.1.0"), False),   # Haraka before the range
    (known(haraka="^3.0.3"), True),                                 # a range inside the rule's
    (known(haraka="^2.8.0"), False),                                # a range wholly outside it
    (known(haraka=">=2.8"), True),                                  # a range that may be either: fires
])
def test_the_engine_honours_known_versions_only(versions, fires):
    assert fired(RULE, [("config/plugins", "limit\n")], versions) is fires


def test_versions_found_in_the_paste_decide():
    lock = '{"lockfileVersion": 3, "packages": {"node_modules/haraka-plugin-limit": {"version": "1.3.2"}}}\n'
    d = diagnose(texts=[("config/plugins", "limit\n"), ("package-lock.json", lock)],
                 rule_dirs=[str(_rule_dir(RULE))], verify_fixes=False)
    assert "ACME001" not in {f.rule for f in d.findings}
    assert [o.rule for o in d.out_of_range] == ["ACME001"]
    assert str(d.out_of_range[0]) == "ACME001 is for haraka-plugin-limit <1.2; haraka-plugin-limit 1.3.2 " \
                                     "(package-lock.json:1) is not"


def _rule_dir(text: str) -> Path:
    import tempfile
    d = Path(tempfile.mkdtemp())
    (d / "ACME001.yaml").write_text(text)
    return d


def test_mxd801_is_silent_on_haraka_2_8_and_fires_on_3_3():
    assert "MXD801" in {f.rule for f in diagnose(texts=DATABYTES).findings}
    assert "MXD801" in {f.rule for f in diagnose(texts=DATABYTES, haraka_version="3.3.4").findings}
    old = diagnose(texts=DATABYTES, haraka_version="2.8.28")
    assert "MXD801" not in {f.rule for f in old.findings}
    assert {o.rule for o in old.out_of_range} >= {"MXD801"}


def test_mxd303_deprecated_names_depend_on_the_release():
    plugins = [("config/plugins", "dkim_verify\ndnsbl\nwildduck\n")]
    assert "MXD303" in {f.rule for f in diagnose(texts=plugins, haraka_version="3.0.4").findings}
    assert "MXD303" not in {f.rule for f in diagnose(texts=plugins, haraka_version="3.0.3").findings}


# --------------------------------------------------------------------------- pages and reports

def test_the_rule_page_shows_the_range():
    rule = parse_rule(RULE, "ACME001.yaml")
    page = rule_page_markdown(rule)
    assert "Applies to Haraka >=3.0, haraka-plugin-limit <1.2 (when the version is unknown the rule is checked " \
           "anyway)." in page
    assert "With haraka-plugin-limit 1.3.2." in page


def test_rules_show_prints_the_range(capsys):
    assert main(["rules", "show", "MXD801"]) == 0
    assert "Applies to Haraka >=3.1" in capsys.readouterr().out
    assert main(["rules", "show", "MXD801", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["versions"] == {"haraka": ">=3.1"}


def test_every_shipped_range_names_the_release_it_was_checked_against():
    """A shipped rule's range carries a comment with the releases whose source was read."""
    from ingest.kbdata import kb_path
    for path in sorted(kb_path("rules").glob("MXD*.yaml")):
        text = path.read_text(encoding="utf-8")
        if yaml.safe_load(text).get("versions"):
            head = text.split("\nversions:", 1)[0].rsplit("\n", 4)
            assert any(line.startswith("#") and any(c.isdigit() for c in line) for line in head), path.name


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_reports_carry_the_versions_line(tmp_path, capsys, fmt):
    (tmp_path / "databytes").write_text("52428800\n")
    main(["check", str(tmp_path / "databytes"), "--format", fmt, "--fail-on", "never", "--haraka-version", "2.8.28"])
    out = capsys.readouterr().out
    line = "Versions: Haraka 2.8.28 (given with --haraka-version)"
    if fmt == "json":
        data = json.loads(out)
        assert data["versions"]["line"] == line
        assert data["versions"]["packages"]["haraka"]["source"] == "cli"
        assert any(s["rule"] == "MXD801" for s in data["versions"]["rules_not_for_these_versions"])
        assert "MXD801" not in {f["rule"] for f in data["findings"]}
    else:                       # Markdown writes the > of a range as &gt; (it renders as >)
        shown = html.unescape(out) if fmt == "markdown" else out
        assert line in shown and "MXD801 (haraka >=3.1)" in shown


def test_an_unknown_version_says_what_is_assumed(tmp_path, capsys):
    (tmp_path / "plugins").write_text("wildduck\n")
    main(["check", str(tmp_path / "plugins"), "--fail-on", "never"])
    assert "Versions: Haraka version unknown — rules assume 3.3.4; pass --haraka-version" in capsys.readouterr().out


# --------------------------------------------------------------------------- the flag on every command

def test_a_malformed_flag_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "plugins").write_text("wildduck\n")
    for cmd in (["check", str(tmp_path / "plugins")], ["simulate", str(tmp_path / "plugins")],
                ["triage", str(tmp_path / "plugins")]):
        assert main([*cmd, "--haraka-version", "banana"]) == 2
        assert "--haraka-version 'banana' is not a version" in capsys.readouterr().err


def test_simulate_and_triage_show_the_versions(tmp_path, capsys):
    (tmp_path / "plugins").write_text("wildduck\n")
    log = tmp_path / "haraka.log"
    log.write_text("Starting up Haraka version 3.3.4\n[INFO] [-] [plugins] loading wildduck\n")
    assert main(["simulate", str(tmp_path / "plugins"), "--logs", str(log)]) == 0
    assert f"Versions: Haraka 3.3.4 (from {log}:1)" in capsys.readouterr().out
    assert main(["simulate", str(tmp_path / "plugins"), "--format", "json", "--haraka-version", "2.8.28"]) == 0
    assert json.loads(capsys.readouterr().out)["versions"]["packages"]["haraka"]["version"] == "2.8.28"
    assert main(["triage", str(log)]) == 0
    assert f"Versions: Haraka 3.3.4 (from {log}:1)" in capsys.readouterr().out
    assert main(["triage", str(log), "--haraka-version", "3.1.7", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["versions"]["packages"]["haraka"]["version"] == "3.1.7" and data["haraka_versions"] == ["3.3.4"]
    assert "says 3.3.4" in data["versions"]["line"]


def test_ask_takes_the_flag(tmp_path, capsys, monkeypatch):
    pytest.importorskip("chromadb", reason="ask needs the app extra")
    monkeypatch.setenv("MXDOCTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MXDOCTOR_LLM_BACKEND", raising=False)
    (tmp_path / "databytes").write_text("52428800\n")
    args = ["ask", "why are big messages refused?", str(tmp_path / "databytes"), "--format", "json", "--no-llm"]
    assert main(args) == 0
    assert "MXD801" in {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert main([*args, "--haraka-version", "2.8.28"]) == 0
    assert "MXD801" not in {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_a_session_keeps_the_version_across_reloads(tmp_path):
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings
    s = Session(texts=DATABYTES, home=tmp_path, settings=LLMSettings(), session_id="v1", haraka_version="2.8.28")
    assert s.diagnosis.versions.haraka.version == "2.8.28"
    s.save()
    again = Session.load("v1", home=tmp_path, settings=LLMSettings())
    assert again.diagnosis.versions.haraka.version == "2.8.28"
    again.set_haraka_version("3.3.4")
    assert "MXD801" in {f.rule for f in again.diagnosis.findings}
