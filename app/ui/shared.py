"""Resources every session shares (st.cache_resource): the index, the embedding model, the rules
and the catalog. Each is thread-safe (the store client and the embedding model carry their own
locks); a process-wide lock keeps two sessions from indexing at the same time."""
from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from app.retrieval.index import Passage
from app.ui.safe import escape_md


@st.cache_resource(show_spinner=False)
def ingest_lock() -> threading.Lock:
    return threading.Lock()


@st.cache_resource(show_spinner=False)
def embeddings(name: str):
    from ingest.embeddings import get_embeddings
    return get_embeddings(name)


@st.cache_resource(show_spinner=False)
def shared_index(home: str, embedding: str):
    from app.retrieval.index import Index
    embeddings(embedding)
    return Index(Path(home), embedding)


@st.cache_resource(show_spinner=False)
def shared_rules():
    from app.core.rules.loader import load_rules
    return load_rules()


@st.cache_resource(show_spinner=False)
def shared_catalog():
    from app.core.catalog import load_catalog
    return load_catalog()


def finding_passages(finding, lang: str) -> list[dict]:
    """A finding's passages, found the way the Ask page finds them (`finding_sources`): its rule
    page's Why and Fix, then the cited notes' chunks that back it, in the page's language."""
    from app.retrieval.passages import finding_sources
    fs = finding_sources(finding, lang)
    chosen: dict[str, Passage] = {}
    for p in (fs.why, fs.fix, *fs.notes):       # a short rule page is one chunk: its Why is its Fix
        if p is not None:
            chosen.setdefault(p.chunk_id, p)
    return [p.to_dict() | {"link": p.link} for p in chosen.values()]


def run_ingest(specs: list[dict], home: Path, embedding: str, label: str, offline: bool = False,
               skip_if_ready: bool = False, prune_empty: bool = False):
    """Index `specs` with a visible status box and progress bar; returns the IngestSummary
    (None when `skip_if_ready` and another session finished indexing while this one waited).
    `prune_empty`: the user confirmed that a source which yielded nothing really was emptied."""
    from app.retrieval.status import index_status
    from ingest.pipeline import ingest
    with st.status(label, expanded=True) as box:
        bar = st.progress(0.0)
        notes: list[str] = []
        with ingest_lock():
            if skip_if_ready and index_status(home, embedding).ready:
                summary = None
            else:
                summary = ingest(specs, home=home, embedding=embedding, offline=offline, warn=notes.append,
                                 progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m[:80]),
                                 prune_empty=prune_empty)
        if summary is not None and "vector store" in summary.rebuilt:
            shared_index.clear()        # the damaged store was set aside: open the rebuilt one
        else:
            shared_index(str(home), embedding).reload_lexical()
        for n in notes[:20]:
            st.caption(escape_md(n))
        box.update(label=f"{label} — {summary.line()}" if summary else label, state="complete", expanded=False)
    return summary


def ensure_index(home: Path, embedding: str, label: str) -> None:
    """First start: index kb/ (offline) before anything needs a citation, showing progress."""
    from app.retrieval.status import first_start_sources, index_status
    if not index_status(home, embedding).ready:
        run_ingest(first_start_sources(home), home, embedding, label, offline=True, skip_if_ready=True)
