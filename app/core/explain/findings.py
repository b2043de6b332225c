"""Lines no rule explains become findings of their own, one per message template.

Why: a rule knows a cause; the explainer only knows who printed a line and what it means. So a line a
rule already cites stays with that rule, and the rest are grouped by template (with counts), worded
from the message index, and ranked below rule findings of the same severity.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

from app.core.explain.explain import LineExplanation
from app.core.explain.notes import notes_for
from app.core.explain.words import OTHER_LANGS, code, first_sentence, listed, quoted, say, sentences
from app.core.instructions import looks_like_instruction
from app.core.messages import Message
from app.core.model import Evidence, Finding

MAX_EVIDENCE = 5


def severity(x: LineExplanation) -> str:
    """How loud an unexplained line is. CRIT and worse: error. ERROR: error inside a connection (a
    message was affected), warning outside one (start-up and config: mail may still flow). A refusal:
    warning (it may be meant). A WARN line, or a 4xx/5xx reply with no refusal beside it: info."""
    level = x.event.level or ""
    if x.category == "error":
        if level in ("CRIT", "ALERT", "EMERG"):
            return "error"
        if level == "ERROR":
            return "error" if x.event.uuid else "warning"
        return "info"
    return "warning" if x.category == "refusal" else "info"


def shown(template: str) -> str:
    """A template as a reader sees it: computed parts as …"""
    return template.replace("{}", "…").replace("{{", "{").replace("}}", "}").strip()


def _cited(findings: list[Finding]) -> set[tuple[str, int | None]]:
    return {(e.file, e.line) for f in findings for e in f.evidence if e.kind == "log"}


def explanation_findings(explained: list[LineExplanation], findings: list[Finding],
                         version: str | None = None) -> list[Finding]:
    """A finding per template of the lines that no finding in `findings` cites."""
    cited = _cited(findings)
    groups: dict[str, list[LineExplanation]] = defaultdict(list)
    refused_uuids = {x.event.connection_uuid for x in explained if x.category == "refusal"}
    errors_by_place: dict[tuple, str] = {}
    for x in explained:
        if x.continues or (x.event.file, x.event.lineno) in cited:
            continue
        if x.category in ("reply", "result") and x.event.connection_uuid in refused_uuids:
            continue          # the reply to (or the summary of) a refusal already listed: the refusal says why
        place = (x.event.uuid, x.emitter)
        if x.category == "error" and x.event.uuid:
            errors_by_place.setdefault(place, x.group)
        # a plugin's refusal right after its own error in the same transaction: one incident
        groups[errors_by_place.get(place, x.group) if x.category == "refusal" else x.group].append(x)
    return [_finding(xs, version) for xs in groups.values()]


def _said(x: LineExplanation, lang: str) -> str:
    """What the line says, quoted: its template when that has enough literal text, else the line."""
    literal = x.message is not None and len(x.message.template.replace("{}", "").strip()) >= 8
    said = shown(x.message.template) if literal else x.text.strip()
    if looks_like_instruction(said):
        return say(lang, "withheld")
    return quoted(lang, said[:120] + ("…" if len(said) > 120 else ""))


def _title(x: LineExplanation, lang: str) -> str:
    said = _said(x, lang)
    who = "Haraka" if x.emitter == "core" else x.emitter
    if x.category == "refusal":
        retval = x.event.fields.get("retval", "DENY")
        title = say(lang, "title_refusal", who=who, code=retval, hook=x.hook or say(lang, "some_hook"))
        return title + (say(lang, "title_said", said=said) if said else "")
    if x.category == "reply":
        return say(lang, "title_reply", code=x.text[:3], said=said)
    if x.category == "result":
        return say(lang, "title_result", code=x.event.fields.get('code', ''), hook=x.hook, said=said)
    detail = say(lang, "title_detail", detail=code(lang, x.detail[:100])) if x.detail else ""
    crash = say(lang, "title_crash", crash=_in(x, "crashed_in", lang)) if x.crashed_in else ""
    return say(lang, "title_log", who=who, level=x.event.level, said=said, detail=detail, crash=crash)


def _in(x: LineExplanation, key: str, lang: str) -> str:
    """The line's sentence `key` (effect, crashed_in) in `lang`: English is its plain field."""
    return getattr(x, key) if lang == "en" else x.i18n[lang][key]


