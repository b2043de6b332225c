"""The answer's frame in the question's language: a Chinese question gets Chinese framing.

Only the frame is translated; quoted passages, rule explanations, log lines and commands stay
as written. The language comes from `ingest.tokenize.text_lang` (any Chinese character makes a
question Chinese, which is all a mixed "为什么 wildduck 收不到" needs).
"""
from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "found_relevant": "Your setup has {n} problem(s) that bear on this question:",
        "found_other": "Also wrong in your setup (not what you asked about):",
        "minor": "Lesser findings: {items}.",
        "severity": "{severity}",
        "evidence": "Seen in your input:",
        "fix_verified": "Fix (re-checked: the problem is gone after this change):",
        "fix_unverified": "Fix:",
        "fix_manual": "Also do by hand:",
        "kb_intro": "What the knowledge base says:",
        "fix_label": "**Fix ({rule}):**",
        "fix_verified_label": "**Fix ({rule}, verified: the checks pass after this change):**",
        "why_label": "**Why ({rule}):**",
        "fix_short": "Fix:",
        "also_relevant": "**Also relevant:**",
        "more": "More:",
        "changelog_fixed": "Fixed in", "changelog_changed": "Changed in",
        "changelog_later": "**{label} {package} {version}**{refs}: \"{entry}\"; you run {since}.",
        "changelog_maybe": "**{label} {package} {version}**{refs}: \"{entry}\"; your version is given as {since}, "
                           "which allows it: check which one is installed (package-lock.json, npm ls).",
        "same_cause": "Same cause, seen in the logs ({rule}):",
        "others": "**Other findings** (not what you asked about): {items}.",
        "others_more": " And {n} more (see `mxdoctor check`).",
        "sev_error": "error", "sev_warning": "warning", "sev_info": "info",
        "abstain_given": "I cannot answer this from what you pasted or from the knowledge base: the checks found "
                         "nothing related and no passage clearly answers it.",
        "kb_intro_general": "General background from the knowledge base (not a finding about your setup):",
        "no_findings": "The checks found no problem in what you gave me{what}.",
        "no_findings_what": " ({what})",
        "nothing_given": "You have not given any configuration or logs, so this answer cannot say anything about your "
                         "own setup.",
        "verify": "**How to verify** (send a test message, then look for it in the log and in MongoDB):",
        "verify_log_only": "**How to verify** (send a test message, then look for it in the log):",
        "verify_expect_wildduck": "The fix worked when the log shows `{line}` and `{stored}`, and the query finds "
                                  "the message.",
        "verify_expect_queue": "The fix worked when the log shows `{line}`.",
        "placeholder_log": "YOUR_HARAKA_LOG",
        "verify_send": "Send a test message:",
        "verify_logs": "Then look for these lines in the Haraka log:",
        "verify_mongo": "And check in MongoDB that it was stored:",
        "verify_queue": "Then look for the queue answer in the Haraka log:",
        "abstain": "I cannot answer this from the knowledge base: no passage in it clearly answers the question.",
        "abstain_suggest": "To get a useful answer, paste:",
        "paste_to_check": "To check your own server, paste:",
        "suggest_plugins": "config/plugins (the list of enabled plugins)",
        "suggest_logs": "the Haraka log around one failing message (from `connect` to `disconnect`), at loglevel INFO "
                        "or lower",
        "suggest_loglevel": "logs at loglevel INFO: yours are at {level}, which hides the hook answers",
        "suggest_store_config": "config/{file} (secrets are masked before anything is shown or sent)",
        "suggest_rephrase": "or ask about a symptom (a reply code, a log line, \"mail is not stored\")",
        "not_indexed": "The knowledge base is not indexed yet (run `mxdoctor ingest`), so this answer uses the "
                       "checks and the rule pages only.",
        "index_damaged": "The knowledge base's index is damaged ({why}); run `mxdoctor ingest` to rebuild it. "
                         "Until then this answer uses the checks and the rule pages only.",
        "llm_fallback": "The language model could not answer ({reason}); this is the offline answer.",
        "llm_uncited": "The language model's answer cited no passage, so it is not shown; this is the offline answer.",
        "llm_contradiction": "The language model's answer left out or contradicted these findings from the "
                             "deterministic checks, so they are shown first:",
        "llm_held": "The language model's answer is not shown: {reasons}. This is the offline answer, checked by "
                    "the rules.",
        "advice_introduces": "“{said}” would add {findings}",
        "advice_contradicts": "“{said}” goes against the fix of {findings}",
        "advice_disables": "“{said}” turns off a plugin that {findings} rests on",
        "advice_dismisses": "“{said}” dismisses {findings}",
        "quote_flagged": "⚠ **Not advice:** {source} proposes a change that mxdoctor's checks flag: {reasons}.",
        "llm_removed_citation": "removed citation [{n}]: there is no passage {n}",
        "llm_uncited_paragraph": "not backed by a cited passage",
        "followup_context": "(continuing from: \"{prev}\")",
        "placeholder_host": "YOUR_MX_HOST",
        "placeholder_rcpt": "user@your-domain",
    },
    "zh": {
        "found_relevant": "你的配置中有 {n} 个与这个问题相关的问题：",
        "found_other": "你的配置中还有以下问题（与本问题无直接关系）：",
        "minor": "其他次要发现：{items}。",
        "severity": "{severity}",
        "evidence": "在你提供的内容中看到：",
        "fix_verified": "修复方法（已复查：改动后该问题消失）：",
        "fix_unverified": "修复方法：",
        "fix_manual": "还需要手动完成：",
        "kb_intro": "知识库中的相关内容：",
        "fix_label": "**修复（{rule}）：**",
        "fix_verified_label": "**修复（{rule}，已验证：修改后检查通过）：**",
        "why_label": "**原因（{rule}）：**",
        "fix_short": "修复：",
        "also_relevant": "**同样相关：**",
        "more": "更多：",
        "changelog_fixed": "已修复于", "changelog_changed": "已更改于",
        "changelog_later": "**{label} {package} {version}**{refs}：“{entry}”；你运行的是 {since}。",
        "changelog_maybe": "**{label} {package} {version}**{refs}：“{entry}”；你的版本写作 {since}，范围包含该版本，"
                           "请确认实际安装的版本（package-lock.json、npm ls）。",
        "same_cause": "同一原因在日志中的表现（{rule}）：",
        "others": "**其他发现**（与本问题无直接关系）：{items}。",
        "others_more": " 另有 {n} 项（见 `mxdoctor check`）。",
        "sev_error": "错误", "sev_warning": "警告", "sev_info": "提示",
        "abstain_given": "根据你粘贴的内容和知识库，我无法回答这个问题：检查没有发现相关问题，知识库中也没有能明确回答它的段落。",
        "kb_intro_general": "知识库中的一般说明（并非针对你的配置的发现）：",
        "no_findings": "检查没有在你提供的内容中发现问题{what}。",
        "no_findings_what": "（{what}）",
        "nothing_given": "你还没有提供任何配置或日志，所以这个回答无法针对你自己的环境。",
        "verify": "**如何验证**（发送一封测试邮件，然后在日志和 MongoDB 中查找它）：",
        "verify_log_only": "**如何验证**（发送一封测试邮件，然后在日志中查找它）：",
        "verify_expect_wildduck": "日志中出现 `{line}` 和 `{stored}`，并且查询能找到这封邮件，就说明修复生效了。",
        "verify_expect_queue": "日志中出现 `{line}`，就说明修复生效了。",
        "placeholder_log": "你的Haraka日志",
        "verify_send": "发送一封测试邮件：",
        "verify_logs": "然后在 Haraka 日志中查找这些行：",
        "verify_mongo": "再在 MongoDB 中确认邮件已经存储：",
        "verify_queue": "然后在 Haraka 日志中查找 queue 的回答：",
        "abstain": "我无法根据知识库回答这个问题：知识库中没有能明确回答它的段落。",
        "abstain_suggest": "为了得到有用的回答，请粘贴：",
        "paste_to_check": "要检查你自己的服务器，请粘贴：",
        "suggest_plugins": "config/plugins（启用的插件列表）",
        "suggest_logs": "一封失败邮件前后的 Haraka 日志（从 `connect` 到 `disconnect`），日志级别为 INFO 或更低",
        "suggest_loglevel": "INFO 级别的日志：你的日志级别是 {level}，看不到各个 hook 的回答",
        "suggest_store_config": "config/{file}（密码等敏感信息在显示或发送前都会被遮盖）",
        "suggest_rephrase": "或者描述一个具体现象（回复代码、某行日志、“邮件没有存进去”）",
        "not_indexed": "知识库还没有建立索引（请运行 `mxdoctor ingest`），因此本回答只依据检查结果和规则页面。",
        "index_damaged": "知识库的索引已损坏（{why}）；请运行 `mxdoctor ingest` 重建。"
                         "在此之前，本回答只依据检查结果和规则页面。",
        "llm_fallback": "语言模型无法回答（{reason}）；以下是离线回答。",
        "llm_uncited": "语言模型的回答没有引用任何段落，因此不予显示；以下是离线回答。",
        "llm_contradiction": "语言模型的回答遗漏或否定了确定性检查的以下发现，因此先列出它们：",
        "llm_held": "语言模型的回答不予显示：{reasons}。以下是经过规则检查的离线回答。",
        "advice_introduces": "“{said}”会引入 {findings}",
        "advice_contradicts": "“{said}”与 {findings} 的修复相反",
        "advice_disables": "“{said}”会关掉 {findings} 所依赖的插件",
        "advice_dismisses": "“{said}”否定了 {findings}",
        "quote_flagged": "⚠ **不作为建议：**{source} 提出的改动会被 mxdoctor 的检查标记：{reasons}。",
        "llm_removed_citation": "已删除引用 [{n}]：不存在第 {n} 段",
        "llm_uncited_paragraph": "没有引用支持",
        "followup_context": "（接着上一个问题：“{prev}”）",
        "placeholder_host": "你的MX主机",
        "placeholder_rcpt": "user@你的域名",
    },
}
SEVERITY = {"en": {"error": "error", "warning": "warning", "info": "info"},
            "zh": {"error": "错误", "warning": "警告", "info": "提示"}}


def t(lang: str, key: str, **kw) -> str:
    table = STRINGS.get(lang) or STRINGS["en"]
    return (table.get(key) or STRINGS["en"][key]).format(**kw)


def severity(lang: str, sev: str) -> str:
    return SEVERITY.get(lang, SEVERITY["en"]).get(sev, sev)
