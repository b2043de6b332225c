"""A ProbeReport as text, Markdown or JSON, in English or Chinese, masked.

Why one module: the CLI and the Diagnose page's Probe panel print the same dialogue; every format
passes through app.core.redact (a reply or a config path may hold a secret), and Markdown treats
the server's words as untrusted (app.core.mdsafe).
"""
from __future__ import annotations

import json

from app.core.explain.words import spaced
from app.core.localize import assumption, step_note
from app.core.mdsafe import md_code, md_text, safe_url
from app.core.redact import redact_obj, redact_text
from app.core.verdict import outcome_is_bad, outcome_sentence
from app.live.probe import ProbeReport

LABELS = {
    "en": {"title": "Probe of {where}", "version": "Haraka {version} ({src})",
           "version_unknown": "Haraka release unknown",
           "given": "given", "banner": "from the banner", "by": "from", "source": "source",
           "tls": "TLS: {version} {cipher}, certificate {fp} ({verified})", "verified": "verified",
           "not_verified": "not verified", "failure": "Could not go on ({kind} at {stage}): {message}",
           "compare": "Beside the simulator (config: {paths}): {agree} agree, {differ} differ, {unknown} not known, "
                      "{assumed} against its assumptions",
           "live": "live", "predicted": "simulator", "nobody": "no plugin",
           "agree": "agree", "differ": "DIFFER", "unknown": "simulator does not know",
           "assumed": "differs from what the simulator assumed: {what}",
           "outcome": "Result: {outcome} (exit {code})", "accepted": "every recipient accepted",
           "refused": "the server refused something", "failed": "could not talk to the server",
           "next": "Test message {id} sent; look for it:",
           "not_accepted": "Test message {id} was not accepted (the reply after the final dot refused it); "
                           "Haraka's log says why:", "expect": "Lines that say it arrived:",
           "haraka_log": "Haraka's log (the message line names the transaction)",
           "haraka_txn": "every line of that transaction", "wildduck_log": "WildDuck's plugin resolved and stored it",
           "mongosh": "WildDuck's database: the address's user, the message by its Message-ID",
           "no_reply": "(no reply: see below)",
           "not_given": "{name} (not given): {what}",
           "why_no_queue": "the server's queue is not the config's: no plugin accepted the message at queue, "
                           "where the config has {plugin} take it",
           "why_other": "on the server {live} answered, in the config {plugin} does",
           "helo_localhost": "EHLO name: this host has no name but localhost ({helo}); a real MX that checks "
                             "HELO names may refuse it: give --helo a name that resolves to this host.",
           "sim_outcome": "The simulator, given the recipients the server really accepted: {what}."},
    "zh": {"title": "探测 {where}", "version": "Haraka {version}（{src}）", "version_unknown": "Haraka 版本未知",
           "given": "由参数给出", "banner": "从欢迎语读出", "by": "来自", "source": "源码",
           "tls": "TLS：{version} {cipher}，证书 {fp}（{verified}）", "verified": "已验证",
           "not_verified": "未验证", "failure": "无法继续（{kind}，在 {stage} 阶段）：{message}",
           "compare": "与模拟器对照（配置：{paths}）：{agree} 处一致，{differ} 处不同，{unknown} 处模拟器不确定，"
                      "{assumed} 处与其假设不符",
           "live": "实际", "predicted": "模拟器", "nobody": "没有插件",
           "agree": "一致", "differ": "不同", "unknown": "模拟器不确定",
           "assumed": "与模拟器的假设不符：{what}",
           "outcome": "结果：{outcome}（退出码 {code}）", "accepted": "所有收件人都被接受",
           "refused": "服务器拒绝了某一步", "failed": "无法与服务器对话",
           "next": "已发送测试邮件 {id}；到这些地方查找它：",
           "not_accepted": "测试邮件 {id} 没有被接受（结束符后的回复拒绝了它）；Haraka 日志里有原因：", "expect": "说明邮件已到达的日志行：",
           "haraka_log": "Haraka 日志（message 行给出事务编号）", "haraka_txn": "该事务的所有日志行",
           "wildduck_log": "WildDuck 插件解析并存储了它",
           "mongosh": "WildDuck 数据库：地址对应的用户，以及按 Message-ID 找到的邮件",
           "no_reply": "（没有回复：原因见下）",
           "not_given": "{name}（未提供）：{what}",
           "why_no_queue": "服务器的队列不是这份配置的：queue 阶段没有插件接受邮件，而按配置应由 {plugin} 接收",
           "why_other": "服务器上回答的是 {live}，按配置应是 {plugin}",
           "helo_localhost": "EHLO 名称：本机除了 localhost 之外没有别的名字（{helo}）；检查 HELO 名称的真实 MX 可能会拒绝它："
                             "请用 --helo 给出一个能解析到本机的名字。",
           "sim_outcome": "按服务器实际接受的收件人模拟：{what}。"},
}


def _l(lang: str, key: str, **slots) -> str:
    table = LABELS.get(lang, LABELS["en"])
    return spaced(lang, table[key].format(**slots)) if slots else table[key]


def outcome_words(report: ProbeReport, lang: str = "en") -> str:
    """The report's outcome in a sentence of `lang` ('the server refused something')."""
    return _l(lang, report.outcome)


def render(report: ProbeReport, fmt: str = "text", lang: str = "en") -> str:
    """The report in `fmt` (text | markdown | json), masked."""
    if fmt == "json":
        data = report.to_dict() | {"lang": lang}
        failure = data["session"].get("failure")
        if failure and lang != "en" and report.session.failure is not None:
            failure["message"], failure["message_en"] = report.session.failure.text(lang), failure["message"]
        return json.dumps(redact_obj(data), indent=2, ensure_ascii=False) + "\n"
    lines = _markdown(report, lang) if fmt == "markdown" else _text(report, lang)
    return redact_text("\n".join(lines) + "\n")


