"""Settings: LLM backend for this session, redaction, data directory, Chroma server.

The LLM is the operator's (environment, settings.yaml): a session may turn it off, and choose
its own endpoint and key only where the operator allows it (app.answer.llm_policy decides, here
and whatever a crafted request sends). The operator's key is never shown back in full. Changes
apply to this browser session; the page prints the settings.yaml lines that make them the default.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import yaml

from app.answer.llm_policy import SessionChoice, is_operator_endpoint, session_settings
from app.answer.llm_settings import BACKENDS, DEFAULT_MODELS, load_settings, settings_path
from app.retrieval.status import index_status
from app.ui.permissions import session_llm_allowed
from app.ui.safe import escape_md, mask_key
from app.ui.state import embedding, home, init_state, llm_settings, local_paths_allowed, t
from ingest.settings import settings

init_state()

ss = st.session_state
env = settings()
st.title(t("set.title"))

st.subheader(t("set.llm"))
cur = llm_settings()
operator = load_settings()
allowed = session_llm_allowed()
for p in operator.problems:
    st.warning(escape_md(p))
if not allowed:
    st.caption(t("set.operator_llm"))
choices = BACKENDS if allowed else tuple(dict.fromkeys(("none", operator.backend)))
backend = st.selectbox(t("set.backend"), choices, index=choices.index(cur.backend) if cur.backend in choices else 0,
                       key="set_backend", format_func=lambda b: t(f"set.backend.{b}"))
c1, c2 = st.columns(2)
base_url = c1.text_input(t("set.base_url"), value=cur.base_url or "", key="set_base_url", disabled=not allowed,
                         placeholder="http://127.0.0.1:8000/v1" if backend == "openai" else "http://127.0.0.1:11434")
model = c2.text_input(t("set.model"), value=cur.model or DEFAULT_MODELS.get(backend, ""), key="set_model",
                      disabled=not allowed)
timeout = c1.number_input(t("set.timeout"), 1.0, 600.0, float(cur.timeout), key="set_timeout")
own_key = ""
if allowed and backend != "none" and not is_operator_endpoint(operator, backend, base_url):
    own_key = c2.text_input(t("set.own_key"), type="password", key="set_own_key")
else:
    c2.text_input(t("set.operator_key"),
                  value=mask_key(env.openai_key()), disabled=True, key="set_key_shown")

st.subheader(t("set.redact"))
mask_ids = st.toggle(t("set.mask_ids"),
                     value=cur.mask_identifiers, key="set_mask_ids")
st.caption(t("set.always_masked"))

st.subheader(t("set.data"))
new_home = st.text_input(t("set.home"), value=str(home()), key="set_home",
                         disabled=not local_paths_allowed())
status = index_status(Path(new_home).expanduser(), embedding())
st.caption(t("set.indexed", documents=status.documents, chunks=status.chunks, embedding=embedding(),
             last=status.last_ingest_text()))
st.markdown("Chroma: " + (t("set.chroma_server", where=f"{env.chroma_host}:{env.chroma_port}") if env.chroma_host else
                          t("set.chroma_local", where=str(Path(new_home).expanduser() / "chroma"))))
st.caption(t("set.chroma_hint"))

if st.button(t("set.apply"), type="primary", key="set_apply"):
    choice = SessionChoice(backend=backend, base_url=base_url.strip() or None, model=model, timeout=float(timeout),
                           mask_identifiers=mask_ids, api_key=(own_key or "").strip() or None)
    ss.llm, ss.settings_refused = session_settings(operator, choice, allowed)
    target = Path(new_home).expanduser()
    if str(target) != str(home()) and local_paths_allowed():
        try:
            target.mkdir(parents=True, exist_ok=True)
            ss.home = str(target)
        except OSError as exc:
            st.error(escape_md(f"cannot use {target}: {exc.strerror or exc}"))
    ss.settings_applied = True
    st.rerun()
if ss.pop("settings_applied", False):
    for refused in ss.pop("settings_refused", None) or []:
        st.error(escape_md(refused))
    st.success(t("set.applied"))

with st.expander(t("set.make_default", path=settings_path(home()))):
    llm = {"backend": backend, "model": model}
    if base_url.strip():
        llm["base_url"] = base_url.strip()
    llm["timeout"] = float(timeout)
    st.code(yaml.safe_dump({"llm": llm, "redact": {"identifiers": mask_ids}}, sort_keys=False), language="yaml")
    st.caption(t("set.no_keys"))
