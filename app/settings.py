"""Which LLM (if any) `ask` may use, read from the environment and an optional settings file.

None by default: the offline composer answers on its own. The file is `settings.yaml` in the
data dir (MXDOCTOR_HOME, else ~/.local/share/mxdoctor); environment variables win over it so a
one-off run can switch backend without editing anything:

    MXDOCTOR_LLM_BACKEND   none | openai | ollama
    MXDOCTOR_LLM_MODEL     e.g. gpt-4o-mini, qwen2.5:7b-instruct
    MXDOCTOR_LLM_BASE_URL  OpenAI-compatible /v1 URL (vLLM, llama.cpp, LM Studio, Ollama's /v1)
                           or the Ollama server URL for the ollama backend
    OPENAI_API_KEY         key for the openai backend (local servers accept any value)
    MXDOCTOR_LLM_TIMEOUT   seconds before falling back to the offline answer
    MXDOCTOR_MASK_IDENTIFIERS  1/0: mask e-mail addresses, IPs and domains sent to the LLM

settings.yaml:

    llm: {backend: openai, model: qwen2.5:7b-instruct, base_url: "http://127.0.0.1:8000/v1", timeout: 60}
    redact: {identifiers: true}
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

BACKENDS = ("none", "openai", "ollama")
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "ollama": "llama3.1"}
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
SETTINGS_FILE = "settings.yaml"
TRUE = {"1", "true", "yes", "on"}


@dataclass
class LLMSettings:
    backend: str = "none"
    model: str = ""
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)   # never printed
    timeout: float = 60.0
    temperature: float = 0.0
    max_tokens: int | None = 1200
    mask_identifiers: bool = True
    cache: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.backend in ("openai", "ollama")

    def describe(self) -> dict[str, str] | None:
        """The `llm` object of `ask --format json`: which backend and model answered."""
        return {"backend": self.backend, "model": self.model} if self.enabled else None


def settings_path(home: Path | None = None) -> Path:
    from ingest.home import data_home
    return (home or data_home()) / SETTINGS_FILE


def _read_file(path: Path, problems: list[str]) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{path}: ignored ({exc.__class__.__name__})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: ignored (not a mapping)")
        return {}
    return data


def _number(value: Any, default: float, problems: list[str], name: str) -> float:
    if value in (None, ""):
        return default
    try:
        n = float(value)
    except (TypeError, ValueError):
        problems.append(f"{name}={value!r} is not a number; using {default}")
        return default
    return n if n > 0 else default


def load_settings(home: Path | None = None, environ: Mapping[str, str] | None = None) -> LLMSettings:
    """Settings file first, then the environment on top. Bad values become problems, not errors."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    data = _read_file(settings_path(home), problems)
    llm = data.get("llm") if isinstance(data.get("llm"), dict) else {}
    redact = data.get("redact") if isinstance(data.get("redact"), dict) else {}

    backend = str(env.get("MXDOCTOR_LLM_BACKEND") or llm.get("backend") or "none").strip().lower()
    if backend not in BACKENDS:
        problems.append(f"unknown LLM backend {backend!r} (use {', '.join(BACKENDS)}); no LLM is used")
        backend = "none"
    model = str(env.get("MXDOCTOR_LLM_MODEL") or llm.get("model") or DEFAULT_MODELS.get(backend, "")).strip()
    base_url = str(env.get("MXDOCTOR_LLM_BASE_URL") or llm.get("base_url") or "").strip() or None
    if backend == "ollama" and not base_url:
        base_url = env.get("OLLAMA_HOST") or DEFAULT_OLLAMA_URL
    api_key = env.get("OPENAI_API_KEY") or llm.get("api_key") or None
    timeout = _number(env.get("MXDOCTOR_LLM_TIMEOUT") or llm.get("timeout"), 60.0, problems, "timeout")
    max_tokens = llm.get("max_tokens", 1200)
    mask = env.get("MXDOCTOR_MASK_IDENTIFIERS")
    mask_ids = (str(mask).strip().lower() in TRUE) if mask not in (None, "") else bool(redact.get("identifiers", True))
    return LLMSettings(backend=backend, model=model, base_url=base_url, api_key=api_key, timeout=timeout,
                       temperature=float(llm.get("temperature", 0.0) or 0.0),
                       max_tokens=int(max_tokens) if isinstance(max_tokens, (int, float)) and max_tokens > 0 else None,
                       mask_identifiers=mask_ids, cache=bool(llm.get("cache", True)), problems=problems)
