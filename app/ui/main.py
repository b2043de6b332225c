"""The Streamlit entry point (`mxdoctor app` runs it): navigation, shared state, first-start index.

Pages are thin; they call the same functions as the CLI (app.core.diagnose, app.retrieval.search, app.answer)
and the helpers beside them in app/ui. Run directly with `streamlit run app/ui/main.py`.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:        # `streamlit run` puts app/ui on the path, not the repo
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app.ui.state import embedding, home, init_state, keep, llm_settings, t  # noqa: E402
from app.ui.texts import LANGS  # noqa: E402

# not "screens/": Streamlit would take a folder of that name for an old-style page list and show
# it, without this file's navigation, to a browser that opens a page link before the main page
PAGES = Path(__file__).resolve().parent / "screens"

st.set_page_config(page_title="mxdoctor", page_icon="🩺", layout="wide")
init_state()

pages = [
    st.Page(PAGES / "diagnose.py", title=t("nav.diagnose"), icon=":material/stethoscope:", url_path="diagnose",
            default=True),
    st.Page(PAGES / "ask.py", title=t("nav.ask"), icon=":material/forum:", url_path="ask"),
    st.Page(PAGES / "knowledge.py", title=t("nav.knowledge"), icon=":material/library_books:", url_path="knowledge"),
    st.Page(PAGES / "rules.py", title=t("nav.rules"), icon=":material/rule:", url_path="rules"),
    st.Page(PAGES / "settings.py", title=t("nav.settings"), icon=":material/settings:", url_path="settings"),
]
nav = st.navigation(pages)

with st.sidebar:
    st.radio(t("lang"), list(LANGS), format_func=LANGS.get, key="lang", horizontal=True,
             on_change=keep, args=("lang",))
    llm = llm_settings()
    st.caption(t("llm.some", backend=llm.backend, model=llm.model) if llm.enabled else t("llm.none"))

key = (str(home()), embedding())
if st.session_state.get("index_ok") != key:
    from app.ui.shared import ensure_index
    ensure_index(home(), embedding(), t("indexing"))
    st.session_state["index_ok"] = key

try:
    nav.run()
except Exception:                  # noqa: BLE001 - st.stop/st.rerun are not Exceptions and pass through
    import logging
    logging.getLogger("mxdoctor.ui").exception("page %s failed", nav.title)
    st.error(t("err.page"))
