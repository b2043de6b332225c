"""A shared app is safe to share: the key-exfiltration and shared-source attacks, through the real
app (Streamlit's AppTest), the real OpenAI/Ollama clients and real HTTP servers on loopback.

The operator runs the app with an OpenAI-compatible endpoint (a StubServer) and OPENAI_API_KEY.
A session points the Base URL at a capture server of its own: without the operator's leave the
session keeps the operator's endpoint (the capture server hears nothing); with it, the session's
requests go to its endpoint with its own key or none, and no request that reaches the capture
server carries the operator's key, in any header or in the body.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("langchain_openai")
from streamlit.testing.v1 import AppTest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from counting_httpd import CountingServer  # noqa: E402
from test_llm_stub import StubServer  # noqa: E402

MAIN = str(Path(__file__).resolve().parent.parent / "app" / "ui" / "main.py")
KEY = "sk-operator-7c1e9f2b5a4d3e6f8a0b1c2d"
SESSION_KEY = "sk-session-5e5e5e5e5e5e5e5e"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    h = tmp_path_factory.mktemp("mxdoctor-share")
    mp.setenv("MXDOCTOR_HOME", str(h))
    mp.setenv("MXDOCTOR_EMBEDDING", "hash-64")
    for name in ("CHROMA_HOST", "MXDOCTOR_ALLOW_LOCAL_PATHS", "MXDOCTOR_ALLOW_PRIVATE_URLS"):
        mp.delenv(name, raising=False)
    yield h
    mp.undo()


@pytest.fixture(scope="module")
def servers():
    with StubServer() as operator, StubServer() as capture:
        yield operator, capture


@pytest.fixture
def operator_llm(home, servers, monkeypatch):
    operator, capture = servers
    monkeypatch.setenv("MXDOCTOR_APP_ADDRESS", "127.0.0.1")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("MXDOCTOR_LLM_BACKEND", "openai")
    monkeypatch.setenv("MXDOCTOR_LLM_MODEL", "stub-model")
    monkeypatch.setenv("MXDOCTOR_LLM_BASE_URL", operator.base_url)
    monkeypatch.delenv("MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT", raising=False)
    operator.requests.clear()
    capture.requests.clear()
    return operator, capture


def _app() -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.run()
    at.button(key="btn_example").click().run()            # something to ask about
    assert not at.exception, at.exception
    return at


def _crafted(widget, value):
    """Send a widget value the way a crafted client can, disabled widget or not. AppTest's own
    set_value refuses a disabled widget, as a browser's page does; Streamlit 1.67 also discards such
    a value on the server, older releases may not, and the pages check again (app.answer.llm_policy,
    the Knowledge page's buttons), so what holds here holds on either."""
    widget._value = value
    return widget


def _settings(at: AppTest, backend: str | None = None, base_url: str | None = None, model: str | None = None,
              key: str | None = None) -> AppTest:
    at.switch_page("screens/settings.py").run()
    if backend:
        at.selectbox(key="set_backend").set_value(backend).run()
    if base_url is not None:
        _crafted(at.text_input(key="set_base_url"), base_url).run()
    if model is not None:
        _crafted(at.text_input(key="set_model"), model)
    if key is not None:
        at.text_input(key="set_own_key").set_value(key)
    at.button(key="set_apply").click().run()
    assert not at.exception, at.exception
    return at


def _ask(at: AppTest, question: str) -> AppTest:
    at.switch_page("screens/ask.py").run()
    at.chat_input(key="ask_input").set_value(question).run()
    assert not at.exception, at.exception
    return at


def _carries_key(request: dict, key: str = KEY) -> bool:
    return any(key in str(v) for v in request["headers"].values()) or key in request["raw"]


def _auth(request: dict) -> str:
    return {k.lower(): v for k, v in request["headers"].items()}.get("authorization", "")


# ------------------------------------------------------------------ without the operator's leave

@pytest.mark.parametrize("model", [None, "gpt-4o"])
def test_a_session_cannot_move_the_operators_llm(operator_llm, model):
    operator, capture = operator_llm
    at = _settings(_app(), base_url=capture.base_url, model=model)
    assert at.text_input(key="set_base_url").disabled and at.text_input(key="set_model").disabled
    llm = at.session_state["llm"]
    assert (llm.base_url, llm.model, llm.own_endpoint) == (operator.base_url, "stub-model", False)
    _ask(at, f"why is mail not stored in wildduck? (crafted base URL, model {model})")
    assert not capture.requests                                     # held: the capture server heard nothing
    assert operator.requests and all(_auth(r) == f"Bearer {KEY}" for r in operator.requests)   # the control


def test_the_operators_key_is_never_shown_whole(operator_llm):
    at = _settings(_app())
    shown = [str(w.value) for w in at.text_input] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any(KEY in s for s in shown)


# ------------------------------------------------------------------ with it: an endpoint of its own

def _allowed(monkeypatch) -> None:
    monkeypatch.setenv("MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT", "1")


ATTACKS = {
    "own base URL, no key": lambda op, cap: dict(base_url=cap.base_url),
    "operator URL as userinfo": lambda op, cap: dict(base_url=cap.base_url.replace(
        "http://", f"http://127.0.0.1:{op.httpd.server_address[1]}@")),
    "ollama backend": lambda op, cap: dict(backend="ollama", base_url=cap.root_url),
    "own URL, other model": lambda op, cap: dict(base_url=cap.base_url, model="gpt-4o"),
}


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_an_allowed_session_endpoint_never_gets_the_operators_key(operator_llm, monkeypatch, case):
    operator, capture = operator_llm
    _allowed(monkeypatch)
    at = _settings(_app(), **ATTACKS[case](operator, capture))
    assert not at.error
    _ask(at, f"why is mail not stored in wildduck? ({case})")
    assert capture.requests, "the session's endpoint was not used"          # it reached the capture server
    assert not any(_carries_key(r) for r in capture.requests)               # held: never with the operator's key
    assert not operator.requests


def test_a_key_from_settings_yaml_stays_with_the_operator_too(operator_llm, monkeypatch, home):
    operator, capture = operator_llm
    _allowed(monkeypatch)
    monkeypatch.delenv("OPENAI_API_KEY")
    (home / "settings.yaml").write_text(f"llm: {{api_key: {KEY}}}\n", encoding="utf-8")
    try:
        at = _settings(_app(), base_url=capture.base_url)
        _ask(at, "why is mail not stored in wildduck? (key in settings.yaml)")
    finally:
        (home / "settings.yaml").unlink()
    assert capture.requests and not any(_carries_key(r) for r in capture.requests)


def test_an_allowed_session_uses_its_own_endpoint_and_key(operator_llm, monkeypatch):
    operator, capture = operator_llm
    _allowed(monkeypatch)
    at = _settings(_app(), base_url=capture.base_url, key=SESSION_KEY)
    _ask(at, "why is mail not stored in wildduck? (own key)")
    assert capture.requests and all(_auth(r) == f"Bearer {SESSION_KEY}" for r in capture.requests)
    reply = at.chat_message[1]
    assert "MXD101" in reply.markdown[0].value and not any("could not answer" in c.value for c in reply.caption)


def test_an_allowed_session_on_the_operators_endpoint_uses_the_operators_key(operator_llm, monkeypatch):
    operator, capture = operator_llm
    _allowed(monkeypatch)
    at = _settings(_app(), base_url=operator.base_url + "/", model="other-model")
    _ask(at, "why is mail not stored in wildduck? (operator endpoint)")
    assert not capture.requests
    assert operator.requests and all(_auth(r) == f"Bearer {KEY}" for r in operator.requests)
    assert operator.requests[-1]["body"]["model"] == "other-model"


def test_the_client_itself_drops_the_operators_key_on_a_session_endpoint(operator_llm):
    """Behind the policy: a settings object that wrongly holds the operator's key for a session
    endpoint (a future code path that forgets the policy) still sends no key there."""
    from app.answer.llm_settings import LLMSettings
    operator, capture = operator_llm
    at = _app()
    at.session_state["llm"] = LLMSettings(backend="openai", model="stub-model", base_url=capture.base_url,
                                          api_key=KEY, own_endpoint=True, timeout=10)
    _ask(at, "why is mail not stored in wildduck? (forged settings)")
    assert capture.requests and not any(_carries_key(r) for r in capture.requests)


# ------------------------------------------------------------------ shared sources

def _knowledge(monkeypatch, address: str | None, **env: str) -> AppTest:
    if address is None:
        monkeypatch.delenv("MXDOCTOR_APP_ADDRESS", raising=False)     # Streamlit's server.address: unset here
    else:
        monkeypatch.setenv("MXDOCTOR_APP_ADDRESS", address)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.run()
    at.switch_page("screens/knowledge.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.0.2.10", None])
