"""Config a fenced block or a diff in advice proposes, as FixOps (see app.answer.advice_text).

The file is the one the fence names, its first comment line names, the text just before it names,
or its shape (app.core.inputs.blocks); config/plugins lines add (or, as `# name`, remove) plugins,
ini lines set keys, YAML sets dotted keys, list files get entries, a diff's `-` lines remove.
"""
from __future__ import annotations

import re

from app.answer.advice_text import (
    FENCE_RE,
    STATE_RE,
    Proposal,
    clauses,
    file_names,
    negated,
    plugin_in,
    proposal,
    section_for,
    value_of,
)

LEAD_ADVISES_RE = re.compile(r"(?i)\b(?:set|change|add|use|replace|look like|should|following|corrected|fixed|new|"
                             r"edit|write|put|enable|append|insert|uncomment|try|solution|fix)\b|设置|改为|改成|添加|写入|如下")

def _block_file(info: str, body: list[str], before: str, context: str) -> str | None:
    """The file a fenced block shows: named by the fence, by its first comment line, by the text
    just before it, by the context, or by its shape."""
    for text in (info, body[0] if body and body[0].lstrip().startswith(("#", ";")) else ""):
        names = file_names(text)
        if names:
            return names[0]
    lead = clauses(before[-300:])
    for text in (lead[-1] if lead else "", before[-300:], context):
        names = file_names(text)
        if names:
            return names[-1]
    from app.core.inputs.blocks import name_block, shape_of
    kind = shape_of(body)
    if kind in ("ini", "yaml", "plugins", "networks", "domains"):
        name = name_block(kind, body)[0].removeprefix("config/")
        return name if not name.startswith("pasted.") else None
    return None


def _diff_files(body: list[str]) -> dict[str, list[str]]:
    """A unified diff's lines per file (`+++ b/config/x`); a headerless diff is one unnamed file."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in body:
        if line.startswith("+++ "):
            current = re.sub(r"^[ab]/", "", line[4:].strip()).removeprefix("config/")
            continue
        if line.startswith(("--- ", "@@", "diff ", "index ")):
            continue
        out.setdefault(current, []).append(line)
    return out


def _plugin_lines(file_lines: list[tuple[str, str]], said: str) -> list[Proposal]:
    """(sign, text) lines of config/plugins: a live name is added (or removed by a `-` line), a
    `# name  (reason)` line removes it."""
    out, prev = [], None
    for sign, line in file_lines:
        s = line.strip()
        if sign == " ":                 # a diff's context line: unchanged
            prev = s if re.fullmatch(r"[\w./@-]+", s) else prev
            continue
        commented = re.fullmatch(r"#\s*([\w./@-]+)\s*(?:\(.*\))?", s)
        if commented and plugin_in(commented.group(1), True, True):
            if sign != "-":
                out.append(proposal("remove_plugin", said, name=plugin_in(commented.group(1), True, True)))
            continue
        if not s or s.startswith(("#", ";")) or not re.fullmatch(r"[\w./@-]+", s):
            continue
        name = s.removeprefix("haraka-plugin-")
        if sign == "-":
            out.append(proposal("remove_plugin", said, name=name))
            continue
        where = {"after": prev, "position": "start"} if prev else {"position": "start"}
        out.append(proposal("add_plugin", said, name=name, **where))
        prev = name
    return out


def _ini_lines(file: str, file_lines: list[tuple[str, str]], said: str) -> list[Proposal]:
    """Keys under a `[section]` line; above the first one they are in main, as Haraka reads them,
    unless the block has no section line at all (a snippet: the key goes where the file keeps it)."""
    out = []
    section = "main" if any(re.fullmatch(r"\s*\[[^\]]+\]\s*", line) for _, line in file_lines) else None
    for sign, line in file_lines:
        s = line.strip()
        m = re.fullmatch(r"\[([^\]]+)\]", s)
        if m:
            section = m.group(1).strip()
            continue
        kv = re.fullmatch(r"([A-Za-z_][\w.\[\]-]*)\s*=\s*(.*)", s)
        if not kv or sign != "+":
            continue
        key = kv.group(1)
        out.append(proposal("set_key", said, file=file, section=section or section_for(file, key, ""), key=key,
                             value=value_of(kv.group(2))))
    return out


def _yaml_lines(file: str, file_lines: list[tuple[str, str]], said: str) -> list[Proposal]:
    import yaml
    text = "\n".join(line for sign, line in file_lines if sign == "+")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    out: list[Proposal] = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif path and not isinstance(node, list):
            out.append(proposal("set_key", said, file=file, section="main", key=path, value=node))
    walk(data, "")
    return out


def _file_edits(file: str, file_lines: list[tuple[str, str]], said: str) -> list[Proposal]:
    if file == "plugins":
        return _plugin_lines(file_lines, said)
    if file.endswith(".ini"):
        return _ini_lines(file, file_lines, said)
    if file.endswith((".yaml", ".yml")):
        return _yaml_lines(file, file_lines, said)
    if file.endswith(".timeout"):      # a one-value file
        value = next((line.strip() for sign, line in file_lines if sign == "+" and line.strip()), "")
        return [proposal("write_file", said, file=file, content=value)] if value else []
    if "." not in file:                 # a list file: every live added line is an entry
        return [proposal("append_line", said, file=file, line=line.strip()) for sign, line in file_lines
                if sign == "+" and line.strip() and not line.lstrip().startswith(("#", ";"))]
    return []


def _is_diff(info: str, body: list[str]) -> bool:
    signed = [l for l in body if l.startswith(("+", "-")) and not l.startswith(("+++", "---"))]
    return info.strip().lower().startswith(("diff", "patch")) or (bool(signed) and len(signed) * 2 >= len(
        [l for l in body if l.strip()]) and any(l.startswith("@@") or l.startswith("+++") for l in body))


def _proposes(lead: str, answer: bool) -> bool:
    """A block is advice unless introduced as the current or a wrong state, or after a negation
    ("don't do this:"); in a reference page (not an answer) only when its lead says to do it -
    a rule page's "Problematic example" shows a config, it does not recommend it."""
    if (STATE_RE.search(lead) or negated(lead.rstrip(" :：\n"))) and not re.search(r"(?i)\bshould|instead\b|改为", lead):
        return False
    return answer or bool(LEAD_ADVISES_RE.search(lead))


def block_proposals(text: str, context: str = "", answer: bool = True) -> list[Proposal]:
    """Edits proposed by fenced blocks (see `_proposes` for which blocks propose)."""
    out: list[Proposal] = []
    for m in FENCE_RE.finditer(text or ""):
        info, body = m.group(1), m.group(2).rstrip("\n").split("\n")
        before = text[:m.start()]
        lead = (clauses(before[-300:]) or [""])[-1]
        if not _proposes(lead, answer):
            continue
        said = f"{lead.strip()} {' / '.join(l.strip() for l in body if l.strip())[:120]}"
        if _is_diff(info, body):
            for file, lines in _diff_files(body).items():
                name = file or _block_file(info, [l[1:] for l in lines], before, context)
                if name:
                    out += _file_edits(name, [(l[:1] if l[:1] in "+-" else " ", l[1:] if l[:1] in "+- " else l)
                                              for l in lines], said)
            continue
        name = _block_file(info, body, before, context)
        if name:
            out += _file_edits(name, [("+", line) for line in body], said)
    return out
