"""Rule files are validated with errors that name the file and line; bad files never hide good ones."""
import pytest

from app.core.errors import RuleError
from app.core.model import Problem
from app.core.rules.loader import load_rules
from app.core.rules.parse import parse_rule

GOOD = """\
id: ACME001
title: wildduck is enabled
severity: info
category: plugins
when:
  plugin: wildduck
explanation: found {plugin}
examples:
  fail:
    - files: {config/plugins: "wildduck\\n"}
  pass:
    - files: {config/plugins: "tls\\n"}
"""


def test_good_rule_parses():
    rule = parse_rule(GOOD, "acme.yaml")
    assert rule.id == "ACME001" and rule.when == {"plugin": "wildduck"}


@pytest.mark.parametrize("mutate,message,line", [
    (lambda s: s.replace("severity: info", "severity: fatal"), "severity: 'fatal' is not allowed", 3),
    (lambda s: s.replace("id: ACME001", "id: acme-1"), "id: String should match pattern", 1),
    (lambda s: s.replace("  plugin: wildduck", "  plugn: wildduck"), "unknown predicate 'plugn'", 6),
    (lambda s: s + "colour: red\n", "unknown key 'colour'", 13),
    (lambda s: s.replace("title: wildduck is enabled\n", ""), "missing required key 'title'", 1),
    (lambda s: s.replace("category: plugins", "category: [plugins"), "invalid YAML", None),
    (lambda s: s.replace("examples:", "fix:\n  ops:\n    - explode: now\nexamples:"), "fix.ops[0]", 10),
])
def test_bad_rule_names_file_and_line(mutate, message, line):
    with pytest.raises(RuleError) as err:
        parse_rule(mutate(GOOD), "acme.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("acme.yaml:")
    if line:
        assert err.value.line == line


def test_bad_team_rule_is_reported_and_others_still_load(tmp_path):
    (tmp_path / "ACME001.yaml").write_text(GOOD)
    (tmp_path / "ACME002.yaml").write_text(GOOD.replace("ACME001", "ACME002").replace("severity: info", "severity: x"))
    (tmp_path / "ACME003.yaml").write_bytes(b"\x00\xff\xfe binary")
    problems: list[Problem] = []
    rules = load_rules([tmp_path], problems=problems)
    ids = {r.id for r in rules}
    assert "ACME001" in ids and "MXD101" in ids and "ACME002" not in ids
    assert {p.file.rsplit("/", 1)[-1] for p in problems} == {"ACME002.yaml", "ACME003.yaml"}


def test_shipped_rules_all_valid():
    problems: list[Problem] = []
    rules = load_rules(problems=problems)
    assert not problems, [str(p) for p in problems]
    assert len(rules) >= 1