def test_adding_sources_beyond_loopback_needs_the_operator(home, monkeypatch, address, tmp_path):
    monkeypatch.delenv("MXDOCTOR_ALLOW_UI_SOURCES", raising=False)
    with CountingServer() as page:
        at = _knowledge(monkeypatch, address)
        assert at.button(key="kb_add_urls").disabled and at.text_area(key="kb_urls").disabled
        assert at.button(key="kb_add_folder").disabled and at.button(key="kb_add_docs").disabled
        before = (home / "sources.yaml").read_text() if (home / "sources.yaml").exists() else ""
        _crafted(at.text_area(key="kb_urls"), "https://93.184.215.14/wiki")   # a crafted client presses anyway
        _crafted(at.button(key="kb_add_urls"), True).run()
        _crafted(at.text_input(key="kb_folder"), str(tmp_path))
        _crafted(at.button(key="kb_add_folder"), True).run()
        after = (home / "sources.yaml").read_text() if (home / "sources.yaml").exists() else ""
        assert after == before and not at.success and not page.requests


def test_allowed_ui_sources_still_refuse_internal_urls(home, monkeypatch):
    monkeypatch.delenv("MXDOCTOR_ALLOW_PRIVATE_URLS", raising=False)
    with CountingServer() as inside:
        at = _knowledge(monkeypatch, "0.0.0.0", MXDOCTOR_ALLOW_UI_SOURCES="1")
        assert not at.button(key="kb_add_urls").disabled and at.button(key="kb_add_folder").disabled
        for url, why in ((inside.url("/admin"), "a loopback address"), ("file:///etc/passwd", "not an http(s) URL"),
                         ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address")):
            at.text_area(key="kb_urls").set_value(url)
            at.button(key="kb_add_urls").click().run()
            assert any(why in e.value.replace("\\", "") for e in at.error), [e.value for e in at.error]
        sources = (home / "sources.yaml").read_text() if (home / "sources.yaml").exists() else ""
        assert "169.254" not in sources and str(inside.port) not in sources and not inside.requests


def test_a_local_app_adds_sources_as_before(home, monkeypatch):
    at = _knowledge(monkeypatch, "127.0.0.1")
    assert not at.button(key="kb_add_urls").disabled and not at.button(key="kb_add_folder").disabled
