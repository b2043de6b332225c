"""The plain functions behind the app's pages (no Streamlit needed)."""
from __future__ import annotations

import io
import zipfile

import pytest

from app.core.diagnose import diagnose
from app.core.examples import example_files
from app.core.inputs import load_texts
from app.core.simulate import simulate


@pytest.fixture(scope="module")
def canonical():
    return diagnose(texts=list(example_files("canonical").items()))


# ------------------------------------------------------------------ hook table

def test_hook_table_marks_first_answerer_and_shadowed(canonical):
    from app.ui.pipeline_table import ANSWERS, SHADOWED, hook_table, table_records
    rows = {r.hook: r for r in hook_table(canonical.simulation)}
    rcpt = rows["rcpt"]
    assert [c.plugin for c in rcpt.cells] == ["rcpt_to.in_host_list", "wildduck"]
    assert [c.state for c in rcpt.cells] == [ANSWERS, SHADOWED]
    assert rows["queue"].cells[0].state == ANSWERS and rows["queue"].cells[0].plugin == "wildduck"
    assert all(c.state not in (ANSWERS, SHADOWED) for c in rows["data_post"].cells)
    hooks = list(rows)
    assert hooks.index("mail") < hooks.index("rcpt") < hooks.index("data_post") < hooks.index("queue")
    shown, states = table_records(list(rows.values()))
    assert len(shown) == len(states) == len(rows)
    i = [r["hook"] for r in shown].index("rcpt")
    assert shown[i]["1"] == "rcpt_to.in_host_list" and states[i]["2"] == SHADOWED


def test_hook_table_after_fix_has_wildduck_answering(canonical):
    from app.ui.pipeline_table import ANSWERS, hook_table
    fix = next(f.fix for f in canonical.findings if f.rule == "MXD101")
    files = {**example_files("canonical"), **fix.files}
    rows = {r.hook: r for r in hook_table(simulate(load_texts(list(files.items()))))}
    assert [(c.plugin, c.state) for c in rows["rcpt"].cells] == [("wildduck", ANSWERS)]


def test_priorities_are_labelled():
    from app.ui.pipeline_table import Cell
    assert Cell("karma", -5).label == "karma (-5)" and Cell("tls").label == "tls"


# ------------------------------------------------------------------ uploads

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_of_config_dir_diagnoses_like_the_files(canonical):
    from app.ui.uploads import unpack_uploads
    files = example_files("canonical")
    data = _zip({f"haraka/{k}": v.encode() for k, v in files.items()} | {"haraka/node_modules/x/a.js": b"x"})
    got = unpack_uploads([("haraka.zip", data)])
    assert sorted(n for n, _ in got.texts) == sorted(f"haraka/{k}" for k in files)
    assert any("node_modules" in s for s in got.skipped)
    d = diagnose(texts=got.texts)
    assert [f.rule for f in d.findings] == [f.rule for f in canonical.findings]


def test_zip_refuses_traversal_and_oversize(monkeypatch):
    import app.ui.uploads as up
    monkeypatch.setattr(up, "MAX_MEMBER_BYTES", 10)
    got = up.unpack_uploads([("x.zip", _zip({"../../etc/passwd": b"root", "config/plugins": b"wildduck",
                                            "config/big.ini": b"x" * 50}))])
    assert [n for n, _ in got.texts] == ["config/plugins"]
    assert any("unsafe" in s for s in got.skipped) and any("too large" in s for s in got.skipped)


def test_broken_zip_and_plain_files():
    from app.ui.uploads import unpack_uploads
    got = unpack_uploads([("bad.zip", b"PK\x03\x04garbage"), ("plugins", b"wildduck\n")])
    assert got.texts == [("plugins", b"wildduck\n")]
    assert got.skipped and got.skipped[0].startswith("zip:")


# ------------------------------------------------------------------ pastes, links, escaping

