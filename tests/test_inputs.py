"""Inputs: how paths and pastes become a ConfigSet, and how much bad input they survive.

Each test feeds real-shaped input (what `tail -n +1`, an editor or a terminal produces) to the
real loaders and parsers and checks what an admin would expect to see: the file under the name
Haraka gives it, parsed the way haraka-config parses it, and a Problem (not a crash) when the
input is damaged.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.core.catalog import load_catalog
from app.core.errors import InputError
from app.core.inputs import load_paste, load_paths, load_texts
from app.core.inputs.classify import canonical_name, kind_for_content, kind_for_name, paste_hints
from app.core.kbfile import KbDataError
from app.core.parsers.ini import parse_ini, truthy
from app.core.parsers.plugins_file import parse_plugins
from ingest.textio import to_lines

ALIASES = {"dkim_verify": "dkim", "rcpt_to.qmail_deliverable": "qmail-deliverable", "dnsbl": "dns-list"}

PLUGINS = """# plugins for this Haraka, one per line
#
; a semicolon comment

tls
rcpt_to.in_host_list
  rspamd  
wildduck
"""

WILDDUCK_YAML = """redis:
    host: '127.0.0.1'
    db: 3
mongo:
    url: 'mongodb://127.0.0.1:27017/wildduck'
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
    return root


def names(cs) -> set[str]:
    return set(cs.files)


# --------------------------------------------------------------------------- load_paths

def test_haraka_install_dir(tmp_path):
    write(tmp_path, {
        "config/plugins": PLUGINS,
        "config/smtp.ini": "listen=[::0]:25\n",
        "config/host_list": "example.com\n",
        "config/wildduck.yaml": WILDDUCK_YAML,
        "config/relay_acl_allow": "10.0.0.0/8\n",
        "plugins/my_check.js": "exports.hook_rcpt = (next) => next()\n",
        "node_modules/haraka-plugin-x/config/plugins": "should_not_be_read\n",
        "queue/1700000000_1_0_123_abc_1_mx": "spooled message\n",
    })
    cs = load_paths([tmp_path])
    assert {"config/plugins", "config/smtp.ini", "config/host_list", "config/wildduck.yaml",
            "config/relay_acl_allow", "plugins/my_check.js"} <= names(cs)
    # node_modules is not read, only listed (which npm plugins are installed)
    assert not any("node_modules" in n and n != "node_modules/" or n.startswith("queue/") for n in names(cs))
    assert cs.files["node_modules/"].kind == "listing" and cs.files["node_modules/"].parsed == ["haraka-plugin-x"]
    assert [p.name for p in cs.plugins] == ["tls", "rcpt_to.in_host_list", "rspamd", "wildduck"]
    assert cs.files["config/smtp.ini"].kind == "ini"
    assert cs.files["config/host_list"].parsed == ["example.com"]
    assert cs.files["config/relay_acl_allow"].parsed == ["10.0.0.0/8"]
    assert cs.files["config/wildduck.yaml"].parsed["mongo"]["url"].endswith("/wildduck")


def test_config_dir(tmp_path):
    write(tmp_path / "config", {
        "plugins": PLUGINS,
        "smtp.ini": "[main]\nlisten=[::0]:25\n",
        "host_list": "example.com\n",
        "wildduck.yaml": WILDDUCK_YAML,
        "tls.ini": "key=tls_key.pem\n",
    })
    cs = load_paths([tmp_path / "config"])
    assert {"config/plugins", "config/smtp.ini", "config/host_list", "config/wildduck.yaml",
            "config/tls.ini"} <= names(cs)
    assert cs.plugins is not None and cs.plugins[-1].name == "wildduck"
    assert cs.ini("smtp.ini")["main"]["listen"] == "[::0]:25"


