"""Journeys through the plain functions and the CLI: the first answer an admin gets is right."""
from __future__ import annotations

import re

from app.cli import main
from app.core.diagnose import diagnose
from app.core.fix import SKIP_WORDS
from app.core.verdict import verdict

from .conftest import CANONICAL, WIKI_URL, words

PLUGINS = (CANONICAL / "plugins").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- partial input

def test_plugins_file_alone_finds_the_canonical_bug_and_says_what_it_rests_on(tmp_path):
    """Journey 1: only config/plugins (in_host_list above wildduck), no host_list."""
    d = diagnose(texts=[("config/plugins", PLUGINS)])
    f = next(f for f in d.findings if f.rule == "MXD101")
    assert f.severity == "error" and not f.confirmed
    assert "config/host_list" in f.assumes and "inbound MX" in f.assumes["config/host_list"]
    v = verdict(d)
    assert v.kind == "error" and v.headline == "Haraka accepts the mail, but WildDuck never stores it."
    assert "config/host_list" in v.caveat and "Paste it to confirm" in v.caveat
    assert d.simulation.outcome == "processed_not_stored"
    rcpt = d.simulation.step("rcpt")
    assert "config/host_list" in rcpt.assumes         # the simulator marks the step as depending on it


def test_plugins_file_alone_on_the_cli_exits_1_with_the_headline(tmp_path, capsys):
    """Journey 2: `mxdoctor check config/plugins`."""
    path = tmp_path / "plugins"
    path.write_text(PLUGINS, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Haraka accepts the mail, but WildDuck never stores it."
    assert "ERROR   MXD101" in out and "0 error(s)" not in out
    assert "config/host_list (not given)" in out


def test_simulation_of_the_plugins_file_alone_says_it_depends_on_host_list(tmp_path, capsys):
    path = tmp_path / "plugins"
    path.write_text(PLUGINS, encoding="utf-8")
    assert main(["simulate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "depends on config/host_list (not given)" in out and "Outcome: processed_not_stored" in out


def test_host_list_given_empty_is_not_an_assumption():
    """A host_list that was pasted and is empty is a fact, not a missing file: nothing is assumed."""
    d = diagnose(texts=[("config/plugins", PLUGINS), ("config/host_list", "# none yet\n")])
    assert "MXD101" not in [f.rule for f in d.findings]
    assert not d.simulation.assumptions.get("config/host_list")


def test_blocks_without_headers_are_read_as_the_files_they_are():
    """Journey 3: host_list and wildduck.yaml pasted together, no `==> name <==` headers."""
    other = (CANONICAL / "host_list").read_text() + "\n" + (CANONICAL / "wildduck.yaml").read_text()
    d = diagnose(texts=[("config/plugins", PLUGINS), ("", other)])
    assert {"config/host_list", "config/wildduck.yaml"} <= set(d.configset.files)
    assert next(f for f in d.findings if f.rule == "MXD101").confirmed
    assert "config/wildduck.yaml" not in d.missing_files()


# --------------------------------------------------------------------------- the flagship question

def test_flagship_question_is_answered_with_a_headline_fix_and_why(session_for):
    """Journey 4: the README's own example, `ask "why is mail not arriving?" kb/examples/canonical/config`."""
    a = session_for(paths=[str(CANONICAL)]).ask("why is mail not arriving?", use_llm=False)
    assert not a.abstained and a.relevant[0] == "MXD101"
    first = a.answer.split("\n", 1)[0]
    assert first.startswith("**Haraka accepts the mail, but WildDuck never stores it")
    assert "Remove rcpt_to.in_host_list" in first                        # what to do, in the headline
    assert a.answer.index("**Fix (MXD101") < a.answer.index("**Why (MXD101)")
    assert "MXD301" in a.answer and a.answer.count("**Why (") == 1      # others named, not explained again
    assert words(a.answer) <= 380, words(a.answer)
    assert a.passages and all(p.get("support") for p in a.passages)     # source cards carry their sentence


def test_flagship_question_in_chinese_gets_a_chinese_headline(session_for):
    """Journey 5: 为什么收不到邮件？"""
    a = session_for(paths=[str(CANONICAL)]).ask("为什么收不到邮件？", use_llm=False)
    assert a.lang == "zh" and not a.abstained and a.relevant[0] == "MXD101"
    assert a.answer.startswith("**Haraka 接收了邮件，但 WildDuck 从未存储它")
    assert "修复（MXD101" in a.answer and "原因（MXD101" in a.answer and "如何验证" in a.answer


def test_the_plugins_file_alone_answers_the_flagship_question_too(session_for):
    a = session_for(texts=[("config/plugins", PLUGINS)]).ask("why is mail not arriving?", use_llm=False)
    assert a.relevant[0] == "MXD101" and "config/host_list" in a.answer and "Paste it to confirm" in a.answer


# --------------------------------------------------------------------------- nothing pasted

def test_the_placeholder_question_is_answered_from_the_knowledge_base(session_for):
    """Journey 6: the Ask box's own placeholder, nothing pasted."""
    from app.ui.texts import t
    a = session_for().ask(t("ask.placeholder", "en"), use_llm=False)
    assert not a.abstained and a.passages
    assert any("/notes/" in p["url"] for p in a.passages)
    assert "config/plugins" in a.answer                                   # and what to paste to check it
    zh = session_for().ask(t("ask.placeholder", "zh"), use_llm=False)
    assert not zh.abstained and zh.lang == "zh" and zh.passages


def test_mail_is_not_stored_with_nothing_pasted(session_for):
    """Journey 7."""
    a = session_for().ask("mail is not stored", use_llm=False)
    assert not a.abstained and a.passages and "not given any configuration" in a.answer


def test_a_team_wiki_question_cites_the_wiki_page(session_for):
    """Journey 8: the team's runbook answers, and the citation links to the wiki."""
    a = session_for().ask("how do I restart haraka on our MX?", use_llm=False)
    assert not a.abstained
    assert a.passages[0]["url"].startswith(WIKI_URL + "/runbooks/restart-haraka")
    assert "[1]" in a.answer.split("\n", 1)[0]


def test_an_off_topic_question_is_refused_plainly(session_for):
    """Journey 9."""
    a = session_for().ask("how do I configure a pizza oven?", use_llm=False)
    assert a.abstained and not a.passages and "cannot answer" in a.answer


# --------------------------------------------------------------------------- a conversation

def test_a_follow_up_answers_what_was_asked_next(session_for):
    """Journey 10: "and what about spf?" after the flagship question."""
    s = session_for(paths=[str(CANONICAL)])
    first = s.ask("why is mail not arriving?", use_llm=False)
    second = s.ask("and what about spf?", use_llm=False)
    assert second.relevant == ["MXD301"]
    assert second.answer.startswith("**The spf plugin runs next to wildduck")
    assert "MXD101" not in second.answer and "Other findings" not in second.answer
    assert words(second.answer) < words(first.answer)


# --------------------------------------------------------------------------- one fixed file

def test_one_combined_fixed_file_for_all_compatible_fixes(tmp_path, capsys):
    """Journey 11: every verified fix applied together, checked again as a set, one file."""
    d = diagnose([str(CANONICAL)])
    fx = d.fixed
    assert fx is not None and set(fx.files) == {"config/plugins"}
    assert set(fx.applied) == {"MXD101", "MXD301", "MXD302"}
    assert fx.skipped == {"MXD303": SKIP_WORDS["covered"]["en"]}   # no conflicting dkim_verify edit
    assert fx.remaining == []
    fixed_dir = tmp_path / "config"
    fixed_dir.mkdir()
    for f in CANONICAL.iterdir():
        (fixed_dir / f.name).write_text(f.read_text())
    (fixed_dir / "plugins").write_text(fx.files["config/plugins"])
    again = diagnose([str(fixed_dir)])
    assert not again.findings and again.simulation.outcome == "stored"
    assert re.search(r"^-dkim_verify$", fx.patch, re.M) and fx.patch.count("+# dkim_verify") == 1
    assert main(["check", str(CANONICAL), "--fixed-out", str(tmp_path / "out")]) == 1
    assert (tmp_path / "out" / "config" / "plugins").read_text() == fx.files["config/plugins"]
    assert "wrote the fixed files" in capsys.readouterr().err           # stdout stays the report
