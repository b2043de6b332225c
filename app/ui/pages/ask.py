"""Ask: a chat about the setup pasted on the Diagnose page; findings first, cited sources, 👍/👎."""
from __future__ import annotations

import streamlit as st

from app.ui import chat
from app.ui.state import init_state, t

init_state()
ss = st.session_state

st.title(t("ask.title"))
conv = chat.conversation()
top1, top2 = st.columns([4, 1])
top1.caption(chat.backend_line())
top1.caption(chat.context_line(conv))
if top2.button(t("ask.reset"), key="ask_reset", icon=":material/restart_alt:"):
    ss.chat = []
    conv.turns.clear()
    st.rerun()
st.page_link("pages/diagnose.py", label=t("nav.diagnose"), icon=":material/stethoscope:")

for msg in ss.chat:
    chat.show_message(msg)

question = st.chat_input(t("ask.placeholder"), key="ask_input")
if question and question.strip():
    user = {"role": "user", "content": question.strip()}
    ss.chat.append(user)
    chat.show_message(user)
    ss.chat.append(chat.answer(question.strip()))
    st.rerun()
