"""A corpus of broken rule files, each a mistake a team makes when writing a rule: every one is
refused with its file, the line of the mistake and a message that says how to fix it
(tests/fixtures/broken-rules/EXPECTED.yaml holds the line and a piece of each message)."""
import re
from pathlib import Path

import pytest
import yaml
from test_rule_loader import GOOD  # the good team rule every loader test uses

from app.core.errors import RuleError
from app.core.model import Problem
from app.core.rules.loader import load_rules
from app.core.rules.parse import parse_rule
from app.core.rules.schema import names_context
from ingest.kbdata import kb_path

CORPUS = Path(__file__).parent / "fixtures" / "broken-rules"
EXPECTED = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in CORPUS.glob("*.yaml") if p.name != "EXPECTED.yaml")

# a message says how to fix the mistake: the nearest valid word, what is expected, allowed or
# known, or an instruction (whole words: "unknown key" or "not allowed" alone says nothing
# about the fix)
FIX_PHRASES = re.compile(r"\b(did you mean|expected|(?<!not )allowed|known|add it|add a|give|write|use|put|make each|drop|"
                         r"close|quote|indent|line this up)\b")


@pytest.fixture(scope="module")
def context():
    return names_context()


def _error(name: str, context) -> RuleError:
    with pytest.raises(RuleError) as err:
        parse_rule((CORPUS / name).read_text(encoding="utf-8"), name, context)
    return err.value


def test_corpus_is_large_and_matches_its_expectations():
    assert len(FILES) >= 30
    assert set(FILES) == set(EXPECTED), {"no expectation": sorted(set(FILES) - set(EXPECTED)),
                                         "no file": sorted(set(EXPECTED) - set(FILES))}
    for name, want in EXPECTED.items():
        assert isinstance(want.get("line"), int) and want["line"] >= 1, name
        assert isinstance(want.get("message"), str) and want["message"], name


@pytest.mark.parametrize("name", FILES)
def test_broken_rule_names_file_line_and_fix(name, context):
    err = _error(name, context)
    want = EXPECTED[name]
    assert err.file == name
    assert err.line == want["line"], str(err)
    assert str(err).startswith(f"{name}:{want['line']}: "), str(err)
    assert want["message"] in err.message, str(err)
    assert FIX_PHRASES.search(err.message), f"says nothing about the fix: {err}"


@pytest.fixture(scope="module")
def shipped_once():
    """The loader parses the shipped rules once for the whole module (they do not change between
    cases); the team folder's files are parsed for real every time."""
    from app.core.rules import loader
    real, shipped, seen = loader.parse_rule, str(kb_path("rules")), {}

    def parse(text, path, context=None):
        if not path.startswith(shipped):
            return real(text, path, context)
        if (path, text) not in seen:
            seen[(path, text)] = real(text, path, context)
        return seen[(path, text)]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loader, "parse_rule", parse)
        yield


@pytest.mark.parametrize("name", FILES)
def test_broken_team_rule_is_reported_and_good_rule_still_loads(name, tmp_path, shipped_once):
    folder = tmp_path / "team-rules"
    folder.mkdir()
    (folder / "ACME001.yaml").write_text(GOOD, encoding="utf-8")
    (folder / name).write_bytes((CORPUS / name).read_bytes())
    problems: list[Problem] = []
    rules = load_rules([folder], problems=problems)
    ids = {r.id for r in rules}
    assert "ACME001" in ids and "MXD101" in ids
    assert [(Path(p.file).name, p.line) for p in problems] == [(name, EXPECTED[name]["line"])]
    assert EXPECTED[name]["message"] in problems[0].message
