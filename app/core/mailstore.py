"""Where WildDuck keeps mail, read from the config: the MongoDB to ask and how to name an address.

Why in the core: `ask`'s verification steps (app.answer.verify_steps) and `probe --send`'s next
steps (app.live.nextsteps) both tell the admin to look for a test message in WildDuck's database;
they are sibling layers, so the pure parts live here once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.model import ConfigSet

URL_RE = re.compile(r"^(mongodb(?:\+srv)?://)(?:([^:@/]*)(?::[^@/]*)?@)?([^/?]*)(/[^?]*)?")
DEFAULT_DB = "wildduck"


@dataclass
class MongoTarget:
    url: str | None = None          # without credentials
    user: str | None = None
    db: str = DEFAULT_DB
    compose_service: str | None = None
    from_config: bool = False       # read from config/wildduck.yaml

    def shell(self) -> str:
        """The mongosh command that opens this database (through docker compose when it runs there)."""
        if self.compose_service:
            return f"docker compose exec {self.compose_service} mongosh {self.db}"
        url = self.url or f"mongodb://127.0.0.1:27017/{self.db}"
        return f'mongosh "{url}"' + (f" --username {self.user}" if self.user else "")


def mongo_url(cs: ConfigSet) -> str | None:
    f = cs.get("wildduck.yaml")
    data = f.parsed if f is not None and isinstance(f.parsed, dict) else {}
    mongo = data.get("mongo")
    url = mongo.get("url") if isinstance(mongo, dict) else mongo
    return str(url) if isinstance(url, str) and url.startswith("mongodb") else None


def compose_mongo_service(cs: ConfigSet) -> str | None:
    for f in cs.files.values():
        if "compose" in f.basename and isinstance(f.parsed, dict):
            for name, svc in (f.parsed.get("services") or {}).items():
                if isinstance(svc, dict) and "mongo" in str(svc.get("image", "")).lower():
                    return str(name)
    return None


def mongo_target(cs: ConfigSet | None) -> MongoTarget:
    """How to reach WildDuck's MongoDB: the URL without its password, the user, the database."""
    target = MongoTarget()
    if cs is None:
        return target
    url = mongo_url(cs)
    m = URL_RE.match(url) if url else None
    if m:
        target.url = f"{m.group(1)}{m.group(3)}{m.group(4) or ''}"
        target.user = m.group(2) or None
        target.db = (m.group(4) or "").strip("/") or DEFAULT_DB
        target.from_config = True
    target.compose_service = compose_mongo_service(cs)
    return target


def addrview(address: str) -> str:
    """WildDuck's lookup form of an address: lower case, dots removed from the local part."""
    local, _, dom = address.lower().partition("@")
    return f"{local.replace('.', '')}@{dom}"
