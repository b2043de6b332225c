"""Ingest and search through a real Chroma *server* (`chroma run`), the deployment where several
mxdoctor processes share one index: CHROMA_HOST / CHROMA_PORT switch ingest/store.py to an
HttpClient. The server is always stopped, even when the test fails."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.retrieval.index import Index
from app.retrieval.search import search
from ingest import store
from ingest.manifest import Manifest
from ingest.pipeline import ingest

WIKI = Path(__file__).parent / "fixtures" / "docs" / "wiki"
START_TIMEOUT = 60.0


def chroma_binary() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.is_file() else shutil.which("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture
def chroma_server(tmp_path, monkeypatch):
    binary = chroma_binary()
    if not binary:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the `chroma` CLI (installed with chromadb) is missing in CI")
        pytest.skip("the `chroma` CLI is not installed (it comes with chromadb)")
    port = free_port()
    data = tmp_path / "server-data"
    log = open(tmp_path / "chroma.log", "w+")
    proc = subprocess.Popen([binary, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    key = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"chroma server did not start (exit {proc.poll()}): {log.read()[-2000:]}")
            time.sleep(0.2)
        monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("CHROMA_PORT", str(port))
        yield data
    finally:
        store._clients.pop(key, None)      # the client cache must not outlive the server
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
        assert proc.poll() is not None, "chroma server still running"


def test_ingest_and_search_through_a_chroma_server(chroma_server, tmp_path):
    home = tmp_path / "home"
    spec = {"type": "folder", "path": str(WIKI), "name": "folder:wiki", "url_base": "https://wiki.example.net"}
    summary = ingest([spec], home=home, embedding="hash-64")
    assert not summary.warnings and summary.documents == 6 and summary.total_chunks > 6
    assert not (home / "chroma").exists(), "vectors went to a local store, not the server"
    assert any(chroma_server.iterdir()), "the server stored nothing"

    index = Index(home, "hash-64")
    assert index.count() == summary.total_chunks
    hits = search("wildduck plugin resolves recipients in MongoDB", k=3, index=index)
    assert hits and hits[0].doc_id == "folder:wiki:mail-flow.html"
    assert hits[0].url == "https://wiki.example.net/mail-flow"

    again = ingest([spec], home=home, embedding="hash-64")
    assert again.chunks == 0 and again.skipped == 6
    assert sum(len(e["chunks"]) for e in Manifest.load(home / "manifest.json").docs.values()) == index.count()
