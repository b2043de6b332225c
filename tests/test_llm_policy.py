"""What a session may do with the LLM settings (app.answer.llm_policy): the operator's endpoint and
key by default; another endpoint only when the operator allows it, and never with the operator's
key. The end-to-end version, through the app and real HTTP servers, is tests/test_ui_share.py."""
from __future__ import annotations

from app.answer.llm_policy import SessionChoice, is_operator_endpoint, session_settings
from app.answer.llm_settings import LLMSettings

KEY = "sk-operator-0123456789abcdef"
OPERATOR = LLMSettings(backend="openai", model="gpt-4o-mini", base_url="http://llm.internal:8000/v1", api_key=KEY)


def choice(backend="openai", base_url="http://llm.internal:8000/v1", model="gpt-4o-mini", api_key=None):
    return SessionChoice(backend=backend, base_url=base_url, model=model, timeout=30.0, mask_identifiers=False,
                         api_key=api_key)


def test_without_the_operators_leave_the_session_keeps_the_operators_llm():
    for asked, what in ((choice(base_url="http://evil.test/v1"), "base URL"),
                        (choice(backend="ollama", base_url="http://evil.test"), "backend, base URL"),
                        (choice(model="gpt-4o"), "model"),
                        (choice(api_key="sk-mine"), "API key")):
        got, refused = session_settings(OPERATOR, asked, allowed=False)
        assert (got.backend, got.base_url, got.model, got.api_key) == (OPERATOR.backend, OPERATOR.base_url,
                                                                       OPERATOR.model, KEY)
        assert refused and what in refused[0] and "MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1" in refused[0]
        assert (got.timeout, got.mask_identifiers) == (30.0, False)     # what is the session's own is kept


def test_a_session_may_always_turn_the_llm_off():
    got, refused = session_settings(OPERATOR, choice(backend="none"), allowed=False)
    assert got.backend == "none" and not got.enabled and not refused


def test_the_operators_own_settings_are_no_refusal():
    got, refused = session_settings(OPERATOR, choice(), allowed=False)
    assert got.api_key == KEY and not refused and not got.own_endpoint


def test_an_allowed_endpoint_of_its_own_never_gets_the_operators_key():
    for url in ("http://evil.test/v1", "http://llm.internal:8000/v1@evil.test/v1", "http://llm.internal:8001/v1",
                "http://LLM.internal:8000/v1", None):
        got, refused = session_settings(OPERATOR, choice(base_url=url), allowed=True)
        assert not refused and got.own_endpoint and got.api_key is None, url
        got, _ = session_settings(OPERATOR, choice(base_url=url, api_key="sk-session"), allowed=True)
        assert got.api_key == "sk-session" and got.base_url == url


def test_an_allowed_session_on_the_operators_endpoint_uses_the_operators_key():
    got, refused = session_settings(OPERATOR, choice(base_url="http://llm.internal:8000/v1/", model="gpt-4o"),
                                    allowed=True)
    assert (got.api_key, got.model, got.own_endpoint, refused) == (KEY, "gpt-4o", False, [])
    assert is_operator_endpoint(OPERATOR, "openai", " http://llm.internal:8000/v1/ ")
    assert not is_operator_endpoint(OPERATOR, "ollama", "http://llm.internal:8000/v1")
    assert not is_operator_endpoint(LLMSettings(), "none", None)


def test_an_ollama_endpoint_of_its_own_gets_no_key_and_a_default_url():
    got, _ = session_settings(OPERATOR, choice(backend="ollama", base_url=None, model=""), allowed=True)
    assert (got.backend, got.base_url, got.api_key, got.model) == ("ollama", "http://127.0.0.1:11434", None,
                                                                   "llama3.1")


def test_a_base_url_that_is_not_http_is_refused():
    for url in ("file:///etc/passwd", "gopher://127.0.0.1:70/", "127.0.0.1:8000/v1"):
        got, refused = session_settings(OPERATOR, choice(base_url=url), allowed=True)
        assert refused and "only http and https" in refused[0] and got.base_url == OPERATOR.base_url


def test_the_client_drops_the_operators_key_whatever_the_settings_object_says(monkeypatch):
    from app.answer.llm import outbound_key
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    leaked = LLMSettings(backend="openai", model="m", base_url="http://evil.test/v1", api_key=KEY, own_endpoint=True)
    assert outbound_key(leaked) is None
    assert outbound_key(LLMSettings(backend="openai", base_url="http://evil.test/v1", api_key="sk-session",
                                    own_endpoint=True)) == "sk-session"
    assert outbound_key(OPERATOR) == KEY


def test_mxdoctor_app_says_what_sessions_may_do_beyond_loopback(monkeypatch):
    from app.cli.commands.app import sharing_notes
    for name in ("MXDOCTOR_ALLOW_UI_SOURCES", "MXDOCTOR_ALLOW_LOCAL_PATHS", "MXDOCTOR_ALLOW_PRIVATE_URLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT", "1")
    assert sharing_notes("127.0.0.1") == [] and sharing_notes("::1") == [] and sharing_notes("localhost") == []
    (note,) = sharing_notes("0.0.0.0")
    assert "On: MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT;" in note and "off: MXDOCTOR_ALLOW_UI_SOURCES, " in note