def test_config_dir_keeps_other_flat_files_as_haraka_config(tmp_path):
    """A flat file read from a config dir is the same Haraka file as when read via the install dir."""
    write(tmp_path / "config", {"plugins": "relay\nwildduck\n", "relay_acl_allow": "10.0.0.0/8\n192.0.2.0/24\n",
                                "wildduck.timeout": "45\n", "dkim/example.com/selector": "mx2024\n"})
    from_config_dir = load_paths([tmp_path / "config"])
    from_install_dir = load_paths([tmp_path])
    for cs in (from_install_dir, from_config_dir):
        assert cs.files["config/relay_acl_allow"].parsed == ["10.0.0.0/8", "192.0.2.0/24"]
        assert cs.files["config/wildduck.timeout"].parsed == ["45"]
    assert set(from_config_dir.files) == set(from_install_dir.files)


def test_single_files(tmp_path):
    write(tmp_path, {
        "etc/haraka/config/plugins": "wildduck\n",
        "srv/wildduck.yaml": WILDDUCK_YAML,
        "srv/docker-compose.yml": "services:\n  mongo:\n    image: mongo\n",
        "srv/dbs.toml": 'mongo = "mongodb://mongo:27017/wildduck"\n',
        "var/log/haraka.log": "[NOTICE] [-] [server] Listening on [::0]:25\n",
        "etc/resolv.conf": "nameserver 8.8.8.8\n",
    })
    cs = load_paths([tmp_path / p for p in ("etc/haraka/config/plugins", "srv/wildduck.yaml",
                                             "srv/docker-compose.yml", "srv/dbs.toml",
                                             "var/log/haraka.log", "etc/resolv.conf")])
    assert cs.files["config/plugins"].kind == "plugins"
    assert cs.files["config/wildduck.yaml"].kind == "yaml"
    assert cs.files["docker-compose.yml"].parsed["services"]["mongo"]["image"] == "mongo"
    assert cs.files["dbs.toml"].parsed["mongo"].startswith("mongodb://mongo")
    assert cs.files["haraka.log"].kind == "log"
    assert "resolv.conf" in cs.files
    assert cs.get("wildduck.yaml") is cs.files["config/wildduck.yaml"]


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        load_paths([tmp_path / "nope"])
    assert str(tmp_path / "nope") in str(err.value)
    with pytest.raises(InputError):
        load_paths([])


# --------------------------------------------------------------------------- load_paste

TAIL_PASTE = """==> config/plugins <==
# inbound
rcpt_to.in_host_list
wildduck

==> config/host_list <==
example.com

==> config/smtp.ini <==
[main]
listen=[::0]:25

==> config/wildduck.yaml <==
""" + WILDDUCK_YAML


def test_paste_with_tail_headers():
    cs = load_paste(TAIL_PASTE)
    assert names(cs) == {"config/plugins", "config/host_list", "config/smtp.ini", "config/wildduck.yaml"}
    assert [p.name for p in cs.plugins] == ["rcpt_to.in_host_list", "wildduck"]
    assert cs.files["config/plugins"].lines == ["# inbound", "rcpt_to.in_host_list", "wildduck"]
    assert cs.files["config/plugins"].origin == "paste (line 2)"
    assert cs.files["config/host_list"].parsed == ["example.com"]
    assert cs.ini("smtp.ini")["main"]["listen"] == "[::0]:25"
    assert cs.files["config/wildduck.yaml"].parsed["redis"]["db"] == 3
    assert cs.files["config/wildduck.yaml"].origin == "paste (line 14)"


def test_paste_with_file_markers():
    cs = load_paste("# file: config/plugins\ntls\nwildduck\n# file: host_list\nexample.com\n"
                    "// file: wildduck.yaml\n" + WILDDUCK_YAML)
    assert names(cs) == {"config/plugins", "config/host_list", "config/wildduck.yaml"}
    assert cs.plugin_names() == ["tls", "wildduck"]


def test_paste_keeps_text_before_the_first_header():
    cs = load_paste("Here is my setup, please help:\n$ cat config/plugins\ntls\nwildduck\n")
    assert cs.plugin_names() == ["tls", "wildduck"]
    assert any(f.lines == ["Here is my setup, please help:"] for f in cs.files.values())


