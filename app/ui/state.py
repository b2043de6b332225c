"""Session state, initialised in one place. Every page calls `init_state()` (via main.py) first.

Streamlit forgets a widget's value when a page without that widget runs; the pasted context
must survive a trip to the Ask page. So those widgets copy their value into a plain key
(`_keep_<key>`, via `on_change=keep`), and a run that finds the widget key gone puts it back.
A reload of the page starts a new Streamlit session: the inputs and conversations then come back
from this browser's workspace (app.ui.workspace), found by the `?s=` id in the page's URL.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import streamlit as st

from app.ui.texts import t as _t

PERSISTENT_WIDGETS = ("in_plugins", "in_other", "in_logs", "lang", "kb_query", "rule_query", "plugin_query")


def _defaults() -> dict[str, Callable[[], Any]]:
    from ingest.embeddings import embedding_name
    from ingest.home import data_home
    return {
        "lang": _lang_from_url,
        "home": lambda: str(data_home()),
        "embedding": embedding_name,
        "in_plugins": str, "in_other": str, "in_logs": str,
        "uploads": list,            # [(name, path)]: uploaded config files, spooled to disk
        "upload_notes": list,       # what an upload skipped
        "upload_logs": list,        # uploaded logs, spooled to files and read as a stream
        "upload_bytes": int,        # what this session uploaded in all (its cap: MXDOCTOR_UPLOAD_MB)
        "uploader_gen": int,        # the uploader's key suffix: a new, empty widget after each upload
        "diagnosis": lambda: None,  # app.core.diagnose.Diagnosis of the last run
        "transactions": list,       # app.core.logs.Transaction list of that run
        "diag_seconds": lambda: 0.0,
        "llm": lambda: None,        # app.answer.llm_settings.LLMSettings for this session (None: from settings.yaml/env)
        "chat": list,               # [{"role", "content", "passages", "sent", "backend", "id"}]
        "block_overrides": dict,    # "<first line>:<hash>" -> the file a pasted block really is
        "conversation": lambda: None,
        "feedback": dict,           # message id -> 0/1
    }


def _lang_from_url() -> str:
    """The language a page opens in: `?lang=zh` in its address (a reload, a link from a Chinese
    page, a bookmark), else English."""
    from app.ui.texts import LANGS
    wanted = st.query_params.get("lang", "en")
    return wanted if wanted in LANGS else "en"


WORKSPACE_INPUTS = {"plugins": "in_plugins", "other": "in_other", "logs": "in_logs"}


def _lang_to_url(lang: str) -> None:
    """The page's address carries its language, so a reload or a copied link keeps it."""
    if lang == "en":
        if "lang" in st.query_params:
            del st.query_params["lang"]
    elif st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang


def init_state() -> None:
    ss = st.session_state
    for key, make in _defaults().items():
        if key not in ss:
            ss[key] = make()
    if "_ws" not in ss:
        _open_workspace()
    if st.query_params.get("s") != ss._ws.id:
        st.query_params["s"] = ss._ws.id
    _lang_to_url(ss.get("lang", "en"))
    # user edits reach `_keep_` through on_change=keep. The Diagnose page's boxes get their text set
    # on every run, equal or not: a value set through the Session State API is what a re-mounted box
    # shows, and without it a page the browser comes back to shows them empty although the server
    # still holds their text. (The sidebar's widgets exist before a page calls this: only when changed.)
    for key in PERSISTENT_WIDGETS:
        kept = f"_keep_{key}"
        if kept in ss and (key in WORKSPACE_INPUTS.values() or ss.get(key) != ss[kept]):
            ss[key] = ss[kept]


def _open_workspace() -> None:
    """This browser's workspace: the one named in the URL (restored after a reload), or a new one."""
    from app.ui.workspace import Workspace, WorkspaceStore, new_id, valid_id
    ss = st.session_state
    wanted = st.query_params.get("s")
    ws = WorkspaceStore(home()).load(wanted) if valid_id(wanted) else None
    if ws is None:
        ss._ws = Workspace(id=wanted if valid_id(wanted) else new_id())
        return
    ss._ws = ws
    for name, key in WORKSPACE_INPUTS.items():
        if ws.inputs.get(name):
            ss[key] = ws.inputs[name]
            ss[f"_keep_{key}"] = ws.inputs[name]
    ss.chat = list(ws.conversation().messages)
    ss.restored = any(ws.inputs.values())          # the Diagnose page re-runs the checks once


def save_workspace() -> None:
    """Store this browser's inputs and open conversation (masked); a full disk costs the history only."""
    from app.ui.workspace import WorkspaceStore
    ss = st.session_state
    ws = ss.get("_ws")
    if ws is None:
        return
    ws.inputs = {name: ss.get(key, "") or "" for name, key in WORKSPACE_INPUTS.items()}
    conv = ws.conversation()
    conv.messages = [{k: v for k, v in m.items() if k in ("role", "content", "passages", "notices", "lang",
                                                            "relevant", "abstained", "id", "question", "headline")}
                     for m in ss.get("chat") or []]
    if conv.messages and not conv.title:
        conv.title = next((m["content"][:80] for m in conv.messages if m.get("role") == "user"), "")
    try:
        WorkspaceStore(home()).save(ws)
    except OSError as exc:
        ss.save_problem = f"could not keep this page's input across reloads: {exc.strerror or exc}"


def keep(*keys: str) -> None:
    """Remember widget values across pages (an on_change callback; also after setting them in code),
    and across reloads (the workspace)."""
    for key in keys or PERSISTENT_WIDGETS:
        if key in st.session_state:
            st.session_state[f"_keep_{key}"] = st.session_state[key]
    if any(k in WORKSPACE_INPUTS.values() for k in keys or PERSISTENT_WIDGETS):
        save_workspace()


def t(key: str, **fmt) -> str:
    return _t(key, st.session_state.get("lang", "en"), **fmt)


def lang() -> str:
    return st.session_state.get("lang", "en")


def home() -> Path:
    return Path(st.session_state["home"])


def embedding() -> str:
    return st.session_state["embedding"]


def llm_settings():
    """This session's LLM settings: chosen on the Settings page (within what the operator allows,
    app.answer.llm_policy), else the operator's: settings.yaml in the data dir + environment."""
    if st.session_state.get("llm") is None:
        from app.answer.llm_settings import load_settings
        st.session_state["llm"] = load_settings()
    return st.session_state["llm"]


def local_paths_allowed() -> bool:
    """Reading folders of the server machine: see app.ui.permissions."""
    from app.ui.permissions import local_paths_allowed as allowed
    return allowed()


def context_texts() -> list[tuple[str, str | bytes]]:
    """What the Diagnose page holds, as `diagnose(texts=...)` items; headerless blocks of the
    other-files box carry the name they were taken as, or the one the admin chose instead;
    uploaded config files are read back from the session's spool dir."""
    from app.ui.pastes import named_blocks
    from app.ui.uploads import read_spooled
    ss = st.session_state
    items: list[tuple[str, str | bytes]] = []
    if ss.get("in_plugins", "").strip():
        items.append(("config/plugins", ss["in_plugins"]))
    if ss.get("in_other", "").strip():
        items += named_blocks(ss["in_other"], ss.get("block_overrides") or {})
    uploaded, gone = read_spooled(list(ss.get("uploads") or []))
    if gone:
        ss.upload_notes = list(dict.fromkeys([*(ss.get("upload_notes") or []), *gone]))
    items += uploaded
    return items
