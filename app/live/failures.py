"""Why a session with a server could not go on, in words an admin can act on (English and Chinese).

Why not the exception text: 'Connection unexpectedly closed: timed out' does not say whether the
host is down, the port is filtered, or something listens there and keeps quiet; each of those has a
different next step. The kinds are stable (a test and the UI key on them); the sentence is looked up
by `what` in one table per language, filled with the facts (`params`).
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field

KINDS = ("refused", "timeout", "silent", "dns", "unreachable", "tls", "closed", "protocol", "reply")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "dns": "cannot resolve {host} ({why}): check the name, or give the address",
        "refused": ("{where} refused the connection: nothing listens there (is Haraka running, and does `listen` "
                    "in config/smtp.ini include this address and port?), or a firewall rejects it"),
        "tls_verify": ("the certificate of {where} does not verify ({why}): senders that insist on a valid "
                       "certificate (MTA-STS enforce, DANE) will not deliver; install a certificate a public CA "
                       "signed, with its chain, as config/tls_cert.pem"),
        "tls_handshake": ("the TLS handshake with {where} failed ({why}): check config/tls.ini and that the key "
                          "and certificate in config/ load (Haraka logs why at start-up)"),
        "no_starttls": ("the server did not offer STARTTLS in its EHLO reply (Haraka offers it only when the tls "
                        "plugin is listed in config/plugins and its key and certificate loaded)"),
        "connect_timeout": ("no answer from {where} within {seconds} s: the host is down or a firewall drops the "
                            "packets (many ISPs and clouds block outbound port 25)"),
        "silent": ("connected to {where}, but no greeting came within {seconds} s: it is not an SMTP server, or "
                   "something holds connections there (a proxy, a tarpit, a server still starting)"),
        "reply_timeout": ("{where} gave no reply to {command} within {seconds} s: a plugin on that hook is slow or "
                          "stuck (a DNS list, an unreachable backend); its timeout is in the plugin's config, and "
                          "Haraka logs 'timed out' for it"),
        "closed": ("{where} closed the connection at {stage} without a reply: a plugin disconnected "
                   "(DENYDISCONNECT), too many bad commands, or Haraka's worker crashed; its log says which"),
        "unreachable": "cannot reach {where}: {why}",
        "protocol": "the SMTP dialogue with {where} broke off at {stage}: {why}",
        "refused_at": "the server refused at {stage}: {reply}",
    },
    "zh": {
        "dns": "无法解析 {host}（{why}）：请检查主机名，或直接给出 IP 地址",
        "refused": ("{where} 拒绝了连接：那里没有程序在监听（Haraka 在运行吗？config/smtp.ini 的 `listen` 包含这个地址和端口吗？），"
                    "或者防火墙拒绝了它"),
        "tls_verify": ("{where} 的证书无法通过验证（{why}）：坚持要求有效证书的发送方（MTA-STS enforce、DANE）不会投递；"
                       "请把公共 CA 签发的证书连同证书链安装为 config/tls_cert.pem"),
        "tls_handshake": "与 {where} 的 TLS 握手失败（{why}）：请检查 config/tls.ini，以及 config/ 中的私钥和证书能否加载（Haraka 启动时会记录原因）",
        "no_starttls": ("服务器在 EHLO 回复中没有提供 STARTTLS（只有 config/plugins 列出了 tls 插件、且私钥和证书加载成功时，"
                        "Haraka 才会提供它）"),
        "connect_timeout": "{seconds} 秒内 {where} 没有任何应答：主机宕机，或防火墙丢弃了数据包（很多 ISP 和云厂商封锁出站 25 端口）",
        "silent": "已连上 {where}，但 {seconds} 秒内没有收到问候语：它不是 SMTP 服务器，或者有东西扣住了连接（代理、tarpit、仍在启动的服务器）",
        "reply_timeout": ("{seconds} 秒内 {where} 没有回复 {command}：该 hook 上的某个插件很慢或卡住了（DNS 黑名单、连不上的后端）；"
                          "它的超时时间在插件的配置里，Haraka 会为它记录 'timed out'"),
        "closed": ("{where} 在 {stage} 阶段没有回复就关闭了连接：某个插件断开了连接（DENYDISCONNECT）、错误命令太多，"
                   "或 Haraka 的 worker 崩溃了；它的日志会说明是哪一种"),
        "unreachable": "无法到达 {where}：{why}",
        "protocol": "与 {where} 的 SMTP 对话在 {stage} 阶段中断：{why}",
        "refused_at": "服务器在 {stage} 阶段拒绝：{reply}",
    },
}


@dataclass
class Failure:
    kind: str        # one of KINDS
    stage: str       # the step it happened at (banner, ehlo, starttls, mail, rcpt, data, data_end)
    what: str        # the sentence's key in WORDS
    params: dict[str, str] = field(default_factory=dict)
    alive: bool = False  # the connection is still usable (RSET/QUIT may be sent)

    @property
    def message(self) -> str:
        """One sentence with the next step, in English."""
        return self.text("en")

    def text(self, lang: str = "en") -> str:
        words = WORDS.get(lang, WORDS["en"])
        return words[self.what].format(stage=self.stage, **self.params)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "stage": self.stage, "message": self.message, "alive": self.alive,
                "i18n": {lang: {"message": self.text(lang)} for lang in WORDS if lang != "en"}}


def describe_failure(exc: BaseException, stage: str, host: str, port: int, timeout: float) -> Failure:
    """The Failure an exception raised while talking to host:port at `stage` means."""
    where, seconds = f"{host}:{port}", f"{timeout:g}"
    if isinstance(exc, socket.gaierror):
        return Failure("dns", stage, "dns", {"host": host, "why": str(exc.strerror or exc)})
    if isinstance(exc, ConnectionRefusedError):
        return Failure("refused", stage, "refused", {"where": where})
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure("tls", stage, "tls_verify", {"where": where, "why": str(exc.verify_message or exc)})
    if isinstance(exc, ssl.SSLError):
        return Failure("tls", stage, "tls_handshake", {"where": where, "why": str(exc.reason or exc)})
    if isinstance(exc, (TimeoutError, socket.timeout)) and stage == "banner":
        return Failure("timeout", stage, "connect_timeout", {"where": where, "seconds": seconds})
    if isinstance(exc, smtplib.SMTPServerDisconnected) or isinstance(exc, (TimeoutError, socket.timeout)):
        if "timed out" in str(exc).lower():
            if stage == "banner":
                return Failure("silent", stage, "silent", {"where": where, "seconds": seconds})
            return Failure("timeout", stage, "reply_timeout",
                           {"where": where, "seconds": seconds, "command": _command(stage)})
        return Failure("closed", stage, "closed", {"where": where})
    if isinstance(exc, OSError):
        return Failure("unreachable", stage, "unreachable", {"where": where, "why": str(exc.strerror or exc)})
    return Failure("protocol", stage, "protocol", {"where": where, "why": str(exc)})


def no_starttls() -> Failure:
    return Failure("tls", "starttls", "no_starttls", alive=True)


def refused_at(stage: str, reply_line: str) -> Failure:
    """The server answered, and said no at a step the session cannot go past."""
    return Failure("reply", stage, "refused_at", {"reply": reply_line}, alive=True)


def _command(stage: str) -> str:
    return {"data_end": "<CRLF>.<CRLF>", "ehlo_tls": "EHLO"}.get(stage, stage.upper())
