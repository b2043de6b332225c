"""The rest of the mail stack in the message index: WildDuck (mailboxes) and ZoneMTA (outbound).

Why their own module: they are not Haraka packages. They log through npmlog (`ERR! LMTP ...`),
answer API calls with `{error, code}` and read their settings with wild-config, so messages.js
reads them with `--style npmlog`, the index records each message's npmlog prefix, and each
package file also lists the settings its newest indexed release ships (app/build/settings.py).

Which releases: the last LAST stable releases the registry lists. Release dates are not used:
the registry this was built against reports republication dates, not the upstream ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.build.settings import package_settings

LAST = 12


@dataclass(frozen=True)
class StackPackage:
    name: str
    repo: str
    # prefix of messages printed through a pino-like adapter (`this.logger.info({...}, fmt)` in
    # imap-core): the adapter a server hands its library drops the object and adds this prefix
    logger_prefixes: tuple[tuple[str, str], ...] = ()
    # where the package's own plugins live: `app.config.X` in plugins/core/NAME.js is plugins["core/NAME"].X
    plugin_dir: str = ""


STACK_PACKAGES = {
    "wildduck": StackPackage("wildduck", "https://github.com/zone-eu/wildduck", (
        ("imap-core/", "IMAP"), ("lib/handlers/", "IMAP"), ("lib/imap-notifier.js", "IMAP"), ("lib/pop3/", "POP3"),
        ("lmtp.js", "LMTP"), ("imap.js", "IMAP"), ("pop3.js", "POP3"))),
    "zone-mta": StackPackage("zone-mta", "https://github.com/zone-eu/zone-mta", plugin_dir="plugins/"),
}


def is_stack(package: str) -> bool:
    return package in STACK_PACKAGES


def _logger_prefix(spec: StackPackage, file: str) -> str:
    for start, prefix in spec.logger_prefixes:
        if file == start or (start.endswith("/") and file.startswith(start)):
            return prefix
    return ""


def _config_keys(spec: StackPackage, file: str, keys: list[str]) -> list[str]:
    """`plugin:maxSize` read in plugins/core/rspamd.js is the setting plugins.core/rspamd.maxSize."""
    out = []
    for key in keys:
        if key.startswith("plugin:"):
            if not (spec.plugin_dir and file.startswith(spec.plugin_dir)):
                continue
            name = file[len(spec.plugin_dir):].removesuffix(".js").removesuffix("/index")
            key = f"plugins.{name}.{key[len('plugin:'):]}"
        out.append(key)
    # `config.acme` beside `config.acme.agent.port`: the longer key says more
    return sorted(k for k in set(out) if not any(o.startswith(k + ".") for o in out))


def settle(package: str, messages: list[dict]) -> list[dict]:
    """Messages of one release as the index keeps them: a prefix for adapter-logged ones, config keys
    named as the settings files name them, and nothing whose text is entirely computed and unprefixed."""
    spec = STACK_PACKAGES[package]
    out = []
    for m in messages:
        m = dict(m)
        adapter = m.pop("logger", None)
        if adapter and not m.get("prefix"):
            prefix = _logger_prefix(spec, m["file"])
            if prefix:
                m["prefix"] = prefix
        m["config"] = {"files": [], "keys": _config_keys(spec, m["file"], m["config"]["keys"])}
        if m["kind"] == "log" and not m["template"].replace("{}", "").strip() and not (m.get("prefix") and m["template"]):
            continue        # '{}' from an unknown prefix, or no text at all: no line can be told to be this one
        out.append(m)
    return out


def settings(package_dir: Path, tools: Path, version: str) -> dict:
    """The doc fields for the settings the release at `package_dir` ships."""
    return {"settings_version": version, "settings": package_settings(package_dir, tools)}
