"""Ask: a chat about the setup pasted on the Diagnose page; a headline first, the fix, why, sources.

Conversations are kept with this browser's workspace: a reload brings the open one back, and the
list below reopens or deletes earlier ones.
"""
from __future__ import annotations

import time

import streamlit as st

from app.ui import chat
from app.ui.safe import escape_md
from app.ui.state import init_state, save_workspace, t

init_state()
ss = st.session_state


def new_conversation() -> None:
    ss._ws.new_conversation()
    ss.chat = []
    if ss.get("conversation") is not None:
        ss.conversation.turns.clear()
    save_workspace()


def open_conversation(conv_id: str) -> None:
    conv = ss._ws.open(conv_id)
    if conv is not None:
        ss.chat = list(conv.messages)
        if ss.get("conversation") is not None:
            ss.conversation.turns.clear()
        save_workspace()


def delete_conversation(conv_id: str) -> None:
    ss._ws.delete(conv_id)
    if not ss._ws.current:
        ss.chat = []
    save_workspace()


st.title(t("ask.title"))
conv = chat.conversation()
top1, top2 = st.columns([4, 1])
top1.caption(chat.backend_line())
top1.caption(chat.context_line(conv))
top2.button(t("ask.reset"), key="ask_reset", icon=":material/add_comment:", on_click=new_conversation)
st.page_link("screens/diagnose.py", label=t("nav.diagnose"), icon=":material/stethoscope:")

earlier = [c for c in ss._ws.conversations if c.messages and c.id != ss._ws.current]
if earlier:
    with st.expander(t("ask.history", n=len(earlier)), icon=":material/history:"):
        for c in earlier[:20]:
            c1, c2, c3 = st.columns([6, 1, 1])
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(c.updated)) if c.updated else ""
            c1.markdown(f"{escape_md(c.title or '…')} · {len(c.messages) // 2} · {when}")
            c2.button(t("ask.open"), key=f"open-{c.id}", on_click=open_conversation, args=(c.id,))
            c3.button(t("ask.delete"), key=f"del-{c.id}", on_click=delete_conversation, args=(c.id,))

for msg in ss.chat:
    chat.show_message(msg)

question = st.chat_input(t("ask.placeholder"), key="ask_input")
if question and question.strip():
    from app.core.redact import redact_text, scrub_known
    # shown and kept masked: a password typed into the question is not echoed back or stored
    user = {"role": "user", "content": scrub_known(redact_text(question.strip()), conv.known_secrets)}
    ss.chat.append(user)
    chat.show_message(user)
    ss.chat.append(chat.answer(question.strip()))
    ss._ws.conversation().updated = time.time()
    save_workspace()
    st.rerun()
