"""Answers with citations: findings first, every claim cited, an LLM optional.

The functions the CLI and the Streamlit app call:

    ask(question, paths, log_paths=..., ...) -> Answer          one question, one-off context
    Session(paths, ...).ask(question) / .stream(question)      a conversation with follow-ups
    record_feedback(question, answer, "up" | "down", ...)       👍/👎
    unanswered()                                                abstained or voted-down questions
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from app.answer.context import Session
from app.answer.feedback import record_feedback, unanswered
from app.answer.llm_settings import LLMSettings
from app.answer.model import Answer, AnswerEvent
from app.retrieval.index import Index

__all__ = ["ask", "stream_ask", "Session", "Answer", "AnswerEvent", "record_feedback", "unanswered"]


def ask(question: str, paths: list[str] | None = None, *, log_paths: list[str] | None = None,
        paste: str | bytes | None = None, texts: list[tuple[str, str | bytes]] | None = None,
        log_text: str | bytes | None = None, envelope: dict[str, Any] | None = None, k: int = 6,
        settings: LLMSettings | None = None, index: Index | None = None, home: Path | None = None,
        use_llm: bool | None = None, persist: bool = False, verify_fixes: bool = True,
        haraka_version: str | None = None) -> Answer:
    """Answer one question about the given context (nothing stored unless `persist`)."""
    session = Session(paths, paste=paste, texts=texts, log_paths=log_paths, log_text=log_text, envelope=envelope,
                      home=home, settings=settings, index=index, persist=persist, verify_fixes=verify_fixes,
                      haraka_version=haraka_version)
    return session.ask(question, k=k, use_llm=use_llm)


def stream_ask(question: str, paths: list[str] | None = None, **kwargs) -> Iterator[AnswerEvent]:
    """`ask`, as events: notices, tokens as they arrive, then the final checked answer."""
    k = kwargs.pop("k", 6)
    use_llm = kwargs.pop("use_llm", None)
    kwargs.setdefault("persist", False)
    session = Session(paths, **kwargs)
    yield from session.stream(question, k=k, use_llm=use_llm)
