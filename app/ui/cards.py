"""Small rendering pieces shared by pages: a finding card, passages, the hook table, a timeline.

Everything that came from the user or from an indexed document is shown with st.code, in a
data frame, or as escaped Markdown (app.ui.safe.escape_md) — never as HTML.
"""
from __future__ import annotations

import streamlit as st

from app import links
from app.model import Finding
from app.redact import redact_line
from app.ui.safe import escape_md, one_line
from app.ui.state import t

SEVERITY_ICON = {"error": "🔴", "warning": "🟠", "info": "🔵"}


def link_md(target: str, text: str | None = None) -> str:
    """A Markdown link for a citation, or its escaped label when a browser cannot open it."""
    url = links.href(target)
    shown = escape_md(text or links.label(target))
    return f"[{shown}]({url.replace(')', '%29').replace(' ', '%20')})" if url else shown


def passage_list(passages: list[dict], numbered: bool = True) -> None:
    for i, p in enumerate(passages, 1):
        head = p.get("title") or p.get("doc_id") or "passage"
        if p.get("heading") and p["heading"].split(" › ")[-1] not in head:
            head += " › " + p["heading"].split(" › ")[-1]
        prefix = f"**[{i}]** " if numbered else ""
        st.markdown(prefix + link_md(p.get("link") or p.get("url") or "", head) +
                    f" · {escape_md(p.get('source', ''))}")
        st.caption(escape_md(one_line(p.get("text", ""), 600)))


def evidence_block(f: Finding, mask: bool) -> None:
    rows = []
    for ev in f.evidence:
        where = f"{ev.file}:{ev.line}" if ev.line else ev.file
        rows.append(f"{where}: {redact_line(ev.text) if mask else ev.text}")
    if rows:
        st.markdown(f"**{t('card.evidence')}**")
        st.code("\n".join(rows), language=None)


def finding_card(f: Finding, passages: list[dict], mask: bool = True, key: str = "") -> None:
    with st.container(border=True):
        st.markdown(f"{SEVERITY_ICON.get(f.severity, '')} **{f.severity.upper()}** · `{f.rule}` · "
                    f"{escape_md(f.title)}")
        evidence_block(f, mask)
        st.markdown(f"**{t('card.why')}** — " + escape_md(f.explanation))
        fix = f.fix
        if fix and (fix.summary or fix.patch or fix.manual):
            badge = f" · ✅ {t('card.verified')}" if fix.verified else ""
            st.markdown(f"**{t('card.fix')}**{badge} — " + escape_md(fix.summary or f.fix_summary))
            if fix.patch:
                st.code(fix.patch, language="diff")
            for name, text in fix.files.items():
                st.download_button(t("card.download", name=name), data=text, file_name=name.rsplit("/", 1)[-1],
                                   mime="text/plain", key=f"dl-{key}-{f.rule}-{name}", icon=":material/download:")
            for step in fix.manual:
                st.markdown("- " + escape_md(step))
        cites = [c for c in f.citations if c.startswith("http")]
        with st.expander(t("card.sources", n=len(passages) + len(cites))):
            passage_list(passages)
            for c in cites:
                st.markdown("- " + link_md(c))


def hook_table(sim) -> None:
    import pandas as pd

    from app.pipeline_table import ANSWERS, SHADOWED, hook_table as rows_of, table_records
    rows = rows_of(sim)
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


def timeline(txn, mask: bool = True) -> None:
    import pandas as pd

    from app.triage import timeline as timeline_of
    tl = timeline_of(txn)
    st.markdown(f"`{escape_md(tl['uuid'])}` · {escape_md(tl['outcome'])} · {escape_md(tl.get('stage') or '')}")
    for r in tl["recipients"]:
        st.markdown(f"- {escape_md(r['address'])}: **{escape_md(r['outcome'])}** {r['code'] or ''} "
                    f"{escape_md(r['reply'] or '')} {('— ' + escape_md(r['plugin'])) if r['plugin'] else ''}")
    events = [{"line": e["line"], "level": e["level"] or "", "kind": e["kind"],
               "text": redact_line(e["text"]) if mask else e["text"]} for e in tl["events"]]
    st.dataframe(pd.DataFrame(events), width="stretch", hide_index=True)
