"""Diagnose: the verdict first (what happens to mail, why, the fixed file), then one card per cause,
the message's path through the hooks, the log timeline, how the input was read, exports."""
from __future__ import annotations

import contextlib
import os
import time

import streamlit as st

from app.core.budget import start as start_workers
from app.core.errors import InputError
from app.core.redact import redact_text
from app.ui import cards
from app.ui.probe_panel import probe_panel
from app.ui.safe import escape_md
from app.ui.shared import finding_passages
from app.ui.state import context_texts, home, init_state, keep, lang, save_workspace, t

init_state()
start_workers()             # the diagnosis's warm worker server, before the first Run

ss = st.session_state
MAX_BOX_CHARS = 200_000      # beyond this a browser text box gets slow; uploads stream instead


def load_example() -> None:
    from app.core.examples import example_files
    from app.ui.pastes import split_for_form
    ss.in_plugins, ss.in_other, ss.in_logs = split_for_form(example_files("canonical"))
    ss.uploads, ss.upload_notes, ss.block_overrides = [], [], {}
    ss.upload_logs, ss.upload_bytes = [], 0
    keep("in_plugins", "in_other", "in_logs")
    run_diagnosis()


def clear_inputs() -> None:
    import shutil
    ss.in_plugins = ss.in_other = ss.in_logs = ""
    ss.uploads, ss.upload_notes, ss.diagnosis, ss.transactions = [], [], None, []
    ss.upload_logs, ss.upload_bytes = [], 0
    shutil.rmtree(spool_dir(), ignore_errors=True)
    ss.block_overrides = {}
    keep("in_plugins", "in_other", "in_logs")


def spool_dir():
    """This browser's uploads on disk (apart from <data dir>/uploads, the team's indexed documents)."""
    return home() / "spool" / ss._ws.id


def uploader_key() -> str:
    return f"uploader-{ss.uploader_gen}"


def take_uploads() -> None:
    """Read what was just uploaded (within the session's cap), spool it to disk, and drop every copy
    in memory: Streamlit keeps an upload until its session ends, long after the browser is gone."""
    from app.ui.uploads import release_uploads, spool_texts, sweep_spools, unpack_uploads, within_room
    from ingest.settings import settings
    files = list(ss.get(uploader_key()) or [])
    cap = settings().upload_mb * 2**20
    fitting, notes, used = within_room(files, cap - ss.upload_bytes, cap)
    release_uploads(files)
    ss.uploader_gen += 1                        # a new, empty uploader: the files are ours now
    sweep_spools(spool_dir().parent)
    got = unpack_uploads(fitting, spool_dir())
    del fitting
    ss.uploads = ss.uploads + spool_texts(spool_dir(), got.texts)
    ss.upload_logs = ss.upload_logs + got.logs
    ss.upload_notes = ss.upload_notes + notes + got.skipped
    ss.upload_bytes += used


def correct_block(key: str, widget: str) -> None:
    ss.block_overrides = {**ss.block_overrides, key: ss[widget]}
    run_diagnosis()


def _cut(text: str) -> str:
    return text if len(text) <= MAX_BOX_CHARS else text[:MAX_BOX_CHARS]


def run_diagnosis() -> None:
    """The checks, in a worker within this app's time and memory budget (one runaway input must not
    take the server every browser shares down with it)."""
    from app.core.budget import Budget, BudgetExceeded, run_within
    from app.core.diagnose import diagnose
    from app.core.logs import group_transactions
    from ingest.settings import settings
    items = [(name, _cut(data) if isinstance(data, str) and name in ("config/plugins", "") else data)
             for name, data in context_texts()]
    logs = _cut(ss.in_logs) if ss.in_logs.strip() else None
    log_paths = list(ss.get("upload_logs") or [])
    if not items and logs is None and not log_paths:
        ss.diagnosis = None
        ss.diag_error = t("diag.nothing_usable") if ss.get("upload_notes") else ""
        return
    if log_paths or ss.get("uploads"):
        with contextlib.suppress(OSError):
            os.utime(spool_dir())           # in use: not swept
    started = time.perf_counter()
    env = settings()
    try:
        d = run_within(Budget(env.diagnose_seconds, env.diagnose_mb), diagnose,
                       texts=items, log_text=logs, log_paths=log_paths or None)
    except InputError as exc:             # unusable input: say so, keep the page
        ss.diagnosis, ss.transactions, ss.diag_error = None, [], str(exc)
        return
    except BudgetExceeded as exc:
        ss.diagnosis, ss.transactions = None, []
        ss.diag_error = t("diag.over_budget", kind=t(f"diag.budget_{exc.kind}"), limit=exc.limit, knob=exc.knob)
        return
    ss.diagnosis, ss.diag_error = d, ""
    ss.transactions = group_transactions(d.events) if d.events else []
    ss.diag_seconds = time.perf_counter() - started
    save_workspace()


