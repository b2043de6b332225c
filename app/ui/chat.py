"""The Ask page's conversation: one app.answer.Session per browser session, kept in step with
what the Diagnose page holds and with this session's LLM settings."""
from __future__ import annotations

import hashlib
import uuid

import streamlit as st

from app.core.redact import redact_text, scrub_known
from app.ui.answer_markdown import answer_markdown
from app.ui.safe import escape_md
from app.ui.shared import shared_index
from app.ui.state import context_texts, embedding, home, llm_settings, t

ss = st.session_state


def _fingerprint(items, logs: str, settings) -> str:
    h = hashlib.sha256()
    for name, data in items:
        h.update(name.encode() + b"\0" + (data if isinstance(data, bytes) else str(data).encode()) + b"\1")
    h.update(logs.encode())
    h.update(repr((settings.backend, settings.model, settings.base_url, settings.timeout, settings.api_key,
                   settings.own_endpoint, settings.mask_identifiers, str(home()))).encode())   # hashed, never kept
    return h.hexdigest()


def conversation():
    """The Session for this browser session; rebuilt (turns kept) when the context or settings change."""
    from app.answer import Session
    items, logs, settings = context_texts(), ss.get("in_logs", ""), llm_settings()
    key = _fingerprint(items, logs, settings)
    conv = ss.get("conversation")
    if conv is None or ss.get("conversation_key") != key:
        old_turns = list(conv.turns) if conv is not None else []
        conv = Session(texts=items or None, log_text=logs if logs.strip() else None, home=home(),
                       settings=settings, index=shared_index(str(home()), embedding()), persist=False,
                       record_unanswered=True, session_id=conv.id if conv is not None else None)
        conv.turns = old_turns or _turns_from_chat(ss.get("chat") or [])
        ss.conversation, ss.conversation_key = conv, key
    return conv


def _turns_from_chat(messages: list[dict]):
    """A conversation brought back after a reload continues its thread: its turns come from the
    stored messages."""
    from app.answer.context import Turn
    return [Turn(question=str(m.get("question", "")), answer=str(m.get("content", "")), lang=str(m.get("lang", "en")),
                 relevant=list(m.get("relevant") or []), abstained=bool(m.get("abstained")),
                 passages=list(m.get("passages") or []))
            for m in messages if m.get("role") == "assistant" and m.get("question")]


def context_line(conv) -> str:
    d = conv.diagnosis if conv.has_context else None
    if d is None:
        return t("ask.nocontext")
    what = t("ask.context_what", files=len(d.configset.files), lines=d.log_lines, findings=len(d.findings))
    return t("ask.context", what=what)


def backend_line() -> str:
    s = llm_settings()
    return t("llm.some", backend=s.backend, model=s.model) if s.enabled else t("llm.none")


def show_sources(passages: list[dict]) -> None:
    """The answer's sources as cards: title (linked), the sentence that backs what cites it."""
    from app.ui.cards import passage_list
    st.markdown(f"**{t('ask.sources')}**")
    with st.container(border=True):
        passage_list(passages)


def vote(msg_id: str) -> None:
    from app.answer import record_feedback
    msg = next((m for m in ss.chat if m.get("id") == msg_id), None)
    value = ss.get(f"fb-{msg_id}")
    if msg is None or value is None:
        return
    conv = conversation()           # this context's secrets, also after a reload brought the chat back
    record_feedback(msg["question"], msg["content"], "up" if value == 1 else "down", passages=msg["passages"],
                    abstained=msg.get("abstained", False), rules=msg.get("relevant"), lang=msg.get("lang"),
                    session_id=conv.id, home=home(), known_secrets=conv.known_secrets)
    ss.feedback[msg_id] = value


def show_message(msg: dict) -> None:
    with st.chat_message(msg["role"]):
        if msg["role"] == "user":
            st.markdown(escape_md(msg["content"]))
            return
        for n in msg.get("notices") or []:
            st.caption(escape_md(n))
        st.markdown(answer_markdown(msg["content"], msg.get("passages") or []))
        if msg.get("passages"):
            show_sources(msg["passages"])
        if msg.get("sent"):
            with st.expander(t("ask.sent")):
                st.code(msg["sent"], language=None)
        st.feedback("thumbs", key=f"fb-{msg.get('id', '')}", on_change=vote, args=(msg.get("id", ""),))


def answer(question: str) -> dict:
    """Stream one answer into the page and return the chat message for it."""
    from app.answer.prompt import render_outbound
    conv = conversation()
    sent = redact_text(render_outbound(conv.outbound(question))) if conv.settings.enabled else ""
    final, shown, notices = None, "", []
    with st.chat_message("assistant"):
        notes, body = st.container(), st.empty()
        for ev in conv.stream(question):
            if ev.kind == "notice":
                notices.append(ev.text)
                notes.caption(escape_md(ev.text))
            elif ev.kind == "token":          # the model's draft: checked against the findings once it is whole
                shown += ev.text
                body.markdown(f"*{t('ask.draft')}*\n\n" + answer_markdown(shown, []) + " ▌")
            elif ev.kind == "final":
                final = ev.answer
        body.empty()
    return {"role": "assistant", "id": uuid.uuid4().hex[:10], "content": final.answer,
            "question": scrub_known(redact_text(question), conv.known_secrets),
            "passages": final.passages, "notices": list(final.notices or notices),
            "lang": final.lang, "relevant": final.relevant, "abstained": final.abstained, "sent": sent,
            "llm": final.llm}
