"""Work is kept: a reload brings back the paste and the conversation (this browser's own, masked),
and every page, export and stored file is free of the secrets that were pasted."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

from app.ui.workspace import Workspace, WorkspaceStore, new_id  # noqa: E402

from .conftest import CANONICAL, page_text, run_app  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_redact_corpus import ALL_SECRETS, corpus_texts  # noqa: E402
from test_redact_corpus import ROOT as CORPUS

PLUGINS = (CANONICAL / "plugins").read_text(encoding="utf-8")
WILDDUCK_WITH_PASSWORD = "mongo:\n  url: mongodb://admin:Sup3r-S3cret-Pw@10.0.0.7:27017/wildduck\n"


def workspace_id(at) -> str:
    return at.query_params["s"][0] if isinstance(at.query_params["s"], list) else at.query_params["s"]


def test_a_reload_brings_back_the_paste_the_verdict_and_the_conversation(app_env):
    at = run_app()
    ws = workspace_id(at)
    at.text_area(key="in_plugins").set_value(PLUGINS).run()
    at.text_area(key="in_other").set_value("example.com\n\n" + WILDDUCK_WITH_PASSWORD).run()
    at.button(key="btn_run").click().run()
    at.switch_page("screens/ask.py").run()
    at.chat_input(key="ask_input").set_value("why is mail not arriving?").run()
    assert len(at.session_state["chat"]) == 2

    again = run_app(s=ws)                                  # a reload: a new session, the same URL
    assert again.text_area(key="in_plugins").value == PLUGINS
    assert "example.com" in again.text_area(key="in_other").value
    assert "Sup3r-S3cret-Pw" not in again.text_area(key="in_other").value     # kept masked
    assert any("WildDuck never stores it" in m.value for m in again.markdown)  # the verdict is back
    again.switch_page("screens/ask.py").run()
    assert len(again.session_state["chat"]) == 2
    assert again.chat_message[1].markdown[0].value.startswith("**Haraka accepts the mail")

    stored = (app_env / "workspaces" / f"{ws}.json").read_text(encoding="utf-8")
    assert "Sup3r-S3cret-Pw" not in stored and "example.com" in stored


def test_another_browser_sees_nothing_of_it(app_env):
    first = run_app()
    first.text_area(key="in_plugins").set_value("wildduck\n").run()
    other = run_app()
    assert workspace_id(other) != workspace_id(first)
    assert other.text_area(key="in_plugins").value == ""
    forged = run_app(s="../../etc/passwd")                 # not a workspace id: a fresh, empty one
    assert forged.text_area(key="in_plugins").value == "" and len(workspace_id(forged)) == 32


def test_conversations_can_be_reopened_and_deleted(app_env):
    at = run_app("ask")
    at.chat_input(key="ask_input").set_value("how do I restart haraka on our MX?").run()
    at.button(key="ask_reset").click().run()
    assert at.session_state["chat"] == []
    opener = next(b for b in at.button if b.key.startswith("open-"))
    opener.click().run()
    assert len(at.session_state["chat"]) == 2
    at.button(key="ask_reset").click().run()
    next(b for b in at.button if b.key.startswith("del-")).click().run()
    assert not any(b.key.startswith("open-") for b in at.button)


def test_the_workspace_store_masks_and_refuses_bad_ids(tmp_path):
    store = WorkspaceStore(tmp_path)
    ws = Workspace(id=new_id(), inputs={"other": WILDDUCK_WITH_PASSWORD})
    ws.conversation().messages = [{"role": "user", "content": "my password is in redis://:R3dis-Pw-99@cache:6379"}]
    store.save(ws)
    text = store.path(ws.id).read_text()
    assert "Sup3r-S3cret-Pw" not in text and "R3dis-Pw-99" not in text
    assert store.load(ws.id).conversation().messages[0]["role"] == "user"
    assert store.load("../x") is None and store.load("A" * 32) is None
    with pytest.raises(ValueError):
        store.path("../../etc")


def test_the_secret_corpus_is_masked_on_every_page_and_export(app_env):
    """The redaction corpus (37 planted secrets) pasted and its log uploaded: none of them on the
    Diagnose page (verdict, cards, evidence, explanations such as MXD404's quote of the log line),
    in any export, in the answer, or in the stored workspace."""
    at = run_app()
    other = "".join(f"==> {name} <==\n{text}\n" for name, text in corpus_texts() if not name.endswith("plugins"))
    plugins = next(text for name, text in corpus_texts() if name.endswith("plugins"))
    log = (CORPUS / "logs" / "haraka.log").read_text(encoding="utf-8")
    at.text_area(key="in_plugins").set_value(plugins).run()
    at.text_area(key="in_other").set_value(other).run()
    at.text_area(key="in_logs").set_value(log).run()
    at.button(key="btn_run").click().run()
    assert not at.exception
    body = page_text(at)
    assert "MXD404" in body
    shown = body + "\n".join(str(b.proto.data) if hasattr(b.proto, "data") else "" for b in at.get("download_button"))
    assert [s for s in ALL_SECRETS if s in shown] == []
    for tab in at.tabs:
        assert [s for s in ALL_SECRETS if s in page_text(tab)] == []
    from app.core.report import render
    d = at.session_state["diagnosis"]
    for fmt in ("text", "json", "markdown", "sarif"):
        assert [s for s in ALL_SECRETS if s in render(d, fmt)] == [], fmt
    at.switch_page("screens/ask.py").run()
    at.chat_input(key="ask_input").set_value("why can't wildduck reach mongodb?").run()
    answer = "\n".join(m.value for m in at.chat_message[1].markdown)
    assert [s for s in ALL_SECRETS if s in answer] == []
    stored = (app_env / "workspaces" / f"{workspace_id(at)}.json").read_text(encoding="utf-8")
    assert [s for s in ALL_SECRETS if s in stored] == []
    assert json.loads(stored)["inputs"]["logs"]
