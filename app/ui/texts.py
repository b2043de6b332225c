"""UI strings in English and Chinese. Page prose goes through `t(key)`; names, rule ids and
technical terms (hooks, plugin names) stay as they are in both languages."""
from __future__ import annotations

LANGS = {"en": "English", "zh": "中文"}

STRINGS: dict[str, dict[str, str]] = {
    "nav.diagnose": {"en": "Diagnose", "zh": "诊断"},
    "nav.ask": {"en": "Ask", "zh": "提问"},
    "nav.knowledge": {"en": "Knowledge", "zh": "知识库"},
    "nav.rules": {"en": "Rules & plugins", "zh": "规则与插件"},
    "nav.settings": {"en": "Settings", "zh": "设置"},
    "lang": {"en": "Language", "zh": "语言"},
    "indexing": {"en": "Indexing the built-in knowledge base (first start)…", "zh": "正在为内置知识库建立索引（首次启动）…"},
    "indexed": {"en": "Knowledge base indexed", "zh": "知识库索引完成"},
    "llm.none": {"en": "LLM: none — answers come from the checks and the knowledge base",
                 "zh": "LLM：未使用——答案来自检查结果和知识库"},
    "llm.some": {"en": "LLM: {backend} · {model}", "zh": "LLM：{backend} · {model}"},
    # diagnose
    "diag.title": {"en": "Diagnose a Haraka + WildDuck setup", "zh": "诊断 Haraka + WildDuck 配置"},
    "diag.intro": {"en": "Paste config/plugins, other config files and logs, or upload files / a zip of the config "
                         "dir. Secrets are masked in everything shown and exported.",
                   "zh": "粘贴 config/plugins、其他配置文件和日志，或上传文件 / 配置目录的 zip。"
                         "显示和导出的内容中密码等敏感信息会被遮盖。"},
    "diag.example": {"en": "Load example", "zh": "载入示例"},
    "diag.run": {"en": "Diagnose", "zh": "开始诊断"},
    "diag.clear": {"en": "Clear", "zh": "清空"},
    "diag.plugins": {"en": "config/plugins", "zh": "config/plugins"},
    "diag.other": {"en": "Other config files (paste them as they are: mxdoctor tells them apart)",
                   "zh": "其他配置文件（直接粘贴即可：mxdoctor 会自动区分）"},
    "diag.inputs": {"en": "Your input: {what}", "zh": "你的输入：{what}"},
    "diag.counts": {"en": "{files} file(s), {lines} log line(s)", "zh": "{files} 个文件，{lines} 行日志"},
    "diag.stats": {"en": "{findings} finding(s) · {counts} · {seconds}s", "zh": "{findings} 项发现 · {counts} · {seconds} 秒"},
    "diag.nothing_usable": {"en": "Nothing could be read from what was given (see the notes under the uploader).",
                            "zh": "提供的内容都无法读取（见上传框下方的说明）。"},
    "diag.inputs_empty": {"en": "Paste your setup", "zh": "粘贴你的配置"},
    "diag.blocks": {"en": "How the other-files box was read — correct a block if it is another file",
                    "zh": "其他配置文件框的识别结果——如果识别错了可以更正"},
    "diag.block_label": {"en": "Lines {a}–{b}", "zh": "第 {a}–{b} 行"},
    "diag.partly_read": {"en": "Some of what was given could not be read: {why}",
                         "zh": "提供的部分内容无法读取：{why}"},
    "diag.nothing_read": {"en": "Nothing could be read from what was given: {why}",
                          "zh": "提供的内容无法读取：{why}"},
    "diag.too_big": {"en": "The {box} box holds {size} — more than a browser handles smoothly ({limit}). Upload the "
                           "file below instead (logs up to 50 MB are read as a stream); only the first {limit} of "
                           "the pasted text is used.",
                     "zh": "{box}框中有 {size}，超出了浏览器能流畅处理的大小（{limit}）。请改用下方的上传功能"
                           "（日志最大 50 MB，按流读取）；这里只使用粘贴内容的前 {limit}。"},
    "diag.restored": {"en": "Restored what this browser pasted before the reload (secrets were masked when it was "
                            "kept).",
                      "zh": "已恢复此浏览器在刷新前粘贴的内容（保存时已遮盖敏感信息）。"},
    "diag.causes": {"en": "Causes", "zh": "原因"},
    "diag.others": {"en": "Other findings", "zh": "其他发现"},
    "tab.input": {"en": "How the input was read", "zh": "输入的识别"},
    "err.page": {"en": "This page could not be shown for this input. Your paste and conversation are kept; the "
                       "details are in the server's log.",
                 "zh": "此输入无法显示这个页面。你粘贴的内容和对话都已保留；详细信息见服务器日志。"},
    "err.section": {"en": "This part could not be shown ({what}); the rest of the page is unaffected. The input "
                          "may hold something mxdoctor does not understand in '{section}'.",
                    "zh": "这一部分无法显示（{what}）；页面其他部分不受影响。“{section}”中可能有 mxdoctor 无法理解的内容。"},
    "diag.logs": {"en": "Logs (Haraka / WildDuck)", "zh": "日志（Haraka / WildDuck）"},
    "diag.biglogs": {"en": "Thousands of log lines? Upload the .log file (or a zip) below: browsers are slow to "
                           "paste that much into a text box.",
                     "zh": "日志有成千上万行？请在下方上传 .log 文件（或 zip）：在浏览器文本框中粘贴大量文本会很慢。"},
    "diag.upload": {"en": "Upload files or a zip of the config dir", "zh": "上传文件或配置目录的 zip"},
    "diag.over_budget": {"en": "The diagnosis was stopped: it went over its {kind} budget of {limit}. Give less at "
                               "once (the hours around the failure, the config files that matter), or raise {knob} "
                               "on the server.",
                         "zh": "诊断已停止：超出了{kind}预算（{limit}）。请一次少给一些（故障前后几个小时的日志、"
                               "相关的配置文件），或在服务器上调高 {knob}。"},
    "diag.budget_time": {"en": "time", "zh": "时间"},
    "diag.budget_memory": {"en": "memory", "zh": "内存"},
    "diag.none": {"en": "No problems found in the given configuration and logs.", "zh": "在提供的配置和日志中没有发现问题。"},
    "diag.empty": {"en": "Paste something first, or load the example.", "zh": "请先粘贴内容，或载入示例。"},
    "tab.findings": {"en": "Findings", "zh": "发现的问题"},
    "tab.pipeline": {"en": "Hook pipeline", "zh": "钩子流水线"},
    "tab.timeline": {"en": "Log timeline", "zh": "日志时间线"},
    "tab.export": {"en": "Export", "zh": "导出"},
    "card.evidence": {"en": "Evidence", "zh": "证据"},
    "card.why": {"en": "Why", "zh": "原因"},
    "card.fix": {"en": "Fix", "zh": "修复"},
    "card.verified": {"en": "verified: the checks pass after this change", "zh": "已验证：修改后检查通过"},
    "card.sources": {"en": "Sources ({n})", "zh": "参考资料（{n}）"},
    "card.download": {"en": "Download patched {name}", "zh": "下载修改后的 {name}"},
    "card.download_fixed": {"en": "Download fixed {name}", "zh": "下载修复后的 {name}"},
    "card.fixed_caption": {"en": "All verified fixes applied together ({rules}) and checked again as a set.",
                           "zh": "所有已验证的修复（{rules}）一起应用，并作为整体重新检查。"},
    "card.fixed_diff": {"en": "What changes", "zh": "改动内容"},
    "card.path": {"en": "How Haraka handles a message to your domain (simulated):",
                  "zh": "Haraka 如何处理一封发往你的域名的邮件（模拟）："},
    "card.same_cause": {"en": "Same cause, seen in the logs ({rule}):", "zh": "同一原因在日志中的表现（{rule}）："},
    "sev.error": {"en": "ERROR", "zh": "错误"}, "sev.warning": {"en": "WARNING", "zh": "警告"},
    "sev.info": {"en": "INFO", "zh": "提示"},
    "card.skipped": {"en": "{rule}: {why}", "zh": "{rule}：{why}"},
    "card.sep": {"en": "; ", "zh": "；"},
    "card.not_given": {"en": "{name} was not given: {what}", "zh": "没有提供 {name}：{what}"},
    "pipe.legend": {"en": "Plugins in the order Haraka runs them. Green: answers first and ends the hook. "
                          "Grey: shadowed — registered but never reached.",
                    "zh": "按 Haraka 运行顺序排列的插件。绿色：最先回答并结束该钩子。灰色：被遮蔽——已注册但从未运行。"},
    "pipe.none": {"en": "Paste config/plugins to see the hook pipeline.", "zh": "粘贴 config/plugins 以查看钩子流水线。"},
    "pipe.empty": {"en": "No plugin in config/plugins registers a hook mxdoctor knows (only comments, unknown or "
                         "custom plugins): there is no pipeline to show.",
                   "zh": "config/plugins 中没有插件注册 mxdoctor 已知的钩子（只有注释、未知或自定义插件），没有可显示的流水线。"},
    "tl.none": {"en": "No transactions in the logs (paste logs at loglevel INFO or lower).",
                "zh": "日志中没有事务（请粘贴 INFO 或更低级别的日志）。"},
    "tl.pick": {"en": "Transaction", "zh": "事务"},
    "tl.explained": {"en": "Every warning, error, refusal and 4xx/5xx reply in the logs, with who printed it",
                     "zh": "日志中的每条警告、错误、拒绝和 4xx/5xx 回复，以及打印它的代码"},
    "tl.col.line": {"en": "line", "zh": "行"},
    "tl.col.says": {"en": "says", "zh": "内容"},
    "tl.col.emitter": {"en": "printed by", "zh": "打印者"},
    "tl.col.hook": {"en": "hook", "zh": "钩子"},
    "tl.col.means": {"en": "what it means", "zh": "含义"},
    "tl.col.source": {"en": "source line", "zh": "源码行"},
    "tl.col.explained": {"en": "explained", "zh": "解释"},
    # ask
    "ask.title": {"en": "Ask", "zh": "提问"},
    "set.operator_llm": {"en": "The operator sets the language model: its backend, base URL, model and key. This "
                               "session may turn it off; MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1 lets sessions use an "
                               "endpoint of their own, which never gets the operator's key.",
                         "zh": "语言模型由运营者设置：后端、Base URL、模型和密钥。本会话可以关闭它；"
                               "MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT=1 允许会话使用自己的端点，运营者的密钥绝不会发往那里。"},
    "set.backend": {"en": "Backend", "zh": "后端"},
    "set.backend.none": {"en": "none (offline answers)", "zh": "无（离线回答）"},
    "set.backend.openai": {"en": "OpenAI-compatible", "zh": "OpenAI 兼容"},
    "set.backend.ollama": {"en": "Ollama", "zh": "Ollama"},
    "set.base_url": {"en": "Base URL", "zh": "Base URL"}, "set.model": {"en": "Model", "zh": "模型"},
    "set.timeout": {"en": "Timeout (s)", "zh": "超时（秒）"},
    "set.own_key": {"en": "API key for this endpoint (kept in this session only; the operator's key is never sent to "
                          "an endpoint a session picks)",
                    "zh": "这个端点的 API 密钥（只保存在本会话中；运营者的密钥绝不会发往会话自选的端点）"},
    "set.operator_key": {"en": "API key (the operator's, from the OPENAI_API_KEY environment variable)",
                         "zh": "API 密钥（运营者的，来自环境变量 OPENAI_API_KEY）"},
    "set.mask_ids": {"en": "Mask e-mail addresses, IP addresses and domains in what is sent to the LLM",
                     "zh": "在发送给 LLM 的内容中遮蔽邮箱地址、IP 地址和域名"},
    "set.always_masked": {"en": "Passwords, keys, tokens and credentials in URLs are always masked: on every page, in "
                                "exports, in what is kept across reloads and in anything sent to an LLM.",
                          "zh": "密码、密钥、令牌和 URL 中的凭据始终会被遮蔽：在每个页面、导出文件、跨刷新保存的内容"
                                "以及发送给 LLM 的任何内容中。"},
    "set.home": {"en": "Data directory (index, sources, settings)", "zh": "数据目录（索引、来源、设置）"},
    "set.indexed": {"en": "{documents} documents, {chunks} chunks indexed with `{embedding}` · last ingest {last}",
                    "zh": "已用 `{embedding}` 索引 {documents} 篇文档、{chunks} 个片段 · 上次建索引：{last}"},
    "set.chroma_server": {"en": "server `{where}`", "zh": "服务器 `{where}`"},
    "set.chroma_local": {"en": "local (embedded) at `{where}`", "zh": "本地（嵌入式），位于 `{where}`"},
    "set.chroma_hint": {"en": "To use a Chroma server, start the app with CHROMA_HOST and CHROMA_PORT set (e.g. "
                              "`CHROMA_HOST=chroma.internal make app`); it applies to every session of this server.",
                        "zh": "要使用 Chroma 服务器，请在启动应用时设置 CHROMA_HOST 和 CHROMA_PORT（例如 "
                              "`CHROMA_HOST=chroma.internal make app`）；这对本服务器的所有会话生效。"},
    "set.applied": {"en": "Applied to this session.", "zh": "已应用到本会话。"},
    "set.make_default": {"en": "Make this the default: {path}", "zh": "设为默认：{path}"},
    "set.no_keys": {"en": "Keys never go in this file: set OPENAI_API_KEY in the environment.",
                    "zh": "密钥绝不写进这个文件：请在环境变量中设置 OPENAI_API_KEY。"},
    "kb.no_note": {"en": "No such note.", "zh": "没有这篇笔记。"},
    "kb.where": {"en": "data dir: {home} · embedding: {embedding}", "zh": "数据目录：{home} · 嵌入模型：{embedding}"},
    "kb.not_indexed": {"en": " · not indexed yet for this embedding", "zh": " · 尚未用这个嵌入模型建立索引"},
    "kb.col.source": {"en": "source", "zh": "来源"}, "kb.col.documents": {"en": "documents", "zh": "文档"},
    "kb.col.chunks": {"en": "chunks", "zh": "片段"}, "kb.col.read": {"en": "read", "zh": "读取"},
    "kb.read_failed": {"en": "failed", "zh": "失败"},
    "kb.read_held": {"en": "{read} read, {held} missing kept", "zh": "读取 {read} 篇，保留缺失的 {held} 篇"},
    "kb.sources_off": {"en": "Adding sources is off: this app is served beyond loopback and what one session adds, "
                             "every session reads (the operator's MXDOCTOR_ALLOW_UI_SOURCES=1 turns it on).",
                       "zh": "添加来源已关闭：本应用对本机以外提供服务，一个会话添加的内容所有会话都能读到"
                             "（由运营者设置 MXDOCTOR_ALLOW_UI_SOURCES=1 开启）。"},
    "kb.tab.folder": {"en": "Folder", "zh": "文件夹"}, "kb.tab.urls": {"en": "URLs", "zh": "网址"},
    "kb.tab.upload": {"en": "Upload", "zh": "上传"},
    "kb.folders_off": {"en": "Adding server folders is off: this app is served beyond loopback "
                             "(MXDOCTOR_ALLOW_LOCAL_PATHS=1 turns it on). Upload documents instead.",
                       "zh": "添加服务器上的文件夹已关闭：本应用对本机以外提供服务（MXDOCTOR_ALLOW_LOCAL_PATHS=1 可开启）。"
                             "请改为上传文档。"},
    "kb.folder": {"en": "Folder on this machine (a wiki export: Markdown, HTML, text, rST)",
                  "zh": "本机上的文件夹（wiki 导出：Markdown、HTML、纯文本、rST）"},
    "kb.url_base": {"en": "Link citations to (optional URL base, e.g. https://wiki.example.com/mail)",
                    "zh": "引用链接指向（可选的网址前缀，例如 https://wiki.example.com/mail）"},
    "kb.add_folder": {"en": "Add folder", "zh": "添加文件夹"},
    "kb.urls": {"en": "One URL per line (fetched at the next re-index)", "zh": "每行一个网址（下次重建索引时抓取）"},
    "kb.add_urls": {"en": "Add URLs", "zh": "添加网址"},
    "kb.documents_upload": {"en": "Documents (.md, .html, .txt, .rst)", "zh": "文档（.md、.html、.txt、.rst）"},
    "kb.add_docs": {"en": "Add documents", "zh": "添加文档"},
    "kb.sources_read": {"en": "Sources read at re-index: ", "zh": "重建索引时读取的来源："},
    "kb.offline": {"en": "Offline (skip npm packages and URLs)", "zh": "离线（跳过 npm 包和网址）"},
    "kb.query": {"en": "Query", "zh": "查询"}, "kb.mode": {"en": "Mode", "zh": "模式"},
    "kb.empty": {"en": "The index is empty: re-index first.", "zh": "索引是空的：请先重建索引。"},
    "kb.no_match": {"en": "No passage matches.", "zh": "没有匹配的段落。"},
    "ask.draft": {"en": "Draft from the language model, not yet checked against the findings…",
                  "zh": "语言模型的草稿，尚未与检查结果核对……"},
    "ask.context_what": {"en": "{files} file(s), {lines} log line(s), {findings} finding(s)",
                         "zh": "{files} 个文件，{lines} 行日志，{findings} 项发现"},
    "diag.uncatalogued": {"en": "Not in the catalog (hooks unknown): {names}", "zh": "不在插件目录中（hook 未知）：{names}"},
    "diag.md_preview": {"en": "Markdown preview", "zh": "Markdown 预览"},
    "origin.paste": {"en": "paste", "zh": "粘贴"},
    "ask.context": {"en": "Context from the Diagnose page: {what}", "zh": "来自诊断页的上下文：{what}"},
    "ask.nocontext": {"en": "No context pasted: answers use the knowledge base only. Paste your setup on the "
                            "Diagnose page for answers about your own server.",
                      "zh": "未粘贴上下文：仅根据知识库回答。在诊断页粘贴你的配置，即可获得针对你服务器的回答。"},
    "ask.placeholder": {"en": "Why does Haraka say 250 but the mail never arrives?",
                        "zh": "为什么 Haraka 返回 250 但邮件没有收到？"},
    "ask.sent": {"en": "What was sent to the LLM (redacted)", "zh": "发送给 LLM 的内容（已脱敏）"},
    "ask.sources": {"en": "Sources", "zh": "参考资料"},
    "ask.reset": {"en": "New conversation", "zh": "新对话"},
    "ask.history": {"en": "Earlier conversations ({n})", "zh": "之前的对话（{n}）"},
    "ask.open": {"en": "Open", "zh": "打开"},
    "ask.delete": {"en": "Delete", "zh": "删除"},
    # knowledge
    "kb.title": {"en": "Knowledge base", "zh": "知识库"},
    "kb.sources": {"en": "Sources", "zh": "来源"},
    "kb.documents": {"en": "Documents", "zh": "文档"},
    "kb.chunks": {"en": "Chunks", "zh": "片段"},
    "kb.last": {"en": "Last ingest", "zh": "上次索引"},
    "kb.add": {"en": "Add documents", "zh": "添加文档"},
    "kb.reindex": {"en": "Re-index", "zh": "重新索引"},
    "kb.held": {"en": "**{source}**: the last re-index read {read} documents from it, {held} fewer than are indexed. "
                      "An unmounted share or a failed export looks exactly like this, so the {held} missing "
                      "documents were kept. Remove them only if they really were deleted.",
                "zh": "**{source}**：上次重新索引只读到 {read} 篇文档，比已索引的少了 {held} 篇。"
                      "共享目录未挂载或导出失败看起来正是这样，所以这 {held} 篇缺失的文档被保留了。"
                      "只有确实删除了它们时才移除。"},
    "kb.held_prune": {"en": "Remove the {n} missing documents", "zh": "移除这 {n} 篇缺失的文档"},
    "kb.damaged": {"en": "The index is damaged ({why}). Re-index to rebuild it.",
                   "zh": "索引已损坏（{why}）。请重新索引以重建。"},
    "kb.search": {"en": "Check what the knowledge base knows", "zh": "检查知识库知道什么"},
    # rules
    "rules.title": {"en": "Rules & plugins", "zh": "规则与插件"},
    "rules.intro": {"en": "Every check mxdoctor runs, the Haraka plugins it knows, and how one message travels "
                          "through Haraka into WildDuck.",
                    "zh": "mxdoctor 运行的每一项检查、它了解的 Haraka 插件，以及一封邮件如何经过 Haraka 进入 WildDuck。"},
    "rules.search": {"en": "Search rules (id, words, tags)", "zh": "搜索规则（编号、关键词、标签）"},
    "rules.tab.rules": {"en": "Rules", "zh": "规则"},
    "rules.tab.plugins": {"en": "Plugin catalog", "zh": "插件目录"},
    "rules.tab.flow": {"en": "How a message flows", "zh": "邮件如何流转"},
    "rules.narrow": {"en": "Search to narrow the list down and see each rule's explanation and examples.",
                     "zh": "输入关键词缩小范围，即可查看每条规则的说明和示例。"},
    "rules.fail": {"en": "Fails (the rule fires)", "zh": "不通过（规则触发）"},
    "rules.pass": {"en": "Passes", "zh": "通过"},
    "flow.intro": {"en": "One SMTP transaction on the built-in example, simulated hook by hook the way Haraka runs "
                         "it. At each hook plugins run in order and the first answer that is not CONT ends the "
                         "hook; later plugins never see that step.",
                   "zh": "在内置示例上模拟一次 SMTP 事务，按 Haraka 的方式逐个钩子运行。每个钩子上插件依次运行，"
                         "第一个不是 CONT 的回答结束该钩子；后面的插件不会看到这一步。"},
    "flow.broken": {"en": "As configured (broken)", "zh": "当前配置（有问题）"},
    "flow.fixed": {"en": "After the verified fix", "zh": "应用已验证的修复之后"},
    "flow.answers": {"en": "answers", "zh": "回答"},
    "flow.skipped": {"en": "never reached", "zh": "未运行"},
    "flow.example": {"en": "config/plugins (canonical example)", "zh": "config/plugins（典型示例）"},
    "rules.severity": {"en": "Severity", "zh": "严重程度"},
    "rules.any_severity": {"en": "any severity", "zh": "全部严重程度"},
    "rules.count": {"en": "{shown} / {total} rules", "zh": "{shown} / {total} 条规则"},
    "rules.col.rule": {"en": "rule", "zh": "规则"}, "rules.col.severity": {"en": "severity", "zh": "严重程度"},
    "rules.col.category": {"en": "category", "zh": "类别"}, "rules.col.title": {"en": "title", "zh": "标题"},
    "rules.col.explanation": {"en": "explanation", "zh": "说明"},
    "rules.plugin_search": {"en": "Search plugins (name, hook, role, config file)",
                            "zh": "搜索插件（名称、hook、角色、配置文件）"},
    "rules.plugin_count": {"en": "{shown} / {total} plugins · Haraka {version}",
                           "zh": "{shown} / {total} 个插件 · Haraka {version}"},
    "flow.skipped_list": {"en": "never reached: {names}", "zh": "未运行：{names}"},
    # diagnose: the Probe panel (app/ui/probe_panel.py)
    "probe.title": {"en": "Probe a running server (SMTP)", "zh": "探测正在运行的服务器（SMTP）"},
    "probe.intro": {"en": "Talks SMTP to the server you name, from this app's machine, and says which plugin or "
                          "Haraka's core produced each reply; with a diagnosed config, beside the simulator's prediction.",
                    "zh": "从运行本应用的机器向你指定的服务器发起 SMTP 会话，并说明每条回复来自哪个插件或 Haraka 核心；"
                          "如果已经诊断过配置，还会与模拟器的预测对照。"},
    "probe.not_allowed": {"en": "Probing is off on this shared app: the server would connect out for every session. "
                                "The operator can turn it on with MXDOCTOR_ALLOW_UI_PROBE=1, or run "
                                "`mxdoctor probe` on your own machine.",
                          "zh": "这个共享应用关闭了探测功能：否则服务器会替每个会话向外连接。运营者可以设置 "
                                "MXDOCTOR_ALLOW_UI_PROBE=1 开启，或者在你自己的机器上运行 `mxdoctor probe`。"},
    "probe.host": {"en": "Server (host name or address)", "zh": "服务器（主机名或地址）"},
    "probe.port": {"en": "Port", "zh": "端口"},
    "probe.rcpts": {"en": "Recipients (comma-separated)", "zh": "收件人（用逗号分隔）"},
    "probe.from": {"en": "Sender (empty: the null sender <>)", "zh": "发件人（留空表示空发件人 <>）"},
    "probe.helo": {"en": "EHLO name (empty: this machine's name)", "zh": "EHLO 名称（留空则用本机名称）"},
    "probe.timeout": {"en": "Seconds per step", "zh": "每一步的等待秒数"},
    "probe.starttls": {"en": "Use STARTTLS", "zh": "使用 STARTTLS 加密"},
    "probe.verify": {"en": "Verify the certificate", "zh": "验证证书"},
    "probe.send": {"en": "Send a test message", "zh": "发送测试邮件"},
    "probe.send_warning": {"en": "This sends a real (small) message to these recipients, with a unique id to find it by.",
                           "zh": "这会向这些收件人发送一封真实的小邮件，邮件带有唯一编号，便于之后查找。"},
    "probe.run": {"en": "Probe", "zh": "开始探测"},
    "probe.running": {"en": "Talking to {where}…", "zh": "正在与 {where} 对话…"},
    "probe.done": {"en": "Probe finished: {outcome}", "zh": "探测完成：{outcome}"},
    "probe.need": {"en": "Give a server and at least one recipient.", "zh": "请填写服务器和至少一个收件人。"},
    "probe.workspace_config": {"en": "the config diagnosed above", "zh": "上面诊断的配置"},
    "probe.bad": {"en": "Cannot probe that: {why}", "zh": "无法探测：{why}"},
    # settings
    "set.title": {"en": "Settings", "zh": "设置"},
    "set.llm": {"en": "Language model", "zh": "语言模型"},
    "set.redact": {"en": "Redaction", "zh": "脱敏"},
    "set.data": {"en": "Data directory and store", "zh": "数据目录与存储"},
    "set.apply": {"en": "Apply to this session", "zh": "应用到本次会话"},
}


def t(key: str, lang: str = "en", **fmt) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text
