"""Decide what a file is (kind) and what Haraka would call it (canonical name)."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from app.core.kbfile import load_kb
from app.core.logs.formats import has_level_mark
from app.core.parsers.flat import list_values

HARAKA_LIST_FILES = {
    "plugins", "host_list", "host_list_regex", "me", "databytes", "smtpgreeting",
    "internalcmd_key", "connection_close_message", "deny_includes_uuid", "plugin_timeout",
    "loglevel", "nodes", "early_talker.ini", "dhparams.pem",
}
LIST_NAME_RE = re.compile(r"(?:white|black|allow|block)list(?:_regex)?$|_regex$|_allow$|^access\.domains$|_acl$|\.timeout$")
PLUGIN_NAME_RE = re.compile(r"^[@\w][\w.\-/@]*$")
INI_SECTION_LINE_RE = re.compile(r"^\s*\[[^\]]+\]\s*$")
YAML_KEY_LINE_RE = re.compile(r"^\s*[\w\-\"']+\s*:(\s|$)")


# a directory listing: `node_modules/`, `plugins/` (any name ending in /), `node_modules(.txt)`, `npm ls`
LISTING_NAME_RE = re.compile(r"/$|(?:^|/)node_modules(?:\.txt)?$|^npm[ _-]?(?:ls|list)(?:\.txt)?$", re.I)


def kind_for_name(name: str) -> str | None:
    if LISTING_NAME_RE.search(name.replace("\\", "/")):
        return "listing"
    base = name.rsplit("/", 1)[-1].lower()
    if base == "plugins":
        return "plugins"
    if base.endswith(".ini"):
        return "ini"
    if base.endswith((".yaml", ".yml")):
        return "yaml"
    if base.endswith(".toml"):
        return "toml"
    if base.endswith(".json"):
        return "json"
    if base.endswith(".log") or base in {"syslog", "messages", "maillog", "mail.log"}:
        return "log"
    if base.endswith((".pem", ".crt", ".key")):
        return "pem"
    if base == "dockerfile" or base.startswith("dockerfile.") or base.endswith(".dockerfile"):
        return "context"            # read for its image tags and npm installs (app.core.versionscan)
    if base in HARAKA_LIST_FILES or LIST_NAME_RE.search(base):
        return "list"
    if "config/" in name.replace("\\", "/") and not base.endswith((".md", ".txt", ".js", ".sh", ".conf", ".cf")):
        return "list"   # Haraka's other config files are flat lists (rcpt_to.access.whitelist, ...)
    return None


class PasteHints(BaseModel):
    """kb/inputs/paste-hints.yaml: what marks a nameless list as config/plugins, and which
    structured files live in config/."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    plugin_names: frozenset[str]
    plugin_prefixes: tuple[str, ...]
    config_files: frozenset[str]


def paste_hints() -> PasteHints:
    return load_kb(PasteHints, "inputs", "paste-hints.yaml")


def mostly(sample: list[str], test, share: int) -> bool:
    """At least 1/share of the lines (and at least one) pass `test`."""
    return sum(1 for l in sample if test(l)) >= max(1, len(sample) // share)


def _is_plugin_list(lines: list[str]) -> bool:
    """Every value looks like a plugin name and one is a common plugin (kb/inputs/paste-hints.yaml)."""
    values = [v for _, v in list_values(lines)]
    if not values or not all(PLUGIN_NAME_RE.match(v) for v in values):
        return False
    hints = paste_hints()
    return any(v in hints.plugin_names or v.startswith(hints.plugin_prefixes) for v in values)


def kind_for_content(lines: list[str]) -> str:
    """Guess a nameless paste: a plugins list, a log, ini, yaml, or plain context."""
    sample = [l for l in lines[:400] if l.strip()]
    if not sample:
        return "context"
    if mostly(sample, has_level_mark, 4):
        return "log"
    if _is_plugin_list(lines[:400]):
        return "plugins"
    if any(INI_SECTION_LINE_RE.match(l) for l in sample) and any("=" in l for l in sample):
        return "ini"
    if mostly(sample, YAML_KEY_LINE_RE.match, 3):
        return "yaml"
    return "context"


def canonical_name(name: str, kind: str) -> str:
    """`config/<base>` for Haraka config files, the name as given (without leading ./) otherwise."""
    if kind == "listing":
        return listing_name(name)
    name = name.replace("\\", "/").lstrip("./") if not name.startswith("../") else name.replace("\\", "/")
    m = re.search(r"(?:^|/)config/(.+)$", name)
    if m:
        return "config/" + m.group(1)
    base = name.rsplit("/", 1)[-1]
    if kind in {"plugins", "ini", "list"} or base in paste_hints().config_files:
        return "config/" + base
    return name


def listing_name(name: str) -> str:
    """A listing is named after its directory, from its last `node_modules` or `plugins` on, with
    a trailing `/` (`/opt/haraka/node_modules` -> `node_modules/`); `npm ls` output is `npm ls`."""
    path = name.replace("\\", "/").strip()
    if re.match(r"^npm[ _-]?(?:ls|list)(?:\.txt)?$", path, re.I):
        return "npm ls"
    path = re.sub(r"\.txt$", "", path).rstrip("/")
    parts = path.split("/")
    for anchor in ("node_modules", "plugins"):
        if anchor in parts:
            i = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[i:]) + "/"
    return (path.removeprefix("./") or ".") + "/"
