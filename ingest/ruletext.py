"""A rule's words as its YAML writes them, read one way by the checker and by the rule's page.

Templates: `{name}` takes a value from the matched conditions and `{name|fallback}` its fallback
when there is none; what a bare unfilled slot reads as is the reader's choice (a finding says
"a plugin", a fix op keeps the slot so its edit fails to verify, a page shows `‹name›`).
Citations and fix-op arguments have a short and a long spelling; both readers use the same one.
Lives in ingest because ingest renders rule pages and may not import app; app imports it.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from ingest.cjk import close_cjk_gaps

SLOT_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\|([^{}]*))?\}")


def fill(template: str, values: dict[str, Any], unfilled: Callable[[str], str]) -> str:
    """Every slot replaced: its value, else its fallback, else `unfilled(name)`."""
    def one(m: re.Match) -> str:
        if m.group(1) in values:
            return str(values[m.group(1)])
        if m.group(2) is not None:
            return m.group(2)
        return unfilled(m.group(1))
    return SLOT_RE.sub(one, template)


# what a slot reads as when nothing filled it (a log line without a plugin field, a recipient the
# logs never named, a rule page read on its own): words, never a `{template}` on an admin's screen
SLOT_WORDS = {
    "en": {"log_plugin": "a plugin", "plugin": "a plugin", "plugins": "these plugins", "by": "another plugin",
           "target": "the recipient", "log_hook": "a hook", "hook": "a hook", "log_error_code": "an error code",
           "count": "several", "value": "this value", "file": "this file", "key": "this key",
           "log_line": "the log line", "resolver": "a public resolver", "listed": "the listed entries",
           "retval": "OK or DENY", "after": "other plugins", "log_function": "a function",
           "log_address": "the address", "log_error": "an error", "a_value": "one value", "b_value": "another value",
           "suggestion": "a similar name", "package": "the package", "missing": "a plugin", "entry": "an entry"},
    "zh": {"log_plugin": "某个插件", "plugin": "某个插件", "plugins": "这些插件", "by": "另一个插件",
           "target": "收件人", "log_hook": "某个 hook", "hook": "某个 hook", "log_error_code": "某个错误码",
           "count": "多", "value": "这个值", "file": "这个文件", "key": "这个配置项",
           "log_line": "这行日志", "resolver": "某个公共 DNS 解析器", "listed": "所列条目",
           "retval": "OK 或 DENY", "after": "其他插件", "log_function": "某个函数",
           "log_address": "该地址", "log_error": "某个错误", "a_value": "一个值", "b_value": "另一个值",
           "suggestion": "相近的名称", "package": "该软件包", "missing": "某个插件", "entry": "某个条目"},
}


def as_words(text: str, lang: str = "en") -> str:
    """A template as a reader sees it with no finding to fill it: each slot as a plain word
    (`{target}` → "the recipient" / "收件人"), `{name|fallback}` as its fallback."""
    words = SLOT_WORDS.get(lang) or SLOT_WORDS["en"]
    text = fill(text, {}, lambda name: words.get(name, SLOT_WORDS["en"].get(name, "…")))
    return text if lang == "en" else close_cjk_gaps(text)


def as_template(text: str) -> str:
    """A template as the reader of a rule page sees it, with no finding to fill it:
    `{target}` → `‹target›`, `{name|fallback}` → the fallback."""
    return fill(text, {}, lambda name: f"‹{name}›")


def citation(c: Any) -> str:
    """One spelling of a citation: a URL or `note:<id>` string (`{note: id}` and `{url: ...}` in
    the YAML say the same)."""
    if isinstance(c, str):
        return c
    if isinstance(c, dict):
        if "note" in c:
            return f"note:{c['note']}"
        if "url" in c:
            return c["url"]
    return str(c)


def op_args(args: Any) -> dict[str, Any]:
    """A fix op's arguments as a mapping: `manual: text` is short for `manual: {value: text}`."""
    return args if isinstance(args, dict) else {"value": args}
