"""The message index: the extractor reads real JavaScript with a real parser, the generated kb data
is well-formed, and the lookup finds a line's emitter at the user's version."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.build.messages import Target, merge, ranges
from app.core.messages import Message, in_span, message_index, vkey

FIXTURE = Path(__file__).parent / "fixtures" / "js-package"
TOOLS = Path.home() / ".cache" / "mxdoctor" / "build-tools"


def _tools() -> Path:
    """acorn for the extractor; installed once per machine through npm (skip locally without node)."""
    if not shutil.which("node") or not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("node and npm are needed to test the message extractor")
        pytest.skip("node/npm not installed")
    from app.build.messages import ensure_tools
    return ensure_tools(TOOLS)


@pytest.fixture(scope="module")
def extracted() -> list[dict]:
    from app.build.messages import extract
    found = extract([FIXTURE], _tools())
    assert found[str(FIXTURE)]["errors"] == []
    return found[str(FIXTURE)]["messages"]


def _one(messages: list[dict], template: str) -> dict:
    hits = [m for m in messages if m["template"] == template]
    assert len(hits) == 1, [m["template"] for m in messages]
    return hits[0]


def test_extractor_finds_each_kind_of_message(extracted):
    log = _one(extracted, "lookup failed: {}")
    assert (log["kind"], log["level"], log["function"], log["line"]) == ("log", "ERROR", "check_rcpt", 18)
    assert log["hooks"] == ["rcpt"]                           # register_hook('rcpt', 'check_rcpt')
    either = _one(extracted, "Recipient check failed")
    assert (either["kind"], either["code"]) == ("reply", "DENY|DENYSOFT")
    assert _one(extracted, "No such user {}")["code"] == "DENY"
    warn = _one(extracted, "looking up %s{}")                 # Haraka's logger joins its arguments as they are
    assert warn["level"] == "WARN" and warn["hooks"] == ["rcpt"]    # lookup() is called from check_rcpt
    assert _one(extracted, "queue backend down")["level"] == "ERROR"   # results.add({err}) is logged
    thrown = _one(extracted, "never reached")
    assert thrown["kind"] == "throw" and thrown["hooks"] == ["queue"]
    assert not [m for m in extracted if m["function"] == "not_a_log"]     # data.toString() is no log call
    assert _one(extracted, "try later")["code"] == "DENYSOFT"             # constants.denysoft, lower case
    assert _one(extracted, "over quota for {} recipients")["code"] == "DENY"      # through `const why = ...`
    wrapped = _one(extracted, "Too many recipient attempts")          # penalize(..., msg, next) -> next(code, msg)
    assert wrapped["code"] == "DENY|DENYSOFT" and wrapped["function"] == "hook_data"
    # a name declared in several functions (`const msg` in cmd_mail and cmd_rcpt) is read in its own one
    assert _one(extracted, "Invalid MAIL FROM address {}: {}")["function"] == "check_mail"
    assert _one(extracted, "Invalid RCPT TO address {}: {}")["function"] == "check_rcpt_syntax"


def test_extractor_records_the_config_a_function_reads(extracted):
    log = _one(extracted, "lookup failed: {}")
    assert log["config"]["files"] == ["fixture.ini"]
    assert "main.enabled" in _one(extracted, "No such user {}")["config"]["keys"] or log["config"]["files"]


def test_ranges_collapse_runs_of_releases_with_the_same_line():
    versions = ["1.0.0", "1.0.1", "1.1.0", "1.2.0", "2.0.0"]
    assert ranges(versions, {"1.0.0": 5, "1.0.1": 5, "1.1.0": 7, "2.0.0": 7}) == \
        {"1.0.0..1.0.1": 5, "1.1.0": 7, "2.0.0": 7}


def test_merge_keeps_one_entry_per_template_with_its_releases():
    target = Target("haraka-plugin-x", ["1.0.0", "1.1.0"], repo="https://github.com/o/x")
    m = {"kind": "log", "level": "ERROR", "template": "boom {}", "file": "index.js", "function": "f",
         "hooks": ["rcpt"], "config": {"files": [], "keys": []}}
    doc = merge(target, {"1.0.0": [dict(m, line=3)], "1.1.0": [dict(m, line=9)]})
    assert len(doc["messages"]) == 1
    assert doc["messages"][0]["at"] == {"1.0.0": 3, "1.1.0": 9}


def test_version_keys_and_spans():
    assert vkey("2.8.28") < vkey("3.0.0") < vkey("3.0.10") and vkey("3.1") == (3, 1, 0)
    assert in_span("2.8.5", "2.8.0..2.8.28") and not in_span("3.0.0", "2.8.0..2.8.28") and in_span("3.3.4", "3.3.4")


def test_shipped_index_covers_haraka_and_its_plugins():
    index = message_index()
    haraka = index.packages["Haraka"]
    assert haraka.versions[0] == "2.8.0" and haraka.versions[-1] == "3.3.4" and len(haraka.versions) >= 40
    for name in ("haraka-plugin-limit", "haraka-plugin-redis", "haraka-plugin-dkim", "haraka-plugin-wildduck"):
        assert name in index.packages, name
    assert {"core", "queue/smtp_forward", "rcpt_to.in_host_list", "limit", "wildduck"} <= index.emitters()


def test_a_message_links_to_its_line_at_the_users_release():
    index = message_index()
    m = next(m for m in index.by_emitter["core"]
             if m.template == "tls key {} could not be loaded." and m.has_version("3.3.4"))
    assert m.file == "tls_socket.js" and m.config_files == ("tls.ini",)
    release, line = m.line_at("3.3.4")
    assert release == "3.3.4" and m.link("3.3.4").endswith(f"/blob/v3.3.4/tls_socket.js#L{line}")


def test_template_patterns_match_literal_text_in_order():
    m = Message(id="x", package="Haraka", kind="log", template="Loading '{}' failed: {} - skipping", file="plugins.js",
                function="_compile", hooks=(), at=(("3.0.0..3.3.4", 1),), level="CRIT")
    assert m.pattern.match("Loading 'wildduck' failed: Cannot find module 'x' - skipping")
    assert not m.pattern.match("Loading 'wildduck' done")
    assert m.anchor == "- skipping" or m.anchor == "failed:"
