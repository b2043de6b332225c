"""Small rendering pieces shared by pages: a finding card, passages, the hook table, a timeline.

Everything that came from the user or from an indexed document is shown with st.code, in a
data frame, or as escaped Markdown (app.ui.safe.escape_md) — never as HTML.
"""
from __future__ import annotations

import logging

import streamlit as st

from app.core import links
from app.core.localize import evidence_text, flow
from app.core.mdsafe import safe_url
from app.core.redact import redact_line
from app.ui.safe import escape_md, escape_md_keep_code, plain_text
from app.ui.state import lang, t

SEVERITY_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}
VERDICT_ICON = {"error": "🔴", "warning": "🟠", "clean": "🟢", "empty": "⚪"}
log = logging.getLogger("mxdoctor.ui")


def guarded(section: str, fn, *args, **kwargs):
    """Run one part of a page; a failure becomes a clear message there, never a traceback, and
    the rest of the page still renders. The details go to the server's log."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:                     # noqa: BLE001 - the page must survive any input
        log.exception("rendering %s failed", section)
        st.error(t("err.section", section=section, what=exc.__class__.__name__))
        return None


def link_md(target: str, text: str | None = None) -> str:
    """A Markdown link for a citation, or its escaped label when a browser cannot open it."""
    url = links.href(target, lang())
    shown = escape_md(text or links.label(target))
    return f"[{shown}]({safe_url(url)})" if url else shown


def passage_list(passages: list[dict], numbered: bool = True, claim: str = "") -> None:
    """Sources as cards: title (a link when it can be opened), the sentence that backs the claim,
    where it comes from. Snippets are plain text, never rendered Markdown."""
    from app.answer.model import supporting_sentence
    from app.retrieval.index import Passage
    for i, p in enumerate(passages, 1):
        head = p.get("title") or p.get("doc_id") or "passage"
        if p.get("heading") and p["heading"].split(" › ")[-1] not in head:
            head += " › " + p["heading"].split(" › ")[-1]
        head = links.readable_title(head)
        support = p.get("support") or ""
        if not support and claim:
            support = supporting_sentence(Passage(rank=0, score=0.0, title=p.get("title", ""), text=p.get("text", ""),
                                                  source="", url="", heading="", doc_id=""), claim)
        prefix = f"**[{p.get('n', i)}]** " if numbered else ""
        st.markdown(prefix + link_md(p.get("link") or p.get("url") or "", head) +
                    f" · {escape_md(p.get('source', ''))}")
        st.caption(plain_text(support or p.get("text", ""), 400))


def evidence_block(evidence) -> None:
    rows = []
    for ev in evidence:
        if ev.kind not in ("config", "log", "simulation"):
            continue
        where = f"{ev.file}:{ev.line}" if ev.line else ev.file
        rows.append(f"{where}: {redact_line(ev.text)}")
    if rows:
        st.markdown(f"**{t('card.evidence')}**")
        st.code("\n".join(rows), language=None, wrap_lines=True)


def headline_card(diagnosis, lang: str) -> None:
    """What happens to mail and what to do, in words, before anything else on the page."""
    from app.core.verdict import verdict
    from app.ui.pipeline_table import message_path
    v = verdict(diagnosis, lang)
    with st.container(border=True, key="headline"):
        st.markdown(f"### {VERDICT_ICON.get(v.kind, '')} {escape_md_keep_code(v.headline)}")
        for line in (v.cause, v.action):
            if line:
                st.markdown(escape_md_keep_code(line))
        if v.caveat:
            st.warning(escape_md(v.caveat), icon=":material/help:")
        sim = diagnosis.simulation
        if sim is not None:
            path = message_path(sim, lang)
            if path:
                st.caption(t("card.path"))
                st.code("\n".join(path), language=None, wrap_lines=True)
        fixed_files(diagnosis)
        if v.missing:
            st.caption(escape_md(v.missing))


def fixed_files(diagnosis) -> None:
    """One download per config file: every compatible verified fix applied together."""
    fx = getattr(diagnosis, "fixed", None)
    if fx is None or not fx.files:
        return
    rules = ", ".join(fx.applied)
    cols = st.columns(min(3, len(fx.files)))
    for i, (name, text) in enumerate(sorted(fx.files.items())):
        cols[i % len(cols)].download_button(t("card.download_fixed", name=name), data=text,
                                            file_name=name.rsplit("/", 1)[-1], mime="text/plain",
                                            key=f"dl-fixed-{name}", icon=":material/download:", type="primary")
    st.caption(t("card.fixed_caption", rules=rules) + ("" if not fx.skipped else " " + t("card.sep").join(
        t("card.skipped", rule=r, why=evidence_text(w, lang())) for r, w in fx.skipped.items())))
    with st.expander(t("card.fixed_diff")):
        st.code(fx.patch, language="diff")


def cause_card(cause, passages: list[dict], key: str = "") -> None:
    """One cause: the config mistake and what the logs show of it, why, the fix, the sources."""
    f = cause.primary
    with st.container(border=True):
        rules = " + ".join(f"`{r}`" for r in cause.rules)
        st.markdown(f"{SEVERITY_ICON.get(cause.severity, '')} **{t('sev.' + cause.severity)}** · {rules} · "
                    f"{escape_md_keep_code(f.title)}")
        if cause.assumes:
            st.caption("⚠ " + escape_md(t("card.sep").join(t("card.not_given", name=n, what=w)
                                                            for n, w in cause.assumes.items())))
        evidence_block(cause.evidence)
        st.markdown(f"**{t('card.why')}** — " + escape_md_keep_code(flow(f.explanation)))
        for s in cause.symptoms:
            st.markdown(f"- {t('card.same_cause', rule=s.rule)} " + escape_md_keep_code(s.title))
        fix = cause.fix
        if fix and (fix.summary or fix.patch or fix.manual):
            badge = f" · ✅ {t('card.verified')}" if fix.verified else ""
            st.markdown(f"**{t('card.fix')}**{badge} — " + escape_md_keep_code(fix.summary or f.fix_summary))
            if fix.patch:
                st.code(fix.patch, language="diff")
            for step in fix.manual:
                st.markdown("- " + escape_md_keep_code(step))
        elif f.fix_summary:              # a log line's finding: what to check, no edit to make
            st.markdown(f"**{t('card.fix')}** — " + escape_md_keep_code(f.fix_summary))
        _sources(f, passages)


def _sources(f, passages: list[dict]) -> None:
    """The passages that back the finding, then its other citations (notes a log line's finding
    names by their tags, the upstream source line); no expander when there is nothing to show."""
    shown = {p.get("doc_id") for p in passages}
    cites = [c for c in f.citations if c.startswith("http")
             or (f.source == "log" and c.startswith("note:") and f"kb:note:{c[5:]}" not in shown)]
    if not passages and not cites:
        return
    with st.expander(t("card.sources", n=len(passages) + len(cites))):
        passage_list(passages, claim=f.explanation)
        for c in cites:
            st.markdown("- " + link_md(c))


def hook_table(sim) -> None:
    import pandas as pd

    from app.ui.pipeline_table import ANSWERS, SHADOWED, table_records
    from app.ui.pipeline_table import hook_table as rows_of
    rows = rows_of(sim)
    if not rows:
        st.info(t("pipe.empty"))
        return
    shown, states = table_records(rows)
    df = pd.DataFrame(shown).set_index("hook")
    state_df = pd.DataFrame(states, index=df.index).drop(columns="hook")
    style = {ANSWERS: "background-color: #cdebd3; font-weight: bold", SHADOWED: "color: #9aa0a6; "
             "background-color: #f1f3f4; text-decoration: line-through"}
    styled = df.style.apply(lambda _: state_df.map(lambda s: style.get(s, "")), axis=None)
    st.caption(t("pipe.legend"))
    st.dataframe(styled, width="stretch", height=min(35 * (len(rows) + 1) + 3, 600),
                 column_config={"_index": st.column_config.TextColumn("hook", width="medium", pinned=True)})


def transactions_table(transactions) -> None:
    import pandas as pd
    recs = [{"uuid": x.uuid, "ip": x.remote_ip or "", "from": x.mail_from or "",
             "to": ", ".join(r.address for r in x.recipients), "outcome": x.outcome, "stage": x.stage or "",
             "lines": f"{x.first_line}-{x.last_line}"} for x in transactions[:2000]]
    st.dataframe(pd.DataFrame(recs), width="stretch", hide_index=True, height=260)


def explained_lines(explained, version: str | None = None, lang: str = "en") -> None:
    """Every loud line (WARN+, refusal, 4xx/5xx reply) with its emitter, meaning and source line, as the
    diagnosis explained them, in the page's language."""
    import pandas as pd

    rows = []
    for x in explained:
        if x.continues:
            continue
        means = x.system.means if x.system else x.effect
        if lang != "en":
            words = x.i18n.get(lang) or {}
            means = words.get("means") or words.get("effect") or means
        rows.append({t("tl.col.line"): f"{x.event.file}:{x.event.lineno}",
                     t("tl.col.says"): redact_line(x.text)[:300], t("tl.col.emitter"): x.emitter,
                     t("tl.col.hook"): x.hook or "", t("tl.col.means"): means,
                     t("tl.col.source"): x.source(version) or ""})
    if not rows:
        return
    st.caption(t("tl.explained"))
    st.dataframe(pd.DataFrame(rows[:2000]), width="stretch", hide_index=True, height=min(400, 40 + 35 * len(rows)),
                 column_config={t("tl.col.source"): st.column_config.LinkColumn()})


def timeline(txn, explained=(), mask: bool = True) -> None:
    import pandas as pd

    from app.core.triage import timeline as timeline_of
    tl = timeline_of(txn)
    uuid = str(tl["uuid"]).replace("`", "")
    st.markdown(f"`{uuid}` · {escape_md(tl['outcome'])} · {escape_md(tl.get('stage') or '')}")
    for r in tl["recipients"]:
        st.markdown(f"- {escape_md(r['address'])}: **{escape_md(r['outcome'])}** {escape_md(str(r['code'] or ''))} "
                    f"{escape_md(r['reply'] or '')} {('— ' + escape_md(r['plugin'])) if r['plugin'] else ''}")
    said = {(x.event.file, x.event.lineno): f"{x.emitter}" + (f" @{x.hook}" if x.hook else "")
            + f": {x.effect.split(':')[0]}" for x in explained if not x.continues}
    events = [{"line": e.lineno, "level": e.level or "", "kind": e.kind, "text": redact_line(row["text"]),
               t("tl.col.explained"): said.get((e.file, e.lineno), "")} for e, row in zip(txn.events, tl["events"])]
    st.dataframe(pd.DataFrame(events), width="stretch", hide_index=True)
