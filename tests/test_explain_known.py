"""A line asked about on its own is explained whatever its level when mxdoctor knows what it means
(explain_events(..., quiet=True): the hook=rcpt OK line of the canonical bug, core's summary lines,
connect/disconnect, 2xx/3xx replies, wildduck's RESOLVED/STORED), in each of Haraka's log formats;
core's computed replies (kb/live/replies.yaml, app.core.corereplies) are known wherever their text
appears; a log read in bulk still explains only its loud lines."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.corereplies import core_default, core_message
from app.core.explain import explain_events
from app.core.logs.parser import parse_lines
from app.core.messages import message_index
from ingest.tokenize import CODE_RE, chinese_share

ROOT = Path(__file__).resolve().parent.parent
FAULTS = ROOT / "tests" / "fixtures" / "haraka-faults" / "3.3.4"
UUID = "47EDEE09-BD37-4E00-BB63-786741582175.1"
HOOK_RCPT_OK = (f'[INFO] [{UUID}] [core]  hook=rcpt plugin=rcpt_to.in_host_list function=hook_rcpt '
                f'params=<postmaster@example.com> retval=OK msg=""')
HOOK_RCPT_OK_LOGFMT = (f'level=INFO uuid={UUID} origin=core message="" hook=rcpt plugin=rcpt_to.in_host_list '
                       f'function=hook_rcpt params=<postmaster@example.com> retval=OK msg=""')
HOOK_RCPT_OK_JSON = json.dumps({"level": "INFO", "uuid": UUID, "origin": "core", "message": "", "hook": "rcpt",
                                "plugin": "rcpt_to.in_host_list", "function": "hook_rcpt",
                                "params": {"original": "<postmaster@example.com>", "host": "example.com",
                                           "user": "postmaster"}, "retval": "OK", "msg": ""})
CORE_REFUSAL = (f'[NOTICE] [{UUID}] [core] recipient <bob@other.test> code=DENY '
                f'msg="I cannot deliver mail for <bob@other.test>" sender=s@example.net')
CLI_SECONDS = 60
MIN_SHARE = 0.6                 # as the rest of the Chinese output (tests/test_explain_zh.py)


def _explain(*lines: str, quiet: bool = True, version: str | None = "3.3.4"):
    return [x for x in explain_events(list(parse_lines(lines, "haraka.log")), version, quiet=quiet)
            if not x.continues]


@pytest.mark.parametrize("line", [HOOK_RCPT_OK, HOOK_RCPT_OK_LOGFMT, HOOK_RCPT_OK_JSON],
                         ids=["default", "logfmt", "json"])
def test_the_canonical_hook_rcpt_ok_line_is_explained_when_asked_about(line):
    [x] = _explain(line)
    assert (x.category, x.emitter, x.hook) == ("hook", "rcpt_to.in_host_list", "rcpt")
    assert x.message is not None and x.message.function == "hook_rcpt"
    assert "/plugins/rcpt_to.in_host_list.js#L" in x.source("3.3.4")
    assert "asks no other plugin" in x.effect and "<postmaster@example.com>" in x.effect
    assert "wildduck" in x.effect                  # the mailbox check it shadows
    assert "不再询问" in x.i18n["zh"]["effect"]
    assert _explain(line, quiet=False) == []       # read in bulk, an INFO OK is not a problem


def _transaction(fmt: str) -> dict[str, list]:
    """The quiet lines of one real transaction (Haraka 3.3.4, recipient outside host_list), by kind."""
    lines = (FAULTS / fmt / "rcpt_outside_host_list.log").read_text(encoding="utf-8").splitlines()
    by_kind: dict[str, list] = {}
    for x in explain_events(list(parse_lines(lines, "haraka.log")), "3.3.4", quiet=True):
        by_kind.setdefault(x.event.kind, []).append(x)
    return by_kind


SUMMARY_KINDS = ("connect", "sender", "recipient", "message", "queue", "disconnect", "hook_result")


@pytest.mark.parametrize("fmt", ["default", "logfmt", "json"])
def test_every_summary_line_is_explained_alike_in_every_log_format(fmt):
    mine, default = _transaction(fmt), _transaction("default")
    assert set(SUMMARY_KINDS) <= set(mine)
    for kind in SUMMARY_KINDS:
        assert [(x.category, x.emitter, x.hook, x.message and x.message.id) for x in mine[kind]] == \
               [(x.category, x.emitter, x.hook, x.message and x.message.id) for x in default[kind]], kind
        if kind not in ("connect", "disconnect"):       # ports and timings differ from run to run
            assert [x.effect for x in mine[kind]] == [x.effect for x in default[kind]], kind
    [ok, cont] = [x for x in mine["recipient"]]
    assert "code=OK" in ok.effect and "none decided (CONT)" in cont.effect
    assert ok.message.function == "rcpt_ok_respond"
    [queued] = mine["queue"]
    assert "“Queued by stand-in”" in queued.effect and queued.event.uuid not in queued.effect   # Haraka's uuid is cut
    passed = [x for x in mine["hook_result"] if x.event.fields["retval"] == "CONT" and x.hook == "rcpt"]
    assert passed and "550 “I cannot deliver mail for <address>”" in passed[0].effect


def test_core_computed_replies_are_known_by_their_shape():
    assert core_default("I cannot deliver mail for <bob@other.test>").says == "no_rcpt_plugin"
    assert core_default("recipient <a@example.com> OK", code=250).says == "rcpt_ok"
    assert core_default("mx.example.com ESMTP Haraka/3.3.4 ready (6F478B)", code="220").says == "banner"
    assert core_default("", code="451").says == "no_queue_plugin"
    assert core_default("") is None                       # an empty msg= says nothing about who answered
    assert core_default("Message processed", code="250") is None     # a plugin's own text
    shape = core_default("I cannot deliver mail for <bob@other.test>")
    m = core_message(shape, "I cannot deliver mail for <bob@other.test>", "3.3.4", message_index())
    assert (m.file, m.function, m.template) == ("connection.js", "rcpt_respond", "I cannot deliver mail for {}")


def test_a_summary_line_holding_cores_default_refusal_names_core_and_why():
    [x] = _explain(CORE_REFUSAL, quiet=False)           # loud (code=DENY): explained in bulk too
    assert (x.category, x.emitter, x.hook) == ("result", "core", "rcpt")
    assert x.message is not None and x.message.template == "I cannot deliver mail for {}"
    assert "core default refusal" in x.effect and "no plugin accepted the recipient" in x.effect
    assert "默认拒绝" in x.i18n["zh"]["effect"]


def test_replies_haraka_sent_are_explained_by_who_wrote_them():
    lines = [f"[PROTOCOL] [{UUID}] [core] S: 250 recipient <alice@example.com> OK",
             f"[PROTOCOL] [{UUID}] [core] S: 550 I cannot deliver mail for <bob@other.test>",
             f"[PROTOCOL] [{UUID}] [core] S: 250 Message processed ({UUID})"]
    ok, refused, stored = _explain(*lines)
    assert ok.message.function == "rcpt_ok_respond" and "default acceptance of the recipient" in ok.effect
    assert refused.category == "reply" and "core default refusal" in refused.effect
    assert stored.emitter == "wildduck" and stored.hook == "queue"
    [bulk] = _explain(*lines, quiet=False)              # only the 550 is loud
    assert bulk.effect == refused.effect


def test_wildduck_resolving_and_storing_is_explained():
    resolved, stored = _explain(
        f"[INFO] [{UUID}] [wildduck] RESOLVED rcpt=alice@example.com user=alice@example.com[fc2398a73dd54d6237c4fdb5]",
        f'[INFO] [{UUID}] [wildduck] STORED rcpt=alice@example.com user=alice@example.com[fc2398a73dd54d6237c4fdb5] '
        f'result={{"uid":1,"status":"new"}}')
    assert (resolved.emitter, resolved.hook, stored.hook) == ("wildduck", "rcpt", "queue")
    assert "<alice@example.com>" in resolved.effect and "stored" in stored.effect


def test_a_line_mxdoctor_does_not_know_stays_unexplained():
    assert _explain(f"[DEBUG] [{UUID}] [core] running disconnect hooks",
                    f"[PROTOCOL] [{UUID}] [core] C: RCPT TO:<a@example.com>") == []


def test_quiet_explanations_read_as_chinese():
    lines = [HOOK_RCPT_OK, *[f"[PROTOCOL] [{UUID}] [core] S: {r}" for r in ("250 recipient <a@b.test> OK", "221 mx closing connection")]]
    lines += (FAULTS / "default" / "rcpt_outside_host_list.log").read_text(encoding="utf-8").splitlines()
    for x in _explain(*lines):
        zh = x.i18n["zh"]["effect"]
        assert "{" not in zh and chinese_share(CODE_RE.sub(" ", zh)) >= MIN_SHARE, (x.event.raw, zh)


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "app.cli", "messages", "explain", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=CLI_SECONDS, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_messages_explain_answers_the_lines_a_new_user_asks_about():
    out = _cli("--haraka-version", "3.3.4", HOOK_RCPT_OK, CORE_REFUSAL)
    assert "nothing to explain" not in out
    assert "emitter: rcpt_to.in_host_list at the rcpt hook" in out
    assert "plugins/rcpt_to.in_host_list.js#L" in out and "asks no other plugin" in out
    assert "no indexed message has this text" not in out
    assert "connection.js#L" in out and "(rcpt_respond)" in out and "core default refusal" in out
    assert "不再询问" in _cli("--lang", "zh", HOOK_RCPT_OK)
    unknown = _cli(f"[DEBUG] [{UUID}] [core] running disconnect hooks")
    assert unknown.startswith("Nothing mxdoctor can explain")


def test_messages_explain_reads_a_file_in_bulk_unless_asked_for_all(tmp_path):
    log = tmp_path / "haraka.log"
    log.write_text(f"{HOOK_RCPT_OK}\n{CORE_REFUSAL}\n", encoding="utf-8")
    bulk = _cli("-f", str(log))
    assert "haraka.log:2:" in bulk and "haraka.log:1:" not in bulk      # only the loud line
    every = _cli("-f", str(log), "--all")
    assert "haraka.log:1:" in every and "asks no other plugin" in every
