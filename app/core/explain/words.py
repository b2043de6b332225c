"""Every sentence the line explainer writes, in each language it writes: one table keyed by language.

Why a table: the builders (effect.py, explain.crash_site, findings.py, syserrors.py) decide *what* to
say from the facts of a line once; the words for it are looked up here by language, so a language is
a column of this table, never a second code path. English is the reference (the plain fields of a
LineExplanation and a Finding); the others fill their `i18n`.

Slots are str.format fields. A slot that holds code (a file:line, a config key, the quoted log
template, a function name) is passed through `code()` first: as written in English, in `backticks`
in Chinese. Chinese text also gets a space between Chinese and Latin letters or code (`spaced`), so
a template need not care whether its slot holds `rcpt` or 某个.
"""
from __future__ import annotations

import re

LANGS = ("en", "zh")
OTHER_LANGS = LANGS[1:]          # the languages of the i18n fields (English is in the plain ones)

# the step of the SMTP session a hook answers for, as the object of "refused ..."
STAGE = {
    "en": {"connect": "the connection", "connect_init": "the connection", "lookup_rdns": "the connection",
           "helo": "HELO", "ehlo": "EHLO", "mail": "MAIL FROM (the sender)", "rcpt": "RCPT TO (this recipient)",
           "rcpt_ok": "the recipient", "data": "DATA", "data_post": "the message after DATA",
           "queue": "the message at queueing", "queue_outbound": "the relayed message at queueing",
           "auth": "authentication", "unrecognized_command": "a command", "max_data_exceeded": "the message size"},
    "zh": {"connect": "这个连接", "connect_init": "这个连接", "lookup_rdns": "这个连接",
           "helo": "HELO 命令", "ehlo": "EHLO 命令", "mail": "MAIL FROM（发件人）", "rcpt": "RCPT TO（这个收件人）",
           "rcpt_ok": "这个收件人", "data": "DATA 命令", "data_post": "DATA 阶段收完的邮件",
           "queue": "入队阶段的邮件", "queue_outbound": "入队阶段要中继外发的邮件",
           "auth": "认证请求", "unrecognized_command": "一条命令", "max_data_exceeded": "超出大小限制的邮件"},
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        # how pieces are put together
        "join": " ", "stop": ".", "stop_split": ". ", "list": ", ", "or": " or ",
        "code": "{}", "quoted": "“{}”",
        # effect.py: what a line means for the mail
        "stage_hook": "the {hook} step", "stage_none": "the command",
        "refused_soft": ("Haraka refused {what} temporarily (4xx): the sending server keeps the message and "
                         "retries, so mail arrives late or bounces after the sender's retry time."),
        "dropped": "Haraka dropped the connection at {what}.",
        "refused_hard": ("Haraka refused {what} permanently (5xx): the sending server gives up and bounces "
                         "the message to its sender."),
        "then_closed": "The connection is then closed.",
        "reply_soft": "Haraka answered with a temporary failure (4xx): the sender will retry later.",
        "reply_hard": "Haraka answered with a permanent failure (5xx): the sender bounces the message.",
        "where_hook": " while running the {hook} hook", "who_core": "Haraka itself", "who_plugin": "the {emitter} plugin",
        "printed_then": "Printed by {who}{where}, which then answers {codes}{said}.", "said_reply": " {text}",
        "log_throw": ("An error thrown by {who}{where}. Unless something catches it, a connection is dropped; "
                      "at start-up Haraka stops."),
        "log_crit": ("A critical error from {who}{where}: at start-up Haraka may not be listening at all; in a "
                     "connection the connection is usually dropped."),
        "log_error": ("An error reported by {who}{where}. If it then lets the hook continue, the check it "
                      "performs is skipped for this message; if it answers DENYSOFT, the sender is told to retry."),
        "log_warn": ("A warning from {who}{where}: mail usually still flows, but what it warns about is not "
                     "working as configured."),
        "stack_where": " in its {hook} hook",
        "stack_api": ("An error {server} answers API calls with: the request failed and nothing was changed; the "
                      "code in the reply says why (a webmail or script sees it, not the SMTP sender)."),
        "stack_throw": ("An error thrown by {server}{where}: the operation fails; thrown at start-up or outside a "
                        "request, the process exits and its supervisor (systemd, docker) restarts it."),
        "stack_error": ("An error reported by {server}{where}: the operation it names failed (a delivery, a mailbox "
                        "update, an API call); if it is a database or Redis error, every later operation fails "
                        "the same way."),
        "stack_warn": ("A warning from {server}{where}: mail still flows, but what it warns about is not working "
                       "as configured."),
        # explain.crash_site: the code a stack names
        "crash_plugin": "the {name} plugin ({place}{fn})", "crash_core": "Haraka's {place}{fn}", "crash_fn": ", {fn}",
        # syserrors.py
        "the_address": "the address in the line",
        # findings.py: a finding per template
        "withheld": "“(text withheld: it is written as instructions to an AI, not by Haraka)”",
        "title_refusal": "{who} answered {code} at {hook} hook", "some_hook": "a", "title_said": ": {said}",
        "title_reply": "Haraka replied {code}: {said}",
        "title_result": "Haraka reports {code} at {hook}: {said}",
        "title_log": "{who} logged {level}: {said}{detail}{crash}", "title_detail": " ({detail})",
        "title_crash": ", in {crash}",
        "no_message": ("No message of the indexed Haraka releases and plugins has this text; the line names "
                       "{emitter} as its emitter."),
        "printed_at": "It is printed by {package} {place} ({function}{hooks}) in release {release}.",
        "fn_named": "function {fn}", "fn_top": "function at file level", "run_by": ", run by the {hooks} hook",
        "not_in_version": "Your version {version} does not have this message; releases that do: {versions}.",
        "set_in": "What it does is set in {files}{keys}.", "its_config": "its config", "keys": " (keys {keys})",
        "then": "It then answered {code} at the {hook} hook: {effect}", "same_hook": "same",
        "crash_look": ("The stack shows where it failed: in {crash}. Look there first (a known bug of the"
                       " release you run, or a setting that code reads), not at the line that caught it."),
        "seen": "Seen {n} times.",
        "fix_config": "Check what {who} reads in {files}{keys} and the service, file or address the line names.",
        "fix_plain": "Check the service, file or address the line names; the source line shows what {who} was doing.",
    },
    "zh": {
        "join": "", "stop": "。", "stop_split": "。", "list": "、", "or": " 或 ",
        "code": "`{}`", "quoted": "`{}`",
        "stage_hook": "{hook} 这一步", "stage_none": "这条命令",
        "refused_soft": ("Haraka 用 4xx 临时拒绝了{what}：发送方服务器会保留这封邮件并稍后重试，所以邮件会延迟到达，"
                         "或者在超过发送方的重试期限后被退信。"),
        "dropped": "Haraka 在处理{what}时断开了连接。",
        "refused_hard": "Haraka 用 5xx 永久拒绝了{what}：发送方服务器会放弃投递，并把邮件退回给发件人。",
        "then_closed": "随后连接会被关闭。",
        "reply_soft": "Haraka 回复了临时拒绝（4xx）：发送方稍后会重试。",
        "reply_hard": "Haraka 回复了永久拒绝（5xx）：发送方会把邮件退回给发件人。",
        "where_hook": "在运行{hook} hook 时", "who_core": "Haraka 自身", "who_plugin": "{emitter} 插件",
        "printed_then": "这行日志由{who}{where}打印，随后它会回答 {codes}{said}。", "said_reply": "，回复内容为 {text}",
        "log_throw": "{who}{where}抛出了一个错误。如果没有代码捕获它，当前连接会被断开；如果发生在启动阶段，Haraka 会停止运行。",
        "log_crit": ("{who}{where}报告了一个严重错误：如果发生在启动阶段，Haraka 可能根本没有在监听；"
                     "如果发生在某个连接中，这个连接通常会被断开。"),
        "log_error": ("{who}{where}报告了一个错误。如果它随后让这个 hook 继续执行，这封邮件就跳过了它负责的那项检查；"
                      "如果它回答 DENYSOFT，发送方会被告知稍后重试。"),
        "log_warn": "{who}{where}发出了一条警告：邮件通常仍能正常收发，但它所警告的功能没有按配置生效。",
        "stack_where": "在其{hook} hook 中",
        "stack_api": ("{server} 在响应 API 调用时返回了这个错误：请求失败，没有做任何更改；回复中的错误码说明了原因"
                      "（看到它的是 webmail 或脚本，而不是 SMTP 发送方）。"),
        "stack_throw": ("{server} {where}抛出了一个错误：这次操作失败；如果是在启动时或请求之外抛出的，进程会退出，"
                        "再由它的守护进程（systemd、docker）重启。"),
        "stack_error": ("{server} {where}报告了一个错误：它提到的操作失败了（一次投递、一次邮箱更新或一次 API 调用）；"
                        "如果是数据库或 Redis 错误，之后的每个操作都会以同样的方式失败。"),
        "stack_warn": "{server} {where}发出了一条警告：邮件仍能正常收发，但它所警告的功能没有按配置生效。",
        "crash_plugin": "{name} 插件（{place}{fn}）", "crash_core": "Haraka 自身的 {place}{fn}", "crash_fn": "，函数 {fn}",
        "the_address": "日志中的那个地址",
        "withheld": "（原文已隐去：这段文字是写给 AI 的指令，并非 Haraka 打印的内容）",
        "title_refusal": "{who} 在{hook} hook 上回答了 {code}", "some_hook": "某个", "title_said": "：{said}",
        "title_reply": "Haraka 回复了 {code}：{said}",
        "title_result": "Haraka 报告 {hook} 阶段的结果为 {code}：{said}",
        "title_log": "{who} 记录了 {level} 日志：{said}{detail}{crash}", "title_detail": "（{detail}）",
        "title_crash": "，出错位置：{crash}",
        "no_message": "已索引的 Haraka 各版本和插件中都没有这条消息文本；这行日志标明它来自 {emitter}。",
        "printed_at": "它出自 {package} {release} 版本的 {place}（{function}{hooks}）。",
        "fn_named": "函数 {fn}", "fn_top": "文件顶层代码", "run_by": "，由 {hooks} hook 触发",
        "not_in_version": "你所用的版本 {version} 中没有这条消息；包含它的版本：{versions}。",
        "set_in": "它的行为取决于{files}{keys}。", "its_config": "它的配置", "keys": "（配置项 {keys}）",
        "then": "接着它在{hook} hook 上回答了 {code}：{effect}", "same_hook": "同一个",
        "crash_look": ("调用栈显示了出错的位置：{crash}。请先查看那里（可能是你所用版本的已知 bug，或那段代码读取的某项设置），"
                       "而不是捕获这个错误的那一行。"),
        "seen": "共出现 {n} 次。",
        "fix_config": "检查{who}从{files}{keys}读取的设置，以及这行日志提到的服务、文件或地址。",
        "fix_plain": "检查这行日志提到的服务、文件或地址；源码行会显示{who}当时在做什么。",
    },
}


