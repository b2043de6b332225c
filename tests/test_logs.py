"""The Haraka log parser on real captured output (tests/fixtures/logs, see its README)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.core.logs import group_transactions, parse_line, parse_lines, read_log

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
LOGS = sorted(FIXTURES.glob("*.log"))
KINDS = {"hook_result", "recipient", "sender", "message", "queue", "disconnect", "connect", "crit", "timeout",
         "load_error", "plugin_line", "protocol", "plugin_load", "hook_run", "hook_registered", "startup", "tls_error", "outbound", "smtp_client",
         "other"}

# Lines Haraka prints that are not about hooks or transactions: startup noise, TLS setup,
# socket notes and debug chatter. Any other line left as `other` is a parser gap.
EXPECTED_OTHER = re.compile("|".join([
    r"Using iconv-lite only", r"loaded TLD files", r"loaded Public Suffixes",
    r"smtp\.ini\.nodes unset", r"loading tls\.ini", r"tls (key|cert) .* could not be loaded",
    r"client half closed connection", r"client has disconnected", r"addOCSP", r"\[plugins\] Loading$",
    r"no timeout in ", r"plugin \S+ timeout is: ", r"loading dhparams", r"running connect_init_respond",
]))
HOOKISH = re.compile(r"hook=|recipient <|sender <|\bqueue\b|Plugin |retval=|\bS: |\bC: ")


def events_of(name: str):
    return list(read_log(FIXTURES / name))


def test_fixtures_exist_in_all_three_formats():
    names = {p.name for p in LOGS}
    assert {"haraka-default.log", "haraka-logfmt.log", "haraka-json.log", "haraka-protocol.log"} <= names
    assert sum(1 for p in LOGS for _ in p.open(encoding="utf-8")) > 500


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_every_fixture_line_has_a_known_kind_and_no_unexpected_other(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    events = list(parse_lines(lines, path.name))
    assert len(events) == sum(1 for l in lines if l.strip())
    for ev in events:
        assert ev.kind in KINDS
        if ev.kind == "other":
            assert EXPECTED_OTHER.search(ev.raw), f"{path.name}:{ev.lineno} unexpected other: {ev.raw[:160]}"
            assert not HOOKISH.search(ev.raw), ev.raw
        if ev.level is not None:
            assert ev.uuid is None or re.fullmatch(r"[0-9A-F\-]{36}(\.\d+)?", ev.uuid), ev.uuid


def _first(events, kind, **fields):
    for ev in events:
        if ev.kind == kind and all(ev.fields.get(k) == v for k, v in fields.items()):
            return ev
    raise AssertionError(f"no {kind} event with {fields}")


@pytest.mark.parametrize("name", ["haraka-default.log", "haraka-logfmt.log", "haraka-json.log",
                                  "haraka-logfmt-ts.log", "haraka-json-ts.log", "haraka-default-ts.log"])
def test_same_fields_in_every_format(name):
    events = events_of(name)
    hook = _first(events, "hook_result", hook="rcpt", plugin="rcpt_to.in_host_list")
    assert hook.fields["function"] == "hook_rcpt"
    assert hook.fields["params"] == "<alice@example.com>"
    assert hook.fields["address"] == "alice@example.com"
    assert hook.fields["retval"] == "OK" and hook.fields["msg"] == ""
    assert hook.level == "INFO" and hook.origin == "core" and hook.uuid.endswith(".1")

    rcpt = _first(events, "recipient", rcpt="nobody@other.test")
    assert rcpt.fields["code"] == "OK"          # what Haraka logs although the client got 550
    assert rcpt.fields["sender"] == "a@sender.test" and rcpt.fields["msg"] == ""
    assert rcpt.level == "NOTICE"

    sender = _first(events, "sender", mail_from="a@sender.test")
    assert sender.fields["code"] == "CONT"

    queue = _first(events, "queue", code="OK")
    assert queue.fields["msg"].startswith("Message processed (") and queue.fields["msg"].endswith(".1)")

    msg = _first(events, "message")
    assert msg.fields["mid"].startswith("<") and msg.fields["rcpts"].count("/") == 2

    conn = _first(events, "connect")
    assert conn.fields["ip"] == "127.0.0.1" and conn.fields["local_port"] == "2625"

    disc = _first(events, "disconnect", helo="mail.sender.test")
    assert disc.fields["relay"] == "N" and disc.fields["rcpts"].count("/") == 2 and "lr" in disc.fields

    assert _first(events, "plugin_load", plugin="wildduck")
    if name.endswith("-ts.log"):
        assert all(e.timestamp and e.timestamp.endswith("Z") for e in events if e.level)
    else:
        assert all(e.timestamp is None for e in events)


@pytest.mark.parametrize("name", ["haraka-default.log", "haraka-logfmt-ts.log", "haraka-json-ts.log"])
def test_wildduck_lines_in_every_format(name):
    events = events_of(name)
    stored = _first(events, "plugin_line", wildduck_action="STORED", rcpt="bob@example.com")
    assert stored.fields["user"] == "bob@example.com" and stored.fields["user_id"] == "65a1f0c2e4b0a1b2c3d4e5f7"
    assert json.loads(stored.fields["result"])["status"] == "new"
    assert stored.origin == "wildduck" and stored.fields["plugin"] == "wildduck"
    resolved = _first(events, "plugin_line", wildduck_action="RESOLVED", rcpt="sales@example.com")
    assert resolved.fields["user"] == "alice@example.com"       # an alias resolves to its user
    deferred = _first(events, "plugin_line", wildduck_action="DEFERRED", rcpt="dberr@example.com")
    assert deferred.fields["error"] == "connection 3 to 127.0.0.1:27017 closed"
    assert _first(events, "plugin_line", wildduck_action="DEFERRED", error="Topology was destroyed")
    rejected = _first(events, "plugin_line", wildduck_action="REJECTED")
    assert rejected.fields["rcpt"] == "nested@example.com"
    srs = _first(events, "plugin_line", wildduck_action="SRS_USING")
    assert srs.fields["target"] == "origin@remote.example.net"
    assert _first(events, "plugin_line", wildduck_action="PIPEFAIL").level == "ERROR"
    assert _first(events, "plugin_line", wildduck_action="DB_OPENED")
    gelf = _first(events, "plugin_line", wildduck_action="GELF")
    assert gelf.uuid is None and gelf.fields["queue_id"].endswith(".1")
    codes = {e.fields.get("error_code") for e in events if e.kind in ("hook_result", "recipient", "queue")}
    assert {"ERRC01", "ERRC02", "ERRC03", "ERRQ01", "ERRQ05", "ERRQ06", "ERRQ07"} <= codes
    refused = _first(events, "hook_result", address="unknown@example.com")
    assert refused.fields["retval"] == "DENY" and refused.fields["msg"] == "5.1.1 No such user"


@pytest.mark.parametrize("name", ["haraka-default.log", "haraka-json-ts.log"])
def test_crit_timeout_and_db_failure_lines(name):
    events = events_of(name)
    timeout = _first(events, "timeout")
    assert timeout.fields == {"plugin": "never_calls", "hook": "data_post"} and timeout.level == "CRIT"
    crit = _first(events, "crit", plugin="throws")
    assert crit.fields["error"] == "TypeError: Cannot read properties of undefined (reading 'host')"
    db = _first(events, "plugin_line", wildduck_action="DB_FAILED")
    assert db.level == "CRIT" and db.fields["error"] == "connect ECONNREFUSED 127.0.0.1:27017"


def test_load_errors_fatal_and_ignored():
    events = events_of("haraka-startup-errors.log") + events_of("haraka-logfmt.log") + events_of("haraka-json.log")
    errors = [(e.fields["plugin"], e.fields["error"]) for e in events if e.kind == "load_error"]
    assert ("does_not_exist", "No plugin with this name found") in errors
    assert ("broken_syntax", "Unexpected token '{'") in errors
    fatal = [e for e in events_of("haraka-startup-errors.log") if e.raw.startswith("[CRIT] [-] [core] Caught")]
    assert [e.kind for e in fatal] == ["load_error", "crit"]   # missing plugin; compile error with source excerpt


def test_protocol_lines():
    events = events_of("haraka-protocol.log")
    c = _first(events, "protocol", direction="C", verb="rcpt", address="nobody@other.test")
    assert c.fields["arg"] == "TO:<nobody@other.test>" and c.level == "PROTOCOL"
    s = _first(events, "protocol", direction="S", code="550")
    assert s.fields["text"] == "550 I cannot deliver mail for <nobody@other.test>"
    assert _first(events, "hook_registered", hook="rcpt", plugin="rcpt_to.in_host_list").fields["method"] == "hook_rcpt"
    assert _first(events, "hook_run", hook="rcpt", plugin="rcpt_to.in_host_list")
    assert _first(events, "hook_result", retval="CONT", address="nobody@other.test").level == "DEBUG"


# ---------------------------------------------------------------------------- prefixes

SAMPLE = ("[NOTICE] [9846711B-0545-4F49-BE4D-0570D65FFF52.1] [core] recipient <nobody@other.test> code=OK msg=\"\" "
          "sender=a@sender.test")
WRAPPERS = {
    "syslog": ("Nov 24 10:00:00 mx1 haraka[1234]: {}", "Nov 24 10:00:00"),
    "syslog_pri": ("<21>Nov  4 10:00:00 mx1 haraka: {}", "Nov  4 10:00:00"),
    "journald_iso": ("2024-11-24T10:00:00+0000 mx1 haraka[99]: {}", "2024-11-24T10:00:00+0000"),
    "bare_tag": ("haraka[12]: {}", None),
    "compose": ("haraka_1  | {}", None),
    "compose_v2": ("mx-1  | {}", None),
    "compose_ts": ("mx-1  | 2026-11-24T21:16:12.766Z {}", "2026-11-24T21:16:12.766Z"),
    "docker_ts": ("2024-11-24T10:00:00.123456789Z {}", "2024-11-24T10:00:00.123456789Z"),
    "ansi": ("\x1b[36m{}\x1b[39m", None),
    "compose_ansi": ("\x1b[36mharaka_1  |\x1b[0m {}\r", None),
}


@pytest.mark.parametrize("wrapper", WRAPPERS, ids=str)
def test_prefixes_and_colours_are_stripped(wrapper):
    template, timestamp = WRAPPERS[wrapper]
    bare = parse_line(SAMPLE, 1, "x")
    ev = parse_line(template.format(SAMPLE), 1, "x")
    assert (ev.kind, ev.level, ev.uuid, ev.origin, ev.fields) == (bare.kind, bare.level, bare.uuid, bare.origin,
                                                                   bare.fields)
    assert ev.raw == SAMPLE and ev.timestamp == timestamp


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_whole_fixtures_survive_syslog_and_compose_wrapping(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    plain = list(parse_lines(lines, "x"))
    for template in ("Nov 24 10:00:00 mx1 haraka[1234]: {}", "\x1b[33mharaka_1  |\x1b[0m {}"):
        wrapped = list(parse_lines([template.format(l) for l in lines], "x"))
        assert [(e.kind, e.uuid, e.fields) for e in wrapped] == [(e.kind, e.uuid, e.fields) for e in plain]


def test_journald_markers_and_blank_lines_are_skipped():
    lines = ["-- Logs begin at Mon 2024-11-18 10:00:00 UTC, end at Sun 2024-11-24 10:00:00 UTC. --", "",
             "Nov 24 10:00:00 mx1 haraka[1]: " + SAMPLE, "-- Boot 3f2a1c0e9d8b4a7c --", "   "]
    events = list(parse_lines(lines, "j"))
    assert [(e.lineno, e.kind) for e in events] == [(3, "recipient")]


# ---------------------------------------------------------------------------- transactions

def _txn(txns, predicate):
    found = [t for t in txns if predicate(t)]
    assert found, "no such transaction"
    return found[0]


def test_recipient_logged_ok_but_refused_is_rejected_550():
    txns = group_transactions(events_of("haraka-default.log"))
    t = _txn(txns, lambda t: [r.address for r in t.recipients] == ["nobody@other.test"])
    (r,) = t.recipients
    assert r.retval == "OK"                                       # the misleading log line
    assert (r.outcome, r.code, r.reply) == ("rejected", 550, "I cannot deliver mail for <nobody@other.test>")
    assert r.plugin is None and r.basis == "no_plugin_accepted" and r.notes
    assert t.outcome == "no_recipients" and t.stage == "rcpt"


def test_mixed_recipients_and_missing_queue_plugin():
    txns = group_transactions(events_of("haraka-default.log"))
    t = _txn(txns, lambda t: [r.address for r in t.recipients] == ["alice@example.com", "nobody@other.test"])
    alice, nobody = t.recipients
    assert (alice.outcome, alice.code, alice.plugin, alice.basis) == ("accepted", 250, "rcpt_to.in_host_list",
                                                                      "hook_result")
    assert (nobody.outcome, nobody.code) == ("rejected", 550)
    assert t.queue.code == 451 and t.queue.plugin is None and t.outcome == "deferred"


def test_protocol_level_uses_the_real_smtp_reply():
    txns = group_transactions(events_of("haraka-protocol.log"))
    rcpts = [r for t in txns for r in t.recipients]
    assert [(r.address, r.code, r.basis) for r in rcpts] == [
        ("nobody@other.test", 550, "smtp_reply"), ("alice@example.com", 250, "smtp_reply"),
        ("nobody@other.test", 550, "smtp_reply")]


def test_without_info_lines_an_ok_recipient_stays_unknown_not_accepted():
    lines = [l for l in (FIXTURES / "haraka-default.log").read_text().splitlines() if not l.startswith("[INFO]")]
    txns = group_transactions(parse_lines(lines, "notice-only.log"))
    t = _txn(txns, lambda t: [r.address for r in t.recipients] == ["nobody@other.test"])
    assert t.recipients[0].outcome == "unknown"
    canonical = _txn(txns, lambda t: t.processed_without_store)
    assert canonical.recipients[0].outcome == "accepted" and canonical.recipients[0].basis == "counts"


def test_canonical_failure_processed_but_not_stored():
    txns = group_transactions(events_of("haraka-default.log"))
    bad = [t for t in txns if t.processed_without_store]
    assert len(bad) == 1
    (t,) = bad
    assert t.queue.code == 250 and t.queue.plugin == "wildduck" and t.queue.text.startswith("Message processed")
    assert t.recipients[0].plugin == "rcpt_to.in_host_list" and t.recipients[0].user is None
    assert t.stored == [] and t.resolved == []
    good = _txn(txns, lambda t: [r.address for r in t.recipients] == ["alice@example.com", "bob@example.com",
                                                                      "unknown@example.com"])
    assert [(r.outcome, r.user, r.stored) for r in good.recipients] == [
        ("accepted", "alice@example.com", True), ("accepted", "bob@example.com", True), ("rejected", None, False)]
    assert good.recipients[2].plugin == "wildduck" and good.recipients[2].reply == "5.1.1 No such user"
    assert not good.processed_without_store


def test_plugin_crash_is_noted_on_the_recipient_it_refused():
    txns = group_transactions(events_of("haraka-default.log"))
    t = _txn(txns, lambda t: any(r.address == "full@example.com" for r in t.recipients))
    full = next(r for r in t.recipients if r.address == "full@example.com")
    assert full.outcome == "rejected" and any("DSN.mbox_full_554" in n for n in full.notes)


def test_connection_level_rejection_and_two_transactions_in_one_connection():
    txns = group_transactions(events_of("haraka-logfmt-ts.log"))
    helo = _txn(txns, lambda t: t.outcome == "connection_rejected")
    assert not helo.is_transaction
    assert (helo.connection_reply.hook, helo.connection_reply.plugin, helo.connection_reply.code) == (
        "ehlo", "helo.checks", 550)
    second = _txn(txns, lambda t: t.uuid.endswith(".2"))
    first = _txn(txns, lambda t: t.uuid == second.connection_uuid + ".1")
    assert second.mail_from == "b@sender.test" and first.mail_from == "a@sender.test"
    assert second.helo == "mail.sender.test" and second.remote_ip == "127.0.0.1" and second.complete
    assert txns.index(first) + 1 == txns.index(second)
    assert second.events[0].kind == "connect"   # the timeline starts with the connection


@pytest.mark.parametrize("name", sorted(json.loads((FIXTURES / "replies.json").read_text())))
def test_derived_outcomes_match_what_the_smtp_client_really_got(name):
    """replies.json holds the replies smtplib received while the fixture was captured."""
    runs = json.loads((FIXTURES / "replies.json").read_text())[name]
    txns = group_transactions(events_of(name))
    checked = 0
    for run in runs:
        sessions: list[list] = []
        for step in run["replies"]:
            if step[0] == "BANNER":
                sessions.append([step])
            elif sessions:
                sessions[-1].append(step)
        for session in sessions:
            conn = [t for t in txns if t.connection_uuid.startswith(session[0][1])]
            assert conn, f"connection {session[0][1]} missing"
            real = [t for t in conn if t.is_transaction]
            ti, ri = -1, 0
            for verb, arg, code, _text in session[1:]:
                if verb == "EHLO" and code >= 400:
                    assert conn[0].connection_reply.code == code
                elif verb == "MAIL":
                    ti, ri = ti + 1, 0
                    assert (real[ti].mail_from, real[ti].sender.code) == (arg, code)
                elif verb == "RCPT":
                    r = real[ti].recipients[ri]
                    ri += 1
                    assert (r.address, r.code) == (arg, code), r
                elif verb == "DATA":
                    step = real[ti].queue or real[ti].data
                    assert step.code == code
                else:
                    continue
                checked += 1
    assert checked or name == "haraka-startup-errors.log"


def test_streaming_tracker_keeps_no_events_unless_asked():
    from app.core.logs import iter_transactions
    txns = list(iter_transactions(read_log(FIXTURES / "haraka-default.log"), keep_events=False))
    assert txns and all(t.events == [] for t in txns)
    d = txns[1].to_dict()
    assert "events" not in d and json.dumps(d)


def test_fast_shapes_agree_with_the_generic_key_value_parser():
    """shapes.py reads Haraka's summary lines by position; it must say what parse_kv says."""
    from app.core.logs.fields import fast_kv, parse_kv
    heads = {"hook_result": "", "recipient": None, "sender": None, "message": "message ", "queue": "queue ",
             "connect": "connect ", "disconnect": "disconnect "}
    checked = 0
    for path in LOGS:
        for ev in read_log(path):
            if ev.kind not in heads or not ev.raw.startswith("["):
                continue
            message = ev.raw.split("] ", 3)[3].lstrip(" ")
            head = heads[ev.kind]
            tail = message[message.index("> ") + 2:] if head is None else message[len(head):]
            generic = parse_kv(tail)
            assert fast_kv(tail) == generic
            assert {k: ev.fields[k] for k in generic} == generic, ev.raw
            checked += 1
    assert checked > 300


