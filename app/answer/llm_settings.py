"""Which LLM (if any) `ask` may use, read from an optional settings file and the environment.

None by default: the offline composer answers on its own. The file is `settings.yaml` in the
data dir (MXDOCTOR_HOME, else ~/.local/share/mxdoctor); the environment wins over it so a one-off
run can switch backend without editing anything. The variables (MXDOCTOR_LLM_BACKEND, _MODEL,
_BASE_URL, _TIMEOUT, OPENAI_API_KEY, OLLAMA_HOST, MXDOCTOR_MASK_IDENTIFIERS) are declared with the
others in ingest/settings.py; backend, model, URL and timeout arrive as raw text and are checked
here, where file and environment meet, so a bad value becomes a problem shown, not an error.

settings.yaml:

    llm: {backend: openai, model: qwen2.5:7b-instruct, base_url: "http://127.0.0.1:8000/v1", timeout: 60}
    redact: {identifiers: true}
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ingest.settings import settings, settings_from

BACKENDS = ("none", "openai", "ollama")
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "ollama": "llama3.1"}
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
SETTINGS_FILE = "settings.yaml"


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
    own_endpoint: bool = False      # a session picked this endpoint: the operator's key never goes there
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


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    return data[name] if isinstance(data.get(name), dict) else {}


def _backend(value: Any, problems: list[str]) -> str:
    backend = str(value or "none").strip().lower()
    if backend in BACKENDS:
        return backend
    problems.append(f"unknown LLM backend {backend!r} (use {', '.join(BACKENDS)}); no LLM is used")
    return "none"


def _max_tokens(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and value > 0 else None


def load_settings(home: Path | None = None, environ: Mapping[str, str] | None = None) -> LLMSettings:
    """Settings file first, then the environment on top. Bad values become problems, not errors."""
    env = settings() if environ is None else settings_from(environ)
    problems: list[str] = []
    data = _read_file(settings_path(home), problems)
    llm, redact = _section(data, "llm"), _section(data, "redact")
    backend = _backend(env.llm_backend or llm.get("backend"), problems)
    model = str(env.llm_model or llm.get("model") or DEFAULT_MODELS.get(backend, "")).strip()
    base_url = str(env.llm_base_url or llm.get("base_url") or "").strip() or None
    if backend == "ollama" and not base_url:
        base_url = env.ollama_host or DEFAULT_OLLAMA_URL
    mask = env.mask_identifiers
    return LLMSettings(backend=backend, model=model, base_url=base_url,
                       api_key=env.openai_key() or llm.get("api_key") or None,
                       timeout=_number(env.llm_timeout or llm.get("timeout"), 60.0, problems, "timeout"),
                       temperature=float(llm.get("temperature", 0.0) or 0.0),
                       max_tokens=_max_tokens(llm.get("max_tokens", 1200)),
                       mask_identifiers=bool(redact.get("identifiers", True)) if mask is None else mask,
                       cache=bool(llm.get("cache", True)), problems=problems)