def say(lang: str, key: str, **slots: object) -> str:
    """The sentence `key` in `lang`, its slots filled."""
    return spaced(lang, WORDS[lang][key].format(**slots))


def code(lang: str, text: str) -> str:
    """Code (a file:line, a key, a function) as the language's prose shows it."""
    return _around(WORDS[lang]["code"], text)


def quoted(lang: str, text: str) -> str:
    """What a log line or reply said: “…” in English, `…` in Chinese."""
    return _around(WORDS[lang]["quoted"], text)


def _around(template: str, text: str) -> str:
    if template == "`{}`" and "`" in text:      # code that holds a backtick is fenced by two
        return f"`` {text} ``"
    return template.format(text)


def listed(lang: str, items, as_code: bool = False) -> str:
    return WORDS[lang]["list"].join(code(lang, i) if as_code else i for i in items)


def sentences(lang: str, *parts: str) -> str:
    """The non-empty parts as one text."""
    return spaced(lang, WORDS[lang]["join"].join(p for p in parts if p))


def first_sentence(lang: str, text: str) -> str:
    stop = WORDS[lang]["stop"]
    return text.split(WORDS[lang]["stop_split"])[0].rstrip(stop) + stop


_CODE = re.compile(r"(``.+?``|`[^`\n]*`)")
_HAN = "\u4e00-\u9fff"
_GAPS = (re.compile(f"([{_HAN}])([A-Za-z0-9])"), re.compile(f"([A-Za-z0-9%])([{_HAN}])"))


def spaced(lang: str, text: str) -> str:
    """Chinese: a space between a Chinese character and Latin letters, digits or `code` (outside code)."""
    if lang != "zh":
        return text
    out = ""
    for i, part in enumerate(_CODE.split(text)):
        if not i % 2:
            for gap in _GAPS:
                part = gap.sub(r"\1 \2", part)
        if out and part and (_han(out[-1]) and part[0] == "`" or out[-1] == "`" and _han(part[0])):
            out += " "
        out += part
    return out


def _han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"
