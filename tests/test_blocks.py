"""Pastes without `==> name <==` headers: cut into files and named by content (app/core/inputs/blocks.py),
with the names of the files Haraka, its plugins and WildDuck ship (kb/config-shapes.yaml)."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.core.diagnose import diagnose
from app.core.inputs import load_paste
from app.core.inputs.blocks import detect_blocks
from app.core.inputs.shapes import shipped_shapes

CANONICAL = Path(__file__).resolve().parent.parent / "kb" / "examples" / "canonical" / "config"


def test_shapes_come_from_the_real_packages():
    shapes = shipped_shapes()
    assert {"smtp.ini", "tls.ini", "connection.ini", "wildduck.yaml", "dbs.toml", "spf.ini"} <= set(shapes)
    assert "listen" in shapes["smtp.ini"]["sections"]["main"]
    assert "url" in shapes["wildduck.yaml"]["sections"]["mongo"]
    assert shapes["wildduck.yaml"]["package"] == "haraka-plugin-wildduck"


def test_several_files_in_one_box_are_told_apart():
    text = ("example.com\nexample.org\n\nredis:\n    host: 127.0.0.1\n\nmongo:\n    url: mongodb://127.0.0.1/wildduck\n"
            "\n[main]\nlisten=[::0]:25\nnodes=cpus\n\nkey=/etc/haraka/tls/key.pem\ncert=/etc/haraka/tls/cert.pem\n"
            "\ntls\nspf\nrcpt_to.in_host_list\nwildduck\n")
    blocks = detect_blocks(text.split("\n"))
    assert [(b.name, b.start, b.end) for b in blocks] == [
        ("config/host_list", 1, 2), ("config/wildduck.yaml", 4, 8), ("config/smtp.ini", 10, 12),
        ("config/tls.ini", 14, 15), ("config/plugins", 17, 20)]
    assert all(b.reason for b in blocks)
    assert "domain" in blocks[0].reason and "listen" in blocks[2].reason


def test_a_blank_line_inside_one_file_does_not_split_it():
    yaml_text = (CANONICAL / "wildduck.yaml").read_text(encoding="utf-8")
    ini = "[main]\nlisten=[::0]:25\n\nnodes=cpus\n"
    assert len(detect_blocks(yaml_text.split("\n"))) == 1
    assert [b.name for b in detect_blocks(ini.split("\n"))] == ["config/smtp.ini"]


@pytest.mark.parametrize("text, name", [
    ("10.0.0.0/8\n192.168.1.5\n", "config/relay_acl_allow"),
    ('mongo = "mongodb://127.0.0.1:27017/wildduck"\nsender = "zone-mta"\n', "dbs.toml"),
    ("services:\n  mongo:\n    image: mongo\n", "docker-compose.yml"),
    ("just some words about my server\n", "pasted.txt"),
])
def test_other_shapes(text, name):
    assert [b.name for b in detect_blocks(text.split("\n"))] == [name]


def test_the_canonical_bug_is_found_from_headerless_blocks():
    """The first journey: plugins in their box, host_list and wildduck.yaml pasted together without
    headers in the other box: the same error as from the config dir, with each block's reading."""
    other = (CANONICAL / "host_list").read_text() + "\n" + (CANONICAL / "wildduck.yaml").read_text()
    d = diagnose(texts=[("config/plugins", (CANONICAL / "plugins").read_text()), ("", other)])
    assert "MXD101" in [f.rule for f in d.findings]
    mxd101 = next(f for f in d.findings if f.rule == "MXD101")
    assert mxd101.confirmed                       # host_list was given, so nothing is assumed
    assert d.configset.files["config/host_list"].taken_as
    assert d.configset.files["config/wildduck.yaml"].origin.startswith("paste (lines")


def test_headers_still_win_and_a_preamble_is_kept():
    cs = load_paste("my files:\n==> config/host_list <==\nexample.com\n")
    assert "config/host_list" in cs.files and any(f.lines == ["my files:"] for f in cs.files.values())


def test_files_pasted_with_no_blank_line_between_them_are_still_two():
    """host_list ends with a newline, so pasting wildduck.yaml after it leaves no blank line."""
    text = (CANONICAL / "host_list").read_text() + (CANONICAL / "wildduck.yaml").read_text()
    blocks = detect_blocks(text.split("\n"))
    assert [b.name for b in blocks] == ["config/host_list", "config/wildduck.yaml"]
    d = diagnose(texts=[("config/plugins", (CANONICAL / "plugins").read_text()), ("", text)])
    assert not [p for p in d.problems if "could not parse" in p.message]
    assert next(f for f in d.findings if f.rule == "MXD101").confirmed
