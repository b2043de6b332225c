"""The nouns every layer passes around, defined once.

Plain dataclasses so that tests, the CLI and the UI can build and inspect them without
any framework. `to_dict()` gives the JSON shape used by every `--format json` output.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# --------------------------------------------------------------------------- inputs

@dataclass
class Problem:
    """Something wrong with an input that did not stop the run (shown to the user)."""
    file: str
    line: int | None
    message: str
    severity: str = "warning"  # warning | error

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class ConfigFile:
    """One input file: its name as Haraka would see it, its decoded lines, and its origin."""
    name: str                 # canonical name, e.g. "config/plugins", "config/smtp.ini", "wildduck.yaml"
    origin: str               # where it came from: a path on disk or "paste"
    kind: str                 # plugins | ini | list | yaml | toml | json | log | context
    lines: list[str]          # decoded text, no line endings; line N is lines[N-1]
    parsed: Any = None        # kind-specific parse result (dict for ini/yaml, list for list files)
    meta: Any = None          # parser extras, e.g. the IniDoc with per-key line numbers
    taken_as: str = ""        # for a block pasted without a name: why it was taken as this file

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]


@dataclass
class PluginEntry:
    """One line of config/plugins after normalisation."""
    raw: str          # the text as written (stripped)
    name: str         # the name Haraka loads (prefix stripped, deprecated alias resolved)
    line: int         # 1-based line in config/plugins
    alias_of: str | None = None   # set when `raw` is a deprecated name Haraka rewrites
    duplicate: bool = False       # a later repeat of a name already listed


@dataclass
class ConfigSet:
    """Everything the user gave us about one Haraka (+ WildDuck) install."""
    files: dict[str, ConfigFile] = field(default_factory=dict)
    plugins: list[PluginEntry] | None = None   # None when no config/plugins was given
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> ConfigFile | None:
        """Look a file up by canonical name, bare basename, or with/without `config/`."""
        if name in self.files:
            return self.files[name]
        for candidate in (f"config/{name}", name.removeprefix("config/")):
            if candidate in self.files:
                return self.files[candidate]
        base = name.rsplit("/", 1)[-1]
        for f in self.files.values():
            if f.basename == base:
                return f
        return None

    def ini(self, name: str) -> dict[str, dict[str, Any]]:
        """Parsed ini sections of a file, `{}` when absent. Keys outside a section live in 'main'."""
        f = self.get(name)
        return f.parsed if f is not None and isinstance(f.parsed, dict) else {}

    def plugin_names(self) -> list[str]:
        return [p.name for p in (self.plugins or []) if not p.duplicate]


# --------------------------------------------------------------------------- logs

@dataclass
class LogEvent:
    """One parsed log line."""
    lineno: int               # 1-based line number in its file
    file: str                 # file name the line came from
    raw: str                  # the line after prefix/colour stripping
    kind: str                 # hook_result | recipient | sender | message | queue | disconnect | connect
                              # | protocol | crit | timeout | load_error | plugin_load | hook_registered
                              # | hook_run | startup | tls_error | outbound | smtp_client | plugin_line | other
    level: str | None = None  # DEBUG INFO NOTICE WARN ERROR CRIT ALERT EMERG PROTOCOL
    uuid: str | None = None   # connection uuid, or connection.transaction ("ABC.1")
    origin: str | None = None # "core", "plugins", a plugin name, "connection"...
    timestamp: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def connection_uuid(self) -> str | None:
        return self.uuid.split(".", 1)[0] if self.uuid else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- catalog

@dataclass
class HookRegistration:
    hook: str
    method: str
    priority: int = 0


@dataclass
class PluginInfo:
    """What the catalog knows of one plugin."""
    name: str
    hooks: list[HookRegistration] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)   # rcpt_validator, queue, auth, tls, spam, dns, log, ...
    config_files: list[str] = field(default_factory=list)
    package: str | None = None      # npm package ("Haraka" for core plugins)
    version: str | None = None
    source: str = "haraka"          # haraka (generated) | manual | user | local
    summary: str = ""
    answers: dict[str, list[str]] = field(default_factory=dict)  # local plugins: method -> next() codes seen
    conditional_hooks: list[dict[str, Any]] = field(default_factory=list)  # {hook, method, priority, when, effect}


@dataclass
class Catalog:
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # deprecated name -> replacement
    haraka_version: str | None = None
    core_files: list[str] = field(default_factory=list)    # config files Haraka's core reads itself

    def resolve(self, name: str) -> str:
        """The name Haraka really loads for `name` (prefix and deprecated alias handled)."""
        if name.startswith("haraka-plugin-"):
            name = name[len("haraka-plugin-"):]
        return self.aliases.get(name, name)

    def get(self, name: str) -> PluginInfo | None:
        return self.plugins.get(self.resolve(name))

    def known_config_files(self) -> set[str]:
        """Every config file name something in Haraka or a catalogued plugin reads."""
        names = set(self.core_files)
        for info in self.plugins.values():
            names.update(info.config_files)
            names.add(f"{info.name}.timeout")
        return names


# --------------------------------------------------------------------------- simulation

@dataclass
class HookStep:
    """What happened at one hook in the simulated transaction."""
    hook: str
    answered_by: str | None          # plugin whose non-CONT answer ended the hook, None if all CONT
    retval: str                      # CONT OK DENY DENYSOFT DENYDISCONNECT ... or "?" when unknown
    reply: str                       # predicted SMTP reply, e.g. "250 ..."; "" when not an SMTP step
    ran: list[str] = field(default_factory=list)       # plugins that ran, in order
    shadowed: list[str] = field(default_factory=list)  # registered but never reached
    depends_on: list[str] = field(default_factory=list)  # what the prediction rests on
    notes: list[str] = field(default_factory=list)
    target: str | None = None        # the recipient this rcpt step is for
    # config files that were not given but that this step's answer reads: {file: what was assumed}
    assumes: dict[str, str] = field(default_factory=dict)


@dataclass
class Simulation:
    hooks: dict[str, list[HookRegistration | dict]] = field(default_factory=dict)  # hook -> ordered regs
    order: dict[str, list[dict[str, Any]]] = field(default_factory=dict)           # JSON-ready form
    steps: list[HookStep] = field(default_factory=list)
    envelope: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""                # delivered | stored | rejected | deferred | queued_nowhere | ...
    unknown_plugins: list[str] = field(default_factory=list)

    @property
    def assumptions(self) -> dict[str, str]:
        """Files not given that the simulated answers rest on, with what was assumed of each."""
        out: dict[str, str] = {}
        for s in self.steps:
            for name, what in s.assumes.items():
                out.setdefault(name, what)
        return out

    def step(self, hook: str, target: str | None = None) -> HookStep | None:
        for s in self.steps:
            if s.hook == hook and (target is None or s.target == target):
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "hooks": self.order,
            "transaction": {
                "envelope": self.envelope,
                "steps": [asdict(s) for s in self.steps],
                "outcome": self.outcome,
                "assumptions": self.assumptions,
            },
            "unknown_plugins": self.unknown_plugins,
        }


# --------------------------------------------------------------------------- rules & findings

@dataclass
class Evidence:
    file: str
    line: int | None
    text: str
    kind: str = "config"   # config | log | simulation | absent

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "text": self.text, "kind": self.kind}


@dataclass
class FixOp:
    """One declarative edit. op: remove_plugin | add_plugin | move_plugin | set_key | delete_key
    | write_file | manual."""
    op: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rule:
    id: str
    title: str
    severity: str            # error | warning | info
    category: str
    when: dict[str, Any]
    explanation: str
    fix: list[FixOp] = field(default_factory=list)
    fix_summary: str = ""
    citations: list[str] = field(default_factory=list)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # pass/fail
    path: str = ""           # file it was loaded from
    tags: list[str] = field(default_factory=list)
    # rules whose cause this rule only shows from another side (a log symptom of a config mistake):
    # when one of them fires too, both are one cause and are shown as one
    symptom_of: list[str] = field(default_factory=list)
    # {package: range}: the releases the rule is true of; a known version outside one of them
    # keeps the rule silent, an unknown one does not (e.g. {"haraka": ">=3.1"})
    versions: dict[str, str] = field(default_factory=dict)
    # {lang: {title, explanation, fix_summary, manual: [...]}}: the rule's words in other languages
    # (English is the fields above); see app.core.rules.schema.TRANSLATABLE
    i18n: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Fix:
    summary: str
    patch: str               # unified diff ("" for manual-only fixes)
    files: dict[str, str] = field(default_factory=dict)   # patched file name -> new text
    verified: bool = False
    manual: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "patch": self.patch, "verified": self.verified,
                "manual": self.manual}


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class Finding:
    rule: str
    severity: str
    title: str
    category: str
    explanation: str
    evidence: list[Evidence] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    fix: Fix | None = None
    fix_ops: list[FixOp] = field(default_factory=list)
    fix_summary: str = ""
    # files that were not given but that this finding rests on: {file: what was assumed of it}
    assumes: dict[str, str] = field(default_factory=dict)
    symptom_of: list[str] = field(default_factory=list)   # from the rule, see Rule.symptom_of
    source: str = "rule"    # rule | log (the line explainer: a log line no rule explains)
    # the same words in other languages, filled like the English ones: {lang: {title, explanation,
    # fix_summary, manual: [...]}}; app.core.localize swaps them in for a reader of that language
    i18n: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        """False when the finding holds only if a file that was not given says what is assumed."""
        return not self.assumes

    @property
    def strength(self) -> int:
        """Evidence strength for ranking: config confirmed by logs beats config alone."""
        kinds = {e.kind for e in self.evidence}
        return (2 if "log" in kinds else 0) + (1 if kinds - {"log"} else 0)

    def sort_key(self) -> tuple:
        return (SEVERITY_ORDER.get(self.severity, 9), self.source != "rule", -self.strength, self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "category": self.category,
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
            "fix": self.fix.to_dict() if self.fix else
                   ({"summary": self.fix_summary, "patch": "", "verified": False, "manual": []}
                    if self.fix_summary else None),
            "citations": list(self.citations),
            "assumes": dict(self.assumes),
            "source": self.source,
        }


@dataclass
class Unchecked:
    """A rule that could not decide because a file it reads was not given."""
    rule: str
    title: str
    severity: str
    files: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
