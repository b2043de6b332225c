"""What a browser session may do on this server, as the operator decided.

One app serves many sessions, and what one session adds (a source, a fetched page) every other
one reads; the operator's LLM key pays for every answer. So the choices that reach beyond a
session are the operator's, set in the environment (ingest/settings.py), with safe defaults:

- served beyond loopback: `MXDOCTOR_APP_ADDRESS` (set by `mxdoctor app --address`), else
  Streamlit's `server.address`; unset there too means Streamlit listens on every interface.
- reading the server's folders: on loopback, or MXDOCTOR_ALLOW_LOCAL_PATHS=1.
- adding sources (folders, URLs, uploads): on loopback, or MXDOCTOR_ALLOW_UI_SOURCES=1.
- probing an SMTP server (the server, not the browser, connects to the host given): on loopback,
  or MXDOCTOR_ALLOW_UI_PROBE=1.
- choosing another LLM endpoint: only with MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1
  (app.answer.llm_policy decides what that session then gets).
"""
from __future__ import annotations

import streamlit as st

from ingest.netguard import is_loopback_host
from ingest.settings import settings


def app_address() -> str | None:
    """The address this app listens on; None when Streamlit was given none (every interface)."""
    configured = settings().app_address
    if configured:
        return configured
    try:
        return st.get_option("server.address") or None
    except RuntimeError:           # outside a Streamlit runtime
        return None


def served_beyond_loopback() -> bool:
    return not is_loopback_host(app_address())


def local_paths_allowed() -> bool:
    """Reading folders of the server machine (Add folder, data directory) is for a local app only."""
    return not served_beyond_loopback() or settings().allow_local_paths


def ui_sources_allowed() -> bool:
    """Adding to the shared knowledge base from a browser: a local app, or the operator's say-so."""
    return not served_beyond_loopback() or settings().allow_ui_sources


def ui_probe_allowed() -> bool:
    """Probing a mail server from the Diagnose page: the app's own machine connects out, so on a
    shared app only with the operator's say-so."""
    return not served_beyond_loopback() or settings().allow_ui_probe


def session_llm_allowed() -> bool:
    return settings().allow_session_llm_endpoint
