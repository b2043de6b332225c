"""app.live without a server: HOST[:PORT] parsing, attribution from the real message index and
kb/live/replies.yaml, masking of every output format, and the next steps after --send.
(The live dialogue against real Haraka is tests/e2e/test_probe.py.)"""
from __future__ import annotations

import json

import pytest

from app.core.inputs import load_texts
from app.live.attribute import UNATTRIBUTED, attribute, clean_text
from app.live.nextsteps import next_steps
from app.live.probe import ProbeReport, parse_target
from app.live.render import render
from app.live.smtp import Reply, Session
from ingest.tokenize import chinese_share


@pytest.mark.parametrize("text, want", [
    ("mx.example.com", ("mx.example.com", 25)), ("mx.example.com:587", ("mx.example.com", 587)),
    ("192.0.2.1:2525", ("192.0.2.1", 2525)), ("[2001:db8::1]:26", ("2001:db8::1", 26)),
    ("[::1]", ("::1", 25)), ("2001:db8::1", ("2001:db8::1", 25)),
])
def test_targets(text, want):
    assert parse_target(text) == want


@pytest.mark.parametrize("text", ["mx:port", "[::1", "host:0", "host:70000", "", "a b", "a b:c:d", "[mx.example.com]:25"])
def test_bad_targets(text):
    with pytest.raises(ValueError):
        parse_target(text)


def _config(plugins: str):
    return load_texts([("config/plugins", plugins)])


def test_core_defaults_and_messages_are_attributed_without_config():
    banner = attribute(Reply("banner", 220, "mx ESMTP Haraka/3.3.4 ready (0A1B2C)"), version="3.3.4")
    assert (banner.emitter, banner.hook, banner.how) == ("core", "connect", "default")
    assert banner.source.endswith(".js#L" + banner.source.rsplit("#L", 1)[1]) and "connection.js" in banner.source
    refused = attribute(Reply("rcpt", 550, "I cannot deliver mail for <x@other.test>", "x@other.test"), version="3.3.4")
    assert refused.emitter == "core" and "No plugin accepted the recipient" in refused.mechanism
    helo = attribute(Reply("ehlo", 550, "Invalid address format in HELO"), version="3.3.4")
    assert (helo.emitter, helo.hook) == ("helo.checks", "ehlo")
    accepted = attribute(Reply("rcpt", 250, "recipient <a@example.com> OK", "a@example.com"), version="3.3.4")
    assert accepted.emitter == UNATTRIBUTED and "does not say which plugin" in accepted.mechanism


def test_nothing_matches_is_unattributed_not_a_guess():
    att = attribute(Reply("rcpt", 550, "5.7.1 Go away, the moon is full", "a@example.com"), version="3.3.4")
    assert att.emitter == UNATTRIBUTED and att.how == "none" and not att.source
    silent = attribute(Reply("banner", None, "no greeting came"), version=None)
    assert silent.emitter == UNATTRIBUTED and "no greeting came" in silent.mechanism


def test_a_text_several_plugins_share_goes_to_the_listed_one():
    reply = Reply("data_end", 451, "Virus scanner error")
    assert attribute(reply, version="3.3.4").candidates           # clamd and esets both say it
    for plugin in ("clamd", "esets"):
        att = attribute(reply, version="3.3.4", config=_config(f"rcpt_to.in_host_list\n{plugin}\n"))
        assert att.emitter == plugin, att


def test_plugin_timeout_names_the_one_listed_plugin_on_the_hook():
    reply = Reply("data_end", 450, "plugin timeout (3DA25C52-2487-41E4-9796-63A8AEE58342.1)")
    assert clean_text(reply.text) == "plugin timeout"
    assert attribute(reply, version="3.3.4").emitter == UNATTRIBUTED
    att = attribute(reply, version="3.3.4", config=_config("rcpt_to.in_host_list\nqueue/smtp_forward\n"))
    assert (att.emitter, att.hook, att.how) == ("queue/smtp_forward", "queue", "config")


def test_capabilities_come_from_core_or_the_plugin_of_their_role():
    ehlo = Reply("ehlo", 250, "mx Hello c [127.0.0.1], Haraka is at your service.\nPIPELINING\nSTARTTLS\nAUTH PLAIN LOGIN")
    caps = {c["name"]: c["emitter"] for c in attribute(ehlo, version="3.3.4").capabilities}
    assert caps == {"PIPELINING": "core", "STARTTLS": "tls", "AUTH PLAIN LOGIN": UNATTRIBUTED}
    listed = attribute(ehlo, version="3.3.4", config=_config("tls\nauth/flat_file\n"))
    assert {c["name"]: c["emitter"] for c in listed.capabilities}["AUTH PLAIN LOGIN"] == "auth/flat_file"