def test_example_split_for_form_gives_the_same_diagnosis(canonical):
    from app.ui.pastes import split_for_form
    plugins, other, logs = split_for_form(example_files("canonical"))
    assert plugins.startswith("# plugins") and "==> config/host_list <==" in other
    d = diagnose(texts=[("config/plugins", plugins), ("", other)], log_text=logs or None)
    assert [f.rule for f in d.findings] == [f.rule for f in canonical.findings]
    assert sorted(d.configset.files) == sorted(canonical.configset.files)


@pytest.mark.parametrize("target,expected", [
    ("note:rcpt-in-host-list", "knowledge?note=rcpt-in-host-list"),
    ("mxdoctor://rules/MXD101", "rules?rule=MXD101"),
    ("mxdoctor://plugins/rcpt_to.in_host_list", "rules?plugin=rcpt_to.in_host_list"),
    ("https://haraka.github.io/core/Plugins", "https://haraka.github.io/core/Plugins"),
    ("file:///srv/wiki/mail.md", None),
    ("javascript:alert(1)", None),
    ("mxdoctor://elsewhere/x", None),
])
def test_links(target, expected):
    from app.core.links import href
    assert href(target) == expected


def test_note_markdown_prefers_translation_and_refuses_paths():
    from app.core.links import note_markdown
    zh = note_markdown("rcpt-in-host-list", "zh")
    en = note_markdown("rcpt-in-host-list", "en")
    assert zh and en and zh[0] != en[0] and "---" not in en[1][:5]
    assert note_markdown("../../etc/passwd") is None and note_markdown("no-such-note") is None


def test_escape_md_neutralises_links_images_and_html():
    from app.ui.safe import escape_md, mask_key
    out = escape_md("![x](http://evil/p.png) [y](javascript:1) <script> $x$ :red[z]")
    for raw in ("![x](", "[y](", "<script>", "$x$", ":red["):
        assert raw not in out
    assert mask_key("sk-1234567890abcdef") == "sk-…cdef (19 characters)"
    assert mask_key(None) == "not set" and "1234" not in mask_key("12345")


# ------------------------------------------------------------------ rules, catalog, walk-through

def test_rule_and_plugin_search():
    from app.core.catalog import load_catalog
    from app.core.rules.loader import load_rules
    from app.ui.rule_search import filter_plugins, filter_rules
    rules = load_rules()
    assert [r.id for r in filter_rules(rules, "mxd101")] == ["MXD101"]
    hits = filter_rules(rules, "in_host_list wildduck")
    assert "MXD101" in [r.id for r in hits] and len(hits) < len(rules)
    assert all(r.severity == "info" for r in filter_rules(rules, "", ["info"]))
    assert filter_rules(rules, "no-such-word-anywhere") == []
    rows = filter_plugins(load_catalog(), "rcpt_to.in_host_list")
    assert rows and rows[0]["plugin"] == "rcpt_to.in_host_list" and "rcpt" in rows[0]["hooks"]


def test_walkthrough_broken_then_fixed():
    from app.ui.walkthrough import canonical_pair, flow_dot, flow_steps, outcome_text
    broken, fixed, files = canonical_pair()
    assert broken.outcome == "processed_not_stored" and fixed is not None and fixed.outcome == "stored"
    rcpt = next(s for s in flow_steps(broken) if s.hook == "rcpt")
    assert rcpt.answered_by == "rcpt_to.in_host_list" and rcpt.shadowed == ["wildduck"]
    assert next(s for s in flow_steps(fixed, "zh") if s.hook == "rcpt").answered_by == "wildduck"
    assert "收件人" in next(s for s in flow_steps(fixed, "zh") if s.hook == "rcpt").text
    dot = flow_dot(flow_steps(broken), broken.outcome)
    assert dot.startswith("digraph") and "skipped: wildduck" in dot
    assert outcome_text(broken, "zh") != outcome_text(broken, "en")


def test_flow_dot_quotes_labels():
    from app.ui.walkthrough import FlowStep, flow_dot
    dot = flow_dot([FlowStep(hook="rcpt", target='a"b@x', text="", answered_by="p")], "x")
    assert 'a\\"b@x' in dot


