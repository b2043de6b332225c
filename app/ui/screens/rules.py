"""Rules & plugins (onboarding): every rule with its examples, the plugin catalog, and a
simulated walk of one message through Haraka into WildDuck."""
from __future__ import annotations

import streamlit as st

from app.core.localize import flow
from app.core.rules.pages import rule_words
from app.ui.cards import link_md
from app.ui.rule_search import filter_plugins, filter_rules
from app.ui.safe import escape_md, escape_md_keep_code
from app.ui.shared import shared_catalog, shared_rules
from app.ui.state import init_state, lang, t

init_state()

SEV = {"error": "🔴", "warning": "🟠", "info": "🔵"}
MAX_DETAILED = 12          # more matches than this: a table (each rule's examples are many code blocks)


@st.cache_resource(show_spinner=False)
def flow_pair():
    from app.ui.walkthrough import canonical_pair
    return canonical_pair()


def show_example(ex: dict) -> None:
    if ex.get("name"):
        st.markdown("*" + escape_md(str(ex["name"])) + "*")
    for name, text in (ex.get("files") or {}).items():
        st.caption(name)
        st.code(str(text or "").rstrip("\n"), language=None)
    if ex.get("logs"):
        st.caption("logs")
        st.code(str(ex["logs"]).rstrip("\n"), language=None)


def show_flow(sim, title: str) -> None:
    from app.ui.walkthrough import flow_dot, flow_steps, outcome_text
    steps = flow_steps(sim, lang())
    st.markdown(f"#### {title}")
    st.graphviz_chart(flow_dot(steps, sim.outcome, lang()))
    for s in steps:
        head = f"**{s.hook}**" + (f" `{s.target}`" if s.target else "")
        who = f" — `{s.answered_by}` {t('flow.answers')} {s.retval}" if s.answered_by else ""
        reply = f" → `{s.reply}`" if s.reply and s.reply != "?" else ""
        st.markdown(head + who + reply)
        st.caption(s.text + (" · " + t("flow.skipped_list", names=", ".join(s.shadowed)) if s.shadowed else ""))
    st.markdown(f"**{escape_md(outcome_text(sim, lang()))}**")


def show_rule(rule, expanded: bool) -> None:
    words = rule_words(rule, lang())
    with st.expander(f"{SEV.get(rule.severity, '')} {rule.id} · {words['title']}", expanded=expanded):
        st.markdown(f"`{rule.id}` · **{t('sev.' + rule.severity)}** · {escape_md(rule.category)}"
                    + (" · " + ", ".join(f"`{x}`" for x in rule.tags) if rule.tags else ""))
        if words["versions"]:
            st.caption(escape_md(words["versions"]))
        st.markdown(escape_md_keep_code(flow(words["explanation"])))
        if words["fix_summary"]:
            st.markdown(f"**{t('card.fix')}** — " + escape_md_keep_code(words["fix_summary"]))
        col_f, col_p = st.columns(2)
        with col_f:
            st.markdown(f"**✗ {t('rules.fail')}**")
            for ex in rule.examples.get("fail") or []:
                show_example(ex)
        with col_p:
            st.markdown(f"**✓ {t('rules.pass')}**")
            for ex in rule.examples.get("pass") or []:
                show_example(ex)
        if rule.citations:
            st.markdown(" · ".join(link_md(str(c)) for c in rule.citations))


st.title(t("rules.title"))
st.caption(t("rules.intro"))
wanted_rule = st.query_params.get("rule")
wanted_plugin = st.query_params.get("plugin")
tab_rules, tab_plugins, tab_flow = st.tabs([t("rules.tab.rules"), t("rules.tab.plugins"), t("rules.tab.flow")])

with tab_rules:
    rules = shared_rules()
    c1, c2 = st.columns([3, 2])
    query = c1.text_input(t("rules.search"), key="rule_query", placeholder="in_host_list, MXD101, spf, tls …")
    sevs = c2.multiselect(t("rules.severity"), ["error", "warning", "info"], default=[], key="rule_sev",
                          format_func=lambda s: t(f"sev.{s}"), placeholder=t("rules.any_severity"))
    shown = filter_rules(rules, query or (wanted_rule or ""), sevs)
    st.caption(t("rules.count", shown=len(shown), total=len(rules)))
    if len(shown) > MAX_DETAILED:
        words = {r.id: rule_words(r, lang()) for r in shown}
        st.dataframe([{t("rules.col.rule"): r.id, t("rules.col.severity"): t(f"sev.{r.severity}"),
                       t("rules.col.category"): r.category, t("rules.col.title"): words[r.id]["title"],
                       t("rules.col.explanation"): flow(words[r.id]["explanation"])} for r in shown],
                     hide_index=True, width="stretch", height=420,
                     column_config={t("rules.col.explanation"): st.column_config.TextColumn(width="large")})
        st.caption(t("rules.narrow"))
    for rule in shown if len(shown) <= MAX_DETAILED else []:
        show_rule(rule, expanded=rule.id == wanted_rule or len(shown) == 1)

with tab_plugins:
    catalog = shared_catalog()
    pq = st.text_input(t("rules.plugin_search"), key="plugin_query", placeholder="rcpt, queue, wildduck, host_list …")
    rows = filter_plugins(catalog, pq or (wanted_plugin or ""))
    st.caption(t("rules.plugin_count", shown=len(rows), total=len(catalog.plugins),
                 version=catalog.haraka_version or "?"))
    st.dataframe(rows, hide_index=True, width="stretch", height=420,
                 column_config={"hooks": st.column_config.TextColumn(width="large"),
                                "summary": st.column_config.TextColumn(width="large")})

with tab_flow:
    st.markdown(t("flow.intro"))
    broken, fixed, files = flow_pair()
    with st.expander(t("flow.example")):
        st.code(files.get("config/plugins", ""), language=None)
    show_flow(broken, t("flow.broken"))
    if fixed is not None:
        st.divider()
        show_flow(fixed, t("flow.fixed"))
