"""Every rule speaks Chinese: its title, explanation, fix summary and manual steps exist in zh,
use only the slots the English uses, read as Chinese prose, and render with no template marker
left, with typical values and with none."""
from __future__ import annotations

import re

import pytest

from app.core.rules import load_rules
from app.core.rules.engine import _translations, _words
from ingest.ruletext import SLOT_RE
from ingest.tokenize import chinese_share

RULES = load_rules(problems=[])
TYPICAL = {"plugin": "rcpt_to.in_host_list", "plugins": "spf, dkim", "by": "rcpt_to.in_host_list",
           "target": "alice@example.com", "hook": "rcpt", "log_hook": "rcpt", "log_plugin": "wildduck",
           "count": 3, "value": "30", "file": "config/smtp.ini", "key": "timeout", "log_line": "[ERROR] x",
           "log_error_code": "ERRC02", "resolver": "8.8.8.8", "missing": "wildduck", "replacement": "rcpt_to.qmail"}
MARKER = re.compile(r"\{[a-z_][a-z0-9_|]*\}|‹|›|\{\{|\}\}")


def _slots(text: str) -> set[str]:
    return {m.group(1) for m in SLOT_RE.finditer(text or "")}


def _manual(rule) -> list[str]:
    return [str(op.args.get("value", "")) for op in rule.fix if op.op == "manual"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_chinese_fields(rule):
    zh = rule.i18n.get("zh")
    assert zh, f"{rule.path}: no i18n.zh block"
    for key in ("title", "explanation"):
        assert str(zh.get(key) or "").strip(), f"{rule.path}: i18n.zh.{key} missing"
    if rule.fix_summary:
        assert str(zh.get("fix_summary") or "").strip(), f"{rule.path}: i18n.zh.fix_summary missing"
    assert len(zh.get("manual") or []) == len(_manual(rule)), \
        f"{rule.path}: i18n.zh.manual needs one step per manual fix op ({len(_manual(rule))})"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_chinese_uses_only_the_english_slots(rule):
    zh = rule.i18n.get("zh") or {}
    english = _slots(rule.title) | _slots(rule.explanation) | _slots(rule.fix_summary) | \
        {s for m in _manual(rule) for s in _slots(m)}
    used = _slots(str(zh.get("title", ""))) | _slots(str(zh.get("explanation", ""))) | \
        _slots(str(zh.get("fix_summary", ""))) | {s for m in zh.get("manual") or [] for s in _slots(str(m))}
    assert used <= english, f"{rule.path}: i18n.zh uses slots the English does not: {sorted(used - english)}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_chinese_reads_as_chinese(rule):
    zh = rule.i18n.get("zh") or {}
    prose = "\n".join([str(zh.get("title", "")), str(zh.get("explanation", "")), str(zh.get("fix_summary", "")),
                       *map(str, zh.get("manual") or [])])
    assert chinese_share(prose) >= 0.6, f"{rule.path}: i18n.zh is {chinese_share(prose):.0%} Chinese"


@pytest.mark.parametrize("values", [TYPICAL, {}], ids=["typical", "no-values"])
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_both_languages_render_without_markers(rule, values):
    en = [_words(rule.title, values), _words(rule.explanation, values), _words(rule.fix_summary, values)]
    zh = _translations(rule, values).get("zh", {})
    for text in [*en, zh.get("title", ""), zh.get("explanation", ""), zh.get("fix_summary", ""),
                 *zh.get("manual", [])]:
        assert not MARKER.search(text), f"{rule.id}: template marker left in {text[:120]!r}"


def test_every_assumption_of_the_simulator_has_chinese_words():
    from app.core.localize import _pattern
    from app.core.simulate.table import behaviour_table
    for answer in behaviour_table().answers():
        assert set(answer.assumes_zh) == set(answer.assumes)
        for name, en in answer.assumes.items():
            assert set(_pattern(en).groupindex) == {m for m in re.findall(r"\{(\w+)\}", answer.assumes_zh[name])}


def test_an_untranslated_team_rule_falls_back_to_english_visibly(tmp_path):
    from app.core.diagnose import diagnose
    from app.core.localize import UNTRANSLATED
    from app.core.report import render
    (tmp_path / "ACME201.yaml").write_text(
        "id: ACME201\ntitle: wildduck is listed\nseverity: warning\ncategory: plugins\n"
        "when: {plugin: wildduck}\nexplanation: Our own rule about {plugin}.\n"
        "fix: {summary: Ask the mail team.}\n", encoding="utf-8")
    d = diagnose(texts=[("config/plugins", "wildduck\n")], rule_dirs=[str(tmp_path)])
    text = render(d, "text", lang="zh")
    block = text[text.index("ACME201"):]
    assert "wildduck is listed" in block and f"{UNTRANSLATED['zh']} Our own rule about wildduck." in block
    assert "Ask the mail team." in block and not MARKER.search(block)


def test_evidence_sentences_have_chinese_with_the_same_values():
    from app.core.rules.conditions.words import EVIDENCE
    for key, words in EVIDENCE.items():
        assert set(re.findall(r"\{(\w+)\}", words["en"])) == set(re.findall(r"\{(\w+)\}", words["zh"])), key


def test_the_canonical_case_reads_chinese_in_every_part_of_check():
    from app.core.diagnose import diagnose
    from app.core.examples import example_files
    from app.core.report import render
    d = diagnose(texts=list(example_files("canonical").items()))
    zh = render(d, "text", lang="zh")
    assert "rcpt_to.in_host_list 先回答了 OK，wildduck 根本没有运行" in zh         # simulated evidence
    assert "answers OK first" not in zh and "never runs" not in zh
    assert "修复（已验证）" in zh and "参见" in zh
    en = render(d, "text")
    assert "rcpt_to.in_host_list answers OK first; wildduck never runs" in en


def test_every_note_of_the_simulator_has_chinese_words():
    from app.core.localize import _pattern, step_note
    from app.core.simulate.notewords import NOTES
    from app.core.simulate.table import behaviour_table
    pairs = [(a.note, a.note_zh) for a in behaviour_table().answers() if a.note]
    pairs += [(a.depends, a.depends_zh) for a in behaviour_table().answers() if a.depends]
    pairs += [(w["en"], w["zh"]) for w in NOTES.values()]
    for en, zh in pairs:
        assert zh, en
        assert set(_pattern(en).groupindex) == set(re.findall(r"\{(\w+)\}", zh)), en
    note = "data_post: rspamd may answer DENY/DENYSOFT here; assumed to pass"
    assert step_note(note, "zh") == "data_post：rspamd 在这里可能回答 DENY/DENYSOFT；此处假定它放行"
    assert step_note(note, "en") == note
    rested = "wildduck: the address exists in WildDuck (users/addresses in MongoDB)"     # what a probe row assumed
    assert step_note(rested, "zh") == "wildduck：这个地址在 WildDuck 中存在（MongoDB 的 users/addresses）"