def _config(m: Message, lang: str, max_keys: int | None = None) -> tuple[str, str]:
    """The config files (or "its config") and the " (keys ...)" a message's code reads."""
    files = listed(lang, [f"config/{f}" for f in m.config_files], as_code=True) or say(lang, "its_config")
    keys = m.config_keys[:max_keys] if max_keys else m.config_keys
    return files, say(lang, "keys", keys=listed(lang, keys, as_code=True)) if keys else ""


def _where(x: LineExplanation, version: str | None, lang: str) -> str:
    m = x.message
    if m is None:
        return say(lang, "no_message", emitter=x.emitter)
    release, line = m.line_at(version)
    hooks = listed(lang, [h for h in m.hooks if h != "any"])
    function = say(lang, "fn_named", fn=code(lang, m.function)) if m.function else say(lang, "fn_top")
    printed = say(lang, "printed_at", package=m.package, place=code(lang, f"{m.file}:{line}"), function=function,
                  hooks=say(lang, "run_by", hooks=hooks) if hooks else "", release=release)
    missing = say(lang, "not_in_version", version=version, versions=m.versions) if not x.in_version and version else ""
    config = ""
    if m.config_files or m.config_keys:
        files, keys = _config(m, lang)
        config = say(lang, "set_in", files=files, keys=keys)
    return sentences(lang, printed, missing, config)


def _then(refusal: LineExplanation, lang: str) -> str:
    retval = refusal.event.fields.get("retval", "DENY")
    return say(lang, "then", code=retval, hook=refusal.hook or say(lang, "same_hook"),
               effect=_in(refusal, "effect", lang))


def _fix(x: LineExplanation, lang: str) -> str:
    m = x.message
    who = "Haraka" if x.emitter == "core" else x.emitter
    if m is not None and (m.config_files or m.config_keys):
        files, keys = _config(m, lang, max_keys=6)
        return say(lang, "fix_config", who=who, files=files, keys=keys)
    return say(lang, "fix_plain", who=who)


def _citations(x: LineExplanation, version: str | None) -> list[str]:
    """The notes whose tags name the line's emitter, config or words, then the source line."""
    m = x.message
    notes = notes_for(x.emitter, m.config_files if m else (), m.template if m else x.text,
                      x.text[:3] if x.category == "reply" else "")
    return [f"note:{n}" for n in notes] + ([x.source(version)] if m and m.repo else [])


def _words(xs: list[LineExplanation], refusals: list[LineExplanation], version: str | None,
           lang: str) -> dict[str, str]:
    """The finding's title, explanation and fix summary in `lang`."""
    x = xs[0]
    system = x.system.words(lang) if x.system else {}
    # the stack names the code that failed: that, not the catcher, is the cause
    crash = say(lang, "crash_look", crash=_in(x, "crashed_in", lang)) if x.crashed_in else ""
    # with the refusal that followed it known, the error's "if it then ..." sentence has its answer
    effect_ = _in(x, "effect", lang)
    head = first_sentence(lang, effect_) if refusals else effect_
    same = sum(y.category == x.category for y in xs)
    explanation = sentences(lang, head, system.get("means", ""), crash, _then(refusals[0], lang) if refusals else "",
                            _where(x, version, lang), say(lang, "seen", n=same) if same > 1 else "")
    fix = system["fix"] if system else _fix(x, lang)
    return {"title": _title(x, lang), "explanation": explanation, "fix_summary": fix}


def _finding(xs: list[LineExplanation], version: str | None) -> Finding:
    x = xs[0]
    same = [y for y in xs if y.category == x.category]
    refusals = [y for y in xs if y.category == "refusal" and x.category != "refusal"]
    evidence = [Evidence(e.event.file, e.event.lineno, e.event.raw, "log") for e in (same[:MAX_EVIDENCE] + refusals[:1])]
    rid = x.message.id if x.message else hashlib.sha1(x.group.encode()).hexdigest()[:10]
    en = _words(xs, refusals, version, "en")
    return Finding(rule=f"MXL-{rid}", severity=severity(refusals[0] if refusals and severity(x) == "info" else x),
                   title=en["title"], category="logs", explanation=en["explanation"], evidence=evidence,
                   citations=_citations(x, version), fix_summary=en["fix_summary"], source="log",
                   i18n={lang: _words(xs, refusals, version, lang) for lang in OTHER_LANGS})
