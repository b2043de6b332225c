"""The secret corpus (tests/fixtures/secrets/manifest.yaml: 91 secrets in 31 files of 28 kinds) through
every way out of the process, with 0 seen: every CLI format (check text/json/markdown/sarif,
simulate text/json, triage text/json with --timelines, ask text/json with an LLM, ask
--show-outbound, feedback), the app's pages (AppTest: Diagnose with its timeline and exports,
Ask with an LLM, 👎, a reload that brings the workspace back), every file written under
MXDOCTOR_HOME, every log record, and the requests a real local OpenAI-compatible server received.
A secret counts as seen in its exact form, JSON-escaped, or base64-encoded.

The channels are collected by plain functions so the same run can be made on another checkout
(`MXDOCTOR_LEAK_REPORT=file.json` writes the per-channel finds before asserting).
"""
from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
from pathlib import Path

import pytest
import yaml

from app.core.redact import MASK, redact_text

ROOT = Path(__file__).parent / "fixtures" / "secrets"
MANIFEST = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))
SECRETS = [s for entry in MANIFEST.values() for s in entry["secrets"]]
CONFIG_DIRS = [str(ROOT / d) for d in ("haraka", "wildduck", "redis", "rspamd", "host")]
LOGS = [str(p) for p in sorted((ROOT / "logs").glob("*.log"))]
QUESTION = (ROOT / "typed" / "question.txt").read_text(encoding="utf-8").strip()
COMMENT = (ROOT / "typed" / "comment.txt").read_text(encoding="utf-8").strip()


def forms(secret: str) -> set[str]:
    return {secret, json.dumps(secret)[1:-1], base64.b64encode(secret.encode()).decode().rstrip("=")}


FORMS = {s: forms(s) for s in SECRETS}


def seen(text: str) -> list[str]:
    return [s for s, fs in FORMS.items() if any(f in text for f in fs)]


def config_files() -> list[tuple[str, str]]:
    """Every corpus file the checks are given (all but the logs and the typed texts)."""
    return [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for d in CONFIG_DIRS
            for p in sorted(Path(d).rglob("*")) if p.is_file()]


# --------------------------------------------------------------------------- the corpus itself

def test_corpus_size_kinds_and_planting():
    kinds = {e["kind"].split(" (")[0] for e in MANIFEST.values()}
    assert len(SECRETS) >= 80 and len(set(SECRETS)) == len(SECRETS)
    assert len(kinds) >= 20
    for name, entry in MANIFEST.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        for s in entry["secrets"]:
            assert s in text, f"{s} is not in {name}"


@pytest.mark.parametrize("name", list(MANIFEST))
def test_redact_text_masks_each_file(name):
    red = redact_text((ROOT / name).read_text(encoding="utf-8"))
    assert not [s for s in MANIFEST[name]["secrets"] if s in red]
    assert MASK in red


def test_masking_keeps_keys_values_and_log_structure():
    """What the checks read survives: keys, non-secret values, plugin names, SMTP verbs, state=,
    port mappings, file names; masked YAML, JSON and TOML still parse."""
    red = {name: redact_text(text) for name, text in config_files()} | {
        Path(p).name: redact_text(Path(p).read_text(encoding="utf-8")) for p in LOGS}
    for name, kept in {
        "haraka/config/smtp_forward.ini": ["auth_user=forwarder@example.com", "port=587", "auth_type=plain",
                                           "[example.net]"],
        "haraka/config/auth_flat_file.ini": ["methods=PLAIN,LOGIN,CRAM-MD5", "alice@example.com = ****"],
        "haraka/config/tls.ini": ["key=tls_key.pem"],
        "haraka/config/plugins": ["rcpt_to.in_host_list", "wildduck"],
        "haraka/config/wildduck.yaml": ["mongodb://wildduck:****@mongo:27017/wildduck?authSource=admin",
                                        "rewriteDomain: 'srs.example.com'", "decodeBase64: true"],
        "host/bash_history": ["-p 27017:27017 mongo:7", "redis-cli -h redis -p 6379 -a **** ping", "--au alice@example.com"],
        "redis/redis.conf": ["user wildduck on >**** >**** ~wd:* +@all", "save 900 1"],
        "haraka.log": ["C: AUTH PLAIN **** state=1", "C: **** state=1", "C: EHLO client.example.com state=1",
                       "S: 250 AUTH PLAIN LOGIN CRAM-MD5", "S: 334 VXNlcm5hbWU6", "C: QUIT state=1"],
        "haraka-logfmt.log": ['message="C: AUTH PLAIN **** state=1"', "level=PROTOCOL uuid="],
    }.items():
        for k in kept:
            assert k in red[name], (name, k)
    yaml.safe_load(red["haraka/config/wildduck.yaml"])
    yaml.safe_load(red["wildduck/docker-compose.yml"])
    json.loads(red["haraka/config/plugin_settings.json"])
    json.loads(red["haraka/config/webhook.json"])
    for line in red["haraka-json.log"].splitlines():
        json.loads(line)
    tomllib = pytest.importorskip("tomllib")
    assert tomllib.loads(red["wildduck/dbs.toml"])["redis"]["password"] == MASK


