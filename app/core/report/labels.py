"""The reports' own words (the findings bring theirs) in each language `--lang` offers."""
from __future__ import annotations

from typing import Any

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "fix": "fix", "fix_verified": "fix (verified)", "see": "see", "not_given": "{name} (not given): {what} - "
        "paste it to confirm", "counts": "{e} error(s), {w} warning(s), {i} info — {files} file(s), {lines} log line(s)",
        "simulated": "simulated transaction: {sentence} ({outcome})",
        "all_fixes": "all verified fixes together: {files} (fixes {rules}); write them with --fixed-out DIR",
        "all_fixes_written": "all verified fixes together: {files} (fixes {rules}); written to {dir}",
        "md_title": "mxdoctor report", "md_rule": "Rule", "md_title_col": "Title",
        "md_none": "No problems found in the given configuration and logs.",
        "md_all_fixes": "All verified fixes together", "md_fixes_set": "Fixes {rules}; checked again as a set.",
        "md_fix": "Fix", "md_verified": " (verified)", "md_severity": "Severity", "md_category": "Category",
        "md_evidence": "Evidence", "md_not_given": "{name} was not given: {what}. Paste it to confirm.",
        "md_references": "References", "md_problems": "Input problems", "md_simulation": "Simulated transaction",
        "md_sim_cols": "| Hook | Answered by | Reply | Shadowed |", "md_outcome": "Outcome",
        "md_note_where": "(mxdoctor note `{note}`: `mxdoctor search {note}` or the app's Knowledge page)",
        "colon": ": ",
    },
    "zh": {
        "fix": "修复", "fix_verified": "修复（已验证）", "see": "参见", "not_given": "{name}（未提供）：{what} —— "
        "贴出该文件即可确认", "counts": "{e} 个错误，{w} 个警告，{i} 个提示 —— {files} 个文件，{lines} 行日志",
        "simulated": "模拟的事务：{sentence}（{outcome}）",
        "all_fixes": "全部已验证的修复合在一起：{files}（修复 {rules}）；用 --fixed-out DIR 写出",
        "all_fixes_written": "全部已验证的修复合在一起：{files}（修复 {rules}）；已写入 {dir}",
        "md_title": "mxdoctor 诊断报告", "md_rule": "规则", "md_title_col": "标题",
        "md_none": "在提供的配置和日志中没有发现问题。",
        "md_all_fixes": "全部已验证的修复", "md_fixes_set": "修复 {rules}；已作为一个整体重新检查。",
        "md_fix": "修复", "md_verified": "（已验证）", "md_severity": "严重程度", "md_category": "类别",
        "md_evidence": "证据", "md_not_given": "没有提供 {name}：{what}。贴出该文件即可确认。",
        "md_references": "参考资料", "md_problems": "输入问题", "md_simulation": "模拟的事务",
        "md_sim_cols": "| Hook | 由谁回答 | 回复 | 被遮蔽的插件 |", "md_outcome": "结果",
        "md_note_where": "（mxdoctor 笔记 `{note}`：`mxdoctor search {note}` 或应用的“知识库”页面）",
        "colon": "：",
    },
}
SEVERITY = {"zh": {"error": "错误", "warning": "警告", "info": "提示"}}


def label(data: dict[str, Any], key: str, **kw) -> str:
    table = LABELS.get(data.get("lang") or "en") or LABELS["en"]
    return table.get(key, LABELS["en"][key]).format(**kw)


def severity_word(data: dict[str, Any], sev: str) -> str:
    return SEVERITY.get(data.get("lang") or "en", {}).get(sev, sev)
