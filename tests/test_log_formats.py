"""The log-format registry (app.core.logs.formats): one module per format, one place that detects it."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.core.logs import formats, group_transactions, parse_line, parse_lines
from app.core.logs.formats import detect
from app.core.triage import triage

FIXTURES = Path(__file__).parent / "fixtures" / "logs"


class Toy:
    """A made-up format, `TOY|LEVEL|UUID|ORIGIN|message`, registered only inside a test."""
    NAME = "toy"
    RANK = 99
    LEVEL_MARK = r"\bTOY\|(?:NOTICE|ERROR)\|"

    @staticmethod
    def claims(text: str) -> bool:
        return text.startswith("TOY|")

    @staticmethod
    def parse(text: str):
        parts = text.split("|", 4)
        return (parts[1], parts[2], parts[3], parts[4], None) if len(parts) == 5 else None


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setattr(formats, "FORMATS", [*formats.FORMATS, Toy])
    return Toy


UUID = "2F6A1C3D-8B9E-4D7F-A0B1-C2D3E4F5A601"
TOY_LINES = [
    f"TOY|NOTICE|{UUID}|core|connect ip=192.0.2.9 port=40000 local_ip=192.0.2.25 local_port=25",
    f"Nov 24 10:00:00 mx haraka[123]: TOY|NOTICE|{UUID}.1|core|sender <a@example.net> code=OK msg=\"\"",
    f"TOY|NOTICE|{UUID}.1|core|recipient <b@example.com> code=DENY msg=\"no such user\" sender=a@example.net",
    f"TOY|NOTICE|{UUID}.1|core|disconnect ip=192.0.2.9 rdns=x helo=x relay=N lr=\"550 no such user\" time=0.1",
]


def test_every_format_module_has_the_three_names_and_a_name_of_its_own():
    names = [fmt.NAME for fmt in formats.FORMATS]
    assert names == ["default", "json", "logfmt", "npmlog"] and len(set(names)) == len(names)
    assert all(callable(fmt.claims) and callable(fmt.parse) for fmt in formats.FORMATS)


@pytest.mark.parametrize("name, fmt", [("haraka-default.log", "default"), ("haraka-json.log", "json"),
                                       ("haraka-logfmt.log", "logfmt"), ("wildduck-npmlog.log", "npmlog")])
def test_each_fixture_is_claimed_by_its_own_format_only(name, fmt):
    lines = [l for l in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if l.strip()]
    claimed = [[f.NAME for f in formats.FORMATS if f.claims(l)] for l in lines]
    assert all(c in ([fmt], []) for c in claimed)           # never two formats for one line
    assert sum(c == [fmt] for c in claimed) > len(lines) // 2
    assert triage([FIXTURES / name]).files[0].formats == {fmt: sum(c == [fmt] for c in claimed)}


def test_detect_asks_the_formats_in_order_and_knows_no_syntax_itself(monkeypatch):
    line = "[INFO] [-] [core] hello"
    assert detect(line).NAME == "default" and detect("x " + line) is None
    greedy = type("Greedy", (Toy,), {"NAME": "greedy", "claims": staticmethod(lambda text: True)})
    monkeypatch.setattr(formats, "FORMATS", [greedy, *formats.FORMATS])
    assert detect(line) is greedy


def test_a_format_registered_at_test_time_is_read_everywhere(toy):
    """Registering a format is all it takes: the parser, the prefix stripper, the classifier, the
    transaction tracker and the triage's per-format counts pick it up."""
    ev = parse_line(TOY_LINES[2], 3, "toy.log")
    assert (ev.kind, ev.level, ev.uuid, ev.origin) == ("recipient", "NOTICE", f"{UUID}.1", "core")
    assert ev.fields["rcpt"] == "b@example.com" and ev.fields["code"] == "DENY"
    prefixed = parse_line(TOY_LINES[1], 2, "toy.log")      # a syslog prefix is peeled off up to the toy line
    assert (prefixed.kind, prefixed.timestamp) == ("sender", "Nov 24 10:00:00")
    assert prefixed.raw == TOY_LINES[1].partition(": ")[2]
    (txn,) = group_transactions(parse_lines(TOY_LINES, "toy.log"))
    assert (txn.mail_from, txn.outcome, txn.remote_ip) == ("a@example.net", "no_recipients", "192.0.2.9")
    assert [(r.address, r.outcome, r.code) for r in txn.recipients] == [("b@example.com", "rejected", 550)]
    report = triage([("toy.log", TOY_LINES + ["[INFO] [-] [core] hello"])])
    assert report.files[0].formats == {"toy": 4, "default": 1} and report.recipients["rejected"] == 1


def test_without_the_registration_the_toy_lines_are_just_text():
    assert parse_line(TOY_LINES[2]).kind == "other" and parse_line(TOY_LINES[2]).level is None


def test_a_paste_in_a_registered_format_is_taken_for_a_log(toy):
    """Block detection asks the registry too: a new format's lines are a log block, not config."""
    from app.core.inputs.blocks import detect_blocks
    blocks = detect_blocks(list(TOY_LINES))
    assert [b.kind for b in blocks] == ["log"]


def test_a_module_in_the_package_is_a_format_without_being_listed(tmp_path, monkeypatch):
    """Adding a format is one new module: the registry finds every module of its package."""
    import importlib
    import sys
    pkg = tmp_path / "toyformats"
    pkg.mkdir()
    (pkg / "__init__.py").write_text((Path(formats.__file__)).read_text(encoding="utf-8"), encoding="utf-8")
    for mod in Path(formats.__file__).parent.glob("haraka_*.py"):
        (pkg / mod.name).write_text(mod.read_text(encoding="utf-8"), encoding="utf-8")
    (pkg / "toy.py").write_text("NAME = 'toy'\nRANK = 5\nLEVEL_MARK = r'TOY\\|'\n"
                                "def claims(text):\n    return text.startswith('TOY|')\n"
                                "def parse(text):\n    return None\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = importlib.import_module("toyformats")
    try:
        assert [f.NAME for f in found.FORMATS] == ["toy", "default", "json", "logfmt"]
        assert found.detect("TOY|NOTICE|-|core|hello").NAME == "toy"
    finally:
        for name in [m for m in sys.modules if m == "toyformats" or m.startswith("toyformats.")]:
            del sys.modules[name]
