"""Where a citation points, as something a browser can open.

Citations come as `note:<id>`, `mxdoctor://notes|rules|plugins/<id>` (our own knowledge base,
shown inside the app), http(s) URLs, or `file://` paths of a local wiki folder. The app turns
them into in-app page links (relative, so a base URL path still works) or leaves them as text.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from ingest.frontmatter import split_front_matter
from ingest.kbdata import kb_path

NOTE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,80}$")
INTERNAL = {"notes": ("knowledge", "note"), "rules": ("rules", "rule"), "plugins": ("rules", "plugin")}


def href(target: str, lang: str = "en") -> str | None:
    """A link for `target`, or None when a browser cannot open it from the app. An app page opens in
    the reader's language (`&lang=zh`)."""
    target = (target or "").strip()
    if target.startswith("note:"):
        target = "mxdoctor://notes/" + target.split(":", 1)[1]
    if target.startswith("mxdoctor://"):
        kind, _, ident = target[len("mxdoctor://"):].partition("/")
        ident = ident.split("#", 1)[0]
        if kind in INTERNAL and ident:
            page, param = INTERNAL[kind]
            return f"{page}?{param}={quote(ident, safe='')}" + (f"&lang={quote(lang)}" if lang != "en" else "")
        return None
    if re.match(r"^https?://", target, re.I):
        return target
    return None


PLACEHOLDER_RE = re.compile(r"‹[a-z_]+›|\{[a-z_]+(?:\|[^{}]*)?\}")


def readable_title(title: str) -> str:
    """A rule page's title shows its template slots (`‹log_plugin›`); on a card they read as '…'."""
    return PLACEHOLDER_RE.sub("…", title or "")


def label(target: str) -> str:
    target = (target or "").strip()
    if target.startswith("note:"):
        return "note " + target.split(":", 1)[1]
    if target.startswith("mxdoctor://"):
        kind, _, ident = target[len("mxdoctor://"):].partition("/")
        return f"{kind.rstrip('s')} {ident}"
    return target


def note_markdown(note_id: str, lang: str = "en") -> tuple[str, str] | None:
    """(title, body) of a kb note in `lang` (English when there is no translation), or None."""
    if not NOTE_ID_RE.match(note_id or ""):
        return None
    names = ([f"{note_id}.{lang}.md"] if lang and lang != "en" else []) + [f"{note_id}.md"]
    for name in names:
        path = kb_path("notes", name)
        if path.is_file():
            meta, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
            return str(meta.get("title") or note_id), body
    return None