def _head(report: ProbeReport, lang: str) -> list[str]:
    where = f"[{report.host}]:{report.port}" if ":" in report.host else f"{report.host}:{report.port}"
    version = (_l(lang, "version", version=report.version, src=_l(lang, report.version_from))
               if report.version else _l(lang, "version_unknown"))
    return [_l(lang, "title", where=where) + " · " + version]


def _who(a, lang: str) -> str:
    return " · ".join(x for x in (a.emitter, a.hook or "") if x)


def _text(report: ProbeReport, lang: str) -> list[str]:
    out = _head(report, lang) + [""]
    for r, a in zip(report.session.replies, report.attributions):
        label = r.stage + (f" <{r.target}>" if r.target else "")
        if r.code is None:                # no reply: the failure below says why
            out.append(f"{label:<28} --- {_l(lang, 'no_reply')}")
            continue
        out.append(f"{label:<28} {r.code} {r.text.split(chr(10))[0]}")
        out.append(f"{'':<28} [{_who(a, lang)}] {a.said(lang)}")
        for cap in a.capabilities:
            out.append(f"{'':<30} - {cap['i18n'].get(lang, {}).get('says', cap['says'])}")
        if a.source:
            out.append(f"{'':<28} {_l(lang, 'source')}: {a.source}")
    out += _tail(report, lang, code=lambda s: s, bullet="  ")
    return out


def _markdown(report: ProbeReport, lang: str) -> list[str]:
    out = ["## " + md_text(_head(report, lang)[0]), ""]
    for r, a in zip(report.session.replies, report.attributions):
        label = f"**{md_text(r.stage)}**" + (f" {md_code(r.target)}" if r.target else "")
        if r.code is None:
            out.append(f"- {label} — {md_text(_l(lang, 'no_reply'))}")
            continue
        reply = f"{r.code} {r.text.split(chr(10))[0]}"
        source = f" ([{md_text(_l(lang, 'source'))}]({safe_url(a.source)}))" if a.source.startswith("https://") else ""
        out.append(f"- {label} {md_code(reply)} — *{md_text(_who(a, lang))}*: "
                   f"{md_text(a.said(lang))}{source}")
        for cap in a.capabilities:
            out.append(f"  - {md_text(cap['i18n'].get(lang, {}).get('says', cap['says']))}")
    out.append("")
    out += _tail(report, lang, code=md_code, bullet="- ", prose=md_text)
    return out


def _verdict(row, lang: str) -> str:
    if row.verdict == "assumed":
        return _l(lang, "assumed", what="; ".join(_assumed(a, lang) for a in row.assumed[:2]))
    if row.verdict == "differ" and row.why:
        return _l(lang, "differ") + ": " + _l(lang, row.why, live=row.live_by or "", plugin=row.plugin or "")
    return _l(lang, row.verdict)


def _assumed(item: str, lang: str) -> str:
    """One thing a prediction rested on, in `lang`: 'config/host_list (not given): <what was assumed>'."""
    name, sep, what = item.partition(" (not given): ")
    if lang == "en":
        return item
    if not sep:                                 # 'wildduck: the address exists in WildDuck ...'
        return step_note(item, lang)
    return _l(lang, "not_given", name=name, what=assumption(what, lang))


def _tail(report: ProbeReport, lang: str, code, bullet: str, prose=str) -> list[str]:
    """TLS, the failure, the comparison, the next steps and the result: the same in both formats
    (`code` marks commands and replies, `prose` escapes the rest for Markdown)."""
    s, out = report.session, []
    if s.helo_localhost:
        out.append(prose(_l(lang, "helo_localhost", helo=s.helo)))
    if s.tls is not None:
        out.append(prose(_l(lang, "tls", version=s.tls.version, cipher=s.tls.cipher, fp=s.tls.fingerprint[:16],
                            verified=_l(lang, "verified" if s.tls.verified else "not_verified"))))
    if s.failure is not None and s.failure.kind != "reply":
        out.append(prose(_l(lang, "failure", kind=s.failure.kind, stage=s.failure.stage, message=s.failure.text(lang))))
    if report.comparison is not None:
        c = report.comparison.to_dict()
        out += ["", prose(_l(lang, "compare", paths=", ".join(report.config_paths) or "-", agree=c["agree"],
                             differ=c["differ"], unknown=c["unknown"], assumed=c["assumed"]))]
        for row in report.comparison.rows:
            target = (" " + code(f"<{row.target}>")) if row.target else ""
            plugin = row.plugin or _l(lang, "nobody")
            out.append(bullet + prose(row.stage) + target + prose(f": {_l(lang, 'live')} {row.live}, "
                                                                  f"{_l(lang, 'predicted')} ")
                       + code(row.predicted or "?") + prose(f" ({plugin}) — {_verdict(row, lang)}"))
        if outcome_is_bad(report.comparison.outcome):
            out += ["", prose(_l(lang, "sim_outcome", what=outcome_sentence(report.comparison.outcome, lang)))]
    if report.next is not None:
        head = "next" if report.next.accepted else "not_accepted"
        out += ["", prose(_l(lang, head, id=report.next.probe_id))]
        for cmd in report.next.commands:
            out.append(f"{bullet}{prose(_l(lang, cmd['what']))}: {code(cmd['command'])}")
        if report.session.sent and report.next.expect:
            out += ["", prose(_l(lang, "expect"))]
            out += [f"{bullet}{code(line)}" for line in report.next.expect]
    out += ["", prose(_l(lang, "outcome", outcome=_l(lang, report.outcome), code=report.exit_code))]
    return out
