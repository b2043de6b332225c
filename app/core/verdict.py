"""The one-glance summary of a Diagnosis: a headline sentence, what to do, and how sure it is.

An admin reads this before anything else, on the Diagnose page, at the top of `check` and as the
first line of an answer, so it says in words what happens to mail ("Haraka accepts the mail, but
WildDuck never stores it"), the cause, the fix, and which files that were not given would
confirm it or let more checks run.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.core.causes import Cause, group_causes
from ingest.filestamp import FileStamp, stamp
from ingest.kbdata import kb_path

TEXT = {
    "en": {
        "cause": "Cause: {title}.",
        "fix": "Fix: {summary}",
        "fix_none": "Fix: see the finding below; no automatic edit applies.",
        "assumed": "This rests on {files}, which {verb} not given: {what}. Paste {them} to confirm.",
        "clean": "No problem found in what you gave ({what}).",
        "clean_outcome": "No problem found: {outcome}.",
        "warnings": "No error found; {n} thing(s) worth changing.",
        "log_warnings": "The logs show {n} thing(s) that went wrong; none of them stops all mail.",
        "empty": "Nothing to check yet: paste config/plugins, other config files or logs.",
        "missing": "Not checked, because these files were not given: {items}.",
        "missing_item": "{file} ({n} {checks})",
        "was": "was", "were": "were", "it": "it", "them": "them",
    },
    "zh": {
        "cause": "原因：{title}。",
        "fix": "修复：{summary}",
        "fix_none": "修复：见下方的发现，没有可以自动应用的修改。",
        "assumed": "这个结论依赖 {files}，但你没有提供（{what}）。请粘贴{them}以确认。",
        "clean": "在你提供的内容中没有发现问题（{what}）。",
        "clean_outcome": "没有发现问题：{outcome}。",
        "warnings": "没有发现错误；有 {n} 处值得修改。",
        "log_warnings": "日志中有 {n} 处出错，但都不会让所有邮件都收不到。",
        "empty": "还没有可检查的内容：请粘贴 config/plugins、其他配置文件或日志。",
        "missing": "以下文件没有提供，相关检查未运行：{items}。",
        "missing_item": "{file}（{n} 项检查）",
        "was": "", "were": "", "it": "该文件", "them": "这些文件",
    },
}


@functools.lru_cache(maxsize=2)
def _outcome_texts(file: FileStamp) -> dict[str, dict]:
    return yaml.safe_load(Path(file.path).read_text(encoding="utf-8")) if file.size >= 0 else {}


def outcome_texts() -> dict[str, dict]:
    """kb/outcomes.yaml, re-read when it changes."""
    return _outcome_texts(stamp(kb_path("outcomes.yaml")))


def outcome_sentence(outcome: str, lang: str = "en") -> str:
    """The simulated outcome in words; the identifier itself only when kb/ has no words for it."""
    entry = outcome_texts().get(outcome) or {}
    return entry.get(lang) or entry.get("en") or outcome.replace("_", " ")


def outcome_is_bad(outcome: str) -> bool:
    return bool((outcome_texts().get(outcome) or {}).get("bad"))


def _t(lang: str, key: str, **kw) -> str:
    return (TEXT.get(lang) or TEXT["en"]).get(key, TEXT["en"][key]).format(**kw)


def sentence_case(text: str) -> str:
    """Capitalised when it starts with a plain word; a plugin or file name stays as written."""
    text = text.strip().strip('"')
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.isalpha() and first.islower() else text


def full_stop(text: str, lang: str) -> str:
    """One sentence end, in the language's own punctuation."""
    text = text.strip().rstrip(".。")
    return text + ("。" if lang == "zh" else ".")


@dataclass
class Verdict:
    kind: str                  # error | warning | clean | empty
    headline: str              # one sentence: what happens / what is wrong
    cause: str = ""            # the top cause, when the headline is the outcome
    action: str = ""           # what to do
    caveat: str = ""           # what the headline rests on that was not given
    missing: str = ""          # checks that could not run, and the files they need
    outcome: str = ""
    causes: list[Cause] = field(default_factory=list)
    lang: str = "en"

    def lines(self) -> list[str]:
        return [x for x in (self.headline, self.cause, self.action, self.caveat) if x]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "headline": self.headline, "cause": self.cause, "action": self.action,
                "caveat": self.caveat, "missing": self.missing, "outcome": self.outcome,
                "causes": [c.rules for c in self.causes]}


