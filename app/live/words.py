"""Every sentence the live probe writes, one table keyed by language (English and Chinese).

Why a table: attribute.py and render.py decide *what* to say from the facts of a reply once; the
words are looked up here, so Chinese is a column, not a second code path (as in
app.core.explain.words, whose spacing and code marks are reused).
"""
from __future__ import annotations

from app.core.explain.words import code, spaced

LANGS = ("en", "zh")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        # attribute.py: how a reply came about
        "banner": ("No plugin on the connect hooks refused the connection, so Haraka's core greeted the client "
                   "with its banner (config/smtpgreeting overrides the text)."),
        "mail_ok": ("No plugin on the mail hook refused the sender (or one accepted it without a message of its "
                    "own), so Haraka's core wrote its default acceptance."),
        "denied_default": ("{who} answered {retval} at the {hook} hook without a message of its own, so Haraka's "
                           "core wrote its default refusal{because}."),
        "rcpt_ok": ("{who} answered OK at the {hook} hook without a message of its own, so Haraka's core wrote its "
                    "default acceptance{because}."),
        "no_rcpt_plugin": ("No plugin accepted the recipient at the rcpt hook (each passed it on), so Haraka's core "
                           "refused it with its default reply{because}."),
        "no_queue_plugin": ("No plugin accepted the message at the queue hook (none is listed, or each passed it "
                            "on), so Haraka's core answered 451 and the sender will retry{because}."),
        "rset": "Haraka's core reset the transaction: RSET has no hook a plugin answers.",
        "quit": "Haraka's core closed the session with its QUIT reply (config/connection.ini sets the text).",
        "core_wrote": "Haraka's core wrote this reply itself ({function}){hook}.",
        "core_hook": ", at the {hook} step",
        "plugin_said": "{who} answered {retval} at the {hook} hook with this message{because}.",
        "dsn_said": ("{who} answered {retval} at the {hook} hook with haraka-dsn's {dsn} reply ({status}){because}."),
        "timeout": ("{who} did not call back within its timeout at the {hook} hook{cands}, so Haraka's core answered "
                    "DENYSOFT “plugin timeout” for it: the sender will retry; the plugin's backend is slow, "
                    "unreachable or down."),
        "a_plugin": "A plugin",
        "the_plugin": "{plugin}",
        "because": ": {why}",
        "candidates": " (the config lists {names} on that hook)",
        "not_said": " (the reply does not say which plugin; the config would narrow it)",
        "unattributed": ("No indexed message of Haraka or its plugins has this text and it is none of Haraka's "
                         "default replies: a plugin outside the index (a local one?), a text set in a plugin's "
                         "config, or not Haraka at all."),
        "no_reply": "No reply came: {why}",
        "cap_core": "{cap}: Haraka's core lists it itself",
        "cap_plugin": "{cap}: added by {names} on the capabilities hook",
        "cap_unknown": "{cap}: added by a plugin on the capabilities hook",
        "or": " or ",
    },
    "zh": {
        "banner": "connect 阶段没有插件拒绝这个连接，所以 Haraka 核心用它的欢迎语回应客户端（config/smtpgreeting 可改文字）。",
        "mail_ok": "mail 钩子上没有插件拒绝这个发件人（或者某个插件接受了它但没有给出自己的消息），所以 Haraka 核心写出了默认的接受回复。",
        "denied_default": "{who} 在 {hook} 钩子上回答 {retval}，没有给出自己的消息，所以 Haraka 核心写出了默认的拒绝回复{because}。",
        "rcpt_ok": "{who} 在 {hook} 钩子上回答 OK，没有给出自己的消息，所以 Haraka 核心写出了默认的接受回复{because}。",
        "no_rcpt_plugin": "rcpt 钩子上没有插件接受这个收件人（每个插件都放行给下一个），所以 Haraka 核心用默认回复拒绝了它{because}。",
        "no_queue_plugin": "queue 钩子上没有插件接受这封邮件（没有列出队列插件，或者每个都放行），所以 Haraka 核心回答 451，发件方会稍后重试{because}。",
        "rset": "Haraka 核心重置了事务：RSET 没有可以由插件回答的钩子。",
        "quit": "Haraka 核心用 QUIT 回复结束了会话（文字由 config/connection.ini 设定）。",
        "core_wrote": "这条回复由 Haraka 核心自己写出（{function}）{hook}。",
        "core_hook": "，在 {hook} 阶段",
        "plugin_said": "{who} 在 {hook} 钩子上回答 {retval}，并给出了这条消息{because}。",
        "dsn_said": "{who} 在 {hook} 钩子上回答 {retval}，使用 haraka-dsn 的 {dsn} 回复（{status}）{because}。",
        "timeout": "{who} 在 {hook} 钩子上没有在超时时间内回调{cands}，所以 Haraka 核心替它回答了 DENYSOFT “plugin timeout”：发件方会重试；这个插件的后端慢、不可达或已停止。",
        "a_plugin": "某个插件",
        "the_plugin": "{plugin}",
        "because": "：{why}",
        "candidates": "（配置在这个钩子上列出了 {names}）",
        "not_said": "（回复本身不说明是哪个插件；提供配置可以缩小范围）",
        "unattributed": "已索引的 Haraka 及其插件的消息里没有这段文字，它也不是 Haraka 的默认回复：可能来自索引之外的插件（本地插件？）、插件配置里设定的文字，或者对方根本不是 Haraka。",
        "no_reply": "没有收到回复：{why}",
        "cap_core": "{cap}：由 Haraka 核心自己列出",
        "cap_plugin": "{cap}：由 {names} 在 capabilities 钩子上加入",
        "cap_unknown": "{cap}：由某个插件在 capabilities 钩子上加入",
        "or": " 或 ",
    },
}


def say(lang: str, key: str, **slots: object) -> str:
    """The sentence `key` in `lang` (English when the language is unknown), its slots filled."""
    table = WORDS.get(lang, WORDS["en"])
    return spaced(lang, table[key].format(**slots))


def names(lang: str, items) -> str:
    return WORDS.get(lang, WORDS["en"])["or"].join(code(lang, i) if lang == "zh" else i for i in items)
