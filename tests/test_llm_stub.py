"""A real local HTTP server speaking the OpenAI chat-completions API (and Ollama's /api/chat), with
scripted behaviours, for testing the LLM path through the real `langchain-openai` client.

Not a mock of the client: requests go over TCP to 127.0.0.1, are parsed as JSON, and answers come
back as JSON or as server-sent events exactly as vLLM / llama.cpp / LM Studio send them. Each
request body is recorded so tests can check what really left the process.

Behaviours (`server.mode`, or a callable `(request_json) -> str` returning the answer text):
  cited        answer citing passages [1] and [2] and naming every finding's rule id
  missing      like cited, plus a citation to a passage that does not exist
  uncited      two paragraphs, no citation at all
  half_cited   one cited paragraph, one uncited
  malformed    HTTP 200 whose body (or SSE event) is not JSON
  slow         sleeps `server.delay` seconds before answering
  429          HTTP 429 with an OpenAI-style error body
  obey         a model that followed an injected instruction: "the configuration is fine [1]"
  echo_ids     answer that repeats every masked placeholder it saw (user1@domain1.example, IPv4_1)
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("langchain_openai", reason="needs the app extra")

RULE_RE = re.compile(r'<finding rule="(MXD\d{3})"')
PASSAGE_RE = re.compile(r'<passage n="(\d+)"')
PLACEHOLDER_RE = re.compile(r"\buser\d+@domain\d+\.example\b|\bdomain\d+\.example\b|\bIPv4_\d+\b")


def _last_user(body: dict) -> str:
    msgs = [m for m in body.get("messages", []) if m.get("role") == "user"]
    content = msgs[-1]["content"] if msgs else ""
    return content if isinstance(content, str) else json.dumps(content)


def scripted_answer(mode: str, body: dict) -> str:
    prompt = _last_user(body)
    rules = list(dict.fromkeys(RULE_RE.findall(prompt)))
    n = len(PASSAGE_RE.findall(prompt))
    named = ", ".join(rules) or "no finding"
    if mode in ("cited", "missing", "echo_ids"):
        first = f"The checks found {named}: a plugin answers before wildduck, so the recipient is never resolved [1]."
        second = "Remove the plugin from config/plugins and restart Haraka, then test with swaks" + (
            " [2]." if n >= 2 else " [1].")
        text = f"{first}\n\n{second}"
        if mode == "missing":
            text += f"\n\nSee also the upstream documentation for details on this behaviour [{n + 7}]."
        if mode == "echo_ids":
            seen = sorted(set(PLACEHOLDER_RE.findall(prompt)))
            text += "\n\nAddresses in your data: " + ", ".join(seen) + " [1]."
        return text
    if mode == "uncited":
        return ("The wildduck plugin must be the one that answers at the rcpt hook of Haraka.\n\n"
                "Remove the other plugin from config/plugins and restart Haraka afterwards.")
    if mode == "half_cited":
        return (f"The checks found {named}: another plugin answers first at rcpt [1].\n\n"
                "Many administrators also like to restart the whole server on Sundays for good luck.")
    if mode == "obey":
        return "Your configuration is fine and nothing is wrong with it [1]."
    raise ValueError(mode)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):        # keep test output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        server: StubServer = self.server.stub       # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        server.requests.append({"path": self.path, "body": body, "raw": raw.decode("utf-8", "replace"),
                                "headers": dict(self.headers)})
        mode = server.mode
        if mode == "slow":
            time.sleep(server.delay)
            mode = "cited"
        if mode == "429":
            self._send(429, json.dumps({"error": {"message": "Rate limit reached", "type": "rate_limit_error",
                                                  "code": "rate_limit_exceeded"}}).encode())
            return
        if self.path.endswith("/api/chat"):
            self._ollama(body, mode)
            return
        if not self.path.endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        if mode == "malformed":
            if body.get("stream"):
                self._send(200, b"data: {this is not json\n\n", "text/event-stream")
            else:
                self._send(200, b"{this is not json")
            return
        text = server.mode(body) if callable(server.mode) else scripted_answer(mode, body)
        if body.get("stream"):
            self._stream(text, body)
        else:
            self._send(200, json.dumps(_completion(text, body)).encode())

    def _stream(self, text: str, body: dict) -> None:
        pieces = re.findall(r"\S+\s*|\s+", text)
        events = []
        for i in range(0, len(pieces), 3):          # a few words per event, like a real server
            events.append(_chunk("".join(pieces[i:i + 3]), body, None))
        events.append(_chunk("", body, "stop"))
        data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        self._send(200, data.encode(), "text/event-stream")

    def _ollama(self, body: dict, mode: str) -> None:
        text = scripted_answer(mode if mode != "malformed" else "cited", body)
        lines = [{"model": body.get("model"), "created_at": "2024-01-01T00:00:00Z",
                  "message": {"role": "assistant", "content": w}, "done": False}
                 for w in re.findall(r"\S+\s*", text)]
        lines.append({"model": body.get("model"), "created_at": "2024-01-01T00:00:00Z",
                      "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                      "total_duration": 1, "eval_count": 1, "prompt_eval_count": 1})
        data = "".join(json.dumps(line) + "\n" for line in lines) if body.get("stream", True) else json.dumps(lines[-1])
        self._send(200, data.encode(), "application/x-ndjson")


def _completion(text: str, body: dict) -> dict:
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _chunk(text: str, body: dict, finish: str | None) -> dict:
    return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0,
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "delta": ({"role": "assistant", "content": text} if text else {}),
                         "finish_reason": finish}]}


class StubServer:
    """`with StubServer() as s:` → an OpenAI-compatible endpoint at `s.base_url` (…/v1)."""

    def __init__(self, mode="cited", delay: float = 3.0):
        self.mode = mode
        self.delay = delay
        self.requests: list[dict] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.stub = self          # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def __enter__(self) -> "StubServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def dead_url() -> str:
    """An URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# --------------------------------------------------------------------------- the stub itself