def test_mechanisms_read_chinese():
    att = attribute(Reply("rcpt", 550, "I cannot deliver mail for <x@other.test>", "x@other.test"), version="3.3.4")
    assert chinese_share(att.said("zh")) > 0.6 and att.said("en") == att.mechanism


SECRET = "hunter2-Sup3rS3cret-pw"


def _report(send: bool = False) -> ProbeReport:
    session = Session("127.0.0.1", 2525, "client.example.net", "", ["alice@example.com"], client_ip="127.0.0.1",
                      replies=[Reply("banner", 220, "mx ESMTP Haraka/3.3.4 ready"),
                               Reply("mail", 250, "sender <> OK"),
                               Reply("rcpt", 550, f"rejected: password={SECRET}", "alice@example.com"),
                               Reply("quit", 221, "mx closing connection.")])
    if send:
        session.probe_id = "mxdoctor-0123456789ab"
        session.replies.insert(3, Reply("data_end", 250, "Message Queued (3DA25C52-2487-41E4-9796-63A8AEE58342.1)"))
        session.sent = True
    atts = [attribute(r, version="3.3.4") for r in session.replies]
    return ProbeReport("127.0.0.1", 2525, session, atts, "3.3.4", "banner")


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_every_format_is_masked(fmt):
    out = render(_report(), fmt, "en")
    assert SECRET not in out and "sender <> OK" in out.replace("&lt;&gt;", "<>")
    if fmt == "json":
        assert json.loads(out)["exit_code"] == 1


def test_outcome_and_chinese_text():
    report = _report()
    assert report.outcome == "refused" and report.exit_code == 1
    assert "退出码 1" in render(report, "text", "zh")


def test_next_steps_find_the_message_in_wildduck_without_its_password():
    config = load_texts([("config/plugins", "wildduck\n"),
                         ("config/wildduck.yaml", "mongo:\n  url: mongodb://wd:Pa55w0rdX@db.internal:27017/mail\n")])
    steps = next_steps(_report(send=True).session, config)
    assert steps.wildduck and steps.transaction == "3DA25C52-2487-41E4-9796-63A8AEE58342.1"
    commands = {c["what"]: c["command"] for c in steps.commands}
    assert "mongodb://db.internal:27017/mail" in commands["mongosh"] and "Pa55w0rdX" not in commands["mongosh"]
    assert 'msgid: "<mxdoctor-0123456789ab@client.example.net>"' in commands["mongosh"]
    assert "rcpt=alice@example.com" in commands["wildduck_log"]
    assert next_steps(_report().session) is None                   # nothing sent, nothing to look for


