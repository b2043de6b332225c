"""Property tests: no parser or loader raises on arbitrary text or bytes.

Admins paste anything: half a log, a screenshot's OCR, a binary by mistake. The loaders must turn
all of it into files and Problems, never a traceback. The strategies mix plain random input with
text built from the characters that drive the parsers (brackets, `=`, `:`, `#`, newlines, NULs,
escape codes, BOMs, paste headers), so the interesting branches are reached, not only the
"unknown junk" one.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.inputs import load_paste, load_texts
from app.core.model import ConfigSet
from app.core.parsers.flat import list_values
from app.core.parsers.ini import parse_ini
from app.core.parsers.plugins_file import parse_plugins
from app.core.parsers.structured import parse_structured
from ingest.textio import clean_line, decode, to_lines

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
ALIASES = {"dkim_verify": "dkim", "dnsbl": "dns-list"}

TOKENS = ["\n", "\r\n", "\r", " ", "\t", "=", "[", "]", "[]", ":", ";", "#", "-", "{", "}", "\"", "'",
          "\\", "!", "&", "*", "?", "|", ">", "@", "%", ",", ".", "/", "0", "1", "3.5", "-7", "true",
          "main", "listen", "wildduck", "haraka-plugin-", "queue/", "dkim_verify", "mongo", "url",
          "==> config/plugins <==", "# file: x.ini", "$ cat dbs.toml", "--- a.yaml ---",
          "[INFO] [ABC] [core] ", "\x00", "\x1b[31m", "\ufeff", "\ufffd", "é", "中文", "\u2028"]
structured_text = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)
any_text = st.one_of(st.text(max_size=400), structured_text)
any_bytes = st.one_of(st.binary(max_size=400), any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                      any_text.map(lambda t: t.encode("utf-16", "surrogatepass")))
text_or_bytes = st.one_of(any_text, any_bytes)
FILE_NAMES = ["", "config/plugins", "config/smtp.ini", "config/host_list", "config/wildduck.yaml",
              "dbs.toml", "package.json", "haraka.log", "resolv.conf", "config/tls_cert.pem"]


@SETTINGS
@given(text_or_bytes)
def test_to_lines_and_decode_never_raise(data):
    lines, dec = to_lines(data)
    assert isinstance(lines, list) and all(isinstance(l, str) for l in lines)
    assert all("\n" not in l and "\x00" not in l for l in lines)
    assert decode(data).encoding


@SETTINGS
@given(any_text)
def test_clean_line_never_raises(line):
    cleaned = clean_line(line)
    assert "\x00" not in cleaned and not cleaned.endswith("\r")


@SETTINGS
@given(text_or_bytes)
def test_load_paste_never_raises(data):
    cs = load_paste(data, aliases=ALIASES)
    assert isinstance(cs, ConfigSet)
    for f in cs.files.values():
        assert isinstance(f.lines, list)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(FILE_NAMES), text_or_bytes), max_size=5))
def test_load_texts_never_raises(items):
    cs = load_texts(items, aliases=ALIASES)
    assert isinstance(cs, ConfigSet)


@SETTINGS
@given(st.lists(any_text, max_size=40))
def test_parse_ini_never_raises(lines):
    lines = [l for chunk in lines for l in to_lines(chunk)[0]]
    doc, problems = parse_ini(lines, "config/x.ini")
    assert "main" in doc.sections
    for (section, key), line in doc.lines.items():
        assert 1 <= line <= len(lines) and key in doc.sections[section]


@SETTINGS
@given(st.lists(any_text, max_size=40))
def test_parse_plugins_never_raises(lines):
    lines = [l for chunk in lines for l in to_lines(chunk)[0]]
    entries, problems = parse_plugins(lines, ALIASES)
    assert len(entries) == len(list_values(lines))
    for e in entries:
        assert lines[e.line - 1].strip() == e.raw and e.raw
        assert e.raw.endswith(e.name) or e.alias_of


@SETTINGS
@given(any_text, st.sampled_from(["yaml", "json", "toml"]))
def test_parse_structured_never_raises(text, kind):
    parsed, problems = parse_structured(kind, text, "f")
    assert parsed is None or not problems


@pytest.mark.parametrize("kind", ["yaml", "json", "toml"])
@pytest.mark.parametrize("depth", [10, 900, 3000])
def test_parse_structured_survives_deep_nesting(depth, kind):
    """Deep nesting hits Python's recursion limit inside the parsers: a Problem, not a crash."""
    text = ("a = " if kind == "toml" else "") + "[" * depth + "]" * depth
    parsed, problems = parse_structured(kind, text, "f")
    assert (parsed is not None) != bool(problems)
