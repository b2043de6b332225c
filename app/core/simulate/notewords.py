"""The sentences the simulator's walk writes into a step's notes, in English and Chinese.

Why a table: a note is made in English once (walk.py) and shown in the reader's language at the
edge (app.core.localize.step_note matches it back to its template); the plugins' own notes live
with their answers in kb/simulator/behaviours.yaml (`note_zh`).
"""
from __future__ import annotations

NOTES: dict[str, dict[str, str]] = {
    "plugin_note": {"en": "{plugin}: {note}", "zh": "{plugin}：{note}"},
    "carried": {"en": "data_post: {note}", "zh": "data_post：{note}"},
    "could_outside": {"en": "{plugin} may answer {codes} here, depending on the outside world",
                      "zh": "{plugin} 在这里可能回答 {codes}，取决于外部环境"},
    "could_assumed": {"en": "{plugin} may answer {codes} here; assumed to pass",
                      "zh": "{plugin} 在这里可能回答 {codes}；此处假定它放行"},
    "unknown_plugin": {"en": "{plugin} may answer here too (not in the catalog: its hooks are unknown)",
                       "zh": "{plugin} 也可能在这里应答（不在插件目录中：不知道它注册了哪些钩子）"},
    "rcpt_nobody": {"en": "no rcpt plugin accepted this recipient, so Haraka refuses it",
                    "zh": "没有 rcpt 插件接受这个收件人，所以 Haraka 拒绝它"},
    "no_recipient": {"en": "no recipient was accepted", "zh": "没有任何收件人被接受"},
    "outbound": {"en": "relaying client: Haraka's outbound delivery takes the message",
                 "zh": "允许中继的客户端：由 Haraka 的 outbound 自行投递这封邮件"},
    "queue_nobody": {"en": "no queue plugin accepted the message", "zh": "没有队列插件接收这封邮件"},
}


def note(key: str, **slots: object) -> str:
    """The note in English, as the simulation stores it."""
    return NOTES[key]["en"].format(**slots)
