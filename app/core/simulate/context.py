"""What a behaviour model reads (the config and the transaction so far) and what it answers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.core.model import Catalog, ConfigSet

CONT, OK, DENY, DENYSOFT, UNKNOWN = "CONT", "OK", "DENY", "DENYSOFT", "UNKNOWN"

# How kb/simulator/behaviours.yaml names an ini section and one setting in it.
SECTION_RE = re.compile(r"^(?P<file>[\w.\-]+\.ini)\s+\[(?P<section>[^\]]+)\]$")
SETTING_RE = re.compile(r"^(?P<file>[\w.\-]+\.ini)\s+\[(?P<section>[^\]]+)\]\s+(?P<key>[\w.\-]+)$")


@dataclass
class Decision:
    retval: str
    msg: str = ""
    depends: str = ""          # what this answer rests on, in words
    note: str = ""
    could: list[str] = field(default_factory=list)   # for UNKNOWN: answers it may give
    assumes: dict[str, str] = field(default_factory=dict)   # file not given -> what this answer assumed of it


@dataclass
class SimContext:
    cs: ConfigSet
    catalog: Catalog
    envelope: dict[str, Any]
    hook: str = ""
    rcpt: str | None = None
    relaying: bool = False
    local_sender: bool = False
    resolved: list[str] = field(default_factory=list)   # recipients the mailbox store looked up at rcpt
    unknown_plugins: list[str] = field(default_factory=list)  # listed, but hooks unknown

    @property
    def rcpt_domain(self) -> str:
        return (self.rcpt or "").rpartition("@")[2].lower()

    def given(self, name: str) -> bool:
        return self.cs.get(name) is not None

    def list_file(self, name: str) -> list[str]:
        f = self.cs.get(name)
        return [str(v).strip() for v in f.parsed] if f is not None and isinstance(f.parsed, list) else []

    def section(self, ref: str) -> dict[str, Any]:
        """An ini section named `file.ini [section]`; empty when not given."""
        m = SECTION_RE.match(ref)
        return self.cs.ini(m["file"]).get(m["section"], {})

    def setting(self, ref: str, default: Any = None) -> Any:
        """One value named `file.ini [section] key`."""
        m = SETTING_RE.match(ref)
        return self.cs.ini(m["file"]).get(m["section"], {}).get(m["key"], default)