def test_json_dsn_messages_read_like_the_other_formats():
    events = events_of("haraka-json-ts.log")
    rcpt = _first(events, "recipient", rcpt="unknown@example.com")
    assert rcpt.fields["msg"] == "5.1.1 No such user" and rcpt.fields["code"] == "DENY"


def test_gelf_lines_join_their_transaction_in_timelines():
    txns = group_transactions(events_of("haraka-wildduck-gelf.log"))
    t = _txn(txns, lambda t: [r.address for r in t.recipients] == ["alice@example.com", "bob@example.com",
                                                                   "unknown@example.com"])
    gelf = [e for e in t.events if e.fields.get("wildduck_action") == "GELF"]
    assert gelf and all(e.fields["queue_id"] == t.uuid for e in gelf)
    assert any(e.fields["gelf_message"].startswith("MX [RCPT TO:unknown@example.com]") for e in gelf)
    assert all(not tt.uuid.startswith("-") for tt in txns)


def test_wildduck_fast_path_matches_the_generic_reading(monkeypatch):
    import app.core.logs.wildduck as wildduck
    lines = [e for p in LOGS for e in read_log(p)
             if e.fields.get("wildduck_action") in ("RESOLVED", "STORED") and e.raw.startswith("[")]
    assert len(lines) > 20
    fast = [wildduck.parse_wildduck(e.raw.split("] ", 3)[3], e.level) for e in lines]
    monkeypatch.setattr(wildduck, "_resolved_or_stored", lambda action, rest: None)
    assert fast == [wildduck.parse_wildduck(e.raw.split("] ", 3)[3], e.level) for e in lines]


