"""What one browser keeps across reloads: its pasted inputs and its conversations.

A reload of the page must not wipe a paste or a conversation. The app gives each browser session
a random id (kept in the page's URL, `?s=...`) and stores that session's inputs and
conversations under MXDOCTOR_HOME/workspaces/<id>.json, secrets masked before they touch the
disk. Nothing lists other ids: a session sees only its own workspace, and an id that is not a
well-formed random token is never read. Writes are atomic (temp file, then rename).
"""
from __future__ import annotations

import json
import re
import secrets
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core.redact import redact_text, scrub_known
from ingest.atomic import write_atomic

ID_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_INPUT_CHARS = 2_000_000          # per text box; a bigger paste is kept cut, and says so
MAX_CONVERSATIONS = 50
INPUT_KEYS = ("plugins", "other", "logs")


def new_id() -> str:
    return secrets.token_hex(16)


def valid_id(ws_id: str | None) -> bool:
    return bool(ws_id) and bool(ID_RE.match(ws_id))


@dataclass
class Conversation:
    id: str
    title: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    updated: float = 0.0


@dataclass
class Workspace:
    id: str
    inputs: dict[str, str] = field(default_factory=dict)
    conversations: list[Conversation] = field(default_factory=list)
    current: str = ""                       # id of the open conversation
    notes: list[str] = field(default_factory=list)   # what could not be kept (a cut paste)

    # ------------------------------------------------------------------ conversations

    def conversation(self) -> Conversation:
        """The open conversation (a new, empty one when there is none)."""
        for c in self.conversations:
            if c.id == self.current:
                return c
        c = Conversation(id=uuid.uuid4().hex[:12], updated=time.time())
        self.conversations.insert(0, c)
        self.current = c.id
        return c

    def new_conversation(self) -> Conversation:
        """Start a fresh conversation; the old one stays in the list (when it has messages)."""
        self.conversations = [c for c in self.conversations if c.messages]
        c = Conversation(id=uuid.uuid4().hex[:12], updated=time.time())
        self.conversations.insert(0, c)
        self.conversations = self.conversations[:MAX_CONVERSATIONS]
        self.current = c.id
        return c

    def open(self, conversation_id: str) -> Conversation | None:
        for c in self.conversations:
            if c.id == conversation_id:
                self.current = c.id
                return c
        return None

    def delete(self, conversation_id: str) -> None:
        self.conversations = [c for c in self.conversations if c.id != conversation_id]
        if self.current == conversation_id:
            self.current = ""

    def clear(self) -> None:
        self.conversations, self.current = [], ""


class WorkspaceStore:
    """Workspaces on disk, one JSON file each, secrets masked."""

    def __init__(self, home: Path | None = None):
        from ingest.home import data_home
        self.dir = (home or data_home()) / "workspaces"

    def path(self, ws_id: str) -> Path:
        if not valid_id(ws_id):
            raise ValueError("not a workspace id")
        return self.dir / f"{ws_id}.json"

    def load(self, ws_id: str | None) -> Workspace | None:
        if not valid_id(ws_id):
            return None
        try:
            data = json.loads(self.path(ws_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        convs = [Conversation(id=str(c.get("id", "")), title=str(c.get("title", "")),
                              messages=[m for m in c.get("messages") or [] if isinstance(m, dict)],
                              updated=float(c.get("updated") or 0.0))
                 for c in data.get("conversations") or [] if isinstance(c, dict) and c.get("id")]
        inputs = {k: str(v) for k, v in (data.get("inputs") or {}).items() if k in INPUT_KEYS and isinstance(v, str)}
        return Workspace(id=ws_id, inputs=inputs, conversations=convs, current=str(data.get("current") or ""),
                         notes=[str(n) for n in data.get("notes") or []])

    def save(self, ws: Workspace, known_secrets: frozenset[str] = frozenset()) -> None:
        """Masked, then written atomically. The secrets found in the inputs are also scrubbed
        from the conversations (a question quoting a password from the pasted config)."""
        found: set[str] = set()
        notes = []
        inputs = {}
        for key, value in ws.inputs.items():
            if len(value) > MAX_INPUT_CHARS:
                notes.append(f"the {key} box held {len(value):,} characters; only the first "
                             f"{MAX_INPUT_CHARS:,} were kept across reloads")
                value = value[:MAX_INPUT_CHARS]
            inputs[key] = redact_text(value, found)
        known = frozenset(known_secrets) | found

        def mask(text: str) -> str:
            return scrub_known(redact_text(text), known)
        convs = []
        for c in ws.conversations[:MAX_CONVERSATIONS]:
            msgs = [{k: (mask(v) if isinstance(v, str) else v) for k, v in m.items()} for m in c.messages]
            convs.append(asdict(Conversation(id=c.id, title=mask(c.title), messages=msgs, updated=c.updated)))
        ws.notes = notes
        body = json.dumps({"id": ws.id, "inputs": inputs, "conversations": convs, "current": ws.current,
                           "notes": notes, "saved": time.time()}, ensure_ascii=False)
        write_atomic(self.path(ws.id), body)

    def delete(self, ws_id: str) -> None:
        if valid_id(ws_id):
            self.path(ws_id).unlink(missing_ok=True)