# ------------------------------------------------------------------ knowledge sources and status

def test_add_sources_validates_input(tmp_path):
    import yaml

    from app.ui.knowledge_sources import add_folder, add_uploaded, add_urls
    assert add_folder(str(tmp_path / "missing"), "", tmp_path)[0] is False
    assert add_folder(str(tmp_path), "ftp://x", tmp_path)[0] is False
    assert add_folder(str(tmp_path), "https://wiki.example.com/mail", tmp_path)[0] is True
    assert add_urls("https://example.com/a\nnot a url", tmp_path)[0] is False
    assert add_urls("https://example.com/a", tmp_path)[0] is True
    ok, _ = add_uploaded([("../../evil.md", b"# hi\n"), ("x.exe", b"MZ")], tmp_path)
    assert ok and (tmp_path / "uploads" / "evil.md").is_file() and not (tmp_path / "uploads" / "x.exe").exists()
    specs = yaml.safe_load((tmp_path / "sources.yaml").read_text())["sources"]
    assert [s["type"] for s in specs] == ["folder", "url", "folder"]


def test_index_status_of_an_empty_home(tmp_path):
    from app.retrieval.status import first_start_sources, index_status
    st = index_status(tmp_path, "hash-64")
    assert not st.ready and st.documents == 0 and st.last_ingest_text() == "never"
    assert [s["type"] for s in first_start_sources(tmp_path)] == ["kb"]


# ------------------------------------------------------------------ `mxdoctor app`

def test_app_command_serves_headless_on_loopback_without_telemetry():
    from app.cli import build_parser
    from app.cli.commands.app import MAIN, streamlit_command
    args = build_parser().parse_args(["app", "--port", "8999"])
    assert (args.port, args.address) == (8999, "127.0.0.1")
    cmd = streamlit_command(args.port, args.address)
    flags = dict(zip(cmd[5::2], cmd[6::2]))
    assert cmd[2:5] == ["streamlit", "run", str(MAIN)] and MAIN.is_file()
    assert flags["--server.headless"] == "true" and flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8999"


def test_app_command_indexes_kb_on_a_fresh_data_dir(tmp_path, monkeypatch, capsys):
    from app.cli.commands.app import prepare_index
    from app.retrieval.status import index_status
    monkeypatch.setenv("MXDOCTOR_EMBEDDING", "hash-64")
    prepare_index(tmp_path)
    assert index_status(tmp_path, "hash-64").ready
    assert "indexing the built-in knowledge base" in capsys.readouterr().err
    prepare_index(tmp_path)                                   # ready: nothing to do the second time
    assert "indexing" not in capsys.readouterr().err


def test_answer_markdown_strips_images_and_foreign_links():
    from app.ui.answer_markdown import answer_markdown
    md = answer_markdown("See [1] and [2]. ![t](http://evil/x.png?d=secret) [x](javascript:alert(1)) "
                         "[ok](https://haraka.github.io/)\n\n[r]: http://evil/\n\n```\n[1] stays\n```",
                         [{"n": 1, "url": "mxdoctor://rules/MXD101"}, {"n": 2, "url": "file:///srv/wiki/a.md"}])
    assert "[\\[1\\]](rules?rule=MXD101)" in md and "[2]" in md and "(file:" not in md
    assert "evil" not in md and "javascript" not in md and "![" not in md
    assert "[ok](https://haraka.github.io/)" in md and "[1] stays" in md


def test_no_pages_folder_beside_the_app_entry_point():
    """Streamlit takes a `pages/` folder beside the main script for an old-style page list: a
    browser that opened a page link first got that list, without the app's navigation and
    language switch. The pages live in app/ui/screens."""
    from pathlib import Path

    ui = Path(__file__).resolve().parent.parent / "app" / "ui"
    assert not (ui / "pages").exists() and (ui / "screens" / "diagnose.py").is_file()
