"""The first journeys an admin takes, end to end, on the real default embedding.

One index per test session (kb/ plus the sample team wiki, with the default embedding, built the
way `mxdoctor ingest` builds it), shared by the plain-function journeys and by the app (AppTest),
which is pointed at the same data directory so it does not index again.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = ROOT / "kb" / "examples" / "canonical" / "config"
WIKI = ROOT / "tests" / "fixtures" / "docs" / "wiki"
WIKI_URL = "https://wiki.example.com/mail"
MAIN = str(ROOT / "app" / "ui" / "main.py")


@pytest.fixture(scope="session")
def journey_home(tmp_path_factory) -> Path:
    from ingest.pipeline import ingest
    from ingest.sourcesfile import add_user_source
    home = tmp_path_factory.mktemp("journey-home")
    spec = {"type": "folder", "path": str(WIKI), "url_base": WIKI_URL}
    add_user_source(spec, home)
    ingest([{"type": "kb"}, spec], home=home, offline=True)
    return home


@pytest.fixture(scope="session")
def journey_index(journey_home):
    from app.retrieval.index import Index
    return Index(journey_home)


@pytest.fixture
def session_for(journey_home, journey_index):
    """A Session on the journey index: `session_for(paths=[...], texts=[...])`."""
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings

    def make(**context):
        return Session(**context, home=journey_home, settings=LLMSettings(), index=journey_index, persist=False,
                       record_unanswered=False)
    return make


@pytest.fixture
def app_env(journey_home, monkeypatch):
    """The app on the journey index, no LLM, its own workspace directory."""
    monkeypatch.setenv("MXDOCTOR_HOME", str(journey_home))
    monkeypatch.delenv("MXDOCTOR_EMBEDDING", raising=False)
    monkeypatch.delenv("MXDOCTOR_LLM_BACKEND", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    monkeypatch.setenv("MXDOCTOR_APP_ADDRESS", "127.0.0.1")   # a local app (AppTest gives Streamlit no address)
    return journey_home


def run_app(page: str | None = None, **query):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(f"screens/{page}.py").run()
    assert not at.exception, at.exception
    return at


def unescape(text: str) -> str:
    """What the reader sees of an escaped Markdown string (`config/host\\_list` reads config/host_list)."""
    import re
    return re.sub(r"\\(.)", r"\1", str(text))


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [c.value for c in at.code]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(unescape(p) for p in parts)


def words(text: str) -> int:
    """Prose words of an answer: code blocks and the diff do not count."""
    import re
    prose = re.sub(r"```.*?```", " ", text, flags=re.S)
    return len(re.findall(r"[A-Za-z0-9_./@-]+|[\u4e00-\u9fff]", prose))
