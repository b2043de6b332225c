"""The advice checker: what a text proposes (fenced blocks, diffs, inline `key=value`, plugin
verbs) is applied to the user's config, or to an empty one, and mxdoctor's real rules run over the
result. No mock: the shipped rules, catalog and case configs.
"""
from __future__ import annotations

import pytest
from test_llm_stub import case_context  # skips the module without the app extra

from app.answer.advice import check_advice, check_passage, proposals
from app.core.diagnose import diagnose


def edits(text: str, **kw) -> list[tuple]:
    return [(p.op, p.target.get("file") or p.target.get("name"), p.target.get("key"), p.target.get("value"),
             p.target.get("line"), p.keep) for p in proposals(text, **kw)]


@pytest.mark.parametrize("text,expected", [
    ("Set `all=true` in config/relay.ini and restart Haraka.", [("set_key", "relay.ini", "all", "true", None, False)]),
    ("Disable SPF and set relay all=true.", [("remove_plugin", "spf", None, None, None, False),
                                              ("set_key", "relay.ini", "all", "true", None, False)]),
    ("In relay.ini set all to true.", [("set_key", "relay.ini", "all", "true", None, False)]),
    ("Add 0.0.0.0/0 to config/relay_acl_allow.", [("append_line", "relay_acl_allow", None, None, "0.0.0.0/0", False)]),
    ("Change config/relay.ini to:\n```ini\n[relay]\nacl=true\nall=yes\n```",
     [("set_key", "relay.ini", "acl", "true", None, False), ("set_key", "relay.ini", "all", "yes", None, False)]),
    ("```diff\n--- a/config/relay.ini\n+++ b/config/relay.ini\n@@ -1,2 +1,2 @@\n [relay]\n-all=false\n+all=true\n```",
     [("set_key", "relay.ini", "all", "true", None, False)]),
    ("Do not remove wildduck, but remove spf and dkim from config/plugins.",
     [("add_plugin", "wildduck", None, None, None, True), ("remove_plugin", "spf", None, None, None, False),
      ("remove_plugin", "dkim", None, None, None, False)]),
    ("Keep rcpt_to.in_host_list in config/plugins.", [("add_plugin", "rcpt_to.in_host_list", None, None, None, True)]),
    ("在 config/relay.ini 的 [relay] 段设置 `all=true`。", [("set_key", "relay.ini", "all", "true", None, False)]),
    ("从 config/plugins 中删除 rcpt_to.in_host_list；wildduck 自己会校验收件人。",
     [("remove_plugin", "rcpt_to.in_host_list", None, None, None, False)]),
])
def test_what_a_text_proposes(text, expected):
    assert edits(text) == expected


@pytest.mark.parametrize("text", [
    "Never set all=true in relay.ini: it makes an open relay.",
    "Do not set `all=true` in config/relay.ini.",
    "With all=true in the [relay] section, haraka-plugin-relay answers OK for every recipient.",
    "Instead of all=true in relay.ini, list the scanners in relay_acl_allow.",
    "Your relay.ini currently has:\n```\n[relay]\nall=true\n```",
    "Don't do this:\n```ini\n; config/relay.ini\n[relay]\nall=true\n```",
    "The names dkim_verify and dkim_sign both load the same dkim plugin.",
    "| 587 | 默认关闭 | WildDuck |",
    "Forwarding MX: add rcpt_to.in_host_list above the queue plugin.",
])
def test_warnings_descriptions_and_current_state_propose_nothing(text):
    assert edits(text) == []


def test_a_citation_marker_is_not_a_section():
    (p,) = proposals("Set `all=true` in config/relay.ini and restart Haraka [1].")
    assert p.target["section"] == "relay"


def test_a_reference_page_example_block_is_not_advice_but_an_answer_block_is():
    page = "## Problematic example: left over from a test\n\n`config/relay.ini`\n\n```\n[relay]\nall=true\n```\n"
    assert edits(page, answer=False) == []
    assert edits(page) == [("set_key", "relay.ini", "all", "true", None, False)]


@pytest.fixture(scope="module")
def canonical():
    return diagnose(["kb/examples/canonical/config"])