if ss.pop("restored", False) and ss.diagnosis is None:
    run_diagnosis()
    st.toast(t("diag.restored"), icon=":material/history:")

st.title(t("diag.title"))
d = ss.diagnosis
if d is not None:
    cards.guarded(t("diag.title"), cards.headline_card, d, lang())
    for p in [p for p in d.problems if p.severity == "error"][:5]:     # a file that could not be read
        st.warning(escape_md(redact_text(str(p))), icon=":material/error:")


def input_summary() -> str:
    if d is None:
        return t("diag.inputs_empty")
    return t("diag.inputs", what=t("diag.counts", files=len(d.configset.files), lines=d.log_lines))


def blocks_table() -> None:
    """How the other-files box was cut and named, with a way to say what a block really is."""
    from app.ui.pastes import IGNORE, block_key, pasted_blocks
    blocks = pasted_blocks(_cut(ss.get("in_other", "")))
    if not blocks:
        return
    st.caption(t("diag.blocks"))
    common = ["config/plugins", "config/host_list", "config/wildduck.yaml", "config/smtp.ini", "config/tls.ini",
              "config/connection.ini", "config/relay.ini", "config/relay_acl_allow", "config/me", "dbs.toml",
              "pasted.log"]
    for i, b in enumerate(blocks):
        key = block_key(b)
        chosen = ss.block_overrides.get(key, b.name)
        options = list(dict.fromkeys([chosen, b.name, *b.alternatives, *common, IGNORE]))
        st.selectbox(t("diag.block_label", a=b.start, b=b.end) + " · " + " ".join(b.lines[0].split())[:40],
                     options, index=0, key=f"block-{i}-{key}", on_change=correct_block,
                     args=(key, f"block-{i}-{key}"), help=b.reason)


with st.expander(input_summary(), expanded=d is None, icon=":material/edit_note:"):
    st.caption(t("diag.intro"))
    b1, b2, b3, _ = st.columns([1, 1, 1, 3])
    b1.button(t("diag.example"), on_click=load_example, icon=":material/science:", key="btn_example")
    b2.button(t("diag.run"), type="primary", on_click=run_diagnosis, icon=":material/stethoscope:", key="btn_run")
    b3.button(t("diag.clear"), on_click=clear_inputs, key="btn_clear")
    left, right = st.columns(2)
    left.text_area(t("diag.plugins"), key="in_plugins", height=220, on_change=keep, args=("in_plugins",),
                   placeholder="tls\nrspamd\nwildduck")
    right.text_area(t("diag.other"), key="in_other", height=220, on_change=keep, args=("in_other",),
                    placeholder="example.com\n\nmongo:\n  url: mongodb://127.0.0.1:27017/wildduck\n\n[main]\nlisten=[::0]:25")
    with right:
        cards.guarded(t("diag.blocks"), blocks_table)
    st.text_area(t("diag.logs"), key="in_logs", height=140, on_change=keep, args=("in_logs",),
                 placeholder="[INFO] [7A3F...1] [rcpt_to.in_host_list] ... hook=rcpt plugin=... retval=OK")
    for box, key in ((t("diag.plugins"), "in_plugins"), (t("diag.other"), "in_other"), (t("diag.logs"), "in_logs")):
        if len(ss.get(key, "")) > MAX_BOX_CHARS:
            st.warning(escape_md(t("diag.too_big", box=box.split(" (")[0], size=f"{len(ss[key]) / 1e6:.1f} MB",
                                   limit=f"{MAX_BOX_CHARS // 1000} kB")), icon=":material/upload_file:")
    st.caption(t("diag.biglogs"))
    st.file_uploader(t("diag.upload"), accept_multiple_files=True, key=uploader_key(), on_change=take_uploads)
    uploaded = [name for name, _ in ss.uploads] + [p.rsplit("/", 1)[-1].split("-", 1)[-1]
                                                     for p in ss.get("upload_logs") or []]
    if uploaded:
        names = ", ".join(uploaded[:30]) + (" …" if len(uploaded) > 30 else "")
        st.caption("📎 " + escape_md(names))
    for note in ss.upload_notes[:20]:
        (st.error if "binary" in note else st.caption)("⚠ " + escape_md(note))

