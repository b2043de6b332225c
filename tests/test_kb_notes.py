"""The knowledge base's topic pages: valid front matter, unique ids, and every note a rule cites exists."""
from pathlib import Path

import pytest

from app.core.rules import load_rules
from ingest.frontmatter import split_front_matter
from ingest.kbdata import kb_path

NOTES = sorted(kb_path("notes").glob("*.md"))


def _meta(path: Path) -> dict:
    meta, body, err = split_front_matter(path.read_text(encoding="utf-8"))
    assert err is None, f"{path.name}: {err}"
    return meta


@pytest.mark.parametrize("path", NOTES, ids=[p.name for p in NOTES])
def test_front_matter(path):
    meta = _meta(path)
    assert {"id", "title", "lang"} <= set(meta), path.name
    assert path.name.split(".")[0] == meta["id"]
    assert meta["lang"] == ("zh" if path.name.endswith(".zh.md") else "en")
    for ref in meta.get("refs") or []:
        assert str(ref.get("url", "")).startswith("http"), f"{path.name}: reference without URL"


def test_enough_pages_in_both_languages():
    langs = [_meta(p)["lang"] for p in NOTES]
    assert langs.count("en") >= 30 and langs.count("zh") >= 15


def test_every_cited_note_exists():
    ids = {_meta(p)["id"] for p in NOTES}
    missing = {(r.id, c) for r in load_rules() for c in r.citations if c.startswith("note:") and c[5:] not in ids}
    assert not missing, sorted(missing)


def test_notes_name_only_existing_rules():
    rule_ids = {r.id for r in load_rules()}
    unknown = {(p.name, rid) for p in NOTES for rid in _meta(p).get("rules") or [] if rid not in rule_ids}
    assert not unknown, sorted(unknown)