@pytest.mark.parametrize("blob, name, kind", [
    ("tls\nrcpt_to.in_host_list\nwildduck\n", "config/plugins", "plugins"),
    ("[NOTICE] [9F79-1] [core] connect ip=192.0.2.1 port=1 local_ip=192.0.2.25 local_port=25\n"
     "[INFO] [-] [plugins] loading wildduck\n", "pasted.log", "log"),
    ("[main]\nlisten=[::0]:25\nnodes=cpus\n", "config/smtp.ini", "ini"),      # named by its keys
    (WILDDUCK_YAML, "config/wildduck.yaml", "yaml"),
    ("[main]\nfrobnicate=1\n", "pasted.ini", "ini"),                             # keys no shipped file has
    ("nameserver 8.8.8.8\n", "pasted.txt", "context"),
])
def test_nameless_paste_is_classified(blob, name, kind):
    cs = load_paste(blob)
    assert names(cs) == {name}
    assert cs.files[name].kind == kind


def test_two_nameless_texts_do_not_overwrite_each_other():
    cs = load_texts([("", "[INFO] [-] [plugins] loading tls\n"), ("", "[INFO] [-] [plugins] loading rspamd\n")])
    assert len(cs.files) == 2


@pytest.mark.parametrize("name, kind", [
    ("plugins", "plugins"), ("config/plugins", "plugins"), ("smtp.ini", "ini"),
    ("config/wildduck.yaml", "yaml"), ("docker-compose.yml", "yaml"), ("dbs.toml", "toml"),
    ("package.json", "json"), ("haraka.log", "log"), ("maillog", "log"), ("tls_cert.pem", "pem"),
    ("host_list", "list"), ("config/relay_acl_allow", "list"), ("README", None),
])
def test_kind_for_name(name, kind):
    assert kind_for_name(name) == kind


@pytest.mark.parametrize("name, kind, canonical", [
    ("./config/plugins", "plugins", "config/plugins"),
    ("/etc/haraka/config/smtp.ini", "ini", "config/smtp.ini"),
    ("smtp.ini", "ini", "config/smtp.ini"),
    ("wildduck.yaml", "yaml", "config/wildduck.yaml"),
    ("docker-compose.yml", "yaml", "docker-compose.yml"),
    ("C:\\haraka\\config\\tls.ini", "ini", "config/tls.ini"),
    ("var/log/haraka.log", "log", "var/log/haraka.log"),
])
def test_canonical_name(name, kind, canonical):
    assert canonical_name(name, kind) == canonical


def test_kind_for_content_on_empty_and_blank_input():
    assert kind_for_content([]) == "context"
    assert kind_for_content(["", "   "]) == "context"


def test_paste_hints_name_plugins_and_files_the_catalog_knows():
    hints, catalog = paste_hints(), load_catalog()
    assert hints.plugin_names <= set(catalog.plugins) | set(catalog.aliases)
    assert hints.config_files <= catalog.known_config_files()
    assert kind_for_content(["tarpit", "queue/whatever"]) == "plugins"      # by its prefix
    assert kind_for_content(["tarpit", "attachment"]) == "context"          # catalog names, but not common ones


def test_a_slip_in_the_paste_hints_names_the_file_and_the_key(tmp_path, monkeypatch):
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "paste-hints.yaml").write_text(
        "plugin_names: [tls]\nplugin_prefixes: queue/\nconfig_files: [wildduck.yaml]\nplugin_name: [x]\n")
    monkeypatch.setenv("MXDOCTOR_KB", str(tmp_path))
    with pytest.raises(KbDataError) as err:
        kind_for_content(["tls"])
    assert "paste-hints.yaml" in str(err.value)
    assert "plugin_prefixes: Input should be a valid tuple" in str(err.value)
    assert "plugin_name: unknown key (did you mean `plugin_names`?)" in str(err.value)


# --------------------------------------------------------------------------- plugins parser

def test_plugins_parser_comments_blanks_whitespace():
    entries, problems = parse_plugins(PLUGINS.splitlines(), ALIASES)
    assert [(e.name, e.line) for e in entries] == [("tls", 5), ("rcpt_to.in_host_list", 6),
                                                   ("rspamd", 7), ("wildduck", 8)]
    assert problems == []


