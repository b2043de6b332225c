"""The Knowledge page says why documents were kept, removes them only when asked, and says when
the index is damaged: the Streamlit app run headless (AppTest) on a real index (`hash-64`)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from app.retrieval.status import index_status  # noqa: E402
from ingest.pipeline import ingest, lexical_path  # noqa: E402
from ingest.sourcesfile import add_user_source, load_sources  # noqa: E402

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "ui" / "main.py")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MXDOCTOR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MXDOCTOR_EMBEDDING", "hash-64")
    monkeypatch.delenv("MXDOCTOR_LLM_BACKEND", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    return tmp_path / "home"


def knowledge() -> AppTest:
    from app.ui.shared import shared_index
    shared_index.clear()                      # each test opens the index as it is on disk now
    at = AppTest.from_file(MAIN, default_timeout=180)
    at.run()
    at.switch_page("screens/knowledge.py").run()
    assert not at.exception, at.exception
    return at


def folder_source(home: Path):
    return next(s for s in index_status(home, "hash-64").sources if s.name.startswith("folder:"))


def test_an_unmounted_share_is_explained_and_pruned_only_on_confirmation(home, tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    for i in range(12):
        (share / f"runbook-{i}.md").write_text(f"# Runbook {i}\n\nThe quuxrelay {i} restarts Haraka.\n")
    add_user_source({"type": "folder", "path": str(share)}, home)
    ingest(load_sources(home, include_upstream=False), home=home, embedding="hash-64")
    shutil.rmtree(share)
    share.mkdir()                                               # the share is no longer mounted
    ingest(load_sources(home, include_upstream=False), home=home, embedding="hash-64")
    assert folder_source(home).held == 12 and folder_source(home).documents == 12

    at = knowledge()
    said = " ".join(w.value for w in at.warning)
    assert "read 0 documents" in said and "12 fewer" in said and "unmounted share" in said
    assert at.button(key="kb_prune_empty").label == "Remove the 12 missing documents"
    at.button(key="kb_reindex").click().run()                   # re-indexing alone keeps them
    assert not at.exception and folder_source(home).documents == 12
    assert any("12 fewer" in w.value for w in at.warning)
    at.button(key="kb_prune_empty").click().run()
    assert not at.exception
    assert folder_source(home).documents == 0 and folder_source(home).held == 0
    assert not any("fewer" in w.value for w in at.warning)
    assert not at.get("button") or "kb_prune_empty" not in [b.key for b in at.button]


def test_search_on_a_damaged_index_says_so(home):
    ingest(load_sources(home, include_upstream=False), home=home, embedding="hash-64")
    vocab = lexical_path(home, "hash-64") / "bm25" / "vocab.index.json"
    vocab.write_text(vocab.read_text().replace('"wildduck"', '"wildduxk"', 1))
    at = knowledge()
    at.text_input(key="kb_query").set_value("wildduck rcpt hook").run()
    assert not at.exception
    assert any("index is damaged" in e.value and "Re-index" in e.value for e in at.error)
    at.button(key="kb_reindex").click().run()
    at.text_input(key="kb_query").set_value("wildduck rcpt").run()
    assert not at.error and "MXD" in " ".join(m.value for m in at.markdown)
