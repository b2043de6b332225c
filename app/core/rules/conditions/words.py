"""The sentences conditions write as evidence (a simulated step, a file or key not there), in
each language. Predicates write the English; `app.core.localize` finds the template an English
sentence was made from and writes it again in the reader's language with the same values."""
from __future__ import annotations

EVIDENCE: dict[str, dict[str, str]] = {
    "shadowed": {"en": "{hook}{target}: {by} answers {retval} first; {plugin} never runs",
                 "zh": "{hook}{target}：{by} 先回答了 {retval}，{plugin} 根本没有运行"},
    "answered": {"en": "{hook}: {by} → {reply}", "zh": "{hook}：{by} → {reply}"},
    "simulated": {"en": "simulated: {outcome}", "zh": "模拟结果：{outcome}"},
    "file_given": {"en": "{file} given", "zh": "已提供 {file}"},
    "no_file": {"en": "no {file} given", "zh": "没有提供 {file}"},
    "no_entries": {"en": "no entries", "zh": "没有任何条目"},
    "did_you_mean": {"en": "{file} (did you mean {suggestion}?)", "zh": "{file}（是不是想写 {suggestion}？）"},
    "not_set": {"en": "{key} not set", "zh": "没有设置 {key}"},
    "no_log_line": {"en": "no line in the logs shows this", "zh": "日志中没有任何一行显示这一点"},
    "not_listed": {"en": "no {want} listed", "zh": "没有列出 {want}"},
    "no_plugin": {"en": "no plugin", "zh": "没有插件"},
}


def say(sentence: str, **values) -> str:
    """The English evidence sentence named `sentence`, with its values."""
    return EVIDENCE[sentence]["en"].format(**values)
