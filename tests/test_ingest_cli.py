"""`mxdoctor ingest`, `search` and `sources` through the real CLI entry point (app.cli.main),
against a real Chroma store in a temp home, with the `hash-64` embedding."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("langchain_core", reason="needs the app extra")
import yaml

from app.cli import main
from ingest.manifest import Manifest

WIKI = Path(__file__).parent / "fixtures" / "docs" / "wiki"
PASSAGE_KEYS = {"rank", "score", "title", "text", "source", "url", "heading", "doc_id"}


@pytest.fixture(autouse=True)
def hash_embedding(monkeypatch):
    monkeypatch.setenv("MXDOCTOR_EMBEDDING", "hash-64")
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    monkeypatch.delenv("MXDOCTOR_HOME", raising=False)


def test_ingest_kb_only_then_sources_then_search_json(tmp_path, capsys):
    home = str(tmp_path)
    assert main(["ingest", "--kb-only", "--home", home]) == 0
    out = capsys.readouterr().out
    docs = len(Manifest.load(tmp_path / "manifest.json").docs)
    assert docs > 100
    assert f"{docs} documents ({docs} new, 0 changed, 0 unchanged, 0 removed)" in out
    assert f"  kb: {docs} documents" in out

    assert main(["sources", "--home", home]) == 0
    out = capsys.readouterr().out
    assert "embedding: hash-64" in out
    assert [l.split()[0] for l in out.splitlines()[1:]] == ["kb"]

    assert main(["sources", "--home", home, "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["embedding"] == "hash-64" and listing["sources"]["kb"]["documents"] == docs

    assert main(["search", "rcpt_to.in_host_list accepts recipients before wildduck", "--format", "json",
                 "-k", "3", "--home", home]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"passages"}
    passages = result["passages"]
    assert len(passages) == 3
    for rank, p in enumerate(passages, 1):
        assert set(p) == PASSAGE_KEYS
        assert p["rank"] == rank and isinstance(p["score"], float) and p["text"]
        assert p["source"] == "kb" and p["url"].startswith("mxdoctor://") and p["doc_id"].startswith("kb:")
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    assert any(p["doc_id"] in ("kb:rule:MXD101", "kb:note:rcpt-in-host-list", "kb:plugin:rcpt_to.in_host_list")
               for p in passages)

    # an unchanged second run writes nothing
    assert main(["ingest", "--kb-only", "--home", home]) == 0
    assert f"0 new, 0 changed, {docs} unchanged, 0 removed), 0 chunks written" in capsys.readouterr().out

    assert main(["search", "tls certificate", "--home", home]) == 0
    text = capsys.readouterr().out
    assert text.startswith("[1] ") and "mxdoctor://" in text


def test_add_folder_with_url_base_is_remembered_and_indexed(tmp_path, capsys):
    home = tmp_path / "home"
    url = "https://wiki.example.net/mail"
    assert main(["ingest", "--add-folder", str(WIKI), "--url-base", url, "--kb-only", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert f"added source {WIKI.resolve()} to {home / 'sources.yaml'}" in out
    assert "  folder:wiki: 6 documents" in out
    saved = yaml.safe_load((home / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    assert saved == [{"type": "folder", "path": str(WIKI.resolve()), "url_base": url}]

    assert main(["search", "wildduck plugin resolves every recipient", "--format", "json", "--source",
                 "folder:wiki", "--home", str(home)]) == 0
    passages = json.loads(capsys.readouterr().out)["passages"]
    assert passages and all(p["source"] == "folder:wiki" and p["url"].startswith(url + "/") for p in passages)
    assert passages[0]["url"] == f"{url}/mail-flow"

    # the folder stays a source: a later plain run (offline, so no npm) re-reads it unchanged
    assert main(["ingest", "--offline", "--home", str(home)]) == 0
    captured = capsys.readouterr()
    assert "  folder:wiki: 6 documents" in captured.out and "0 chunks written" in captured.out
    assert "offline mode" in captured.err

    assert main(["sources", "--home", str(home)]) == 0
    names = [l.split()[0] for l in capsys.readouterr().out.splitlines()[1:]]
    assert names == ["folder:wiki", "kb"]


def test_search_on_an_empty_index_says_so(tmp_path, capsys):
    assert main(["search", "anything", "--home", str(tmp_path)]) == 2
    assert "run 'mxdoctor ingest' first" in capsys.readouterr().err


def test_bad_arguments_and_a_broken_sources_file_exit_2_with_one_line(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["ingest", "--add-folder", str(tmp_path / "missing"), "--home", str(home)]) == 2
    assert "missing: not a folder" in capsys.readouterr().err
    assert not (home / "sources.yaml").exists()
    assert main(["ingest", "--url-base", "https://wiki", "--kb-only", "--home", str(home)]) == 2
    assert "--add-folder" in capsys.readouterr().err
    home.mkdir()
    (home / "sources.yaml").write_text("sources: [unclosed\n", encoding="utf-8")
    assert main(["ingest", "--kb-only", "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert str(home / "sources.yaml") in err and len(err.strip().splitlines()) == 1