def caveat(cause: Cause, lang: str) -> str:
    """What the cause rests on that was not given, and the request to paste it ("" when nothing)."""
    assumes = cause.assumes
    if not assumes:
        return ""
    files = ", ".join(assumes)
    what = "; ".join(assumes.values())
    many = len(assumes) > 1
    return _t(lang, "assumed", files=files, what=what, verb=_t(lang, "were" if many else "was"),
              them=_t(lang, "them" if many else "it"))


def _missing(diagnosis, lang: str) -> str:
    files = diagnosis.missing_files()
    if not files:
        return ""
    items = ", ".join(_t(lang, "missing_item", file=_file_label(name), n=len(us),
                         checks="check" if len(us) == 1 else "checks") for name, us in list(files.items())[:4])
    return _t(lang, "missing", items=items)


def _file_label(name: str) -> str:
    """Haraka's files say config/...; WildDuck's own (dbs.toml) say whose they are."""
    return name if "/" in name or not name.endswith(".toml") else f"WildDuck's {name}"


def _error_verdict(top: Cause, lang: str, outcome: str, missing: str, causes: list[Cause]) -> Verdict:
    """The top error cause: what happens to mail (when the outcome is bad) or the cause itself
    as the headline, and its fix as the action."""
    title = sentence_case(top.primary.title)
    fix = top.fix
    summary = (fix.summary if fix else "") or top.primary.fix_summary
    action = _t(lang, "fix", summary=summary) if summary else _t(lang, "fix_none")
    if outcome and outcome_is_bad(outcome):
        headline, cause = full_stop(outcome_sentence(outcome, lang), lang), _t(lang, "cause", title=title.rstrip("."))
    else:
        headline, cause = full_stop(title, lang), ""
    return Verdict(kind="error", headline=headline, cause=cause, action=action, caveat=caveat(top, lang),
                   missing=missing, outcome=outcome, causes=causes, lang=lang)


def verdict(diagnosis, lang: str = "en") -> Verdict:
    """Headline, cause, action and caveat for a diagnosis (None: nothing was given)."""
    if diagnosis is None or (not diagnosis.configset.files and not diagnosis.log_lines):
        return Verdict(kind="empty", headline=_t(lang, "empty"), lang=lang)
    from app.core.localize import localized_diagnosis
    diagnosis = localized_diagnosis(diagnosis, lang)
    causes = group_causes(diagnosis.findings)
    sim = diagnosis.simulation
    outcome = sim.outcome if sim is not None else ""
    missing = _missing(diagnosis, lang)
    serious = [c for c in causes if c.severity == "error"]
    if serious:
        return _error_verdict(serious[0], lang, outcome, missing, causes)
    if outcome and outcome_is_bad(outcome):
        return Verdict(kind="error", headline=full_stop(outcome_sentence(outcome, lang), lang), missing=missing,
                       outcome=outcome, causes=causes, lang=lang)
    warnings = [c for c in causes if c.severity == "warning"]
    if warnings:
        # a log line that says something failed is never summed up as "no error found"
        said = "log_warnings" if any(f.source == "log" for c in warnings for f in c.findings) else "warnings"
        return Verdict(kind="warning", headline=_t(lang, said, n=len(warnings)),
                       cause=_t(lang, "cause", title=sentence_case(warnings[0].primary.title).rstrip(".")),
                       missing=missing, outcome=outcome, causes=causes, lang=lang)
    if outcome:
        headline = _t(lang, "clean_outcome", outcome=outcome_sentence(outcome, lang))
    else:
        what = ", ".join(sorted(diagnosis.configset.files)[:4]) or f"{diagnosis.log_lines} log lines"
        headline = _t(lang, "clean", what=what)
    return Verdict(kind="clean", headline=headline, missing=missing, outcome=outcome, causes=causes, lang=lang)
