"""Optional LLM backends through LangChain chat models, with a response cache and no hard failures.

`openai`: any OpenAI-compatible /v1 endpoint via `langchain-openai` (OpenAI, vLLM, llama.cpp
server, LM Studio, Ollama's /v1) — `base_url` picks the server. `ollama`: Ollama's native API via
`langchain-ollama`. Timeouts, 429s, refused connections and malformed responses all become
`LLMUnavailable(reason)`, which the caller turns into the offline answer plus a notice.

The cache key is a hash of backend, model, base URL and the exact (already masked) messages, so a
cached answer is only reused for the very same prompt; it stores masked text only.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Callable, Iterator

from app.answer.llm_settings import LLMSettings
from ingest.atomic import write_atomic

log = logging.getLogger(__name__)


class LLMUnavailable(Exception):
    """The model gave no usable answer; `reason` is shown to the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def outbound_key(settings: LLMSettings) -> str | None:
    """The key sent with a request. A second line behind app.answer.llm_policy: to an endpoint a
    session picked, never the operator's OPENAI_API_KEY, whatever the settings object holds."""
    from ingest.settings import settings as env_settings
    if settings.own_endpoint and settings.api_key and settings.api_key == env_settings().openai_key():
        return None
    return settings.api_key


def chat_model(settings: LLMSettings):
    """The LangChain chat model for the configured backend (imports only what is used)."""
    if settings.backend == "openai":
        from langchain_openai import ChatOpenAI
        kwargs = {"model": settings.model, "api_key": outbound_key(settings) or "not-needed",
                  "timeout": settings.timeout, "max_retries": 0, "temperature": settings.temperature}
        if settings.base_url:
            kwargs["base_url"] = settings.base_url
        if settings.max_tokens:
            kwargs["max_tokens"] = settings.max_tokens
        return ChatOpenAI(**kwargs)
    if settings.backend == "ollama":
        from langchain_ollama import ChatOllama
        kwargs = {"model": settings.model, "base_url": settings.base_url, "temperature": settings.temperature,
                  "client_kwargs": {"timeout": settings.timeout}}
        if settings.max_tokens:
            kwargs["num_predict"] = settings.max_tokens
        return ChatOllama(**kwargs)
    raise LLMUnavailable("no LLM backend configured")


def to_langchain(messages: list[dict[str, str]]):
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m["role"]](content=m["content"]) for m in messages]


def cache_key(settings: LLMSettings, messages: list[dict[str, str]]) -> str:
    blob = json.dumps({"backend": settings.backend, "model": settings.model, "base_url": settings.base_url or "",
                       "temperature": settings.temperature, "messages": messages},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """One JSON file per prompt hash under <data dir>/cache/llm; written atomically."""

    def __init__(self, home: Path | None = None):
        from ingest.home import data_home
        self.dir = (home or data_home()) / "cache" / "llm"

    def get(self, key: str) -> str | None:
        try:
            data = json.loads((self.dir / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        text = data.get("text") if isinstance(data, dict) else None
        return text if isinstance(text, str) and text.strip() else None

    def put(self, key: str, text: str, settings: LLMSettings) -> None:
        try:
            write_atomic(self.dir / f"{key}.json", json.dumps(
                {"text": text, "backend": settings.backend, "model": settings.model, "created": time.time()},
                ensure_ascii=False))
        except OSError as exc:          # a read-only data dir only costs the cache
            log.debug("LLM cache not written: %s", exc.__class__.__name__)

    def clear(self) -> int:
        n = 0
        for p in self.dir.glob("*.json") if self.dir.is_dir() else []:
            p.unlink(missing_ok=True)
            n += 1
        return n


def describe_error(exc: BaseException, settings: LLMSettings) -> str:
    """A short reason a user can act on, from the exception of either client."""
    name = exc.__class__.__name__
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    text = str(exc).lower()
    if "timeout" in name.lower() or "timed out" in text:
        return f"no answer within {settings.timeout:g} s"
    if status == 429 or "ratelimit" in name.lower():
        return "rate limited (HTTP 429)"
    if "connect" in name.lower() or "connection" in text or "refused" in text:
        return f"cannot reach {settings.base_url or settings.backend}"
    if status:
        return f"HTTP {status} from the endpoint"
    if isinstance(exc, (ValueError, KeyError, TypeError)) or "json" in text or "decode" in text:
        return "the endpoint sent a response that is not a valid chat completion"
    return f"{name}"


def stream_completion(settings: LLMSettings, messages: list[dict[str, str]]) -> Iterator[str]:
    """Text chunks as the model produces them; raises LLMUnavailable on any failure."""
    try:
        model = chat_model(settings)
        got = False
        for chunk in model.stream(to_langchain(messages)):
            content = chunk.content if isinstance(chunk.content, str) else "".join(
                part.get("text", "") if isinstance(part, dict) else str(part) for part in chunk.content)
            if content:
                got = True
                yield content
        if not got:
            raise LLMUnavailable("the model returned an empty answer")
    except LLMUnavailable:
        raise
    except Exception as exc:            # every client error means: use the offline answer
        raise LLMUnavailable(describe_error(exc, settings)) from exc


class Completion:
    """Iterate to get the text chunks (from the cache at once, or streamed from the model);
    afterwards `text` holds the whole answer and `cached` says where it came from."""

    def __init__(self, settings: LLMSettings, messages: list[dict[str, str]], cache: ResponseCache | None = None):
        self.settings, self.messages, self.cache = settings, messages, cache
        self.text = ""
        self.cached = False

    def __iter__(self) -> Iterator[str]:
        key = cache_key(self.settings, self.messages) if self.cache is not None and self.settings.cache else None
        if key:
            hit = self.cache.get(key)
            if hit is not None:
                self.text, self.cached = hit, True
                yield hit
                return
        parts: list[str] = []
        for piece in stream_completion(self.settings, self.messages):
            parts.append(piece)
            yield piece
        self.text = "".join(parts)
        if key and self.text.strip():
            self.cache.put(key, self.text, self.settings)


def complete(settings: LLMSettings, messages: list[dict[str, str]], *, on_token: Callable[[str], None] | None = None,
             cache: ResponseCache | None = None) -> tuple[str, bool]:
    """(full text, came from cache). Streams through `on_token` when given."""
    c = Completion(settings, messages, cache)
    for piece in c:
        if on_token:
            on_token(piece)
    return c.text, c.cached
