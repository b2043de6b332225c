"""Every sentence replay prints, in English and Chinese (one table, like app/core/explain/words.py)."""
from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "mxdoctor replay: {dir} on real Haraka {version} ({source})",
        "changes": "What was changed to run it here (nothing else was):",
        "backends": "Backends:",
        "dead": "dead on purpose",
        "standin": "stand-in",
        "plugins": "Plugins:",
        "dialogue": "The real SMTP dialogue (127.0.0.1:{port}) beside the simulator's prediction:",
        "log": "The real log, line by line:",
        "sink": "The forward host (replay's sink) received:",
        "sink_none": "The forward host (replay's sink) received nothing.",
        "verdict": "Verdict: {text}",
        "cleanup": "Haraka stopped; sandbox removed: {removed}; Haraka processes left: {left}",
        "yes": "yes",
        "no": "no",
        "unset": "(unset)",
        "removed": "(removed)",
        "how_bundled": "bundled",
        "how_local": "local",
        "how_npm": "npm",
        "how_stand-in": "stand-in",
        "how_left out": "left out",
        "b_Redis": "Redis",
        "b_MongoDB and Redis (WildDuck)": "MongoDB and Redis (WildDuck)",
        "b_the forward host": "the forward host",
        "b_the LMTP server": "the LMTP server",
        "outcome": "Outcome: {outcome} ({sentence}); exit code {code}",
        "o_rejected_at_rcpt": "Haraka refuses the recipient at RCPT TO",
        "o_deferred_at_rcpt": "Haraka defers the recipient at RCPT TO (4xx, the sender retries)",
        "o_deferred_at_connect": "Haraka defers the connection (4xx)",
        "o_deferred_at_helo": "Haraka defers the sending server at HELO/EHLO (4xx)",
        "o_deferred_at_mail": "Haraka defers the sender at MAIL FROM (4xx)",
        "o_deferred_at_data": "Haraka defers the message at DATA (4xx)",
        "o_session_failed": "the session broke off before Haraka answered the message",
        "o_mixed": "the recipients fared differently; see each verdict",
        "o_haraka_did_not_start": "Haraka did not start with this config",
        "stopped": "mxdoctor replay: stopped by {signal}; {cleaned}",
        "stopped_cleaned": "Haraka stopped (process group {pgid}, processes left: {left}); sandbox {path} removed: {removed}",
        "stopped_nothing": "no Haraka was running and no sandbox was left",
        "standin_rcpt": "wildduck here is mxdoctor's stand-in: it found <{rcpt}> in replay's user list "
                        "(the --rcpt addresses), not in MongoDB",
        "standin_queue": "wildduck here is mxdoctor's stand-in: its queue hook ran and wrote nothing (the real "
                         "plugin stores the message in MongoDB for each recipient it resolved at rcpt)",
        "kept": "Sandbox kept (--keep): {path}",
        "agree": "as predicted",
        "real": "real",
        "from_log": "Haraka's log shows {plugin} answered {retval} at the {hook} hook with \"{msg}\"; Haraka "
                    "sent that text to the client.",
        "likely": "its likely reply: {reply}",
        "predicted": "predicted",
        "at": "at",
        "differ": "DIFFERS from the prediction",
        "unclaimed": "simulator claims no reply here",
        "by": "answered by {plugin} ({retval})",
        "other_plugin": "the simulator expected {plugin} to answer",
        "shadowed": "never reached: {plugins}",
        "resolved": "wildduck (mxdoctor's stand-in) resolved <{rcpt}> from replay's user list; your server's "
                    "plugin looks it up in MongoDB",
        "stored": "wildduck (mxdoctor's stand-in) reached its queue hook for <{rcpt}> and would store it here; it "
                  "writes nothing, the real plugin stores it in MongoDB",
        "nouser": "wildduck does not know this address: the recipient is refused",
        "dead_line": "(Replay pointed this backend at a loopback port nobody listens on, on purpose.)",
        "caveat_local": "The client is 127.0.0.1: plugins that skip local or private addresses (rspamd, spf, DNS "
                        "lists, karma...) may skip this transaction where they would check a client from outside.",
        "caveats": "Keep in mind:",
        "blocked": "replay refused a connection beyond loopback (nothing leaves this machine)",
        "v_refused": "Haraka refused <{rcpt}>: {reply}",
        "v_stored": "wildduck (mxdoctor's stand-in) resolved <{rcpt}> and would store it: Haraka's hook order "
                    "brings this recipient to wildduck's rcpt and queue hooks (proven here); on your server the real "
                    "plugin stores it in MongoDB (not tested here)",
        "v_shadowed": "Haraka accepted <{rcpt}> but wildduck never resolved it: nothing was stored "
                      "(the client still heard \"{reply}\")",
        "v_queued": "Haraka accepted <{rcpt}> and the queue answered \"{reply}\"",
        "v_forwarded": "Haraka accepted <{rcpt}> and handed it to the forward host",
        "v_not_sent": "Haraka accepted <{rcpt}> but the message was not taken: {reply}",
        "v_failed": "the session failed: {message}",
        "v_no_start": "Haraka did not start with this config; its log above says why",
    },
    "zh": {
        "title": "mxdoctor replay：在真实的 Haraka {version} 上重放 {dir}（{source}）",
        "changes": "为在本机运行所做的修改（其余一律未动）：",
        "backends": "后端服务：",
        "dead": "有意不可达",
        "standin": "替身",
        "plugins": "插件：",
        "dialogue": "真实的 SMTP 对话（127.0.0.1:{port}）与模拟器的预测对照：",
        "log": "真实日志，逐行解释：",
        "sink": "转发目标（replay 的接收器）收到：",
        "sink_none": "转发目标（replay 的接收器）什么也没收到。",
        "verdict": "结论：{text}",
        "cleanup": "Haraka 已停止；沙箱已删除：{removed}；残留的 Haraka 进程：{left}",
        "yes": "是",
        "no": "否",
        "unset": "（未设置）",
        "removed": "（已删除）",
        "how_bundled": "随版本附带",
        "how_local": "本地插件",
        "how_npm": "来自 npm",
        "how_stand-in": "替身",
        "how_left out": "未加载",
        "b_Redis": "Redis 数据库",
        "b_MongoDB and Redis (WildDuck)": "WildDuck 的 MongoDB 与 Redis 数据库",
        "b_the forward host": "转发目标主机",
        "b_the LMTP server": "LMTP 服务器",
        "b_DNS": "域名解析（DNS）",
        "b_rspamd": "rspamd 反垃圾服务",
        "b_spamd": "spamd 反垃圾服务",
        "b_clamd": "clamd 杀毒服务",
        "outcome": "结果：{outcome}（{sentence}）；退出码 {code}",
        "o_rejected_at_rcpt": "Haraka 在 RCPT TO 阶段拒绝了收件人",
        "o_deferred_at_rcpt": "Haraka 在 RCPT TO 阶段延迟了收件人（4xx，对方会重试）",
        "o_deferred_at_connect": "Haraka 延迟了这个连接（4xx）",
        "o_deferred_at_helo": "Haraka 在 HELO/EHLO 阶段延迟了发信服务器（4xx）",
        "o_deferred_at_mail": "Haraka 在 MAIL FROM 阶段延迟了发件人（4xx）",
        "o_deferred_at_data": "Haraka 在 DATA 阶段延迟了邮件（4xx）",
        "o_session_failed": "会话在 Haraka 答复邮件之前就中断了",
        "o_mixed": "各收件人的结果不同；请看每一条结论",
        "o_haraka_did_not_start": "Haraka 无法以此配置启动",
        "stopped": "mxdoctor replay：被 {signal} 停止；{cleaned}",
        "stopped_cleaned": "Haraka 已停止（进程组 {pgid}，残留进程：{left}）；沙箱 {path} 已删除：{removed}",
        "stopped_nothing": "没有正在运行的 Haraka，也没有留下沙箱",
        "standin_rcpt": "这里的 wildduck 是 mxdoctor 的替身：它在 replay 的用户列表（即 --rcpt 地址）中找到了 <{rcpt}>，"
                        "而不是在 MongoDB 中查找",
        "standin_queue": "这里的 wildduck 是 mxdoctor 的替身：它的 queue 钩子运行了，但什么也没写入（真正的插件会为它在 rcpt "
                         "阶段解析出的每个收件人把邮件存入 MongoDB）",
        "kept": "沙箱已保留（--keep）：{path}",
        "agree": "与预测一致",
        "real": "实际",
        "from_log": "Haraka 的日志显示 {plugin} 在 {hook} 钩子返回 {retval}，消息为 \"{msg}\"；Haraka 把这段文字发给了客户端。",
        "likely": "它认为可能的应答：{reply}",
        "predicted": "预测",
        "at": "位于",
        "differ": "与预测不同",
        "unclaimed": "模拟器对此处不作预测",
        "by": "由 {plugin} 应答（{retval}）",
        "other_plugin": "模拟器预计由 {plugin} 应答",
        "shadowed": "从未执行：{plugins}",
        "resolved": "wildduck（mxdoctor 的替身）在 replay 的用户列表中解析了 <{rcpt}>；你服务器上的插件会在 MongoDB 中查找它",
        "stored": "wildduck（mxdoctor 的替身）为 <{rcpt}> 运行到了 queue 钩子，此处会存储它；替身什么也不写入，真正的插件把它存入 MongoDB",
        "nouser": "wildduck 不认识这个地址：收件人被拒绝",
        "dead_line": "（replay 有意把这个后端指向了本机一个无人监听的端口。）",
        "caveat_local": "客户端地址是 127.0.0.1：跳过本地或私有地址的插件（rspamd、spf、DNS 黑名单、karma 等）可能会跳过这次事务，"
                        "而对外部客户端它们会检查。",
        "caveats": "请注意：",
        "blocked": "replay 拒绝了一个通往本机以外的连接（没有任何数据离开本机）",
        "v_refused": "Haraka 拒绝了 <{rcpt}>：{reply}",
        "v_stored": "wildduck（mxdoctor 的替身）解析了 <{rcpt}>，并会存储它：Haraka 的钩子顺序确实把这个收件人交给了 wildduck 的 "
                    "rcpt 和 queue 钩子（此处已验证）；在你的服务器上，真正的插件把它存入 MongoDB（此处未验证）",
        "v_shadowed": "Haraka 接受了 <{rcpt}>，但 wildduck 从未解析它：什么也没有存储（客户端仍收到 \"{reply}\"）",
        "v_queued": "Haraka 接受了 <{rcpt}>，队列应答 \"{reply}\"",
        "v_forwarded": "Haraka 接受了 <{rcpt}> 并交给了转发目标",
        "v_not_sent": "Haraka 接受了 <{rcpt}>，但邮件未被收下：{reply}",
        "v_failed": "会话失败：{message}",
        "v_no_start": "Haraka 无法以此配置启动；原因见上面的日志",
    },
}


def say(lang: str, key: str, **slots: object) -> str:
    table = WORDS.get(lang) or WORDS["en"]
    return (table.get(key) or WORDS["en"][key]).format(**slots)


def word(lang: str, key: str, default: str) -> str:
    """A label's words in `lang`, else `default` (names without a translation stay as they are)."""
    return (WORDS.get(lang) or {}).get(key) or WORDS["en"].get(key) or default


def outcome_words(outcome: str, lang: str) -> str:
    """The outcome in words: replay's own (a stage's refusal, a broken session), else kb/outcomes.yaml's."""
    own = (WORDS.get(lang) or {}).get(f"o_{outcome}") or WORDS["en"].get(f"o_{outcome}")
    if own:
        return own
    from app.core.verdict import outcome_sentence
    return outcome_sentence(outcome, lang)