def test_checks_find_the_same_on_masked_files():
    from app.core.diagnose import diagnose
    raw = diagnose(texts=config_files(), verify_fixes=False)
    masked = diagnose(texts=[(n, redact_text(t)) for n, t in config_files()], verify_fixes=False)
    assert raw.findings and sorted(f.rule for f in raw.findings) == sorted(f.rule for f in masked.findings)


def test_a_rule_title_quoting_a_scheme_less_url_is_masked_in_every_format(tmp_path):
    """MXD405 quotes mongo.url in its title; a URL without a scheme still has its password masked."""
    from app.core.diagnose import diagnose
    from app.core.report import FORMATS, render
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "plugins").write_text("wildduck\n")
    (tmp_path / "config" / "wildduck.yaml").write_text("mongo:\n  url: 'wild:Bare7UrlPw3Xq@mongo:27017/wildduck'\n")
    d = diagnose([str(tmp_path / "config")], verify_fixes=False)
    assert any(f.rule == "MXD405" for f in d.findings)
    for fmt in FORMATS:
        out = render(d, fmt)
        assert "Bare7UrlPw3Xq" not in out and "wild:****@mongo" in out, fmt


# --------------------------------------------------------------------------- every channel

def run_cli(argv: list[str]) -> str:
    from app.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main([str(a) for a in argv])
    return out.getvalue() + err.getvalue()


def cli_channels(server_url: str) -> dict[str, str]:
    """Every CLI format on the whole corpus; `ask` talks to the LLM at server_url and keeps a session."""
    got: dict[str, str] = {}
    for fmt in ("text", "json", "markdown", "sarif"):
        got[f"check --format {fmt}"] = run_cli(["check", *CONFIG_DIRS, "--logs", *LOGS, "--format", fmt,
                                                "--fail-on", "never"])
    for fmt in ("text", "json"):
        got[f"simulate --format {fmt}"] = run_cli(["simulate", CONFIG_DIRS[0], "--logs", *LOGS, "--format", fmt])
        got[f"triage --timelines --format {fmt}"] = run_cli(["triage", *LOGS, "--timelines", "--format", fmt])
    got["ask --show-outbound"] = run_cli(["ask", QUESTION, *CONFIG_DIRS, "--logs", *LOGS, "--show-outbound"])
    with _env(MXDOCTOR_LLM_BACKEND="openai", MXDOCTOR_LLM_MODEL="stub", MXDOCTOR_LLM_BASE_URL=server_url,
              OPENAI_API_KEY="test"):
        for fmt in ("text", "json"):
            got[f"ask --format {fmt}"] = run_cli(["ask", QUESTION, *CONFIG_DIRS, "--logs", *LOGS, "--format", fmt,
                                                  "--session", f"corpus-{fmt}"])
        got["ask follow-up (stored session)"] = run_cli(["ask", "and the redis password?", "--session", "corpus-text"])
    got["feedback down"] = run_cli(["feedback", "down", "--question", QUESTION, "--comment", COMMENT])
    got["feedback --unanswered"] = run_cli(["feedback", "--unanswered", "--format", "json"])
    return got


def session_channels(home: Path, server_url: str) -> dict[str, str]:
    """The Python API the app uses: Session.ask with an LLM, 👎 with a comment quoting a secret."""
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings
    settings = LLMSettings(backend="openai", model="stub", base_url=server_url, api_key="test", timeout=20)
    s = Session(CONFIG_DIRS, log_paths=LOGS, home=home, settings=settings, persist=True)
    a = s.ask(QUESTION)
    typed = s.ask("is Rd7Flow9xQe2 the right redis password in wildduck.yaml?")
    s.feedback(a, "down", comment=COMMENT)
    s.feedback(typed, "up", comment="it was Sh7RedisCli3As in the shell history")
    return {"Session answer": json.dumps(a.to_dict()) + json.dumps(typed.to_dict())}


