"""The Diagnose page's Probe panel: `mxdoctor probe` from the browser.

Why its own module: the page stays about the pasted config; this panel talks to a live server.
The app's own machine makes the connection, so on a shared app it is the operator's choice
(MXDOCTOR_ALLOW_UI_PROBE, app/ui/permissions.py). The report is rendered by app.live.render
(masked, the server's words escaped), the same as the CLI's Markdown.
"""
from __future__ import annotations

import re

import streamlit as st

from app.ui.permissions import ui_probe_allowed
from app.ui.safe import escape_md
from app.ui.state import lang, t

ss = st.session_state


def _recipients(text: str) -> list[str]:
    return [r.strip("<> ") for r in re.split(r"[,;\s]+", text or "") if r.strip("<> ")]


def run_probe(diagnosis) -> None:
    """Probe with the panel's fields; keep the rendered report (or why not) in the session."""
    from app.live.probe import probe
    from app.live.render import outcome_words, render
    host, rcpts = (ss.get("probe_host") or "").strip().strip("[]"), _recipients(ss.get("probe_rcpts", ""))
    if not host or not rcpts:
        ss.probe_error, ss.probe_md = t("probe.need"), ""
        return
    config = diagnosis.configset if diagnosis is not None and diagnosis.configset.plugins else None
    where = f"{host}:{int(ss.probe_port)}"
    with st.status(t("probe.running", where=where)) as status:
        try:
            report = probe(host, int(ss.probe_port), rcpts=rcpts,
                           mail_from=(ss.get("probe_from") or "").strip() or None,
                           helo=(ss.get("probe_helo") or "").strip() or None, starttls=bool(ss.get("probe_starttls")),
                           send=bool(ss.get("probe_send")), timeout=float(ss.probe_timeout),
                           verify_tls=bool(ss.get("probe_verify")), config=config,
                           haraka_version=diagnosis.release if diagnosis is not None else None)
        except ValueError as exc:
            ss.probe_error, ss.probe_md = t("probe.bad", why=str(exc)), ""
            status.update(state="error")
            return
        if config is not None:
            report.config_paths = [t("probe.workspace_config")]
        ss.probe_md, ss.probe_error = render(report, "markdown", lang()), ""
        status.update(label=t("probe.done", outcome=outcome_words(report, lang())),
                      state="complete" if report.exit_code == 0 else "error")


def probe_panel(diagnosis) -> None:
    with st.expander(t("probe.title"), icon=":material/cable:", expanded=bool(ss.get("probe_md"))):
        if not ui_probe_allowed():
            st.info(t("probe.not_allowed"))
            return
        st.caption(t("probe.intro"))
        c1, c2, c3 = st.columns([3, 1, 1])
        c1.text_input(t("probe.host"), key="probe_host", placeholder="mx.example.com")
        c2.number_input(t("probe.port"), min_value=1, max_value=65535, value=25, key="probe_port")
        c3.number_input(t("probe.timeout"), min_value=1, max_value=120, value=30, key="probe_timeout")
        st.text_input(t("probe.rcpts"), key="probe_rcpts", placeholder="postmaster@example.com")
        c4, c5 = st.columns(2)
        c4.text_input(t("probe.from"), key="probe_from")
        c5.text_input(t("probe.helo"), key="probe_helo")
        c6, c7, c8 = st.columns(3)
        c6.toggle(t("probe.starttls"), key="probe_starttls")
        c7.toggle(t("probe.verify"), key="probe_verify")
        c8.toggle(t("probe.send"), key="probe_send", value=False)
        if ss.get("probe_send"):
            st.warning(t("probe.send_warning"), icon=":material/outgoing_mail:")
        if st.button(t("probe.run"), key="btn_probe", icon=":material/cable:"):
            run_probe(diagnosis)           # here, not in a callback: its status shows inside the panel
        if ss.get("probe_error"):
            st.error(escape_md(ss.probe_error))
        if ss.get("probe_md"):
            st.markdown(ss.probe_md)
