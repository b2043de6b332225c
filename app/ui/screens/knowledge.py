"""Knowledge: what is indexed, add a folder / URLs / documents, re-index, and search the index."""
from __future__ import annotations

import streamlit as st

from app.retrieval.status import index_status
from app.ui import cards
from app.ui.permissions import ui_sources_allowed
from app.ui.safe import escape_md
from app.ui.shared import run_ingest, shared_index
from app.ui.state import embedding, home, init_state, lang, local_paths_allowed, t

init_state()

ss = st.session_state

note_id = st.query_params.get("note")
if note_id:
    from app.core.links import note_markdown
    found = note_markdown(note_id, lang())
    if found is None:
        st.warning(t("kb.no_note"))
    else:
        st.title(found[0])
        st.markdown(found[1])     # our own kb/ note (trusted, shipped in this repository)
        st.divider()

st.title(t("kb.title"))
status = index_status(home(), embedding())
c = st.columns([1, 1, 1, 2])
c[0].metric(t("kb.sources"), len(status.sources))
c[1].metric(t("kb.documents"), status.documents)
c[2].metric(t("kb.chunks"), status.chunks)
c[3].metric(t("kb.last"), status.last_ingest_text())
st.caption(t("kb.where", home=escape_md(str(status.home)), embedding=escape_md(status.embedding))
           + ("" if status.ready else t("kb.not_indexed")))
if status.sources:
    st.dataframe([{t("kb.col.source"): s.name, t("kb.col.documents"): s.documents, t("kb.col.chunks"): s.chunks,
                   t("kb.col.read"): (t("kb.read_failed") if not s.ok else t("kb.read_held", read=s.read, held=s.held)
                                      if s.held else "ok")}
                  for s in status.sources], hide_index=True, width="stretch")

st.subheader(t("kb.add"))
# every session reads what one adds: beyond loopback that is the operator's call (app.ui.permissions);
# each button is also checked here, since a crafted request can press a disabled one
can_add, local = ui_sources_allowed(), local_paths_allowed()
if not can_add:
    st.caption(t("kb.sources_off"))
tab_folder, tab_urls, tab_upload = st.tabs([t("kb.tab.folder"), t("kb.tab.urls"), t("kb.tab.upload")])
with tab_folder:
    if can_add and not local:
        st.caption(t("kb.folders_off"))
    folder_ok = can_add and local
    folder = st.text_input(t("kb.folder"), key="kb_folder",
                           disabled=not folder_ok)
    base = st.text_input(t("kb.url_base"), key="kb_base",
                         disabled=not folder_ok)
    if st.button(t("kb.add_folder"), key="kb_add_folder", disabled=not folder_ok) and folder_ok:
        from app.ui.knowledge_sources import add_folder
        ok, msg = add_folder(folder, base, home())
        (st.success if ok else st.error)(escape_md(msg))
with tab_urls:
    urls = st.text_area(t("kb.urls"), key="kb_urls", disabled=not can_add)
    if st.button(t("kb.add_urls"), key="kb_add_urls", disabled=not can_add) and can_add:
        from app.ui.knowledge_sources import add_urls
        ok, msg = add_urls(urls, home())
        (st.success if ok else st.error)(escape_md(msg))
with tab_upload:
    docs = st.file_uploader(t("kb.documents_upload"), accept_multiple_files=True, key="kb_docs",
                            type=["md", "markdown", "html", "htm", "txt", "rst"], disabled=not can_add)
    if st.button(t("kb.add_docs"), key="kb_add_docs", disabled=not (docs and can_add)) and can_add:
        from app.ui.knowledge_sources import add_uploaded
        ok, msg = add_uploaded([(d.name, d.getvalue()) for d in docs or []], home())
        (st.success if ok else st.error)(escape_md(msg))

from ingest.sourcesfile import load_sources  # noqa: E402

specs = load_sources(home())
st.caption(t("kb.sources_read") + ", ".join(    # names as code: they are data, and a path is shown as written
    "`" + f"{s.get('type')}:{s.get('path') or s.get('url') or s.get('package') or 'kb'}".replace("`", "'") + "`"
    for s in specs))
col1, col2 = st.columns([1, 3])
offline = col2.toggle(t("kb.offline"), value=True, key="kb_offline")
if col1.button(t("kb.reindex"), type="primary", key="kb_reindex", icon=":material/refresh:"):
    summary = run_ingest(specs, home(), embedding(), t("kb.reindex"), offline=offline)
    ss["kb_last_summary"] = summary.line() if summary else ""
    st.rerun()
if ss.get("kb_last_summary"):
    st.success(escape_md(ss["kb_last_summary"]))
held = [s for s in status.sources if s.held]
for s in held:      # kept until confirmed: an empty source is usually a share that is not mounted
    st.warning(t("kb.held", source=escape_md(s.name), read=s.read, held=s.held), icon=":material/folder_off:")
if held and st.button(t("kb.held_prune", n=sum(s.held for s in held)), key="kb_prune_empty"):
    summary = run_ingest(specs, home(), embedding(), t("kb.reindex"), offline=offline, prune_empty=True)
    ss["kb_last_summary"] = summary.line() if summary else ""
    st.rerun()

st.subheader(t("kb.search"))
q1, q2, q3 = st.columns([4, 2, 1])
query = q1.text_input(t("kb.query"), key="kb_query", placeholder="wildduck rcpt hook never runs")
mode = q2.segmented_control(t("kb.mode"), ["hybrid", "lexical", "dense"], default="hybrid", key="kb_mode")
k = q3.number_input("k", 1, 20, 5, key="kb_k")
if query.strip():
    from app.retrieval.index import IndexDamaged
    from app.retrieval.search import search
    try:
        index = shared_index(str(home()), embedding())
        hits = search(query, k=int(k), mode=mode or "hybrid", index=index) if index.count() else None
    except IndexDamaged as exc:
        st.error(t("kb.damaged", why=escape_md(str(exc))))
    else:
        if hits is None:
            st.warning(t("kb.empty"))
        else:
            cards.passage_list([p.to_dict() | {"link": p.link} for p in hits])
            if not hits:
                st.info(t("kb.no_match"))
