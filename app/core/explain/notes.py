"""Which of our topic notes speak about an explained line: by the note's own tags.

Why tags and not a table: every note in kb/notes declares what it is about (plugin names, config
files, failure words). A line's emitter, the config files its code reads and the words of its
template are matched against those tags, so a new note is found without touching any code.
"""
from __future__ import annotations

import functools
import re

import yaml

from ingest.kbdata import kb_dir

# tags too broad to say which note a line is about
GENERIC = {"haraka", "hooks", "config", "plugins", "queue", "rcpt", "delivery", "troubleshooting", "canonical",
           "testing", "diagnostics", "smtp", "plugin-order", "priority", "ini", "javascript"}
MAX_NOTES = 2


@functools.lru_cache(maxsize=1)
def note_tags() -> dict[str, set[str]]:
    """{note id: its tags} of the English notes."""
    out: dict[str, set[str]] = {}
    for path in sorted((kb_dir() / "notes").glob("*.md")):
        if path.stem.count("."):
            continue                       # translations (x.zh.md) are found from their English note
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        head = yaml.safe_load(text.split("---", 2)[1]) or {}
        tags = {str(t).lower() for t in head.get("tags") or ()} - GENERIC
        out[str(head.get("id") or path.stem)] = tags
    return out


def notes_for(emitter: str, config_files: tuple[str, ...] = (), template: str = "", code: str = "") -> list[str]:
    """Up to two note ids, best first. A matched tag weighs 1/(notes carrying it), so a tag few notes
    share (tls, errc03) says more than one most notes carry (wildduck); the emitter's name counts double."""
    names = {emitter.lower(), emitter.rsplit("/", 1)[-1].lower()}
    words = set(re.findall(r"[a-z][a-z0-9_.-]*[a-z0-9]", template.lower())) | {c.lower() for c in config_files}
    if code:
        words.add(code)
    tags = note_tags()
    df: dict[str, int] = {}
    for note_tags_ in tags.values():
        for t in note_tags_:
            df[t] = df.get(t, 0) + 1
    scored = []
    for note, own in tags.items():
        score = sum((2 if t in names else 1) / df[t] for t in own & (names | words))
        if score:
            scored.append((-score, note not in names | words, note))
    return [note for _, _, note in sorted(scored)[:MAX_NOTES]]