def page_text(at) -> str:
    """Everything an AppTest page shows: text elements, tables, json, expander and tab labels."""
    parts = []
    for kind in ("markdown", "caption", "code", "text", "json", "error", "warning", "info", "success",
                 "latex", "title", "header", "subheader", "exception"):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind, [])]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    for el in list(at.expander) + list(at.tabs):
        parts.append(str(el.proto.label))
    for el in at.selectbox:
        parts += [str(o) for o in el.options]
    return "\n".join(parts)


def app_channels(home: Path, server_url: str) -> dict[str, str]:
    """The Diagnose page (findings, timeline of the AUTH connection, exports), the Ask page with an
    LLM and a 👎, then a reload that restores the workspace from disk."""
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from app.answer.llm_settings import LLMSettings
    main = str(Path(__file__).resolve().parent.parent / "app" / "ui" / "main.py")
    files = config_files()
    at = AppTest.from_file(main, default_timeout=180)
    at.run()
    at.text_area(key="in_plugins").set_value(dict(files)["haraka/config/plugins"])
    at.text_area(key="in_other").set_value("\n".join(f"==> {n} <==\n{t}" for n, t in files
                                                     if not n.endswith("/plugins")))
    at.text_area(key="in_logs").set_value("".join(Path(p).read_text(encoding="utf-8") for p in LOGS))
    at.button(key="btn_run").click().run()
    got = {"app Diagnose": page_text(at)}
    for i in range(len(at.selectbox(key="tl_pick").options)):
        at.selectbox(key="tl_pick").set_value(i).run()
        got["app Diagnose timelines"] = got.get("app Diagnose timelines", "") + page_text(at)
    at.session_state["llm"] = LLMSettings(backend="openai", model="stub", base_url=server_url, api_key="test",
                                          timeout=20)
    at.switch_page("screens/ask.py").run()
    at.chat_input(key="ask_input").set_value(QUESTION).run()
    at.chat_input(key="ask_input").set_value("is Rd7Flow9xQe2 the right redis password?").run()
    at.get("feedback")[0].set_value(0).run()
    got["app Ask"] = page_text(at) + "\n".join(str(m) for m in at.session_state["chat"])
    ws = at.query_params.get("s")
    ws = ws[0] if isinstance(ws, list) else ws
    again = AppTest.from_file(main, default_timeout=180)
    again.query_params["s"] = ws
    again.run()
    got["app reload: restored inputs"] = "\n".join(again.text_area(key=k).value or ""
                                                  for k in ("in_plugins", "in_other", "in_logs"))
    again.switch_page("screens/ask.py").run()
    got["app reload: Ask"] = page_text(again)
    assert not at.exception and not again.exception, (at.exception, again.exception)
    return got


def stored_files(home: Path) -> dict[str, str]:
    out = {}
    for p in sorted(home.rglob("*")):
        if p.is_file() and "index" not in p.relative_to(home).parts[:1]:
            out[f"stored {p.relative_to(home).as_posix()}"] = p.read_bytes().decode("utf-8", "replace")
    return out


@contextlib.contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_no_secret_is_seen_anywhere(tmp_path, monkeypatch, caplog):
    pytest.importorskip("langchain_openai", reason="needs the app extra")
    from test_llm_stub import StubServer, build_hash_index
    caplog.set_level(logging.DEBUG)                   # openai/httpx log request bodies at DEBUG
    home = tmp_path / "home"
    monkeypatch.setenv("MXDOCTOR_HOME", str(home))
    monkeypatch.setenv("MXDOCTOR_EMBEDDING", "hash-64")
    for var in ("MXDOCTOR_LLM_BACKEND", "CHROMA_HOST", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    build_hash_index(home)
    with StubServer(mode="echo_ids") as server:
        channels = cli_channels(server.base_url)
        channels |= session_channels(home, server.base_url)
        channels |= app_channels(home, server.base_url)
        requests = server.requests
    channels["LLM requests received"] = "\n".join(r["raw"] for r in requests)
    channels["log records"] = caplog.text
    channels |= stored_files(home)
    found = {name: seen(text) for name, text in channels.items()}
    if os.environ.get("MXDOCTOR_LEAK_REPORT"):
        Path(os.environ["MXDOCTOR_LEAK_REPORT"]).write_text(json.dumps(found, indent=1))
    # the channels really carried the corpus (so the check could have failed)
    assert len(requests) >= 4
    assert "C: AUTH PLAIN" in channels["triage --timelines --format text"]
    assert any("history/" in k for k in channels) and any("feedback.jsonl" in k for k in channels)
    assert any("workspaces/" in k for k in channels)
    assert "redis.conf" in channels["ask --show-outbound"] and "wildduck.yaml" in channels["LLM requests received"]
    assert "alice@example.com" in channels["app reload: restored inputs"]
    leaks = {name: s for name, s in found.items() if s}
    assert not leaks, leaks
