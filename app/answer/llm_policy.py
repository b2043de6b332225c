"""Which LLM a session of a shared app may use: the operator's, or one it names when allowed.

The operator's endpoint and key (environment, settings.yaml) serve every session. A session may
always turn the LLM off; it may change backend, base URL or model only when the operator sets
MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1, and then an endpoint other than the operator's gets the
session's own key or none: the operator's key goes to the operator's endpoint only. "The
operator's endpoint" is the operator's exact base URL string (a trailing slash aside), so no
difference between two URL parsers can make another host look like it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.answer.llm_settings import BACKENDS, DEFAULT_MODELS, DEFAULT_OLLAMA_URL, LLMSettings

NOT_ALLOWED = ("the operator has not allowed sessions to choose their own LLM endpoint "
               "(MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1 does); the operator's {what} is kept")


@dataclass(frozen=True)
class SessionChoice:
    """What the Settings page asks for."""

    backend: str
    base_url: str | None
    model: str
    timeout: float
    mask_identifiers: bool
    api_key: str | None = field(default=None, repr=False)   # the session's own key, for its own endpoint


def _norm(url: str | None) -> str:
    return (url or "").strip().rstrip("/")


def base_url_for(backend: str, base_url: str | None) -> str | None:
    url = (base_url or "").strip() or None
    return DEFAULT_OLLAMA_URL if backend == "ollama" and not url else url


def is_operator_endpoint(operator: LLMSettings, backend: str, base_url: str | None) -> bool:
    return operator.enabled and backend == operator.backend and \
        _norm(base_url_for(backend, base_url)) == _norm(operator.base_url)


def _bad_url(url: str | None) -> str | None:
    from ingest.netguard import URLRefused, split_url
    if url is None:
        return None
    try:
        split_url(url)
    except URLRefused as exc:
        return str(exc)
    return None


def _operator_only(operator: LLMSettings, choice: SessionChoice, base: LLMSettings) -> tuple[LLMSettings, list[str]]:
    """Not allowed: the operator's LLM, or none; anything else asked for is refused and said."""
    if choice.backend == "none":
        return replace(base, backend="none"), []
    changed = [what for what, differs in (
        ("backend", choice.backend != operator.backend),
        ("base URL", _norm(base_url_for(choice.backend, choice.base_url)) != _norm(operator.base_url)),
        ("model", choice.model.strip() not in ("", operator.model)),
        ("API key", bool(choice.api_key))) if differs]
    return base, [NOT_ALLOWED.format(what=", ".join(changed))] if changed else []


def session_settings(operator: LLMSettings, choice: SessionChoice, allowed: bool) -> tuple[LLMSettings, list[str]]:
    """The settings this session's answers use, and what was refused (to show on the page)."""
    base = replace(operator, timeout=float(choice.timeout), mask_identifiers=choice.mask_identifiers, problems=[],
                   own_endpoint=False)
    if choice.backend not in BACKENDS:
        return base, [f"unknown LLM backend {choice.backend!r}; the operator's is kept"]
    if not allowed:
        return _operator_only(operator, choice, base)
    if choice.backend == "none":
        return replace(base, backend="none"), []
    model = choice.model.strip() or DEFAULT_MODELS.get(choice.backend, "")
    if is_operator_endpoint(operator, choice.backend, choice.base_url):
        return replace(base, model=model, api_key=choice.api_key or operator.api_key), []
    url = base_url_for(choice.backend, choice.base_url)
    bad = _bad_url(url)
    if bad:
        return base, [f"{bad}; the LLM settings were not changed"]
    return replace(base, backend=choice.backend, base_url=url, model=model, api_key=choice.api_key or None,
                   own_endpoint=True), []
