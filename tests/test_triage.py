"""`triage()` counts on the real fixtures, and the `mxdoctor triage` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.core.errors import InputError
from app.core.triage import render_text, triage

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
DEFAULT = FIXTURES / "haraka-default.log"


@pytest.fixture(scope="module")
def report():
    return triage([DEFAULT])


def _row(rows, **match):
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def test_line_and_traffic_counts(report):
    assert (report.lines_read, report.lines_parsed, report.lines_unparsed) == (384, 348, 36)
    assert report.files[0].formats == {"default": 312}
    assert report.connections == 25 and report.transactions == 19
    assert (report.messages_accepted, report.messages_deferred, report.messages_rejected) == (7, 6, 1)
    assert report.recipients == {"accepted": 17, "rejected": 7, "deferred": 4, "unknown": 0}
    assert report.outcomes["connection_rejected"] == 1 and report.outcomes["no_recipients"] == 4
    assert report.haraka_versions == ["3.3.4"]
    assert report.plugins_loaded[:2] == ["does_not_exist", "wildduck"]


def test_rejections_by_stage_plugin_and_code(report):
    nobody = _row(report.rejections, stage="rcpt", plugin=None)
    assert nobody["count"] == 4 and nobody["code"] == 550 and nobody["reply"] == "I cannot deliver mail for <…>"
    assert report.misleading_ok == 4      # all four were logged as code=OK
    assert _row(report.rejections, stage="rcpt", plugin="wildduck", reply="5.1.1 No such user")["count"] == 2
    assert _row(report.rejections, stage="ehlo")["plugin"] == "helo.checks"
    assert _row(report.rejections, stage="mail")["plugin"] == "access"
    errq07 = _row(report.rejections, stage="queue")
    assert errq07["reply"] == "Failed to queue message, too many nested attachments [ERRQ07]"   # uuid suffix gone
    assert _row(report.deferrals, stage="rcpt", reply="Failed to process recipient, try again [ERRC02]")["count"] == 2
    assert _row(report.deferrals, stage="data")["plugin"] == "never_calls"
    assert _row(report.deferrals, stage="queue", plugin=None)["code"] == 451
    for row in report.rejections + report.deferrals:
        assert row["examples"] and row["examples"][0].startswith(str(DEFAULT) + ":")


def test_wildduck_summary_flags_processed_without_store(report):
    wd = report.wildduck
    assert (wd["resolved"], wd["stored"], wd["message_processed"], wd["processed_without_store"]) == (13, 6, 7, 1)
    assert wd["db_failed"] == 2 and wd["deferred"] == 3 and wd["rejected"] == 1
    assert wd["error_codes"] == {"ERRC02": 2, "ERRC01": 1, "ERRC03": 1, "ERRQ07": 1, "ERRQ05": 1, "ERRQ06": 1,
                                 "ERRQ01": 1}
    (example,) = wd["processed_without_store_examples"]
    line = int(example.split(":")[1].split()[0])
    assert "Message processed" in DEFAULT.read_text().splitlines()[line - 1]


def test_errors_timeouts_and_load_errors(report):
    assert [(r["plugin"], r["hook"], r["count"]) for r in report.timeouts] == [("never_calls", "data_post", 1)]
    assert [(r["plugin"], r["count"]) for r in report.load_errors] == [("does_not_exist", 2)]
    crit = {(r["plugin"], r["message"]): r["count"] for r in report.crit}
    assert crit[("wildduck", "connect ECONNREFUSED 127.0.0.1:27017")] == 2
    assert crit[("throws", "TypeError: Cannot read properties of undefined (reading 'host')")] == 1


def test_all_formats_give_the_same_story():
    """haraka-json-ts.log holds the same runs as haraka-default.log minus one (loaderr_ignored: one
    accepted and stored message on a connection of its own, plus the readiness probe connection)."""
    def numbers(r):
        return {"connections": r.connections, "transactions": r.transactions, "msgs_accepted": r.messages_accepted,
                "msgs_deferred": r.messages_deferred, "msgs_rejected": r.messages_rejected,
                **{f"rcpts_{k}": v for k, v in r.recipients.items()},
                "misleading_ok": r.misleading_ok, "stored": r.wildduck["stored"],
                "pws": r.wildduck["processed_without_store"], "timeouts": len(r.timeouts)}
    default, json_ts = numbers(triage([DEFAULT])), numbers(triage([FIXTURES / "haraka-json-ts.log"]))
    diff = {k: default[k] - json_ts[k] for k in default if default[k] != json_ts[k]}
    assert diff == {"connections": 2, "transactions": 1, "msgs_accepted": 1, "rcpts_accepted": 1, "stored": 1}, diff


def test_named_line_sources_and_timelines():
    lines = DEFAULT.read_text().splitlines()
    rep = triage([("pasted.log", lines)], timelines=True)
    assert rep.files[0].name == "pasted.log" and rep.lines_read == 384
    assert len(rep.timelines) == 26      # 19 transactions + 7 connections that never sent MAIL FROM
    canonical = next(t for t in rep.timelines if t["recipients"] and t["recipients"][0]["plugin"] ==
                     "rcpt_to.in_host_list")
    kinds = [e["kind"] for e in canonical["events"]]
    assert kinds[0] == "connect" and "queue" in kinds and kinds[-1] == "disconnect"
    text = render_text(rep, timelines=True)
    assert canonical["uuid"] in text and "Timelines" in text


def test_render_text_mentions_the_key_findings(report):
    text = render_text(report)
    assert "25  connections" in text.replace(",", "")
    assert "\"250 Message processed\" but WildDuck stored nothing" in text
    assert "I cannot deliver mail for <…>" in text
    assert "timeout: plugin never_calls on hook data_post" in text
    assert "load error: does_not_exist" in text
    assert "Timelines" not in text


def test_binary_and_empty_files_are_noted_not_fatal(tmp_path):
    binary, empty = tmp_path / "x.gz", tmp_path / "empty.log"
    binary.write_bytes(bytes(range(256)) * 40)
    empty.write_bytes(b"")
    rep = triage([binary, empty])
    assert rep.lines_read == 0 and rep.connections == 0
    assert any("binary" in n for n in rep.files[0].notes)
    assert "binary" in render_text(rep)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        triage([tmp_path / "nope.log"])
    assert "nope.log" in str(err.value)


# ---------------------------------------------------------------------------- CLI

def test_cli_text_exit_0(capsys):
    assert main(["triage", str(DEFAULT)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mxdoctor triage:") and "Rejections (5xx)" in out


def test_cli_json_exit_0(capsys):
    assert main(["triage", "--format", "json", "--timelines", str(FIXTURES / "haraka-protocol.log")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["transactions"] == 2 and data["recipients"]["rejected"] == 2
    rcpts = [r for t in data["timelines"] for r in t["recipients"]]
    assert [(r["address"], r["code"], r["basis"]) for r in rcpts] == [
        ("nobody@other.test", 550, "smtp_reply"), ("alice@example.com", 250, "smtp_reply"),
        ("nobody@other.test", 550, "smtp_reply")]


def test_cli_missing_file_exit_2(capsys, tmp_path):
    assert main(["triage", str(DEFAULT), str(tmp_path / "missing.log")]) == 2
    assert "missing.log" in capsys.readouterr().err


def test_cli_stdin(monkeypatch, capsys):
    import io
    import sys
    fake = io.TextIOWrapper(io.BytesIO(DEFAULT.read_bytes()))
    monkeypatch.setattr(sys, "stdin", fake)
    assert main(["triage", "--format", "json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["connections"] == 25


# ---------------------------------------------------------------------------- big files: prefilter and workers

def test_gelf_prefilter_counts_exactly_what_the_parser_would():
    path = FIXTURES / "haraka-wildduck-gelf.log"
    fast, full = triage([path]), triage([path], timelines=True)     # timelines parse every GELF line
    assert fast.kinds == full.kinds and fast.levels == full.levels and fast.files[0].formats == full.files[0].formats
    assert fast.kinds["plugin_line"] >= 33


def test_shard_batch_agrees_with_shard_of():
    from app.core.logs.shard import shard_batch, shard_of
    lines = [l for p in sorted(FIXTURES.glob("*.log")) for l in p.read_text().splitlines()]
    lines += ["", "x", "[INFO] [", "[INFO] [-] [core] x", '{"uuid":"ABCDEF01-2345-4678-9abc-def012345678.2"}']
    for shards in (2, 3, 4):
        picked = sorted(n for k in range(shards) for n in shard_batch(lines, 1, k, shards)[0])
        assert picked == list(range(1, len(lines) + 1))          # every line in exactly one shard
        for k in range(shards):
            numbers, mine = shard_batch(lines, 1, k, shards)
            assert all(shard_of(line, shards) == k for line in mine)
            assert all(lines[n - 1] == line for n, line in zip(numbers, mine))


def _replayed_log(tmp_path, copies: int) -> Path:
    """Fixture connections repeated with fresh UUIDs, interleaved in pairs, like a small busy server."""
    import random
    import re
    import uuid
    rng = random.Random(5)
    uuid_re = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
    blocks: dict[str, list[str]] = {}
    for line in (FIXTURES / "haraka-default.log").read_text().splitlines():
        m = uuid_re.search(line)
        blocks.setdefault(m.group(0) if m else "-", []).append(line)
    startup = blocks.pop("-")
    out = list(startup)
    for _ in range(copies):
        pair = []
        for old, lines in rng.sample(sorted(blocks.items()), 2):
            new = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
            pair.append([l.replace(old, new) for l in lines])
        for i in range(max(map(len, pair))):
            out += [block[i] for block in pair if i < len(block)]
    path = tmp_path / "replayed.log"
    path.write_text("\n".join(out) + "\n")
    return path


def test_workers_give_the_same_report_as_one_pass(tmp_path):
    """A plain file is cut into regions (connections crossing a cut are finished by the parent)."""
    from app.core.logs.regions import plan_regions
    path = _replayed_log(tmp_path, 300)
    single = triage([path], workers=1).to_dict()
    assert single["connections"] == 600 and single["transactions"] > 300
    for workers in (2, 3, 5):
        assert plan_regions(path, workers) is not None
        assert triage([path], workers=workers).to_dict() == single


def test_workers_on_a_compressed_file_split_by_connection(tmp_path):
    import gzip
    path = _replayed_log(tmp_path, 200)
    packed = tmp_path / "replayed.log.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    single = triage([path], workers=1).to_dict()
    from app.core.logs.regions import plan_regions
    assert plan_regions(packed, 2) is None          # cannot seek in it: split by connection instead
    for report in (triage([packed], workers=2).to_dict(), triage([packed], workers=1).to_dict()):
        report["files"][0]["name"] = str(path)
        for key in ("rejections", "deferrals", "crit", "timeouts", "load_errors", "loud"):
            for row in report[key]:
                row["examples"] = [e.replace(str(packed), str(path)) for e in row["examples"]]
        pws = report["wildduck"]["processed_without_store_examples"]
        report["wildduck"]["processed_without_store_examples"] = [e.replace(str(packed), str(path)) for e in pws]
        for key in ("haraka_startups", "versions"):       # they name the file of the start-up line
            report[key] = json.loads(json.dumps(report[key]).replace(str(packed), str(path)))
        assert report == single


def test_regions_without_connect_lines_and_when_deferral_overflows(tmp_path, monkeypatch):
    """No `connect` lines: every connection met past the first cut is deferred to the parent; too many
    deferred events make triage fall back to splitting by connection. Both agree with one pass."""
    import app.core.logs.transactions as transactions
    path = _replayed_log(tmp_path, 200)
    path.write_text("".join(l for l in path.read_text().splitlines(keepends=True) if "] connect ip=" not in l))
    single = triage([path], workers=1).to_dict()
    assert triage([path], workers=3).to_dict() == single
    import app.core.logs.parallel as triage_module
    calls = []
    sharded = triage_module._read_sharded
    monkeypatch.setattr(triage_module, "_read_sharded", lambda *a: calls.append(a) or sharded(*a))
    assert triage([path], workers=3).to_dict() == single and not calls
    monkeypatch.setattr(transactions, "MAX_DEFERRED_EVENTS", 10)
    assert triage([path], workers=3).to_dict() == single and len(calls) == 1


def test_two_files_in_one_report(tmp_path):
    a = triage([DEFAULT])
    both = triage([DEFAULT, FIXTURES / "haraka-json.log"])
    assert both.lines_read == a.lines_read + 121 and len(both.files) == 2
    assert both.connections == a.connections + 7


EHLO_DENIED_THEN_HELO = """\
[INFO] [AAAA1111-2222-3333-4444-555566667777] [core] connect ip=1.2.3.4 port=5555 local_ip=127.0.0.1 local_port=25
[INFO] [AAAA1111-2222-3333-4444-555566667777] [core] hook=ehlo plugin=helo.checks function=bare_ip params=1.2.3.4 retval=DENY msg="Invalid address format in HELO"
[INFO] [AAAA1111-2222-3333-4444-555566667777] [core] hook=helo plugin=helo.checks function=x params=mx.a.com retval=CONT msg=""
[INFO] [AAAA1111-2222-3333-4444-555566667777.1] [core] hook=mail plugin=mail_from.x function=x params="<a@a.com>" retval=OK msg=""
[NOTICE] [AAAA1111-2222-3333-4444-555566667777] [core] disconnect ip=1.2.3.4 rdns=x helo=mx.a.com relay=N early=N esmtp=N tls=N pipe=N errors=0 txns=1 rcpts=0/0/0 msgs=0/0/0 bytes=0 lr="" time=0.1
"""


def test_a_refusal_the_client_got_past_is_still_counted(tmp_path):
    """EHLO denied by helo.checks, then HELO accepted and a transaction began: the EHLO refusal is
    a rejection all the same (real Haraka 3.3.4 logs it as hook=ehlo ... retval=DENY)."""
    log = tmp_path / "haraka.log"
    log.write_text(EHLO_DENIED_THEN_HELO)
    rep = triage([str(log)])
    rows = [r for r in rep.rejections if r["stage"] == "ehlo"]
    assert len(rows) == 1 and rows[0]["plugin"] == "helo.checks" and rows[0]["count"] == 1
    assert rep.transactions == 1


def test_an_error_named_first_line_is_explained_not_skipped_as_a_frame(tmp_path):
    """'MongoError: ...' logged at WARN is the error itself; stack frames after it stay skipped."""
    log = tmp_path / "haraka.log"
    log.write_text("[WARN] [-] [wildduck] MongoError: connect ECONNREFUSED 127.0.0.1:27017\n"
                   "[WARN] [-] [wildduck]     at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n")
    explained = triage([str(log)], explain=True).to_dict()["explained"]
    texts = [row["text"] for row in explained]
    assert any(t.startswith("MongoError: connect ECONNREFUSED") for t in texts), texts
    assert not any(t.lstrip().startswith("at ") for t in texts), texts
