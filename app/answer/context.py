"""A conversation: the pasted context, its diagnosis (computed once), the turns so far.

Follow-ups ("and what about the queue plugin?") are answered against the same context and with
the previous question folded into the search query, and findings the last answer led with keep
a small head start. The session is saved locally after every turn (secrets masked) and can be
reloaded by id or cleared.
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from app.answer.intent import is_followup
from app.answer.llm_settings import LLMSettings, load_settings
from app.answer.model import Answer, AnswerEvent
from app.core.redact import IdentifierMasker
from app.retrieval.index import Index


@dataclass
class Turn:
    question: str
    answer: str
    lang: str
    relevant: list[str] = field(default_factory=list)
    abstained: bool = False
    llm: dict[str, str] | None = None
    passages: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "lang": self.lang, "relevant": self.relevant,
                "abstained": self.abstained, "llm": self.llm,
                "passages": [{k: p.get(k) for k in ("n", "title", "url", "heading")} for p in self.passages]}


class Session:
    """Everything `ask` needs across turns. The Streamlit app keeps one per browser session.

    Context: `paths` (Haraka dir, config dir or files), `paste` (one pasted blob), `texts`
    ([(name, text)] from text areas), `log_paths`, `log_text` (pasted log), `envelope`.
    """

    def __init__(self, paths: list[str] | None = None, *, paste: str | bytes | None = None,
                 texts: list[tuple[str, str | bytes]] | None = None, log_paths: list[str] | None = None,
                 log_text: str | bytes | None = None, envelope: dict[str, Any] | None = None,
                 session_id: str | None = None, home: Path | None = None, settings: LLMSettings | None = None,
                 index: Index | None = None, persist: bool = True, verify_fixes: bool = True,
                 record_unanswered: bool | None = None, haraka_version: str | None = None):
        self.id = session_id or uuid.uuid4().hex[:12]
        self.home = home
        self.settings = settings if settings is not None else load_settings(home)
        self.index = index
        self.persist = persist
        self.record_unanswered = persist if record_unanswered is None else record_unanswered
        self.verify_fixes = verify_fixes
        self.turns: list[Turn] = []
        self._stored = 0        # how many of `turns` are on disk already (the rest are appended on save)
        self.masker = IdentifierMasker(*(3 * [self.settings.mask_identifiers]))
        self._lock = threading.RLock()
        self._diagnosis = None
        self._secrets: frozenset[str] | None = None
        self._context: dict[str, Any] = {}
        self.set_context(paths, paste=paste, texts=texts, log_paths=log_paths, log_text=log_text, envelope=envelope,
                         haraka_version=haraka_version)

    # ------------------------------------------------------------------ context

    def set_context(self, paths: list[str] | None = None, *, paste: str | bytes | None = None,
                    texts: list[tuple[str, str | bytes]] | None = None, log_paths: list[str] | None = None,
                    log_text: str | bytes | None = None, envelope: dict[str, Any] | None = None,
                    haraka_version: str | None = None) -> None:
        """Replace the pasted context (the turns stay); the checks re-run on the next question."""
        with self._lock:
            self._context = {"paths": list(paths or []), "paste": paste, "texts": list(texts or []),
                             "log_paths": list(log_paths or []), "log_text": log_text, "envelope": envelope,
                             "haraka_version": haraka_version}
            self._diagnosis = None
            self._secrets = None

    def set_haraka_version(self, haraka_version: str | None) -> None:
        """The Haraka version the admin says runs (--haraka-version); the checks re-run."""
        with self._lock:
            self._context["haraka_version"] = haraka_version
            self._diagnosis = None

    @property
    def envelope(self) -> dict[str, Any] | None:
        return self._context.get("envelope")

    @property
    def has_context(self) -> bool:
        c = self._context
        return bool(c["paths"] or c["paste"] or c["texts"] or c["log_paths"] or c["log_text"])

    @property
    def diagnosis(self):
        """The checks on the context, run once per context; None when nothing was given."""
        with self._lock:
            if self._diagnosis is None and self.has_context:
                from app.core.diagnose import diagnose
                c = self._context
                self._diagnosis = diagnose(c["paths"] or None, paste=c["paste"], texts=c["texts"] or None,
                                           log_paths=c["log_paths"] or None, log_text=c["log_text"],
                                           envelope=c["envelope"], verify_fixes=self.verify_fixes,
                                           haraka_version=c.get("haraka_version"))
            return self._diagnosis

    @property
    def known_secrets(self) -> frozenset[str]:
        """Every secret value found in the pasted context, scrubbed from anything that leaves the
        process or is stored, even where it appears as plain prose."""
        with self._lock:
            if self._secrets is None:
                from app.core.redact import secret_values
                found: set[str] = set()
                d = self.diagnosis
                for f in (d.configset.files.values() if d else []):
                    found |= secret_values(f.text)
                for text in self._log_texts():
                    found |= secret_values(text)
                if isinstance(self._context.get("paste"), (str, bytes)):
                    p = self._context["paste"]
                    found |= secret_values(p.decode("utf-8", "replace") if isinstance(p, bytes) else p)
                self._secrets = frozenset(found)
            return self._secrets

    def known_secrets_if_computed(self) -> frozenset[str]:
        """The known secrets when something already needed them (cheap path for offline answers,
        which only contain pattern-redacted material anyway)."""
        return self._secrets or frozenset()

    def _log_texts(self) -> list[str]:
        out = []
        for p in self._context["log_paths"]:
            try:
                out.append(Path(p).read_text(encoding="utf-8", errors="replace"))
            except OSError:
                pass
        lt = self._context["log_text"]
        if lt:
            out.append(lt.decode("utf-8", "replace") if isinstance(lt, bytes) else lt)
        return out

    def feedback(self, answer: Answer, vote: str | None, comment: str = "") -> dict[str, Any]:
        """👍/👎 on one of this session's answers (stored redacted, this context's secrets scrubbed)."""
        from app.answer.feedback import record_feedback
        return record_feedback(answer.question, answer.answer, vote, passages=answer.passages,
                               abstained=answer.abstained, rules=answer.relevant, lang=answer.lang,
                               comment=comment, session_id=self.id, home=self.home,
                               known_secrets=self.known_secrets)

    def previous_rules(self) -> list[str]:
        return list(self.turns[-1].relevant) if self.turns else []

    def search_query(self, question: str) -> str:
        """The question, plus the previous one when this reads as a follow-up."""
        if self.turns and is_followup(question):
            return f"{question}\n{self.turns[-1].question}"
        return question

    # ------------------------------------------------------------------ asking

    def ask(self, question: str, k: int = 6, use_llm: bool | None = None) -> Answer:
        """Answer one question (no streaming). `use_llm=False` forces the offline composer."""
        final = None
        for ev in self.stream(question, k=k, use_llm=use_llm):
            if ev.kind == "final":
                final = ev.answer
        assert final is not None
        return final

    def stream(self, question: str, k: int = 6, use_llm: bool | None = None) -> Iterator[AnswerEvent]:
        """Events: `notice`*, `token`*, then one `final` whose answer replaces the streamed text."""
        from app.answer.pipeline import run_turn
        with self._lock:
            yield from run_turn(self, question, k=k, use_llm=use_llm)

    def outbound(self, question: str, k: int = 6) -> list[dict[str, str]]:
        """Exactly the messages an LLM would receive for this question (for --show-outbound)."""
        from app.answer.pipeline import outbound_messages, prepare
        with self._lock:
            return outbound_messages(self, prepare(self, question, k=k))

    def record_turn(self, answer: Answer) -> None:
        self.turns.append(Turn(question=answer.question, answer=answer.answer, lang=answer.lang,
                               relevant=list(answer.relevant), abstained=answer.abstained, llm=answer.llm,
                               passages=answer.passages))
        if self.persist:
            try:
                self.save()
            except OSError as exc:      # an unwritable data dir costs the history, never the answer
                answer.notices.append(f"history not saved: {exc.strerror or exc.__class__.__name__}")

    # ------------------------------------------------------------------ storage

    def context_record(self) -> dict[str, Any]:
        """The context as named texts (what a reloaded session re-checks); redacted on save."""
        d = self.diagnosis
        files = [[name, f.text] for name, f in sorted(d.configset.files.items()) if f.kind != "log"] if d else []
        logs = self._log_texts()
        if d:
            logs += [f.text for f in d.configset.files.values() if f.kind == "log"]
        return {"texts": files, "log_text": "\n".join(logs) or None, "envelope": self._context["envelope"],
                "haraka_version": self._context.get("haraka_version")}

    def save(self) -> None:
        """Append the turns not stored yet; turns another process stored meanwhile are kept."""
        from app.answer.history import HistoryStore
        with self._lock:
            new = [t.to_dict() for t in self.turns[self._stored:]]
            HistoryStore(self.home).append(self.id, self.context_record(), new, self.known_secrets)
            self._stored = len(self.turns)

    @classmethod
    def load(cls, session_id: str, home: Path | None = None, **kwargs) -> "Session | None":
        from app.answer.history import HistoryStore
        rec = HistoryStore(home).load(session_id)
        if rec is None:
            return None
        ctx = rec.get("context") or {}
        texts = [(str(n), str(t)) for n, t in ctx.get("texts") or [] if isinstance(t, str)]
        s = cls(texts=texts or None, log_text=ctx.get("log_text"), envelope=ctx.get("envelope"),
                session_id=session_id, home=home, haraka_version=ctx.get("haraka_version"), **kwargs)
        for t in rec.get("turns") or []:
            if isinstance(t, dict) and isinstance(t.get("question"), str):
                s.turns.append(Turn(question=t["question"], answer=str(t.get("answer", "")),
                                    lang=str(t.get("lang", "en")), relevant=list(t.get("relevant") or []),
                                    abstained=bool(t.get("abstained")), llm=t.get("llm"),
                                    passages=list(t.get("passages") or [])))
        s._stored = len(s.turns)
        return s

    def clear(self) -> None:
        """Forget the turns, here and on disk (the context stays)."""
        from app.answer.history import HistoryStore
        with self._lock:
            self.turns.clear()
            self._stored = 0
            HistoryStore(self.home).clear(self.id)
