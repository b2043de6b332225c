"""Every predicate of the `when` language and the arguments it takes, as models.

The evaluators live in `conditions/` (one module per family); this is their contract: what a rule
may write, checked when it loads and exported as JSON Schema for editors. A test keeps the two
lists equal, so a new predicate cannot ship without its arguments typed.
"""
from __future__ import annotations

from typing import Any, Literal, Union

from pydantic import Field

from app.core.rules.schema.types import (
    PluginName,
    Regex,
    Selector,
    SelectorMap,
    Strict,
    TrueOrPattern,
)

RETVALS = ("CONT", "OK", "DENY", "DENYSOFT", "DENYDISCONNECT", "DENYSOFTDISCONNECT", "DISCONNECT")
Retval = Literal[RETVALS]  # type: ignore[valid-type]
LEVELS = ("DATA", "PROTOCOL", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRIT", "ALERT", "EMERG")
Level = Literal[LEVELS]  # type: ignore[valid-type]
EVENT_KINDS = ("hook_result", "recipient", "sender", "message", "queue", "disconnect", "connect", "protocol",
               "crit", "timeout", "load_error", "plugin_load", "hook_registered", "hook_run", "startup",
               "tls_error", "outbound", "smtp_client", "plugin_line", "other")
Kind = Literal[EVENT_KINDS]  # type: ignore[valid-type]
CONFIG_OPS = ("exists", "absent", "truthy", "falsy", "equals", "not_equals", "lt", "gt", "le", "ge", "matches",
              "not_matches", "contains", "in")
Hook = str
Always = Literal[True]


class OrderArgs(Strict):
    """a `first` plugin is listed before a `then` plugin"""
    first: Selector
    then: Selector


class ListedAfterArgs(Strict):
    """plugins listed after `plugin` (of `others`, default any)"""
    plugin: PluginName
    others: Selector | None = None


class TextArgs(Strict):
    """a regex matches a line of the given files"""
    regex: Regex
    files: list[str] | None = Field(None, description="file names or globs")
    kinds: list[str] | None = Field(None, description="file kinds: ini, yaml, list, plugins, ...")
    ignore_case: bool = True


class ConfigArgs(Strict):
    """a key's value in an ini/yaml/json/toml file, compared with `op`"""
    file: str
    section: str | None = Field(None, description="ini section (default main)")
    key: str = Field(description="the key; dotted for yaml/json/toml (mongo.url)")
    op: Literal[CONFIG_OPS] = "exists"  # type: ignore[valid-type]
    value: Any = None
    default: Any = Field(None, description="what Haraka uses when the file is not there")
    file_may_be_missing: bool = Field(False, description="read a missing file as 'key not set'")


class Side(Strict):
    file: str
    section: str | None = None
    key: str
    extract: Regex | None = Field(None, description="group 1 or (?P<value>...) of this regex")
    default: Any = None


class DiffersArgs(Strict):
    """both values known and different (case-insensitive)"""
    a: Side
    b: Side


class ShadowedArgs(Strict):
    """the simulation never reaches `plugin` at `hook` because `by` answered first"""
    hook: Hook
    plugin: Selector
    by: Selector | None = None
    retval: Retval | None = None


class AnsweredArgs(Strict):
    """a simulated step at `hook` answers so"""
    hook: Hook
    by: Selector | None = None
    retval: Retval | None = None
    reply_code: int | None = Field(None, description="the reply starts with this code")
    answered_by_none: bool | None = Field(None, description="true: no plugin answered (Haraka's default)")


class RegisteredArgs(Strict):
    """`plugin` registers a method on `hook` (per the catalog)"""
    hook: Hook
    plugin: PluginName


def _one_or_many(t):
    return Union[t, list[t]]


class LogArgs(Strict):
    """log lines that match every given field"""
    kind: _one_or_many(Kind) | None = None  # type: ignore[valid-type]
    level: _one_or_many(Level) | None = None  # type: ignore[valid-type]
    hook: _one_or_many(Hook) | None = None  # type: ignore[valid-type]
    plugin: _one_or_many(str) | None = Field(None, description="the line's plugin field, exactly")  # type: ignore
    retval: _one_or_many(Retval) | None = None  # type: ignore[valid-type]
    code: _one_or_many(str) | None = None  # type: ignore[valid-type]
    action: _one_or_many(str) | None = None  # type: ignore[valid-type]
    error_code: _one_or_many(str) | None = None  # type: ignore[valid-type]
    fields: dict[str, Regex] | None = Field(None, description="field name -> regex (or @named pattern)")
    regex: Regex | None = Field(None, description="searched in the whole line, case-insensitive")


class LogMinArgs(LogArgs):
    """at least `min` (default 1) log lines match"""
    min: int = Field(1, ge=1)


class LogTransactionArgs(Strict):
    """one transaction (uuid.N) has all `has` events and none of the `lacks` events"""
    has: list[LogArgs] = Field(default_factory=list)
    lacks: list[LogArgs] = Field(default_factory=list)


# name -> (argument type, what it means); the README's table is generated from this
ARGS: dict[str, tuple[Any, str]] = {
    "plugin": (Selector, "enabled in config/plugins (any of the selected)"),
    "no_plugin": (Selector, "none of the selected is enabled (needs a plugins file)"),
    "plugins_file": (bool, "a config/plugins file was (true) or was not (false) given"),
    "order": (OrderArgs, OrderArgs.__doc__),
    "listed_after": (ListedAfterArgs, ListedAfterArgs.__doc__),
    "duplicate_plugin": (Always, "a plugin is listed more than once"),
    "deprecated_plugin": (Always, "a plugin is listed under a deprecated name"),
    "unknown_plugin": (TrueOrPattern, "a listed plugin Haraka cannot find (catalog, npm, given sources)"),
    "npm_plugin": (TrueOrPattern, "a listed plugin is an npm package nothing shows installed"),
    "uncatalogued_plugin": (TrueOrPattern, "a listed plugin whose hooks the catalog does not know"),
    "file": (str, "the file was given"),
    "no_file": (str, "the file was not given"),
    "list_empty": (str, "a list file was given but has no entries"),
    "misnamed_config_file": (Always, "a config file nothing reads is named almost like one that is read"),
    "text": (TextArgs, TextArgs.__doc__),
    "config": (ConfigArgs, ConfigArgs.__doc__),
    "differs": (DiffersArgs, DiffersArgs.__doc__),
    "shadowed": (ShadowedArgs, ShadowedArgs.__doc__),
    "answered": (AnsweredArgs, AnsweredArgs.__doc__),
    "outcome": (Union[str, list[str]], "the simulated transaction ends this way (kb/outcomes.yaml)"),
    "registered": (RegisteredArgs, RegisteredArgs.__doc__),
    "log": (LogMinArgs, LogMinArgs.__doc__),
    "no_log": (LogArgs, "logs were given and no line matches"),
    "log_transaction": (LogTransactionArgs, LogTransactionArgs.__doc__),
    "logs_given": (bool, "log lines were (true) or were not (false) supplied"),
    "own_timeout_race": (Always, "an enabled plugin's own time limit is at least Haraka's (own-timeouts.yaml)"),
}
COMBINATORS = {"all": "every condition in the list holds", "any": "at least one condition holds",
               "not": "the condition does not hold"}
__all__ = ["ARGS", "COMBINATORS", "SelectorMap"]
