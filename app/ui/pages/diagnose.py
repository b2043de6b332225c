"""Diagnose: paste or upload config and logs → findings, hook pipeline, log timeline, exports."""
from __future__ import annotations

import time

import streamlit as st

from app.errors import InputError
from app.ui import cards
from app.ui.safe import escape_md
from app.ui.shared import finding_passages
from app.ui.state import context_texts, embedding, home, init_state, keep, t

init_state()

ss = st.session_state


def load_example() -> None:
    from app.examples import example_files
    from app.pastes import split_for_form
    ss.in_plugins, ss.in_other, ss.in_logs = split_for_form(example_files("canonical"))
    ss.uploads, ss.upload_notes = [], []
    keep("in_plugins", "in_other", "in_logs")
    run_diagnosis()


def clear_inputs() -> None:
    ss.in_plugins = ss.in_other = ss.in_logs = ""
    ss.uploads, ss.upload_notes, ss.diagnosis, ss.transactions = [], [], None, []
    keep("in_plugins", "in_other", "in_logs")


def take_uploads() -> None:
    from app.uploads import unpack_uploads
    got = unpack_uploads([(f.name, f.getvalue()) for f in ss.get("uploader") or []])
    ss.uploads, ss.upload_notes = got.texts, got.skipped


def run_diagnosis() -> None:
    from app.diagnose import diagnose
    from app.logs import group_transactions
    items = context_texts()
    logs = ss.in_logs if ss.in_logs.strip() else None
    if not items and logs is None:
        ss.diagnosis = None
        return
    started = time.perf_counter()
    try:
        d = diagnose(texts=items, log_text=logs)
    except InputError as exc:             # unusable input: say so, keep the page
        ss.diagnosis, ss.transactions, ss.diag_error = None, [], str(exc)
        return
    ss.diagnosis, ss.diag_error = d, ""
    ss.transactions = group_transactions(d.events) if d.events else []
    ss.diag_seconds = time.perf_counter() - started


st.title(t("diag.title"))
st.caption(t("diag.intro"))
b1, b2, b3, _ = st.columns([1, 1, 1, 3])
b1.button(t("diag.example"), on_click=load_example, icon=":material/science:", key="btn_example")
b3.button(t("diag.clear"), on_click=clear_inputs, key="btn_clear")

left, right = st.columns(2)
left.text_area(t("diag.plugins"), key="in_plugins", height=260, on_change=keep, args=("in_plugins",),
               placeholder="tls\nspf\nrcpt_to.in_host_list\nwildduck")
right.text_area(t("diag.other"), key="in_other", height=260, on_change=keep, args=("in_other",),
                placeholder="==> config/host_list <==\nexample.com\n\n==> config/wildduck.yaml <==\n...")
st.text_area(t("diag.logs"), key="in_logs", height=160, on_change=keep, args=("in_logs",),
             placeholder="[INFO] [7A3F...1] [rcpt_to.in_host_list] ... hook=rcpt plugin=... retval=OK")
st.caption(t("diag.biglogs"))
st.file_uploader(t("diag.upload"), accept_multiple_files=True, key="uploader", on_change=take_uploads)
if ss.uploads:
    names = ", ".join(name for name, _ in ss.uploads[:30]) + (" …" if len(ss.uploads) > 30 else "")
    st.caption("📎 " + escape_md(names))
for note in ss.upload_notes[:20]:
    st.caption("⚠ " + escape_md(note))
b2.button(t("diag.run"), type="primary", on_click=run_diagnosis, icon=":material/stethoscope:", key="btn_run")

d = ss.diagnosis
if d is None:
    if ss.get("diag_error"):
        st.error(escape_md(ss.diag_error))
    else:
        st.info(t("diag.empty"))
    st.stop()

counts = {s: sum(f.severity == s for f in d.findings) for s in ("error", "warning", "info")}
sim = d.simulation
summary = (f"{counts['error']} error(s) · {counts['warning']} warning(s) · {counts['info']} info · "
           f"{len(d.configset.files)} file(s) · {d.log_lines} log line(s)"
           + (f" · simulated outcome: **{sim.outcome}**" if sim else "") + f" · {ss.diag_seconds:.2f}s")
st.markdown(summary)
for p in d.problems[:30]:
    st.caption("⚠ " + escape_md(str(p)))

tabs = st.tabs([t("tab.findings"), t("tab.pipeline"), t("tab.timeline"), t("tab.export")])
with tabs[0]:
    if not d.findings:
        st.success(t("diag.none"))
    for i, f in enumerate(d.findings):
        try:
            passages = finding_passages(f.rule, tuple(f.citations), f.title, str(home()), embedding())
        except Exception as exc:  # the index is optional for a diagnosis: say so and go on
            st.caption(f"citations unavailable: {exc.__class__.__name__}")
            passages = []
        cards.finding_card(f, passages, mask=ss.mask_inputs, key=str(i))
with tabs[1]:
    if sim is None:
        st.info(t("pipe.none"))
    else:
        cards.hook_table(sim)
        if sim.unknown_plugins:
            st.caption("Not in the catalog (hooks unknown): " + escape_md(", ".join(sim.unknown_plugins)))
with tabs[2]:
    txns = ss.transactions
    if not txns:
        st.info(t("tl.none"))
    else:
        cards.transactions_table(txns)
        labels = [f"{x.uuid} · {x.outcome} · {', '.join(r.address for r in x.recipients)[:60]}" for x in txns[:2000]]
        pick = st.selectbox(t("tl.pick"), range(len(labels)), format_func=labels.__getitem__, key="tl_pick")
        cards.timeline(txns[pick or 0], mask=ss.mask_inputs)
with tabs[3]:
    from app.report import render
    c1, c2, c3 = st.columns(3)
    c1.download_button("Markdown (wiki)", render(d, "markdown"), "mxdoctor-report.md", "text/markdown",
                       key="dl_md", icon=":material/description:")
    c2.download_button("JSON", render(d, "json"), "mxdoctor-report.json", "application/json", key="dl_json",
                       icon=":material/data_object:")
    c3.download_button("SARIF", render(d, "sarif"), "mxdoctor-report.sarif", "application/sarif+json",
                       key="dl_sarif", icon=":material/bug_report:")
    with st.expander("Markdown preview"):
        st.code(render(d, "markdown"), language="markdown")
