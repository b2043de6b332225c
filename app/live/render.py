"""A ProbeReport as text, Markdown or JSON, in English or Chinese, masked.

Why one module: the CLI and the Diagnose page's Probe panel print the same dialogue; every format
passes through app.core.redact (a reply or a config path may hold a secret), and Markdown treats
the server's words as untrusted (app.core.mdsafe).
"""
from __future__ import annotations

import json

from app.core.explain.words import spaced
from app.core.mdsafe import md_code, md_text, safe_url
from app.core.redact import redact_obj, redact_text
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
           "next": "Test message {id} sent; look for it:", "expect": "Lines that say it arrived:",
           "haraka_log": "Haraka's log (the message line names the transaction)",
           "haraka_txn": "every line of that transaction", "wildduck_log": "WildDuck's plugin resolved and stored it",
           "mongosh": "WildDuck's database: the address's user, the message by its Message-ID",
           "no_reply": "(no reply: see below)"},
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
           "next": "已发送测试邮件 {id}；到这些地方查找它：", "expect": "说明邮件已到达的日志行：",
           "haraka_log": "Haraka 日志（message 行给出事务编号）", "haraka_txn": "该事务的所有日志行",
           "wildduck_log": "WildDuck 插件解析并存储了它",
           "mongosh": "WildDuck 数据库：地址对应的用户，以及按 Message-ID 找到的邮件",
           "no_reply": "（没有回复：原因见下）"},
}


def _l(lang: str, key: str, **slots) -> str:
    table = LABELS.get(lang, LABELS["en"])
    return spaced(lang, table[key].format(**slots)) if slots else table[key]


def render(report: ProbeReport, fmt: str = "text", lang: str = "en") -> str:
    """The report in `fmt` (text | markdown | json), masked."""
    if fmt == "json":
        return json.dumps(redact_obj(report.to_dict() | {"lang": lang}), indent=2, ensure_ascii=False) + "\n"
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
        label = r.stage + (f" {r.target}" if r.target else "")
        if r.code is None:
            out.append(f"- **{md_text(label)}** — {md_text(_l(lang, 'no_reply'))}")
            continue
        reply = f"{r.code} {r.text.split(chr(10))[0]}"
        source = f" ([{md_text(_l(lang, 'source'))}]({safe_url(a.source)}))" if a.source.startswith("https://") else ""
        out.append(f"- **{md_text(label)}** {md_code(reply)} — *{md_text(_who(a, lang))}*: "
                   f"{md_text(a.said(lang))}{source}")
        for cap in a.capabilities:
            out.append(f"  - {md_text(cap['i18n'].get(lang, {}).get('says', cap['says']))}")
    out.append("")
    out += _tail(report, lang, code=md_code, bullet="- ", prose=md_text)
    return out


def _verdict(row, lang: str) -> str:
    if row.verdict == "assumed":
        return _l(lang, "assumed", what="; ".join(row.assumed[:2]))
    return _l(lang, row.verdict)


def _tail(report: ProbeReport, lang: str, code, bullet: str, prose=str) -> list[str]:
    """TLS, the failure, the comparison, the next steps and the result: the same in both formats
    (`code` marks commands and replies, `prose` escapes the rest for Markdown)."""
    s, out = report.session, []
    if s.tls is not None:
        out.append(prose(_l(lang, "tls", version=s.tls.version, cipher=s.tls.cipher, fp=s.tls.fingerprint[:16],
                            verified=_l(lang, "verified" if s.tls.verified else "not_verified"))))
    if s.failure is not None and s.failure.kind != "reply":
        out.append(prose(_l(lang, "failure", kind=s.failure.kind, stage=s.failure.stage, message=s.failure.message)))
    if report.comparison is not None:
        c = report.comparison.to_dict()
        out += ["", prose(_l(lang, "compare", paths=", ".join(report.config_paths) or "-", agree=c["agree"],
                             differ=c["differ"], unknown=c["unknown"], assumed=c["assumed"]))]
        for row in report.comparison.rows:
            label = row.stage + (f" <{row.target}>" if row.target else "")
            plugin = row.plugin or _l(lang, "nobody")
            out.append(bullet + prose(f"{label}: {_l(lang, 'live')} {row.live}, {_l(lang, 'predicted')} ")
                       + code(row.predicted or "?") + prose(f" ({plugin}) — {_verdict(row, lang)}"))
    if report.next is not None:
        out += ["", prose(_l(lang, "next", id=report.next.probe_id))]
        for cmd in report.next.commands:
            out.append(f"{bullet}{prose(_l(lang, cmd['what']))}: {code(cmd['command'])}")
        if report.session.sent:
            out.append(prose(_l(lang, "expect")))
            out += [f"{bullet}{code(line)}" for line in report.next.expect]
    out += ["", prose(_l(lang, "outcome", outcome=_l(lang, report.outcome), code=report.exit_code))]
    return out