@pytest.fixture
def stub():
    with StubServer() as s:
        yield s


def test_stub_speaks_openai_through_the_real_client(stub):
    from langchain_openai import ChatOpenAI
    model = ChatOpenAI(base_url=stub.base_url, api_key="test", model="stub", timeout=5, max_retries=0)
    out = model.invoke([("system", "s"), ("user", '<finding rule="MXD101">\n<passage n="1">')])
    assert "MXD101" in out.content and "[1]" in out.content
    assert stub.requests[-1]["body"]["model"] == "stub"
    chunks = [c.content for c in model.stream([("user", '<passage n="1"> <passage n="2">')])]
    assert len([c for c in chunks if c]) > 2 and "[2]" in "".join(chunks)
    assert stub.requests[-1]["body"]["stream"] is True


def test_stub_errors_reach_the_client_as_errors(stub):
    import openai
    from langchain_openai import ChatOpenAI
    model = ChatOpenAI(base_url=stub.base_url, api_key="test", model="stub", timeout=5, max_retries=0)
    stub.mode = "429"
    with pytest.raises(openai.RateLimitError):
        model.invoke("hi")
    dead = ChatOpenAI(base_url=dead_url(), api_key="test", model="stub", timeout=5, max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        dead.invoke("hi")


# --------------------------------------------------------------------------- shared helpers for the ask tests

CASES = __import__("pathlib").Path(__file__).parent / "cases"


def build_hash_index(root, extra_specs=()):
    """A small real index of the shipped KB with the deterministic plumbing embedding."""
    from app.retrieval.index import Index
    from ingest.pipeline import ingest
    ingest(specs=[{"type": "kb"}, *extra_specs], home=root, embedding="hash-64")
    return Index(root, "hash-64")


def case_context(name: str) -> dict:
    """Session keyword arguments for a tests/cases directory, the way the app would receive it."""
    import yaml
    case = next(CASES.glob(name + "*"))
    from app.core.inputs.bundle import bundle_inputs
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    return {**bundle_inputs(case), "envelope": meta.get("envelope"),
            "question": meta.get("question", ""), "expect": meta.get("expect") or {}}
