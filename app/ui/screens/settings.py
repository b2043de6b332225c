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
    st.caption("The operator sets the language model: its backend, base URL, model and key. This session may "
               "turn it off; MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1 lets sessions use an endpoint of their own, "
               "which never gets the operator's key.")
choices = BACKENDS if allowed else tuple(dict.fromkeys(("none", operator.backend)))
backend = st.selectbox("Backend", choices, index=choices.index(cur.backend) if cur.backend in choices else 0,
                       key="set_backend", format_func={"none": "none (offline answers)", "openai": "OpenAI-compatible",
                                                       "ollama": "Ollama"}.get)
c1, c2 = st.columns(2)
base_url = c1.text_input("Base URL", value=cur.base_url or "", key="set_base_url", disabled=not allowed,
                         placeholder="http://127.0.0.1:8000/v1" if backend == "openai" else "http://127.0.0.1:11434")
model = c2.text_input("Model", value=cur.model or DEFAULT_MODELS.get(backend, ""), key="set_model",
                      disabled=not allowed)
timeout = c1.number_input("Timeout (s)", 1.0, 600.0, float(cur.timeout), key="set_timeout")
own_key = ""
if allowed and backend != "none" and not is_operator_endpoint(operator, backend, base_url):
    own_key = c2.text_input("API key for this endpoint (kept in this session only; the operator's key is never "
                            "sent to an endpoint a session picks)", type="password", key="set_own_key")
else:
    c2.text_input("API key (the operator's, from the OPENAI_API_KEY environment variable)",
                  value=mask_key(env.openai_key()), disabled=True, key="set_key_shown")

st.subheader(t("set.redact"))
mask_ids = st.toggle("Mask e-mail addresses, IP addresses and domains in what is sent to the LLM",
                     value=cur.mask_identifiers, key="set_mask_ids")
st.caption("Passwords, keys, tokens and credentials in URLs are always masked: on every page, in exports, "
           "in what is kept across reloads and in anything sent to an LLM.")

st.subheader(t("set.data"))
new_home = st.text_input("Data directory (index, sources, settings)", value=str(home()), key="set_home",
                         disabled=not local_paths_allowed())
status = index_status(Path(new_home).expanduser(), embedding())
st.caption(f"{status.documents} documents, {status.chunks} chunks indexed with `{embedding()}` · "
           f"last ingest {status.last_ingest_text()}")
st.markdown("Chroma: " + (f"server `{env.chroma_host}:{env.chroma_port}`" if env.chroma_host else
                          f"local (embedded) at `{Path(new_home).expanduser() / 'chroma'}`"))
st.caption("To use a Chroma server, start the app with CHROMA_HOST and CHROMA_PORT set "
           "(e.g. `CHROMA_HOST=chroma.internal make app`); it applies to every session of this server.")

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
    st.success("Applied to this session.")

with st.expander(f"Make this the default: {settings_path(home())}"):
    llm = {"backend": backend, "model": model}
    if base_url.strip():
        llm["base_url"] = base_url.strip()
    llm["timeout"] = float(timeout)
    st.code(yaml.safe_dump({"llm": llm, "redact": {"identifiers": mask_ids}}, sort_keys=False), language="yaml")
    st.caption("Keys never go in this file: set OPENAI_API_KEY in the environment.")
