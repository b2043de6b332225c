"""The admin's Haraka config as files to copy: config/ (with its sub-dirs) and local plugins/.

Accepts a Haraka dir (holding config/ and plugins/) or the config dir itself. Private keys stay
where they are: TLS and DKIM keys are not copied (the sandbox makes its own throw-away pair).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import InputError

MAX_FILE_BYTES = 2_000_000
MAX_FILES = 2_000
# private keys and certificates: never copied into the sandbox
_SECRET = re.compile(r"(^|/)(tls|dkim)/|\.(pem|key|crt|p12|pfx)$|(^|/)private$", re.I)
# Diffie-Hellman parameters are public (no secret in them): copied, which saves Haraka making its own
_PUBLIC = re.compile(r"(^|/)dhparams?[\w.-]*\.pem$", re.I)


@dataclass
class Source:
    root: Path                                         # the dir given
    config_dir: Path
    config: dict[str, bytes] = field(default_factory=dict)       # name relative to config/ -> bytes
    local_plugins: dict[str, str] = field(default_factory=dict)  # name relative to plugins/ -> JS
    left_out: list[str] = field(default_factory=list)            # config files not copied (keys)

    def text(self, name: str) -> str | None:
        raw = self.config.get(name)
        return raw.decode("utf-8", "replace") if raw is not None else None

    def plugin_list(self) -> list[str]:
        """config/plugins as Haraka reads it: one name a line, comments and blanks skipped."""
        out = []
        for line in (self.text("plugins") or "").splitlines():
            name = line.split("#", 1)[0].strip()
            if name and not name.startswith(";"):
                out.append(name)
        return out


def read_source(path: str | Path) -> Source:
    """The config to replay, from a Haraka dir or a config dir; InputError when there is none."""
    root = Path(path).expanduser()
    if not root.is_dir():
        raise InputError(f"not a directory: {root}", str(root))
    if (root / "config").is_dir():
        config_dir, plugins_dir = root / "config", root / "plugins"
    else:
        config_dir, plugins_dir = root, root.parent / "plugins"
    if not (config_dir / "plugins").is_file():
        raise InputError("no config/plugins here: replay needs the Haraka config dir (or the dir holding config/)",
                         str(root))
    src = Source(root=root, config_dir=config_dir)
    for file in sorted(config_dir.rglob("*")):
        if not file.is_file() or file.is_symlink() and not file.resolve().is_relative_to(config_dir.resolve()):
            continue
        name = file.relative_to(config_dir).as_posix()
        if _SECRET.search(name) and not _PUBLIC.search(name):
            src.left_out.append(name)
        elif file.stat().st_size <= MAX_FILE_BYTES and len(src.config) < MAX_FILES:
            src.config[name] = file.read_bytes()
    if plugins_dir.is_dir():
        for file in sorted(plugins_dir.glob("*.js")):
            src.local_plugins[file.name] = file.read_text(encoding="utf-8", errors="replace")
    return src
