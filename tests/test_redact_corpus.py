"""The redaction corpus: realistic files with 37 planted secrets (tests/fixtures/redaction/secrets.yaml).

None may survive `redact_text`, appear in what would be sent to an LLM, in what the local
OpenAI-compatible server really received, in a log record, in the stored history, in the
feedback file or in the LLM cache; and the answer shown to the user must still read naturally
(real addresses restored, no placeholders).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml
from test_llm_stub import StubServer, build_hash_index

from app.answer import Session, record_feedback
from app.answer.llm_settings import LLMSettings
from app.core.redact import MASK, redact_text

ROOT = Path(__file__).parent / "fixtures" / "redaction"
MANIFEST = yaml.safe_load((ROOT / "secrets.yaml").read_text(encoding="utf-8"))
ALL_SECRETS = [s for secrets in MANIFEST.values() for s in secrets]
QUESTION = "Why does alice@example.com never get mail? Our MX is mx.example.com (10.0.0.5)."


def corpus_texts() -> list[tuple[str, str]]:
    return [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in sorted(ROOT.rglob("*"))
            if p.is_file() and p.name != "secrets.yaml" and "logs" not in p.parts]


def leaks(text: str) -> list[str]:
    return [s for s in ALL_SECRETS if s in text]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_hash_index(tmp_path_factory.mktemp("kbindex"))


def make_session(index, home: Path, settings: LLMSettings | None = None, persist: bool = True) -> Session:
    return Session(texts=corpus_texts(), log_paths=[str(ROOT / "logs" / "haraka.log")], home=home,
                   settings=settings or LLMSettings(), index=index, persist=persist)


def test_corpus_is_big_enough_and_planted():
    assert len(ALL_SECRETS) >= 30
    assert len(set(ALL_SECRETS)) == len(ALL_SECRETS)
    for name, secrets in MANIFEST.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        for s in secrets:
            assert s in text, f"{s} is not in {name}"


@pytest.mark.parametrize("name", list(MANIFEST))
def test_redact_text_masks_every_secret_of_each_file(name):
    text = (ROOT / name).read_text(encoding="utf-8")
    red = redact_text(text)
    assert not [s for s in MANIFEST[name] if s in red]
    assert MASK in red


def test_redaction_keeps_the_shape_and_the_non_secrets():
    red = redact_text((ROOT / "config/smtp_forward.ini").read_text())
    assert "auth_pass=****" in red and "auth_user=forwarder@example.com" in red and "port=587" in red
    red = redact_text((ROOT / "config/wildduck.yaml").read_text())
    assert "mongodb://wildduck:****@mongo1.internal.example.com:27017" in red
    assert "redis://:****@redis.internal.example.com:6379/3" in red and "enabled: true" in red
    red = redact_text((ROOT / "config/auth_flat_file.ini").read_text())
    assert "alice@example.com=****" in red and "methods=PLAIN,LOGIN,CRAM-MD5" in red
    red = redact_text((ROOT / "logs/haraka.log").read_text())
    assert "C: AUTH PLAIN ****" in red and "C: QUIT" in red and "C: EHLO client.example.com" in red
    assert "-----BEGIN PRIVATE KEY-----\n****\n-----END PRIVATE KEY-----" in \
        redact_text((ROOT / "config/tls/privkey.pem").read_text())


def test_nothing_secret_or_identifying_in_what_would_be_sent(index, tmp_path):
    s = make_session(index, tmp_path, persist=False)
    messages = s.outbound(QUESTION + " Our mongo is mongodb://admin:Question-Url-Pw@10.0.0.21/wildduck")
    sent = "\n".join(m["content"] for m in messages)
    assert not leaks(sent) and "Question-Url-Pw" not in sent
    # the corpus really was sent (so the checks above could have failed)
    for name in ("config/wildduck.yaml", "docker-compose.yml", "dbs.toml", "config/auth_flat_file.ini", "env.txt"):
        assert f'<config name="{name}">' in sent, name
    assert "C: AUTH PLAIN ****" in sent or "AUTH PLAIN" not in sent
    # identifiers are masked (reversibly)
    for ident in ("alice@example.com", "10.0.0.5", "10.0.0.21", "mx.example.com", "internal.example.com"):
        assert ident not in sent, ident
    assert "user1@domain1.example" in sent and "IPv4_" in sent
    assert "zen.spamhaus.org" not in sent or True       # public names would stay readable


def test_llm_request_history_feedback_cache_and_logs_hold_no_secret(index, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)          # openai/httpx log request bodies at DEBUG
    with StubServer(mode="echo_ids") as server:
        settings = LLMSettings(backend="openai", model="stub", base_url=server.base_url, api_key="test",
                               timeout=10)
        s = make_session(index, tmp_path, settings)
        a = s.ask(QUESTION)
        follow = s.ask("and what about the redis password in redis.ini?")
        s.feedback(a, "down", comment="it missed Fw-Auth-Pass-55 in smtp_forward.ini")
        record_feedback(QUESTION, a.answer, "up", passages=a.passages, home=tmp_path,
                        comment="auth_pass=Proxy-Auth-Pw-17 was masked")
        wire = "\n".join(r["raw"] for r in server.requests)
    assert a.llm is not None and follow.llm is not None and len(server.requests) == 2
    assert not leaks(wire), leaks(wire)
    assert not leaks(caplog.text), leaks(caplog.text)
    stored = [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file() and
              p.suffix in (".json", ".jsonl")]
    assert any('"turns"' in t for t in stored) and any('"vote": "down"' in t for t in stored)
    assert any("cache" in str(p) for p in tmp_path.rglob("*.json"))
    for text in stored:
        assert not leaks(text), leaks(text)
    # what the user sees reads naturally: real addresses back, no placeholders, no secrets
    assert "alice@example.com" in a.answer
    assert "domain1.example" not in a.answer and "IPv4_" not in a.answer and "user1@" not in a.answer
    assert not leaks(a.answer) and not leaks(json.dumps(a.to_dict()))


def test_offline_answer_and_stored_session_hold_no_secret(index, tmp_path):
    s = make_session(index, tmp_path)
    a = s.ask("Is the wildduck database setting right? my password is in mongodb://x:Typed-Url-Pw@h/db")
    assert not leaks(a.answer) and not leaks(json.dumps(a.to_dict()))
    text = (tmp_path / "history" / f"{s.id}.json").read_text(encoding="utf-8")
    assert not leaks(text) and "Typed-Url-Pw" not in text
    reloaded = Session.load(s.id, home=tmp_path, settings=LLMSettings(), index=index)
    assert reloaded is not None and len(reloaded.turns) == 1
    assert reloaded.diagnosis is not None and reloaded.diagnosis.configset.plugins is not None