def test_plugins_parser_prefix_queue_paths_duplicates_and_aliases():
    lines = ["haraka-plugin-rspamd", "queue/smtp_forward", "dkim_verify", "rcpt_to.qmail_deliverable",
             "wildduck", "haraka-plugin-wildduck"]
    entries, _ = parse_plugins(lines, ALIASES)
    assert [e.name for e in entries] == ["rspamd", "queue/smtp_forward", "dkim", "qmail-deliverable",
                                         "wildduck", "wildduck"]
    assert entries[0].raw == "haraka-plugin-rspamd"
    assert entries[2].alias_of == "dkim_verify" and entries[3].alias_of == "rcpt_to.qmail_deliverable"
    assert [e.duplicate for e in entries] == [False, False, False, False, False, True]


def test_plugins_parser_uses_the_catalog_aliases():
    """Haraka 3.3.4 rewrites dkim_verify to dkim; the shipped catalog must say so too."""
    cs = load_paste("==> config/plugins <==\ndkim_verify\nwildduck\n")
    assert cs.plugins[0].name == "dkim" and cs.plugins[0].alias_of == "dkim_verify"
    assert load_catalog().aliases.get("dkim_verify") == "dkim"


def test_plugins_parser_flags_inline_comments():
    entries, problems = parse_plugins(["tls", "rspamd  # spam filter", "wildduck"], ALIASES, "config/plugins")
    assert entries[1].name == "rspamd  # spam filter"      # Haraka keeps the whole line too
    assert [(p.file, p.line) for p in problems] == [("config/plugins", 2)]


# --------------------------------------------------------------------------- ini parser

INI = """; comment
# hash comment
top=1
[main]
listen=[::0]:25
nodes=cpus
inactivity_timeout=300
ratio=0.5
neg=-3
flag
empty=
hosts[] =
hosts[] = 192.0.2.4
zones[]=a.example
zones[]=b.example
long=first \\
  second
[relay]
acl=true
"""


def test_ini_parser_matches_haraka_config():
    """Expected values were read from haraka-config 1.x (Haraka 3.3.4) on the same text."""
    doc, problems = parse_ini(INI.splitlines(), "config/t.ini")
    main = doc.sections["main"]
    assert problems == []
    assert main["top"] == 1 and main["inactivity_timeout"] == 300 and main["neg"] == -3
    assert main["ratio"] == 0.5 and main["listen"] == "[::0]:25" and main["nodes"] == "cpus"
    assert main["empty"] == "" and "flag" in main and main["flag"] is None
    assert main["hosts"] == ["", "192.0.2.4"] and main["zones"] == ["a.example", "b.example"]
    assert main["long"] == "first   second"
    assert doc.sections["relay"] == {"acl": "true"} and truthy(doc.sections["relay"]["acl"])
    assert doc.lines[("main", "listen")] == 5 and doc.lines[("main", "long")] == 16
    assert doc.section_lines["relay"] == 18


def test_ini_parser_reports_bad_lines_and_keeps_going():
    doc, problems = parse_ini(["[main]", "listen=[::0]:25", "this is not ini!", "nodes=2"], "config/smtp.ini")
    assert doc.sections["main"] == {"listen": "[::0]:25", "nodes": 2}
    assert [(p.file, p.line) for p in problems] == [("config/smtp.ini", 3)]


# --------------------------------------------------------------------------- bad input

def test_binary_data_is_skipped_with_a_problem():
    cs = load_paste(bytes(range(256)) * 40)
    assert cs.files == {}
    assert any("binary" in p.message for p in cs.problems)


def test_binary_file_in_a_dir_does_not_hide_the_others(tmp_path):
    write(tmp_path / "config", {"plugins": "wildduck\n", "dkim.key.der": b"\x30\x82\x01\x0a\x00\x00" * 200})
    cs = load_paths([tmp_path / "config"])
    assert cs.plugin_names() == ["wildduck"]
    assert any("binary" in p.message for p in cs.problems)


