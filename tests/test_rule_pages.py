"""One rule page and one template filler: the page `mxdoctor rules show` prints is the page the
index holds, and a finding, a fix op and a page read the same `{slot}` the same way."""
from pathlib import Path

import pytest
import yaml

from app.core.rules import load_rules
from app.core.rules.pages import rule_page_markdown
from ingest.kbdata import kb_path
from ingest.rulepages import render_rule_markdown
from ingest.ruletext import as_template, citation, fill, op_args

RULES = {r.id: r for r in load_rules()}


@pytest.mark.parametrize("path", sorted(kb_path("rules").glob("*.yaml")), ids=lambda p: Path(p).stem)
def test_the_cli_page_is_the_indexed_page(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert rule_page_markdown(RULES[data["id"]]) == render_rule_markdown(data)


def _words(name: str) -> str:
    return f"<{name}>"


def test_a_slot_takes_its_value_then_its_fallback_then_the_readers_word():
    assert fill("{plugin} at {hook|some hook}", {"plugin": "relay"}, _words) == "relay at some hook"
    assert fill("{plugin} at {hook}", {"count": 3}, _words) == "<plugin> at <hook>"
    assert fill("{Plugin} {}", {}, _words) == "{Plugin} {}"             # not slots: left alone
    assert as_template("Remove {plugin} ({count|several} times)") == "Remove ‹plugin› (several times)"


def test_short_and_long_spellings_read_alike():
    assert citation({"note": "wildduck-rcpt"}) == citation("note:wildduck-rcpt") == "note:wildduck-rcpt"
    assert citation({"url": "https://haraka.github.io"}) == "https://haraka.github.io"
    assert op_args("restart Haraka") == op_args({"value": "restart Haraka"}) == {"value": "restart Haraka"}


def test_a_short_manual_step_reads_as_written_on_the_page():
    data = {"id": "ACME001", "title": "t", "severity": "info", "explanation": "e",
            "fix": {"summary": "s", "ops": [{"manual": "restart Haraka"}, {"remove_plugin": {"name": "relay"}}]}}
    page = render_rule_markdown(data)
    assert "- `manual` restart Haraka" in page and "- `remove_plugin` {name: relay}" in page


def test_a_step_in_words_reads_as_words_on_every_rule_page():
    """No YAML quoting or `...` document-end marker around a manual step, and its slots show as
    ‹slot› like the rest of the page, on every shipped rule."""
    import re

    from app.core.rules.loader import load_rules
    from app.core.rules.pages import rule_page_markdown
    for rule in load_rules():
        page = rule_page_markdown(rule)
        fix = page.split("## Fix", 1)[1].split("\n## ", 1)[0] if "## Fix" in page else ""
        assert "\n...\n" not in f"\n{fix}\n", rule.id
        for line in fix.splitlines():
            if line.startswith("- `manual` "):
                assert not line.startswith("- `manual` '") and not re.search(r"\{[a-z_]+\}", line), (rule.id, line)
