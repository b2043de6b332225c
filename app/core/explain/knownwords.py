"""The sentences for quiet lines a user asks about (known.py) and for core's computed replies
(kb/live/replies.yaml `says`), in each language: one table keyed by language, like words.py."""
from __future__ import annotations

from app.core.explain.words import spaced

KNOWN: dict[str, dict[str, str]] = {
    "en": {
        "target": " for {addr}",
        "hook_ok": ("{plugin} answered OK at the {hook} hook{target}: Haraka accepts {what} and asks no other "
                    "plugin on this hook, so a plugin listed after it in config/plugins never sees it."),
        "ok_rcpt": (" A mailbox check listed later (wildduck's, for one) is skipped: a recipient with no mailbox is "
                    "accepted and the message is lost or bounced later."),
        "hook_cont": "{plugin} passed at the {hook} hook{target} (CONT: no decision): Haraka asks the next plugin.",
        "cont_rcpt": (" If no plugin accepts the recipient, Haraka's core refuses it with 550 “I cannot deliver mail "
                      "for <address>” (unless the client may relay)."),
        "cont_queue": (" If no plugin takes the message, Haraka's core answers 451 “Queuing declined or disabled, "
                       "try later” and the sender retries."),
        "cont_queue_outbound": " If no plugin takes the relayed message, Haraka's own outbound queue delivers it.",
        "cont_other": " If none decides, Haraka goes on with the session.",
        "hook_other": "{plugin} answered {retval} at the {hook} hook{target}.",
        "rcpt_ok": ("Haraka's summary for the recipient {rcpt}: code=OK. Haraka writes OK both when a plugin "
                    "accepted the recipient and when none decided (CONT): the reply after it tells which (250: "
                    "accepted; 550 “I cannot deliver mail for …”: refused by core), and so does the connection's "
                    "disconnect line (lr= is its last refusal)."),
        "sender_ok": ("Haraka's summary for the sender {sender}: code={code}, no plugin refused it, so Haraka "
                      "answered 250 and the client goes on to RCPT TO."),
        "summary": "Haraka's summary for {what}: code={code}{msg}.", "summary_msg": ", message “{msg}”",
        "message": ("The message arrived after DATA ({size} bytes; recipients accepted/tempfailed/rejected {rcpts}); "
                    "code={code} is the data_post hook's answer, so the message goes on to the queue hook."),
        "queue_ok": ("A plugin at the queue hook took the message (code=OK) and Haraka answered the client 250 "
                     "“{msg}”: from here the message is that plugin's to store or deliver."),
        "queue_cont": ("No plugin took the message at the queue hook (code={code}): Haraka answered 451 “Queuing "
                       "declined or disabled, try later”; the sender retries, and the mail does not arrive until a "
                       "queue plugin accepts it."),
        "connect": "A client connected from {ip} to {local}: the lines with this connection's id follow it.",
        "disconnect": ("The connection's summary as it closed: {txns} transaction(s), recipients "
                       "accepted/tempfailed/rejected {rcpts}, messages accepted/tempfailed/rejected {msgs}{lr}."),
        "disconnect_lr": ", last refusal “{lr}”",
        "core_reply": "Haraka's core wrote this reply at the {hook} step.",
        "plugin_reply": "{plugin} wrote this reply: it answered {retval} at the {hook} hook with this text.",
        "wd_resolved": ("wildduck resolved {rcpt} to a mailbox user: the recipient exists, and the message is "
                        "stored for it at the queue hook."),
        "wd_stored": "wildduck stored the message in the mailbox of {rcpt}: it is delivered.",
        # core's computed replies, by kb/live/replies.yaml `says`
        "banner": ("Haraka's core greeted the client with its banner: no plugin on the connect hooks refused the "
                   "connection (config/smtpgreeting sets the text)."),
        "mail_ok": ("Haraka's core wrote its default acceptance of the sender: no plugin refused it at the mail hook "
                    "(or one said OK without a message of its own)."),
        "rcpt_ok_reply": ("Haraka's core wrote its default acceptance of the recipient: a plugin answered OK at the "
                          "rcpt hook without a message of its own (the hook=rcpt line before it names which)."),
        "denied_default": ("Haraka's core wrote its default refusal text: a plugin answered DENY or DENYSOFT at the "
                           "{hook} hook without a message of its own (the hook= line before it names which)."),
        "no_rcpt_plugin": ("This is Haraka's core default refusal: no plugin accepted the recipient at the rcpt "
                           "hook (each passed it on), so core refused it. A plugin that accepts your domains' "
                           "recipients (rcpt_to.in_host_list, wildduck...) must be listed, or the client must be "
                           "allowed to relay."),
        "no_queue_plugin": ("This is Haraka's core default answer at the queue hook: no plugin took the message "
                            "(none is listed, or each passed it on), so the sender is told to retry later."),
        "rset": "Haraka's core reset the transaction: RSET has no hook a plugin answers.",
        "quit": "Haraka's core closed the session with its QUIT reply.",
    },
    "zh": {
        "target": "（{addr}）",
        "hook_ok": ("{plugin} 在 {hook} 钩子{target}上回答了 OK：Haraka 接受{what}，不再询问这个钩子上的其他插件，"
                    "所以 config/plugins 中排在它后面的插件根本看不到它。"),
        "ok_rcpt": "排在后面的邮箱检查（例如 wildduck 的）被跳过：没有邮箱的收件人也会被接受，邮件随后丢失或被退回。",
        "hook_cont": "{plugin} 在 {hook} 钩子{target}上放行（CONT：不作决定）：Haraka 接着询问下一个插件。",
        "cont_rcpt": "如果没有插件接受这个收件人，Haraka 核心会以 550 “I cannot deliver mail for <address>” 拒绝它（除非客户端允许中继）。",
        "cont_queue": "如果没有插件收下这封邮件，Haraka 核心会回答 451 “Queuing declined or disabled, try later”，发送方稍后重试。",
        "cont_queue_outbound": "如果没有插件收下这封要中继的邮件，Haraka 自己的外发队列会投递它。",
        "cont_other": "如果没有插件作决定，Haraka 会继续这个会话。",
        "hook_other": "{plugin} 在 {hook} 钩子{target}上回答了 {retval}。",
        "rcpt_ok": ("Haraka 对收件人 {rcpt} 的汇总：code=OK。无论是某个插件接受了这个收件人，还是没有插件作决定（CONT），"
                    "Haraka 都写 OK：要看紧随其后的回复（250：已接受；550 “I cannot deliver mail for …”：被核心拒绝），"
                    "或者这个连接的 disconnect 行（lr= 是它最后一次拒绝）。"),
        "sender_ok": "Haraka 对发件人 {sender} 的汇总：code={code}，没有插件拒绝它，所以 Haraka 回答了 250，客户端接着发送 RCPT TO。",
        "summary": "Haraka 对{what}的汇总：code={code}{msg}。", "summary_msg": "，消息为 “{msg}”",
        "message": ("DATA 之后邮件已到达（{size} 字节；收件人 接受/临时拒绝/拒绝 {rcpts}）；code={code} 是 data_post 钩子的回答，"
                    "所以邮件接着进入 queue 钩子。"),
        "queue_ok": "queue 钩子上的某个插件收下了这封邮件（code=OK），Haraka 向客户端回答了 250 “{msg}”：之后由这个插件负责存储或投递。",
        "queue_cont": ("queue 钩子上没有插件收下这封邮件（code={code}）：Haraka 回答了 451 “Queuing declined or disabled, "
                       "try later”；发送方会重试，但在某个队列插件接受它之前，邮件不会送达。"),
        "connect": "一个客户端从 {ip} 连接到 {local}：带有这个连接 id 的日志行都在它之后。",
        "disconnect": ("连接关闭时的汇总：{txns} 个事务，收件人 接受/临时拒绝/拒绝 {rcpts}，邮件 接受/临时拒绝/拒绝 {msgs}{lr}。"),
        "disconnect_lr": "，最后一次拒绝为 “{lr}”",
        "core_reply": "这条回复由 Haraka 核心在 {hook} 这一步写出。",
        "plugin_reply": "这条回复由 {plugin} 写出：它在 {hook} 钩子上以这段文字回答了 {retval}。",
        "wd_resolved": "wildduck 把 {rcpt} 解析为一个邮箱用户：收件人存在，邮件会在 queue 钩子上为它存储。",
        "wd_stored": "wildduck 已把邮件存入 {rcpt} 的邮箱：投递完成。",
        "banner": "Haraka 核心用它的欢迎语回应了客户端：connect 阶段的钩子上没有插件拒绝这个连接（config/smtpgreeting 可改文字）。",
        "mail_ok": "Haraka 核心写出了对发件人的默认接受回复：mail 钩子上没有插件拒绝它（或者某个插件回答 OK 但没有给出自己的消息）。",
        "rcpt_ok_reply": "Haraka 核心写出了对收件人的默认接受回复：某个插件在 rcpt 钩子上回答 OK，但没有给出自己的消息（前面的 hook=rcpt 行写明是哪个）。",
        "denied_default": "Haraka 核心写出了默认的拒绝文字：某个插件在 {hook} 钩子上回答 DENY 或 DENYSOFT，但没有给出自己的消息（前面的 hook= 行写明是哪个）。",
        "no_rcpt_plugin": ("这是 Haraka 核心的默认拒绝：rcpt 钩子上没有插件接受这个收件人（每个都放行给下一个），所以核心拒绝了它。"
                           "需要列出一个接受你的域名收件人的插件（rcpt_to.in_host_list、wildduck 等），或者允许这个客户端中继。"),
        "no_queue_plugin": "这是 Haraka 核心在 queue 钩子上的默认回答：没有插件收下这封邮件（没有列出，或者每个都放行），所以发送方被告知稍后重试。",
        "rset": "Haraka 核心重置了事务：RSET 没有可以由插件回答的钩子。",
        "quit": "Haraka 核心用 QUIT 回复结束了会话。",
    },
}


def say_known(lang: str, key: str, **slots: object) -> str:
    """The sentence `key` in `lang` (English when the language lacks it), its slots filled."""
    table = KNOWN.get(lang) or KNOWN["en"]
    return spaced(lang, (table.get(key) or KNOWN["en"][key]).format(**slots))


# kb/live/replies.yaml's `says` -> the key above (the live words name the accepted rcpt reply rcpt_ok)
SAYS = {"rcpt_ok": "rcpt_ok_reply"}


def core_says(lang: str, says: str, hook: str) -> str:
    """What a core computed reply of shape `says` means, in `lang`."""
    return say_known(lang, SAYS.get(says, says), hook=hook)
