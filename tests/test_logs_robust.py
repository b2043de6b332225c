"""Bad input never raises out of the log parser: arbitrary text, arbitrary bytes, huge lines."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.logs import group_transactions, parse_line, parse_lines, read_log
from app.core.logs.parser import parse_event
from ingest.textio import MAX_LINE

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
REAL_LINES = [l for p in sorted(FIXTURES.glob("*.log")) for l in p.read_text(encoding="utf-8").splitlines()][::7]
SAMPLE = ('[NOTICE] [9846711B-0545-4F49-BE4D-0570D65FFF52.1] [core] recipient <nobody@other.test> code=OK '
          'msg="" sender=a@sender.test')

# real lines with random damage: something spliced in at a random place
damaged_lines = st.builds(lambda line, pos, junk: line[:pos % (len(line) + 1)] + junk + line[pos % (len(line) + 1):],
                          st.sampled_from(REAL_LINES), st.integers(0, 10_000), st.text(max_size=40))
any_line = st.one_of(st.text(max_size=300), damaged_lines,
                     st.sampled_from(REAL_LINES).map(lambda l: l[: len(l) // 2]))


@settings(max_examples=400, deadline=None)
@given(any_line)
def test_the_unguarded_parser_never_raises_on_any_text(line):
    # `parse_event` has no safety net: this finds real bugs instead of trusting parse_line's catch-all
    ev = parse_event(line, 1, "f")[0]
    assert ev is None or (isinstance(ev.kind, str) and isinstance(ev.fields, dict))
    if ev is not None:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in ev.fields.items())


@settings(max_examples=150, deadline=None)
@given(st.lists(any_line, max_size=30))
def test_parse_lines_and_grouping_never_raise(lines):
    events = list(parse_lines(lines, "f"))
    assert all(1 <= e.lineno <= len(lines) for e in events)
    group_transactions(events)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_read_log_never_raises_on_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "random.log"
    path.write_bytes(data)
    events = list(read_log(path))
    group_transactions(events)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(REAL_LINES), min_size=3, max_size=20), st.binary(max_size=50))
def test_real_lines_with_binary_garbage_still_parse(tmp_path, lines, garbage):
    path = tmp_path / "mixed.log"
    path.write_bytes(lines[0].encode() + b"\n" + garbage + b"\n" + "\n".join(lines[1:]).encode() + b"\n")
    events = list(read_log(path))
    assert sum(1 for e in events if e.level) >= sum(1 for l in lines if l.startswith(("[", "{", "level=")))


def test_encodings_and_line_endings(tmp_path):
    text = SAMPLE + "\n" + SAMPLE
    for name, data in {
        "crlf": text.replace("\n", "\r\n").encode(),
        "cr": text.replace("\n", "\r").encode(),
        "bom": codecs.BOM_UTF8 + text.encode(),
        "utf16": text.encode("utf-16"),
        "nul": text.replace("recipient", "recip\x00ient").encode(),
        "latin1": (text + "\n[INFO] [-] [core] caf\xe9").encode("latin-1"),
        "no_final_newline": text.encode(),
    }.items():
        path = tmp_path / f"{name}.log"
        path.write_bytes(data)
        events = list(read_log(path))
        kinds = [e.kind for e in events]
        assert kinds[:2] == ["recipient", "recipient"], name
        assert events[0].fields["rcpt"] == "nobody@other.test", name


def test_huge_lines_are_cut_and_following_lines_survive(tmp_path):
    path = tmp_path / "huge.log"
    with path.open("wb") as f:
        f.write(SAMPLE.encode() + b"\n")
        f.write(b"[INFO] [-] [core] " + b"x" * (3 * 1024 * 1024) + b"\n")     # 3 MB, longer than a chunk
        f.write(b"y" * (MAX_LINE + 10) + b"\n")
        f.write(SAMPLE.encode() + b"\n")
    events = list(read_log(path))
    assert [e.kind for e in events] == ["recipient", "other", "other", "recipient"]
    assert max(len(e.raw) for e in events) <= MAX_LINE
    assert events[-1].lineno == 4


def test_binary_file_yields_nothing(tmp_path):
    path = tmp_path / "core.dump"
    path.write_bytes(bytes(range(256)) * 64)
    assert list(read_log(path)) == []


def test_nul_blocks_left_by_a_crash_do_not_hide_the_log(tmp_path):
    path = tmp_path / "haraka.log"
    path.write_bytes(b"\x00" * 300 + b"\n" + (SAMPLE + "\n").encode() * 3)
    assert [e.kind for e in read_log(path)] == ["recipient"] * 3


def test_compressed_rotated_logs_are_read(tmp_path):
    import bz2
    import gzip
    import lzma
    data = (FIXTURES / "haraka-default.log").read_bytes()
    plain = [(e.kind, e.fields) for e in read_log(FIXTURES / "haraka-default.log")]
    for name, pack in (("a.log.1.gz", gzip.compress), ("a.log.bz2", bz2.compress), ("a.log.xz", lzma.compress)):
        path = tmp_path / name
        path.write_bytes(pack(data))
        assert [(e.kind, e.fields) for e in read_log(path)] == plain, name
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(data)[:3000])
    from app.core.logs import LineReader, open_log
    reader = LineReader(open_log(broken))
    lines = list(reader.lines())
    assert lines and data.decode().startswith("\n".join(lines[:-1]))
    assert any("stopped early" in n for n in reader.notes)


def test_parse_line_handles_non_string_garbage_gracefully():
    assert parse_line("", 1, "f") is None
    assert parse_line("\x1b[0m\r", 1, "f") is None
    assert parse_line("[INFO]", 1, "f").kind == "other"
    assert parse_line('{"level": 5}', 1, "f").kind == "other"
    assert parse_line('{"level":"INFO","message":{"a":[1,2]},"uuid":null}', 1, "f").kind == "other"
    assert parse_line("level=INFO uuid=- origin=core message=\"unterminated", 1, "f").level == "INFO"
    assert parse_line("[" * 100_000, 1, "f").kind == "other"
    assert parse_line('{"a":' * 5000, 1, "f").kind == "other"


PROTOCOL_LINES = (FIXTURES / "haraka-protocol.log").read_text(encoding="utf-8").splitlines()
UUID_IN_LINE = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}(\.\d+)?")
odd_uuids = st.sampled_from(["ABC", "ABC.x", "ABC.1", "ABC..", ".", "ABC.1.2", "", "-", "ABC.01", " "])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PROTOCOL_LINES + REAL_LINES), odd_uuids), max_size=40))
def test_grouping_survives_odd_uuids(pairs):
    """Transactions are keyed on the uuid text: whatever it holds, grouping and triage must not fail."""
    from app.core.triage import triage
    lines = [UUID_IN_LINE.sub(uuid, line) for line, uuid in pairs]
    group_transactions(parse_lines(lines, "f"))
    triage([("f", lines)], timelines=True)
    triage([("f", lines)])


def _region_lines(path, parts):
    from app.core.logs import LineReader
    from app.core.logs.regions import RangeReader, plan_regions
    regions = plan_regions(path, parts)
    if regions is None:
        return None
    numbered = []
    for r in regions:
        with RangeReader(path, r.start, r.end) as stream:
            lines = list(LineReader(stream, detect=r.start == 0).lines())
        numbered += list(enumerate(lines, r.first_line))
    return numbered


def test_regions_number_lines_like_one_reader(tmp_path):
    from app.core.logs import LineReader
    text = (FIXTURES / "haraka-default.log").read_bytes()
    for name, data in {"lf": text, "crlf": text.replace(b"\n", b"\r\n"), "bom": codecs.BOM_UTF8 + text,
                       "huge": text[:5000] + b"x" * (3 * 1024 * 1024) + b"\n" + text[5000:]}.items():
        path = tmp_path / f"{name}.log"
        path.write_bytes(data)
        with open(path, "rb") as f:
            whole = list(enumerate(LineReader(f).lines(), 1))
        cut = [_region_lines(path, parts) for parts in (2, 3, 7)]
        assert all(lines is None or lines == whole for lines in cut), name
        assert cut[0] == whole, name     # None only when two cuts would fall in one huge line


def test_regions_refuse_files_they_cannot_cut(tmp_path):
    import gzip

    from app.core.logs.regions import plan_regions
    text = (FIXTURES / "haraka-default.log").read_bytes()
    cases = {"lone_cr": text.replace(b"\n", b"\r", 200), "gz": gzip.compress(text),
             "utf16": text.decode().encode("utf-16"), "small": text[:1000]}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert plan_regions(path, 2) is None, name
