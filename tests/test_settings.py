"""One typed settings object for the environment, one atomic write, caches keyed on file stamps.

The README's table of variables is generated from the settings model and must equal it; no module
reads the environment behind the model's back; a running process sees a changed variable and an
edited catalog file at its next call.
"""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.cli.commands.settings import current_values, markdown_table
from ingest.atomic import write_atomic
from ingest.filestamp import stamp
from ingest.home import cache_home, data_home
from ingest.settings import NAMES, Settings, settings, settings_from

ROOT = Path(__file__).resolve().parent.parent
TABLE_RE = re.compile(r"<!-- settings-table: begin -->\n(.*?)<!-- settings-table: end -->", re.S)
VAR_RE = re.compile(r"\b(?:MXDOCTOR|OPENAI|OLLAMA|CHROMA|XDG)_[A-Z_]+\b")
NOT_VARIABLES = {"MXDOCTOR_HARVEST"}          # harvest.js's output marker


def _sources() -> list[Path]:
    return [p for top in ("app", "ingest") for p in sorted((ROOT / top).rglob("*.py"))]


# ------------------------------------------------------------------ the README and the code agree

def test_readme_table_is_the_generated_one():
    found = TABLE_RE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md lost its settings-table markers"
    assert found.group(1) == markdown_table(), "regenerate it: mxdoctor settings --markdown"


def test_every_variable_the_code_names_is_declared():
    named = {m for p in _sources() for m in VAR_RE.findall(p.read_text(encoding="utf-8"))} - NOT_VARIABLES
    assert named <= set(NAMES), sorted(named - set(NAMES))
    assert len(NAMES) == len(set(NAMES)) == 31


def _environment_reads(path: Path) -> list[int]:
    """Lines that read os.environ / os.getenv. Setting a variable for a child process is fine."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    stores = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)}
    setdefaults = {id(n.value) for n in ast.walk(tree)
                   if isinstance(n, ast.Attribute) and n.attr == "setdefault"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            if id(node) not in stores and id(node) not in setdefaults:
                lines.append(node.lineno)
    return sorted(lines)


def test_only_the_settings_module_reads_the_environment():
    reads = {str(p.relative_to(ROOT)): _environment_reads(p) for p in _sources()}
    reads = {k: v for k, v in reads.items() if v and k != "ingest/settings.py"}
    assert not reads, reads


def test_the_reads_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nos.environ['A'] = '1'\nos.environ.setdefault('B', '2')\n"
                   "x = os.environ.get('C')\ny = os.getenv('D')\nz = os.environ['E']\n")
    assert _environment_reads(bad) == [4, 5, 6]


# ------------------------------------------------------------------ reading the environment

def test_a_changed_variable_is_seen_at_once(monkeypatch, tmp_path):
    monkeypatch.setenv("MXDOCTOR_HOME", str(tmp_path / "a"))
    assert data_home() == tmp_path / "a"
    monkeypatch.setenv("MXDOCTOR_HOME", str(tmp_path / "b"))
    assert data_home() == tmp_path / "b"
    monkeypatch.delenv("MXDOCTOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_home() == tmp_path / "xdg" / "mxdoctor"
    monkeypatch.setenv("MXDOCTOR_CACHE", "")                    # empty is unset
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert cache_home() == tmp_path / "c" / "mxdoctor"


def test_pydantic_settings_reads_the_environment_the_same_way(monkeypatch):
    for name, value in {"MXDOCTOR_RULES": "/a:/b", "CHROMA_PORT": "9000", "MXDOCTOR_HOME": "",
                        "MXDOCTOR_ALLOW_LOCAL_PATHS": "yes", "OPENAI_API_KEY": "sk-x"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("mxdoctor_kb", "/lower/case/is/another/variable")
    assert Settings() == settings()
    s = settings()
    assert s.rules == (Path("/a"), Path("/b")) and s.chroma_port == 9000 and s.home is None
    assert s.allow_local_paths and s.kb is None and s.openai_key() == "sk-x"


def test_values_are_typed_and_flags_never_fail():
    s = settings_from({})
    assert (s.embedding, s.embed_chars, s.chroma_port, s.app_address) == ("e5-int8", 500, 8000, None)
    assert s.mask_identifiers is None and not s.allow_local_paths and s.rules == ()
    assert settings_from({"MXDOCTOR_MASK_IDENTIFIERS": "On"}).mask_identifiers is True
    assert settings_from({"MXDOCTOR_MASK_IDENTIFIERS": "2"}).mask_identifiers is False
    assert settings_from({"MXDOCTOR_RULES": os.pathsep.join(["r1", "", "r2"])}).rules == (Path("r1"), Path("r2"))
    with pytest.raises(ValidationError, match="MXDOCTOR_EMBED_CHARS"):
        settings_from({"MXDOCTOR_EMBED_CHARS": "many"})


def test_the_key_is_never_shown(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    monkeypatch.setenv("CHROMA_HOST", "chroma.internal")
    assert "sk-very-secret" not in repr(settings())
    shown = current_values()
    assert "sk-very-secret" not in shown and "set (not shown)" in shown
    assert re.search(r"^CHROMA_HOST +chroma\.internal$", shown, re.M)
    assert re.search(r"^CHROMA_PORT +8000 \(default\)$", shown, re.M)


# ------------------------------------------------------------------ atomic writes

def test_atomic_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "new" / "dir" / "f.json"
    write_atomic(target, "first ✓")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.listdir(target.parent) == ["f.json"]
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    write_atomic(target, "old")

    def fail(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["f.json"]


# ------------------------------------------------------------------ caches follow their files

def test_a_stamp_changes_when_the_file_does(tmp_path):
    f = tmp_path / "x.yaml"
    missing = stamp(f)
    assert (missing.mtime_ns, missing.size) == (-1, -1)
    f.write_text("a: 1\n")
    first = stamp(f)
    f.write_text("a: 22\n")
    assert first != stamp(f) != missing


def test_a_running_process_sees_an_edited_catalog(tmp_path, monkeypatch):
    from app.core.catalog import load_catalog
    mine = tmp_path / "mine.yaml"
    mine.write_text("plugins:\n  my_rcpt:\n    hooks:\n      - {hook: rcpt, method: hook_rcpt}\n", encoding="utf-8")
    monkeypatch.setenv("MXDOCTOR_CATALOG", str(mine))
    assert load_catalog().get("my_rcpt").hooks[0].priority == 0
    assert load_catalog() is load_catalog()                      # unchanged files: the cached catalog
    mine.write_text("plugins:\n  my_rcpt:\n    hooks:\n      - {hook: rcpt, method: hook_rcpt, priority: 5}\n",
                    encoding="utf-8")
    assert load_catalog().get("my_rcpt").hooks[0].priority == 5
    monkeypatch.delenv("MXDOCTOR_CATALOG")
    assert load_catalog().get("my_rcpt") is None