def test_a_plugins_own_reply_code_comes_from_the_disconnect_lines_last_reply():
    # wildduck refuses a full mailbox with 554; the recipient line only says DENY
    lines = [
        '[NOTICE] [2F6A1C3D-8B9E-4D7F-A0B1-C2D3E4F5A601] [core] connect ip=209.85.219.44 port=40000 local_ip=192.0.2.25 local_port=25',
        '[NOTICE] [2F6A1C3D-8B9E-4D7F-A0B1-C2D3E4F5A601.1] [core] recipient <lin@example.com> code=DENY msg="5.2.2 Mailbox full" sender=a@example.net',
        '[NOTICE] [2F6A1C3D-8B9E-4D7F-A0B1-C2D3E4F5A601.1] [core] disconnect ip=209.85.219.44 rdns=x helo=x relay=N early=N esmtp=Y tls=Y pipe=Y errors=0 txns=1 rcpts=0/0/1 msgs=0/0/0 bytes=0 lr="554 5.2.2 Mailbox full" time=0.2',
    ]
    from app.core.logs.parser import parse_lines
    from app.core.logs.transactions import group_transactions
    (txn,) = group_transactions(list(parse_lines(lines)))
    assert [(r.code, r.outcome) for r in txn.recipients] == [(554, "rejected")]
    other = [line.replace("554 5.2.2 Mailbox full", "421 timeout") for line in lines]
    (txn,) = group_transactions(list(parse_lines(other)))
    assert [r.code for r in txn.recipients] == [550]          # a different last reply changes nothing
