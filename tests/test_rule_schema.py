"""The rule schema is the contract: every predicate and fix op is typed, the shipped rules pass it,
the JSON Schema editors read and the README's table are generated from it and current, and
`rules validate DIR` runs a team's own examples."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core.rules import load_rules
from app.core.rules.conditions.registry import PREDICATES
from app.core.rules.fixops import FIX_OPS
from app.core.rules.schema import ARGS
from app.core.rules.schema.export import TABLE_END, TABLE_START, predicate_table, rule_json_schema, schema_text
from app.core.rules.schema.fixes import FIX_ARGS
from ingest.kbdata import kb_path
from ingest.yamlload import safe_load

ROOT = kb_path("rules").parent.parent


def test_every_predicate_and_fix_op_is_typed():
    assert set(ARGS) == set(PREDICATES)
    assert set(FIX_ARGS) == set(FIX_OPS)


def test_schema_file_is_current():
    assert (kb_path("schema") / "rule.schema.json").read_text(encoding="utf-8") == schema_text(), \
        "run: mxdoctor rules schema > kb/schema/rule.schema.json"


def test_readme_table_is_generated_from_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(TABLE_START), readme.index(TABLE_END) + len(TABLE_END)
    assert readme[start:end] == predicate_table(), "run: mxdoctor rules schema --table, and paste it in README.md"


def test_every_shipped_rule_names_the_schema_and_passes_it():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(rule_json_schema())
    for path in sorted(kb_path("rules").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../schema/rule.schema.json\n"), path.name
        errors = list(validator.iter_errors(safe_load(text)))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_json_schema_rejects_a_typo_editors_would_flag():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(rule_json_schema())
    data = safe_load((kb_path("rules") / "MXD101.yaml").read_text(encoding="utf-8"))
    data["when"] = {"log": {"plugn": "wildduck"}}
    assert list(validator.iter_errors(data))


def test_the_schema_says_which_fields_translate():
    assert rule_json_schema()["$defs"]["Translation"]["x-translatable"] == \
        ["title", "explanation", "fix_summary", "manual"]


TEAM_RULE = """\
id: ACME101
title: wildduck without tls
severity: warning
category: tls
when:
  all:
    - plugin: wildduck
    - no_plugin: tls
explanation: "{plugin} runs without STARTTLS."
i18n:
  zh: {title: "wildduck 没有启用 tls", explanation: "{plugin} 在没有 STARTTLS 的情况下运行。"}
examples:
  fail:
    - name: no tls
      files: {config/plugins: "wildduck\\n"}
  pass:
    - name: WRONG - this one fires, so validate must report it
      files: {config/plugins: "wildduck\\n"}
"""


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_validate_runs_a_team_folders_own_examples(tmp_path):
    (tmp_path / "ACME101.yaml").write_text(TEAM_RULE, encoding="utf-8")
    bad = _cli("rules", "validate", str(tmp_path))
    assert bad.returncode == 1
    assert "ACME101 examples.pass[0] (WRONG - this one fires, so validate must report it): the rule fires on it" \
        in bad.stderr
    assert "1 rule(s) valid, 0 invalid; 0 with all examples passing, 1 with failing examples" in bad.stdout
    fixed = TEAM_RULE.replace('    - name: WRONG - this one fires, so validate must report it\n'
                              '      files: {config/plugins: "wildduck\\n"}',
                              '    - name: with tls\n      files: {config/plugins: "tls\\nwildduck\\n"}')
    (tmp_path / "ACME101.yaml").write_text(fixed, encoding="utf-8")
    good = _cli("rules", "validate", str(tmp_path))
    assert good.returncode == 0, good.stderr
    assert "1 rule(s) valid, 0 invalid; 1 with all examples passing" in good.stdout


def test_validate_names_file_line_and_the_nearest_key(tmp_path):
    (tmp_path / "ACME102.yaml").write_text(TEAM_RULE.replace("ACME101", "ACME102").replace(
        "    - no_plugin: tls", "    - log: {plugn: wildduck, rgex: boom}"), encoding="utf-8")
    out = _cli("rules", "validate", str(tmp_path))
    assert out.returncode == 1
    assert "ACME102.yaml:8: when.all[1].log.plugn: unknown key 'plugn': did you mean 'plugin'?" in out.stderr


def test_team_rule_speaks_its_own_languages(tmp_path):
    (tmp_path / "ACME101.yaml").write_text(TEAM_RULE, encoding="utf-8")
    zh = _cli("rules", "show", "ACME101", "--rules", str(tmp_path), "--lang", "zh")
    assert zh.returncode == 0 and "# ACME101: wildduck 没有启用 tls" in zh.stdout and "## 原因" in zh.stdout
    data = json.loads(_cli("rules", "show", "ACME101", "--rules", str(tmp_path), "--format", "json").stdout)
    assert data["i18n"]["zh"]["title"] == "wildduck 没有启用 tls"


def test_rules_load_fast_enough_to_validate_on_every_submit():
    assert len(load_rules()) >= 59