def test_invalid_utf8_is_replaced_and_reported():
    cs = load_texts([("config/plugins", b"tls\nwild\xc3duck\n\xff\xferspamd\nwildduck\n")])
    assert "wildduck" in cs.plugin_names() and "tls" in cs.plugin_names()
    assert any("undecodable" in p.message for p in cs.problems)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_and_without_bom(encoding):
    cs = load_texts([("config/plugins", "tls\r\nrcpt_to.in_host_list\r\nwildduck\r\n".encode(encoding))])
    assert cs.plugin_names() == ["tls", "rcpt_to.in_host_list", "wildduck"]


def test_crlf_bom_nul_and_ansi_are_cleaned():
    data = b"\xef\xbb\xbf\x1b[32mtls\x1b[0m\r\nwild\x00duck\r\n\x1b[1;31mrspamd\x1b[0m\r"
    lines, dec = to_lines(data)
    assert lines == ["tls", "wildduck", "rspamd"]
    assert load_texts([("config/plugins", data)]).plugin_names() == ["tls", "wildduck", "rspamd"]


def test_a_five_megabyte_line_is_cut_not_fatal():
    data = b"[main]\nlisten=[::0]:25\nblob=" + b"x" * 5_000_000 + b"\nnodes=2\n"
    cs = load_texts([("config/smtp.ini", data)])
    main = cs.ini("smtp.ini")["main"]
    assert main["listen"] == "[::0]:25" and main["nodes"] == 2
    assert len(main["blob"]) < 100_000
    assert any("cut" in p.message for p in cs.problems)


def test_fifty_megabyte_paste_finishes_in_bounded_time():
    line = b"[INFO] [AB12CD34-0000-4000-8000-000000000001.1] [core]  hook=rcpt plugin=wildduck " \
           b"function=hook_rcpt params=<alice@example.com> retval=OK msg=\"\"\n"
    blob = line * (50_000_000 // len(line) + 1)
    start = time.monotonic()
    cs = load_paste(blob)
    assert time.monotonic() - start < 20
    assert [f.kind for f in cs.files.values()] == ["log"]


def test_malformed_yaml_toml_and_ini_name_file_and_line():
    cs = load_paste("==> config/plugins <==\ntls\nwildduck\n\n"
                    "==> config/wildduck.yaml <==\nmongo:\n  url: [unclosed\nredis:\n  db: 3\n\n"
                    "==> dbs.toml <==\n# main db\nmongo = \n\n"
                    "==> config/smtp.ini <==\n[main]\nlisten=[::0]:25\n!!! not ini\n")
    by_file = {p.file: p for p in cs.problems}
    assert by_file["config/wildduck.yaml"].line in (2, 3, 4) and "YAML" in by_file["config/wildduck.yaml"].message
    assert by_file["dbs.toml"].line == 2 and "TOML" in by_file["dbs.toml"].message
    assert by_file["config/smtp.ini"].line == 3
    assert cs.plugin_names() == ["tls", "wildduck"]                     # the rest is still parsed
    assert cs.ini("smtp.ini")["main"]["listen"] == "[::0]:25"
    assert cs.files["config/wildduck.yaml"].parsed is None


def test_malformed_json_names_the_line():
    cs = load_texts([("package.json", '{\n  "name": "haraka",\n  "dependencies": {\n}\n,}\n')])
    assert [(p.file, p.line) for p in cs.problems] == [("package.json", 5)]


# --------------------------------------------------------------------------- CLI

def test_cli_missing_path_exits_2_with_one_line(capsys, tmp_path):
    missing = tmp_path / "no-such-haraka"
    assert cli_main(["check", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(missing) in err


def test_cli_missing_log_exits_2_with_one_line(capsys, tmp_path):
    write(tmp_path / "config", {"plugins": "wildduck\n"})
    assert cli_main(["check", str(tmp_path / "config"), "--logs", str(tmp_path / "haraka.log")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "haraka.log" in err
