"""What config a piece of advice proposes in its words, as the edits a fix is made of.

An LLM answer or a wiki page can recommend a change mxdoctor's own rules flag ("set `all=true` in
config/relay.ini"). To check it, the advice is written down as FixOps (add_plugin, remove_plugin,
set_key, append_line, write_file), so the rules can run over the config it would produce
(app.answer.advice). Read here, clause by clause: inline `key=value` for a file named in the same
sentence or nearby, list entries ("add 0.0.0.0/0 to relay_acl_allow"), and plugin verbs in the
imperative ("add/enable/keep X", "remove/disable X"); fenced blocks and diffs are read by
app.answer.advice_blocks. Negated advice ("never set all=true", "instead of ..."), conditions
("with all=true ...") and quoted current state ("your relay.ini currently has ...") propose nothing.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from app.core.model import FixOp

FENCE_RE = re.compile(r"```([^\n`]*)\n(.*?)(?:```|\Z)", re.S)
CLAUSE_RE = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])|\n+|,\s+(?=(?:but|then|and then|and|so|or)\b)|，")
KV_RE = re.compile(r"(?<![\w.?&/=<>!-])([A-Za-z_][\w.-]*)\s?=\s?([^\s`'\";)（），。]+)")
SET_TO_RE = re.compile(r"(?i)\bset\s+`?([A-Za-z_][\w.-]*)`?\s+to\s+`?([\w.:/-]+)`?")
SECTION_RE = re.compile(r"\[([A-Za-z_][\w.-]*)\]")
NEG_RE = re.compile(r"(?i)\b(?:not|never|don'?t|do not|does not|avoid|instead of|rather than|without|no longer|"
                    r"stop using|cannot|can'?t|shouldn'?t|must not|wrong|bad idea|dangerous)\b|不要|别|切勿|不能|不应|避免|千万")
STATE_RE = re.compile(r"(?i)\b(?:currently|you have|you've got|as it is now|at the moment|before the fix|"
                      r"your [\w/. -]{0,40}\b(?:has|shows|contains|reads|is|says)|this is what|wrong|broken)\b|目前|现在的")
ADVISE_RE = re.compile(r"(?i)\b(?:set|change|add|put|use|enable|turn on|switch|make sure|ensure|configure|write|edit|"
                       r"try|keep|should|must|need to|needs to|have to|just|simply|uncomment|append|insert|update|"
                       r"fix(?:es)?|solves?|resolves?|works|helps|recommend(?:ed)?)\b"
                       r"|设置|设为|改为|改成|加上|添加|启用|打开|写入|使用|保留|应该|需要")
ADD_VERBS = r"add|enable|re-?enable|load|install|keep|leave|uncomment|restore|put back|list|turn on|启用|添加|加上|保留"
DROP_VERBS = r"remove|disable|comment out|drop|delete|unload|take out|get rid of|turn off|禁用|删除|移除|注释掉|去掉"
PLUGIN_VERB_RE = re.compile(rf"(?i)(?:(?<![\w./-])|(?<=[\u4e00-\u9fff]))(?P<verb>{ADD_VERBS}|{DROP_VERBS})(?:\b|(?=[\s`]))")
# what may stand before an imperative verb in its clause: nothing (a bullet, emphasis), a joining
# word, a modal ("you should", "make sure to"), a negation ("do not"); "both load" describes
IMPERATIVE_LEAD_RE = re.compile(
    r"(?i)(?:^|\b(?:and|or|but|otherwise|then|also|now|first|next|finally|please|just|simply|instead|so|should|must|need to|"
    r"needs to|have to|has to|can|could|to|recommend|recommended|better|always|never|not|don'?t|you|we|i)\s*)"
    r"(?:\w+ly\s+)?$")
SPAN_STOP_RE = re.compile(r"(?i)\b(?:from|to|in|into|because|since|so that|which|as|restart|move|below|above|after|"
                          r"before|behind|next to|than|with|for|of|while|instead)\b|[。:(]| - |把|移|之后|之前|因为|以便")
KV_AS_CONDITION_RE = re.compile(r"(?i)\b(?:if|when|whenever|once|with|after|without)\s+(?:you\s+)?(?:\w+ing\s+|"
                                r"set\s+|use\s+|have\s+|add\s+|put\s+)?(?:the\s+)?`?$")
OTHER_SETUP_RE = re.compile(r"(?i)\b(?:forwarding|other MX|without wildduck|non-wildduck)\b|转发")
NOT_VALUES = {"the", "a", "an", "your", "its", "this", "that", "it", "be"}
KEEP_WORDS = ("keep", "leave", "保留")
LIST_ADD_RE = re.compile(r"(?i)\b(?:add|put|list|append|insert|allow)\s+`?([\w.:/*-]+)`?\s+(?:to|in|into)\s+"
                         r"(?:the\s+)?`?(?:config/)?([\w-]+(?:\.[\w-]+)*)`?")
NAME_TOKEN_RE = re.compile(r"`([^`\s]+)`|([A-Za-z@][\w.\-/@]*[A-Za-z0-9_])")
# plugin names that are also plain words: only taken in backticks or next to the word "plugin"
COMMON_WORDS = {"access", "aliases", "bounce", "headers", "limit", "profile", "status", "redis", "syslog", "test",
                "relay_all", "delay_deny", "karma", "process_title", "attachment", "asn", "geoip", "tarpit"}
PLUGINS = "config/plugins"


@dataclass(frozen=True)
class Proposal:
    """One edit the advice proposes; `said` is the advice's own words; `keep` marks "keep X" (no
    change, but it still contradicts a fix that removes X)."""
    op: str
    args: tuple[tuple[str, object], ...]
    said: str
    keep: bool = False

    @property
    def fixop(self) -> FixOp:
        return FixOp(self.op, dict(self.args))

    @property
    def target(self) -> dict:
        return dict(self.args)


def proposal(op: str, said: str, keep: bool = False, **args) -> Proposal:
    return Proposal(op, tuple(sorted(args.items())), said.strip()[:200], keep)


# --------------------------------------------------------------------------- names


@functools.lru_cache(maxsize=1)
def _known() -> tuple[frozenset[str], frozenset[str]]:
    """(plugin names, config file names) the catalog and the shipped shapes know."""
    from app.core.catalog import load_catalog
    from app.core.inputs.shapes import plugin_names, shipped_shapes
    cat = load_catalog()
    files = set(cat.known_config_files()) | set(shipped_shapes()) | {"plugins"}
    return frozenset(plugin_names()), frozenset(files)


def file_names(text: str) -> list[str]:
    """Config files named in `text`, in order: `config/x` anywhere, a known name with an
    extension, or a known list file written as a word (`host_list`, `relay_acl_allow`)."""
    _, files = _known()
    out = []
    for m in re.finditer(r"(?<![\w.-])(config/)?([\w.-]+\.(?:ini|ya?ml|toml)|[a-z][\w.-]*)(?![\w-])", text or ""):
        name = m.group(2).rstrip(".")
        if name in files and (m.group(1) or "." in name or "_" in name):
            out.append(name)
    return out


def plugin_in(token: str, quoted: bool, near_plugin_word: bool) -> str | None:
    plugins, _ = _known()
    name = token.strip("`'\"").removeprefix("haraka-plugin-")
    low = name.lower()
    hit = name if name in plugins else low if low in plugins else None
    if hit is None or (hit in COMMON_WORDS and not (quoted or near_plugin_word)):
        return None
    return hit


def plugins_named(span: str) -> list[str]:
    """Plugin names in a span of words, in order."""
    near = bool(re.search(r"(?i)\bplugins?\b|插件", span))
    out = []
    for m in NAME_TOKEN_RE.finditer(span):
        name = plugin_in(m.group(1) or m.group(2), bool(m.group(1)), near)
        if name and name not in out:
            out.append(name)
    return out


# --------------------------------------------------------------------------- inline advice


def clauses(text: str) -> list[str]:
    return [c for c in CLAUSE_RE.split(text or "") if c and c.strip()]


def negated(before: str) -> bool:
    """A negation governs what follows `before`: it stands in the same part of the sentence (after
    the last comma, colon or dash) within a few words ("scanners cannot send, set ..." is not
    negated; "do not set ..." and "never ..." are)."""
    part = re.split(r"[,;:，；：]|\s[-–—]\s", before)[-1]
    words = part.split()
    return bool(NEG_RE.search(" ".join(words[-6:]))) or bool(re.search(r"(?:不要|别|切勿|不能|不应|避免|千万)\S{0,8}$", part))


def _plugin_edits(clause: str) -> list[Proposal]:
    """"add/enable/keep X", "remove/disable X": each plugin named after the verb, up to the next verb."""
    out: list[Proposal] = []
    verbs = list(PLUGIN_VERB_RE.finditer(clause))
    for i, m in enumerate(verbs):
        end = verbs[i + 1].start() if i + 1 < len(verbs) else len(clause)
        if not _imperative(clause[:m.start()], m.group("verb")):
            continue
        names = plugins_named(_object(clause[m.end():end]))
        verb = m.group("verb").lower()
        refused = negated(clause[:m.start()])
        add = bool(re.fullmatch(ADD_VERBS, verb, re.I))
        if refused and add:
            continue                          # "do not add spf": proposes nothing
        keep = refused or verb in KEEP_WORDS  # "do not remove wildduck" keeps it
        for name in names:
            if add or refused:          # where unsaid: first, as admins insert before the mailbox store
                out.append(proposal("add_plugin", clause, keep=keep, name=name, position="start"))
            else:
                out.append(proposal("remove_plugin", clause, name=name))
    return out


def _object(after: str) -> str:
    """The words a plugin verb acts on: up to a preposition, another verb, or a comma that starts
    something other than the next name of a list ("disable spf, dkim and rspamd" vs "disable spf,
    wildduck checks SPF itself")."""
    span = SPAN_STOP_RE.split(after)[0]
    stop = ADVISE_RE.search(span)
    span = span[:stop.start()] if stop else span
    parts = re.split(r"[,、]", span)
    kept = [parts[0]]
    for part in parts[1:]:
        words = re.sub(r"^\s*(?:and|or|及|和)\s+", "", part).split()
        if not words or not plugins_named(words[0]) or len(words) > 3:
            break
        kept.append(part)
    return ",".join(kept)


def _imperative(before: str, verb: str) -> bool:
    """The verb tells the reader to do something (English word order; a Chinese verb is taken
    as is)."""
    if OTHER_SETUP_RE.search(before):   # "Forwarding MX: add rcpt_to.in_host_list": advice for another setup
        return False
    if re.search(r"[\u4e00-\u9fff]", verb):
        return True
    lead = re.sub(r"^[\s\-*+>#\d.)`_]+|\*+", "", before.split(":")[-1]).strip()
    return bool(IMPERATIVE_LEAD_RE.search(lead))


def section_for(file: str, key: str, clause: str) -> str:
    """The section a key is set in: named in the clause (`[relay]`), else where the shipped file
    (or a rule) keeps that key, else main."""
    if not file.endswith(".ini"):
        return "main"
    m = SECTION_RE.search(clause)
    if m and m.group(1) != key:
        return m.group(1)
    from app.core.inputs.shapes import shipped_shapes
    sections = (shipped_shapes().get(file) or {}).get("sections") or {}
    if key in (sections.get("main") or []):
        return "main"
    return next((s for s, keys in sections.items() if key in (keys or [])), "main")


def _key_values(clause: str) -> list[tuple[int, str, str]]:
    found = [(m.start(), m.group(1), m.group(2)) for m in KV_RE.finditer(clause)]
    found += [(m.start(), m.group(1), m.group(2)) for m in SET_TO_RE.finditer(clause)]
    return sorted(found)


def value_of(raw: str) -> str:
    return raw.strip().strip("`'\"").rstrip(".,:")


def _key_edits(clause: str, files_near: list[str]) -> list[Proposal]:
    """`key=value` (or "set key to value") for an ini/yaml file named in the clause or nearby,
    when the clause recommends it."""
    pairs = _key_values(clause)
    if not pairs or not ADVISE_RE.search(clause):
        return []
    own = [f for f in file_names(clause) if f.endswith((".ini", ".yaml", ".yml"))]
    near = own or [f for f in files_near if f.endswith((".ini", ".yaml", ".yml"))]
    out = []
    for pos, key, value in pairs:
        if negated(clause[:pos]) or key.lower() in ("http", "https", "up") or value_of(value).lower() in NOT_VALUES \
                or KV_AS_CONDITION_RE.search(clause[:pos]) or re.search(r"[后时]\s*$", clause):
            continue
        file = own[0] if own else _ini_named_by_words(clause, pos) or (near[-1] if near else None)
        if file is None:
            continue
        out.append(proposal("set_key", clause, file=file, section=section_for(file, key, clause), key=key,
                             value=value_of(value)))
    return out


def _ini_named_by_words(clause: str, pos: int) -> str | None:
    """"relay all=true", "all=true in the [relay] section": the plugin's own ini file."""
    _, files = _known()
    word = re.search(r"`?([\w.-]+)`?\s*$", clause[:pos])
    section = SECTION_RE.search(clause)
    for name in (word.group(1) if word else "", section.group(1) if section else ""):
        if name and f"{name.lower()}.ini" in files:
            return f"{name.lower()}.ini"
    return None


def _list_edits(clause: str) -> list[Proposal]:
    out = []
    _, files = _known()
    for m in LIST_ADD_RE.finditer(clause):
        if m.group(2) in files and "." not in m.group(2) and m.group(2) != "plugins" and not negated(clause[:m.start()]):
            out.append(proposal("append_line", clause, file=m.group(2), line=m.group(1)))
    return out


def inline_proposals(text: str, context: str = "") -> list[Proposal]:
    """Edits proposed in prose, clause by clause; a file named earlier in the text (or in `context`,
    e.g. a passage's title) is the file a bare `key=value` belongs to."""
    out: list[Proposal] = []
    seen_files = file_names(context)
    for clause in clauses(text):
        if clause.count("|") >= 2:      # a table row describes, it does not advise
            continue
        if STATE_RE.search(clause) and not ADVISE_RE.search(clause):
            seen_files += file_names(clause)
            continue
        out += _plugin_edits(clause) + _key_edits(clause, seen_files) + _list_edits(clause)
        seen_files += file_names(clause)
    return out
