"""The Streamlit app's main flows, run headless with streamlit.testing (AppTest).

The index uses the `hash-64` plumbing embedding in a temporary data dir, built once by the
first test through the app's own first-start indexing (so that path is tested too).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from app.core.examples import example_files  # noqa: E402

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "ui" / "main.py")
LOGS = Path(__file__).resolve().parent / "fixtures" / "logs" / "haraka-default.log"
TIMEOUT = 120


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    h = tmp_path_factory.mktemp("mxdoctor-home")
    mp.setenv("MXDOCTOR_HOME", str(h))
    mp.setenv("MXDOCTOR_EMBEDDING", "hash-64")
    mp.setenv("MXDOCTOR_APP_ADDRESS", "127.0.0.1")     # a local app (AppTest gives Streamlit no address)
    mp.delenv("MXDOCTOR_LLM_BACKEND", raising=False)
    mp.delenv("CHROMA_HOST", raising=False)
    yield h
    mp.undo()


def app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(f"screens/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [c.value for c in at.code]
    return "\n".join(parts)


def test_first_start_indexes_the_kb_with_visible_progress(home):
    from app.retrieval.status import index_status
    assert not index_status(home, "hash-64").ready
    at = app()
    statuses = at.get("status")
    assert statuses and "Indexing" in statuses[0].proto.label
    assert at.get("progress")
    st = index_status(home, "hash-64")
    assert st.ready and st.documents > 100
    at.run()                        # the next run does not index again
    assert not at.get("status")


def test_paste_plugins_gives_findings_with_fix_and_citations(home):
    files = example_files("canonical")
    at = app()
    at.text_area(key="in_plugins").set_value(files["config/plugins"])
    at.text_area(key="in_other").set_value("==> config/host_list <==\nexample.com\n")
    at.button(key="btn_run").click().run()
    assert not at.exception
    body = texts(at)
    assert "MXD101" in body and "ERROR" in body
    assert "config/plugins:22: rcpt_to.in_host_list" in body                 # evidence with file:line
    diff = next(c.value for c in at.code if c.language == "diff")
    assert "-rcpt_to.in_host_list" in diff
    assert re.search(r"\[1\]\*\* \[MXD101.*\]\(rules\?rule=MXD101\)", body)  # cited passage, linked
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download fixed config/plugins" in labels
    assert {"Markdown (wiki)", "JSON", "SARIF"} <= set(labels)


def test_example_button_fills_in_and_shows_pipeline(home):
    at = app()
    at.button(key="btn_example").click().run()
    assert at.text_area(key="in_plugins").value.startswith("# plugins")
    assert "==> config/host_list <==" in at.text_area(key="in_other").value
    assert "MXD101" in texts(at)
    table = at.dataframe[0].value
    assert list(table.loc["rcpt"].iloc[:2]) == ["rcpt_to.in_host_list", "wildduck"]
    body = texts(at)
    assert "Haraka accepts the mail, but WildDuck never stores it" in body     # the outcome in words
    assert "processed_not_stored" not in body                                   # never the identifier


def test_upload_zip_of_config_dir(home):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in example_files("canonical").items():
            zf.writestr(f"myhost/{name}", text)
    at = app()
    at.file_uploader(key="uploader-0").set_value(("config.zip", buf.getvalue(), "application/zip")).run()
    at.button(key="btn_run").click().run()
    assert not at.exception
    assert "MXD101" in texts(at) and "5 file(s)" in texts(at)
    # taken: spooled to this browser's dir on disk, none of it kept in memory, a fresh uploader
    spooled = at.session_state["uploads"]
    assert len(spooled) == 5 and all(Path(path).is_file() and Path(path).parent.parent.name == "spool"
                                     for _, path in spooled)
    assert at.file_uploader(key="uploader-1").value in (None, [])
    assert at.session_state["upload_bytes"] == len(buf.getvalue())


def test_an_upload_over_the_session_cap_is_not_read(home, monkeypatch):
    monkeypatch.setenv("MXDOCTOR_UPLOAD_MB", "1")
    at = app()
    big = b"[INFO] [-] [core] a line of a big log\n" * 60_000            # 2.2 MB
    at.file_uploader(key="uploader-0").set_value(("haraka.log", big, "text/plain")).run()
    assert not at.exception
    assert "2,280,000 bytes would go over this session's upload cap of 1 MB" in texts(at)
    assert not at.session_state["upload_logs"] and at.session_state["upload_bytes"] == 0
    small = b"[INFO] [-] [core] a line\n" * 100
    at.file_uploader(key="uploader-1").set_value(("small.log", small, "text/plain")).run()
    assert len(at.session_state["upload_logs"]) == 1 and at.session_state["upload_bytes"] == len(small)


def test_a_diagnosis_over_its_budget_is_stopped_with_a_message(home, monkeypatch):
    monkeypatch.setenv("MXDOCTOR_DIAGNOSE_MB", "8")
    at = app()
    log = LOGS.read_bytes() * (12_000_000 // len(LOGS.read_bytes()))         # 12 MB: ~80,000 events
    at.file_uploader(key="uploader-0").set_value(("haraka.log", log, "text/plain")).run()
    at.button(key="btn_run").click().run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]          # shown escaped (MXDOCTOR\\_DIAGNOSE\\_MB)
    assert any("went over its memory budget of 8 MB" in e and "MXDOCTOR_DIAGNOSE_MB" in e for e in errors), errors
    monkeypatch.setenv("MXDOCTOR_DIAGNOSE_MB", "1024")
    at.button(key="btn_run").click().run()
    assert not at.error and "log line(s)" in texts(at)


def test_logs_give_a_timeline_per_transaction(home):
    at = app()
    at.text_area(key="in_logs").set_value(LOGS.read_text(encoding="utf-8"))
    at.button(key="btn_run").click().run()
    assert not at.exception
    frames = [f.value for f in at.dataframe]
    explained = next(f for f in frames if "printed by" in f.columns)      # every loud line, explained
    assert len(explained) > 0 and explained["printed by"].str.len().min() > 0
    assert explained["source line"].str.startswith("https://github.com/").any()
    txns = next(f for f in frames if "uuid" in f.columns)
    assert len(txns) > 3 and {"uuid", "outcome"} <= set(txns.columns)
    pick = at.selectbox(key="tl_pick")
    pick.set_value(2).run()
    events = next(f.value for f in at.dataframe if "text" in f.value.columns)
    assert len(events) > 0 and {"text", "explained"} <= set(events.columns)


def test_pasted_markup_is_never_rendered(home):
    evil = "![x](http://evil.example/p.png)\n[click](javascript:alert(1))\n<img src=x onerror=alert(1)>\nwildduck\n"
    at = app()
    at.text_area(key="in_plugins").set_value(evil)
    at.button(key="btn_run").click().run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert any("evil" in v for v in shown)                 # the text is shown ...
    for v in shown:                                         # ... but only escaped, so never as markup
        assert not re.search(r"(?<!\\)\]\((?:http://evil|javascript)", v), v
        assert not re.search(r"(?<!\\)<img", v), v


def test_no_raw_html_in_the_ui_code():
    ui = Path(MAIN).parent
    for path in ui.rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in src and "st.html(" not in src, path


def test_context_survives_a_trip_to_another_page(home):
    at = app()
    at.text_area(key="in_plugins").set_value("wildduck\n")
    at.button(key="btn_run").click().run()
    at.switch_page("screens/rules.py").run()
    at.switch_page("screens/diagnose.py").run()
    assert at.text_area(key="in_plugins").value == "wildduck\n"
    assert at.session_state["diagnosis"] is not None


def test_knowledge_ingest_a_folder_then_search_it(home, tmp_path):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "mx-runbook.md").write_text("# Our MX runbook\n\nThe zorblatt relay handles overflow mail.\n")
    at = app("knowledge")
    assert int(str(at.metric[1].value)) > 100
    at.text_input(key="kb_folder").set_value(str(wiki))
    at.text_input(key="kb_base").set_value("https://wiki.example.com/mail")
    at.button(key="kb_add_folder").click().run()
    assert any("added folder" in s.value for s in at.success)
    at.button(key="kb_reindex").click().run()
    assert not at.exception
    at.text_input(key="kb_query").set_value("zorblatt overflow").run()
    assert "Our MX runbook" in texts(at)
    assert "https://wiki.example.com/mail/mx-runbook" in texts(at)


def test_note_link_opens_the_note(home):
    at = app("knowledge", note="rcpt-in-host-list")
    assert at.title[0].value.startswith("rcpt_to.in_host_list")


def test_rules_page_search_and_deep_link(home):
    at = app("rules")
    at.text_input(key="rule_query").set_value("MXD101").run()
    assert [e.label for e in at.expander if "MXD" in e.label] == [
        next(e.label for e in at.expander if e.label.startswith("🔴 MXD101"))]
    assert any("canonical" in m.value for m in at.markdown)            # a fail example is shown
    at.text_input(key="plugin_query").set_value("in_host_list").run()
    plugins = at.dataframe[0].value
    assert "rcpt_to.in_host_list" in list(plugins["plugin"])
    assert len(at.get("graphviz_chart")) == 2                          # broken and fixed walk-throughs
    deep = app("rules", rule="MXD103")
    assert any(e.label.startswith("🔴 MXD103") for e in deep.expander)


def test_chinese_ui(home):
    at = app()
    assert at.radio(key="lang").options == ["English", "中文"]
    at.radio(key="lang").set_value("zh").run()
    assert at.title[0].value == "诊断 Haraka + WildDuck 配置"
    at.switch_page("screens/rules.py").run()
    assert any(tab.label == "邮件如何流转" for tab in at.tabs)
    assert any("收件人" in c.value for c in at.caption)     # walk-through prose in Chinese


def test_the_language_survives_a_reload_and_travels_with_links(home):
    at = app(lang="zh")                                   # a reload of a Chinese page, or a link from one
    assert at.title[0].value == "诊断 Haraka + WildDuck 配置"
    at.button(key="btn_example").click().run()
    assert "(rules?rule=MXD101&lang=zh)" in texts(at)          # a citation opens the rule page in Chinese
    at.radio(key="lang").set_value("en").run()
    assert "lang" not in at.query_params and at.title[0].value != "诊断 Haraka + WildDuck 配置"


def test_language_switch_changes_the_findings_too(home):
    at = app()
    at.button(key="btn_example").click().run()
    assert "accepts recipients before wildduck can resolve them" in texts(at)
    at.radio(key="lang").set_value("zh").run()
    body = texts(at)
    assert "Haraka 接收了邮件，但 WildDuck 从未存储它" in body                # the verdict
    assert "抢在 wildduck 解析之前就接受了收件人" in body                         # the cause card's rule words
    assert "accepts recipients before wildduck can resolve them" not in body
    deep = app("rules", rule="MXD101")
    deep.radio(key="lang").set_value("zh").run()
    assert any("抢在 wildduck 解析之前" in e.label for e in deep.expander)   # rule pages follow too


def test_settings_apply_llm_backend_without_showing_the_key(home, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop1234")
    monkeypatch.setenv("MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT", "1")     # the operator lets sessions pick one
    at = app("settings")
    assert "sk-test-abcdefghijklmnop1234" not in str(at.text_input(key="set_key_shown").value)
    at.selectbox(key="set_backend").set_value("openai").run()
    at.text_input(key="set_base_url").set_value("http://127.0.0.1:9/v1")
    at.text_input(key="set_model").set_value("tiny")
    at.button(key="set_apply").click().run()
    assert not at.exception
    llm = at.session_state["llm"]
    assert (llm.backend, llm.base_url, llm.model) == ("openai", "http://127.0.0.1:9/v1", "tiny")
    for el in list(at.markdown) + list(at.code) + list(at.caption):
        assert "abcdefghijklmnop" not in el.value


def _ask(at: AppTest, question: str) -> AppTest:
    at.switch_page("screens/ask.py").run()
    at.chat_input(key="ask_input").set_value(question).run()
    assert not at.exception, at.exception
    return at


def test_ask_gives_findings_first_with_numbered_linked_sources(home):
    at = app()
    at.button(key="btn_example").click().run()
    _ask(at, "Haraka says 250 Message processed but nothing reaches the mailbox. Why?")
    assert any("LLM: none" in c.value for c in at.caption)
    assert any("Context from the Diagnose page: 5 file(s)" in c.value for c in at.caption)
    reply = at.chat_message[1]
    body = reply.markdown[0].value
    assert body.startswith("**Haraka accepts the mail, but WildDuck never stores it")   # the headline first
    assert body.index("MXD101") < body.index("[\\[1\\]](")              # the finding leads, then citations
    assert re.search(r"\[\\\[\d+\\\]\]\((rules|knowledge)\?", body)      # [n] links to its source
    cards = [m.value for m in reply.markdown[1:]]
    assert any("](rules?rule=MXD101)" in c for c in cards)                 # sources as cards, linked
    assert not reply.expander                                               # nothing sent to an LLM: no such box
    assert len(at.session_state["chat"]) == 2


def test_feedback_is_recorded(home):
    import json
    at = app()
    at.button(key="btn_example").click().run()
    _ask(at, "why is mail not stored in wildduck?")
    fb = at.get("feedback")[0]
    fb.set_value(0).run()                     # 👎
    assert not at.exception
    records = [json.loads(line) for line in (home / "feedback.jsonl").read_text().splitlines()]
    last = records[-1]
    assert last["vote"] == "down" and last["question"] == "why is mail not stored in wildduck?"
    assert last["passages"]


def test_ask_with_an_llm_shows_what_was_sent_redacted(home):
    from app.answer.llm_settings import LLMSettings
    at = app()
    at.text_area(key="in_plugins").set_value(example_files("canonical")["config/plugins"])
    at.text_area(key="in_other").set_value(
        "==> config/host_list <==\nexample.com\n\n==> config/wildduck.yaml <==\n"
        "mongo: \"mongodb://wild:Sup3rS3cretPw@db.internal:27017/wildduck\"\n")
    at.button(key="btn_run").click().run()
    # an OpenAI-compatible server that is not there: the answer falls back, the prompt is still shown
    at.session_state["llm"] = LLMSettings(backend="openai", model="tiny", base_url="http://127.0.0.1:9/v1",
                                          api_key="sk-not-a-real-key-000000", timeout=3)
    _ask(at, "why does mail not arrive?")
    assert any("LLM: openai · tiny" in c.value for c in at.caption)
    reply = at.chat_message[1]
    sent = reply.expander[-1].code[0].value
    assert "why does mail not arrive?" in sent and "MXD101" in sent
    assert "Sup3rS3cretPw" not in sent and "****" in sent
    assert "sk-not-a-real-key" not in sent
    assert any("could not answer" in c.value for c in reply.caption)     # the fallback is said out loud
    assert "MXD101" in reply.markdown[0].value                             # and the offline answer shown


def test_server_folders_are_off_when_served_beyond_loopback(home, monkeypatch):
    monkeypatch.setenv("MXDOCTOR_APP_ADDRESS", "0.0.0.0")
    at = app("knowledge")
    assert at.text_input(key="kb_folder").disabled and at.button(key="kb_add_folder").disabled
    at.switch_page("screens/settings.py").run()
    assert at.text_input(key="set_home").disabled
