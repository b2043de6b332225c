"""The URL source through the real ingest (real Chroma store, real lexical index, a real HTTP
server on loopback): a loopback page is refused and never fetched; the operator's
MXDOCTOR_ALLOW_PRIVATE_URLS=1 indexes it; and once refused again, what had been indexed from it is
pruned, so a page fetched from inside before does not stay readable by every session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("chromadb")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from counting_httpd import CountingServer  # noqa: E402

from ingest.manifest import Manifest  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402

HASH = "hash-64"


def _url_docs(home: Path) -> list[str]:
    return [d for d, e in Manifest.load(home / "manifest.json").docs.items() if e.get("source") == "url"]


def test_a_loopback_url_source_is_refused_allowed_by_the_operator_then_pruned(tmp_path, monkeypatch):
    monkeypatch.delenv("MXDOCTOR_ALLOW_PRIVATE_URLS", raising=False)
    with CountingServer(title="Admin console", text="internal secret 4711") as inside:
        spec = {"type": "url", "url": inside.url("/admin")}
        summary = ingest([spec], home=tmp_path, embedding=HASH)
        assert not inside.requests and not _url_docs(tmp_path)
        assert any("refused" in w and "a loopback address" in w and "MXDOCTOR_ALLOW_PRIVATE_URLS=1" in w
                   for w in summary.warnings), summary.warnings

        monkeypatch.setenv("MXDOCTOR_ALLOW_PRIVATE_URLS", "1")
        ingest([spec], home=tmp_path, embedding=HASH)
        assert len(inside.requests) == 1 and len(_url_docs(tmp_path)) == 1     # the control: it can be fetched

        monkeypatch.delenv("MXDOCTOR_ALLOW_PRIVATE_URLS")
        summary = ingest([spec], home=tmp_path, embedding=HASH)
        assert len(inside.requests) == 1 and not _url_docs(tmp_path) and summary.removed == 1


def test_an_outage_keeps_what_was_indexed(tmp_path, monkeypatch):
    """A page that cannot be reached for now is kept (only a refusal prunes)."""
    monkeypatch.setenv("MXDOCTOR_ALLOW_PRIVATE_URLS", "1")
    with CountingServer() as inside:
        spec = {"type": "url", "url": inside.url("/page")}
        ingest([spec], home=tmp_path, embedding=HASH)
    summary = ingest([spec], home=tmp_path, embedding=HASH)                   # the server is gone now
    assert len(_url_docs(tmp_path)) == 1 and summary.removed == 0
    assert any("not fetched" in w for w in summary.warnings)
