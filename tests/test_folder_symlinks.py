"""A folder source never leaves its folder: a symlink leading out (to a file, a folder, /etc/passwd,
through a chain or a relative path) is skipped with a warning, and what it points at is never
read into a document. Symlinks that stay inside still work, as does a folder that is itself a
symlink (the operator chose it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.sources import SourceContext
from ingest.sources.folder import iter_docs

SECRET = "OUTSIDE-SECRET-7f3a"


def _read(root: Path, tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    warnings: list[str] = []
    docs = iter_docs({"type": "folder", "path": str(root), "name": "wiki"},
                     SourceContext(cache_dir=tmp_path / "cache", warn=warnings.append))
    return {d.path: d.text for d in docs}, warnings


@pytest.fixture
def tree(tmp_path):
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.md").write_text(f"# Secret\n\n{SECRET} api token\n", encoding="utf-8")
    (outside / "dir" / "notes.md").write_text(f"# Notes\n\n{SECRET} in a folder\n", encoding="utf-8")
    root = tmp_path / "wiki"
    (root / "sub").mkdir(parents=True)
    (root / "real.md").write_text("# Real\n\nHaraka listens on port 25.\n", encoding="utf-8")
    (root / "sub" / "page.md").write_text("# Page\n\nWildDuck stores mail in MongoDB.\n", encoding="utf-8")
    return root, outside


ESCAPES = {
    "absolute file link": lambda root, out: os.symlink(out / "secret.md", root / "secret.md"),
    "relative file link": lambda root, out: os.symlink("../outside/secret.md", root / "rel.md"),
    "link to /etc/passwd": lambda root, out: os.symlink("/etc/passwd", root / "passwd.txt"),
    "chain through an inside link": lambda root, out: (os.symlink(out / "secret.md", root / "sub" / "hop"),
                                                       os.symlink("sub/hop", root / "chain.md")),
    "folder link": lambda root, out: os.symlink(out / "dir", root / "linked"),
    "nested relative folder link": lambda root, out: os.symlink("../../outside/dir", root / "sub" / "up"),
    "link to the folder's parent": lambda root, out: os.symlink("..", root / "parent"),
}


@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_symlinks_out_of_the_folder_are_not_read(tree, tmp_path, case):
    root, outside = tree
    ESCAPES[case](root, outside)
    docs, warnings = _read(root, tmp_path)
    assert not any(SECRET in text or "root:x:0:0" in text for text in docs.values()), case
    assert set(docs) == {"real.md", "sub/page.md"}
    assert any("skipped: a symlink to a" in w and "outside the folder" in w for w in warnings), warnings


def test_the_control_reads_the_outside_file_when_it_is_inside(tree, tmp_path):
    """The same layout with the file moved into the folder is read: the check is what holds."""
    root, outside = tree
    (outside / "secret.md").rename(root / "secret.md")
    docs, warnings = _read(root, tmp_path)
    assert SECRET in docs["secret.md"] and not warnings


def test_links_that_stay_inside_still_work(tree, tmp_path):
    root, _ = tree
    os.symlink("real.md", root / "alias.md")
    os.symlink(root / "sub", root / "sub-alias")        # a folder link inside: its files are read where they are
    docs, warnings = _read(root, tmp_path)
    assert set(docs) == {"real.md", "alias.md", "sub/page.md"} and not warnings
    assert docs["alias.md"] == docs["real.md"]


def test_a_folder_that_is_itself_a_link_is_read(tree, tmp_path):
    root, _ = tree
    link = tmp_path / "wiki-link"
    os.symlink(root, link)
    docs, warnings = _read(link, tmp_path)
    assert set(docs) == {"real.md", "sub/page.md"} and not warnings


def test_a_symlink_loop_is_skipped(tree, tmp_path):
    root, _ = tree
    os.symlink("loop.md", root / "loop.md")
    docs, warnings = _read(root, tmp_path)
    assert set(docs) == {"real.md", "sub/page.md"}
    assert any("loop.md" in w for w in warnings)