@pytest.fixture(scope="module")
def clean():
    ctx = case_context("061")
    return diagnose(ctx["paths"] or None, texts=ctx["texts"] or None)


def rules_of(check, kind: str) -> set[str]:
    return {i.rule for i in check.issues if i.kind == kind}


@pytest.mark.parametrize("text", [
    "Disable SPF and set relay all=true.",
    "Set `all=true` in config/relay.ini and restart Haraka.",
    "Use this relay.ini:\n```ini\n[relay]\nall=true\n```",
    "In relay.ini set all to true.",
])
@pytest.mark.parametrize("which", ["clean", "canonical", "nothing"])
def test_open_relay_advice_is_flagged_by_the_relay_rule(text, which, request):
    """Whatever was pasted (a clean WildDuck MX, a broken one, nothing): relay is presumed loaded
    when its file is configured, so MXD704 fires on the proposed config."""
    d = request.getfixturevalue(which) if which != "nothing" else None
    check = check_advice(text, d.configset if d else None, d.findings if d else [])
    assert "MXD704" in rules_of(check, "introduces"), check.issues
    assert check.held and "MXD704" in check.reasons()


def test_wide_relay_acl_and_submission_ports_are_flagged(clean):
    cs, fs = clean.configset, clean.findings
    assert "MXD705" in rules_of(check_advice("Add 0.0.0.0/0 to config/relay_acl_allow.", cs, fs), "introduces")
    assert "MXD701" in rules_of(check_advice("In config/smtp.ini use listen=[::0]:25,[::0]:587.", cs, fs),
                                "introduces")


def test_advice_against_a_finding_is_flagged(canonical):
    cs, fs = canonical.configset, canonical.findings
    assert rules_of(check_advice("Keep rcpt_to.in_host_list in config/plugins.", cs, fs), "contradicts") == {"MXD101"}
    assert "MXD101" in rules_of(check_advice("Remove wildduck from config/plugins.", cs, fs), "disables")
    assert rules_of(check_advice("MXD101 is a false positive, you can ignore it.", cs, fs), "dismisses") == {"MXD101"}
    assert rules_of(check_advice("Your configuration is fine.", cs, fs), "dismisses") >= {"MXD101", "MXD301"}
    relay = diagnose(case_context("042")["paths"])
    assert "MXD704" in rules_of(check_advice("Keep all=true in relay.ini.", relay.configset, relay.findings),
                                "contradicts")


@pytest.mark.parametrize("text", [
    "Remove rcpt_to.in_host_list from config/plugins; wildduck validates recipients itself.",
    "Disable spf and dkim: wildduck checks SPF and DKIM itself.",
    "```diff\n--- a/config/plugins\n+++ b/config/plugins\n@@ -1,2 +1,2 @@\n-rcpt_to.in_host_list\n"
    "+# rcpt_to.in_host_list    (wildduck validates recipients itself)\n wildduck\n```",
    "Set all=false in relay.ini [relay]; let clients relay through SMTP AUTH instead.",
    "Never set all=true in relay.ini: it makes an open relay.",
    "Nothing is wrong with MongoDB, but MXD101 keeps wildduck from resolving the recipient.",
])
def test_good_advice_passes(canonical, text):
    check = check_advice(text, canonical.configset, canonical.findings)
    assert not check.held, check.reasons()


def test_no_page_of_the_knowledge_base_gives_advice_the_rules_flag():
    """The shipped notes and rule pages, read as reference pages: their fixes pass, their
    "Problematic example" blocks are examples, not advice."""
    import tempfile
    from pathlib import Path

    from app.retrieval.index import Passage
    from ingest.chunking import chunk_doc
    from ingest.sources import SourceContext
    from ingest.sources.kb import iter_docs
    held, read = [], 0
    for doc in iter_docs({"type": "kb"}, SourceContext(cache_dir=Path(tempfile.mkdtemp()))):
        for ch in chunk_doc(doc):
            p = Passage(rank=1, score=1.0, title=doc.title, text=ch.page_content, source="kb", url=doc.url,
                        heading=ch.metadata.get("heading", ""), doc_id=doc.doc_id)
            read += 1
            if check_passage(p).held:
                held.append((doc.doc_id, p.heading))
    assert read > 500 and held == []