cards.guarded(t("probe.title"), probe_panel, d)       # works without a diagnosis: drawn before the stop below

if d is None:
    if ss.get("diag_error"):
        st.error(escape_md(ss.diag_error))
    else:
        st.info(t("diag.empty"))
    st.stop()

unread = [p for p in d.problems if "binary" in p.message or "not text" in p.message]
if unread and not d.configset.files and not d.log_lines:
    st.error(escape_md(t("diag.nothing_read", why="; ".join(str(p) for p in unread[:5]))))


def causes_section() -> None:
    from app.core.causes import group_causes
    from app.core.localize import localized_all
    causes = group_causes(localized_all(d.findings, lang()))
    if not causes:
        return
    major = [c for c in causes if c.severity in ("error", "warning")]
    minor = [c for c in causes if c not in major]
    for i, cause in enumerate(major):
        try:
            passages = finding_passages(cause.primary, lang())
        except Exception as exc:  # a citation must never take the diagnosis down: say so and go on
            st.caption(f"citations unavailable: {exc.__class__.__name__}")
            passages = []
        cards.cause_card(cause, passages, key=str(i))
    if minor:
        st.markdown(f"**{t('diag.others')}**")
        for c in minor:
            st.markdown(f"- {cards.SEVERITY_ICON.get(c.severity, '')} `{c.primary.rule}` " + escape_md(c.primary.title))


cards.guarded(t("diag.causes"), causes_section)
st.caption(t("diag.stats", findings=len(d.findings), seconds=f"{ss.diag_seconds:.2f}",
             counts=t("diag.counts", files=len(d.configset.files), lines=d.log_lines)))

tabs = st.tabs([t("tab.pipeline"), t("tab.timeline"), t("tab.input"), t("tab.export")])
with tabs[0]:
    if d.simulation is None:
        st.info(t("pipe.none"))
    else:
        cards.guarded(t("tab.pipeline"), cards.hook_table, d.simulation)
        if d.simulation.unknown_plugins:
            st.caption(escape_md(t("diag.uncatalogued", names=", ".join(d.simulation.unknown_plugins))))


def timeline_tab() -> None:
    txns = ss.transactions
    if d.events:
        cards.explained_lines(d.explained, d.release, lang())
    if not txns:
        st.info(t("tl.none"))
        return
    cards.transactions_table(txns)
    labels = [f"{x.uuid} · {x.outcome} · {', '.join(r.address for r in x.recipients)[:60]}" for x in txns[:2000]]
    pick = st.selectbox(t("tl.pick"), range(len(labels)), format_func=labels.__getitem__, key="tl_pick")
    cards.timeline(txns[pick or 0], d.explained)


def input_tab() -> None:
    rows = [f"{name} ← {t('origin.paste') if f.origin == 'paste' else f.origin}" + (f" ({f.taken_as})" if f.taken_as else "")
            for name, f in sorted(d.configset.files.items())]
    if rows:
        st.code("\n".join(rows), language=None)
    for p in d.problems[:30]:
        st.caption("⚠ " + escape_md(redact_text(str(p))))        # a parse error may quote the line
    from app.core.verdict import verdict
    missing = verdict(d, lang()).missing
    if missing:
        st.caption(escape_md(missing))


def export_tab() -> None:
    from app.core.report import render
    c1, c2, c3 = st.columns(3)
    md = render(d, "markdown", base_url=st.context.url if hasattr(st, "context") else None, lang=lang())
    c1.download_button("Markdown (wiki)", md, "mxdoctor-report.md", "text/markdown", key="dl_md",
                       icon=":material/description:")
    c2.download_button("JSON", render(d, "json", lang=lang()), "mxdoctor-report.json", "application/json", key="dl_json",
                       icon=":material/data_object:")
    c3.download_button("SARIF", render(d, "sarif", lang=lang()), "mxdoctor-report.sarif", "application/sarif+json",
                       key="dl_sarif", icon=":material/bug_report:")
    with st.expander(t("diag.md_preview")):
        st.code(md, language="markdown")


with tabs[1]:
    cards.guarded(t("tab.timeline"), timeline_tab)
with tabs[2]:
    cards.guarded(t("tab.input"), input_tab)
with tabs[3]:
    cards.guarded(t("tab.export"), export_tab)