def test_no_recipient_checks_greeting_ehlo_and_mail_only():
    """The MCP tool's default: no RCPT, so nothing can be sent; the session still ends with RSET/QUIT."""
    import socketserver
    import threading

    class Greeter(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 mx.test ESMTP Haraka/3.3.4 ready\r\n")
            answers = {b"EHLO": b"250 mx.test Hello c [127.0.0.1], Haraka is at your service.",
                       b"MAIL": b"250 sender <> OK", b"RSET": b"250 OK", b"QUIT": b"221 mx.test closing connection."}
            for raw in self.rfile:
                self.wfile.write(answers.get(raw[:4].upper(), b"500 what") + b"\r\n")
                if raw[:4].upper() == b"QUIT":
                    return

    from app.live.probe import probe
    with socketserver.TCPServer(("127.0.0.1", 0), Greeter) as server:
        threading.Thread(target=server.handle_request, daemon=True).start()
        report = probe("127.0.0.1", server.server_address[1], rcpts=[], send=True, timeout=5)
    assert [r.stage for r in report.session.replies] == ["banner", "ehlo", "mail", "rset", "quit"]
    assert report.exit_code == 0 and report.next is None and not report.session.sent


def test_every_failure_reads_in_both_languages_with_its_facts():
    """Each sentence of app.live.failures exists in English and Chinese, and names what it is about."""
    from app.live.failures import WORDS, Failure
    assert set(WORDS["en"]) == set(WORDS["zh"])
    facts = {"host": "mx.example.com", "where": "mx.example.com:25", "why": "WHY", "seconds": "2",
             "command": "RCPT", "reply": "554 go away"}
    for what in WORDS["en"]:
        failure = Failure("protocol", "rcpt", what, facts)
        en, zh = failure.text("en"), failure.text("zh")
        assert en == failure.message and en != zh
        assert chinese_share(zh) > 0.5, zh
        for fact in ("mx.example.com", "WHY", "554 go away"):
            assert (fact in en) == (fact in zh), (what, fact)


def test_a_plugins_own_acceptance_text_names_it_without_config():
    """An OK with a message of its own is in the message index like a refusal: 'Message processed' is
    wildduck's queue reply, at any release, config or not."""
    reply = Reply("data_end", 250, "Message processed (47EDEE09-BD37-4E00-BB63-786741582175.1)")
    for version in ("3.3.4", None):
        got = attribute(reply, version=version)
        assert (got.emitter, got.hook) == ("wildduck", "queue"), got


def test_the_default_ehlo_name_is_not_localhost_when_the_host_has_another():
    """getfqdn() says 'localhost' on many machines whose hostname is fine (this one: 'vm')."""
    import socket

    from app.live.smtp import default_helo, localhost_like
    assert all(localhost_like(n) for n in ("localhost", "localhost.localdomain", "LOCALHOST.", "127.0.1.1", ""))
    assert not any(localhost_like(n) for n in ("vm", "mx.example.com", "localhostess.example"))
    names = [n for n in (socket.gethostname(), socket.getfqdn()) if not localhost_like(n)]
    assert default_helo() == (names[0] if names else "localhost")


def test_a_localhost_ehlo_name_is_said_and_a_failure_reads_in_chinese_in_json():
    from app.live.failures import Failure
    report = _report()
    report.session.helo, report.session.helo_localhost = "localhost", True
    assert "HELO names may refuse it" in render(report) and "--helo" in render(report, "markdown", "zh")
    report.session.failure = Failure("refused", "banner", "refused", {"where": "127.0.0.1:2525"})
    data = json.loads(render(report, "json", "zh"))["session"]["failure"]
    assert chinese_share(data["message"]) > 0.3 and "refused" in data["message_en"], data
    assert json.loads(render(report, "json"))["session"]["failure"]["i18n"]["zh"]["message"] == data["message"]


@pytest.mark.parametrize("rcpt, mail_from", [("notanaddress", None), ("a b@example.com", None),
                                             ("<alice@example.com>", None), ("alice@example.com", "bob")])
def test_a_malformed_address_is_refused_before_any_connection(rcpt, mail_from):
    from app.live.probe import probe
    with pytest.raises(ValueError, match="is not an email address"):
        probe("192.0.2.1", 25, rcpts=[rcpt], mail_from=mail_from, timeout=0.5)   # TEST-NET: never reached


def test_core_s_no_queue_451_differs_from_the_config_s_queue_plugin_even_when_its_code_is_unknown():
    """The canonical config has wildduck at queue (the simulator cannot tell its code: '?'); a live
    451 that core writes when no plugin took the message says the server runs another queue."""
    from pathlib import Path

    from app.core.catalog import load_catalog
    from app.core.inputs import load_paths
    from app.live.compare import compare, reconcile
    config = load_paths([str(Path(__file__).parent.parent / "kb" / "examples" / "canonical" / "config")])
    session = Session("127.0.0.1", 25, "client.example.net", "", ["alice@example.com"], client_ip="127.0.0.1",
                      probe_id="mxdoctor-0123456789ab",
                      replies=[Reply("banner", 220, "mx ESMTP Haraka/3.3.4 ready"), Reply("mail", 250, "sender <> OK"),
                               Reply("rcpt", 250, "recipient <alice@example.com> OK", "alice@example.com"),
                               Reply("data", 354, "go ahead, make my day"),
                               Reply("data_end", 451, "(3DA25C52-2487-41E4-9796-63A8AEE58342.1)")])
    comparison = compare(config, session)
    atts = [attribute(r, version="3.3.4", config=config, step=comparison.step_for(r)) for r in session.replies]
    reconcile(comparison, atts, load_catalog())
    end = comparison.rows[-1]
    assert (end.predicted, end.plugin) == ("?", "wildduck")
    assert (end.verdict, end.why, end.live_by) == ("differ", "why_no_queue", "core"), end
    assert [r.verdict for r in comparison.rows[:-1]] == ["agree"] * 4
    report = ProbeReport("127.0.0.1", 25, session, atts, "3.3.4", "banner", comparison, next_steps(session, config))
    text = render(report)
    assert "DIFFER: the server's queue is not the config's" in text and "mongosh" not in text
