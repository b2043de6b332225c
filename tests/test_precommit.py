"""The pre-commit hook a team uses for its Haraka config in git: on a real repository, through
pre-commit itself (which installs mxdoctor from this checkout, as a team's would), a commit with the
canonical broken config/plugins fails with MXD101 and the fixed one passes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.examples import example_files

ROOT = Path(__file__).resolve().parent.parent


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def rev() -> str:
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    if _git(ROOT, "status", "--porcelain", "--", ".pre-commit-hooks.yaml", "app", "ingest", "kb", "pyproject.toml"):
        if os.environ.get("CI"):
            pytest.fail("CI runs on a clean checkout")
        pytest.skip("uncommitted changes: pre-commit installs the committed tree")
    return _git(ROOT, "rev-parse", "HEAD")


def _run(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def test_hook_fails_the_broken_config_and_passes_the_fixed_one(tmp_path, rev):
    pytest.importorskip("pre_commit")
    repo, files = tmp_path / "etc-haraka", example_files("canonical")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: mxdoctor-check\n        args: [config]\n",
        encoding="utf-8")
    _git(tmp_path, "init", "-q", str(repo))
    _git(repo, "add", "-A")
    broken = _run(repo, tmp_path / "pc-home")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "MXD101" in broken.stdout and "Failed" in broken.stdout
    plugins = repo / "config" / "plugins"
    plugins.write_text(plugins.read_text().replace("\nrcpt_to.in_host_list\n", "\n"), encoding="utf-8")
    _git(repo, "add", "-A")
    fixed = _run(repo, tmp_path / "pc-home")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
