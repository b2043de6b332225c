"""The design, enforced: import-linter checks the contracts written in pyproject.toml.

Shells (CLI; UI, MCP server) sit on answer composition, which sits on retrieval, which sits on the
deterministic core; ingest never imports app; the core needs only light packages; only
retrieval reads the index.
"""
import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    from importlinter.cli import lint_imports
    sys.path.insert(0, str(ROOT))
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def test_the_contract_sees_a_violation(tmp_path, monkeypatch, capsys):
    """The check must be able to fail: a core module importing the UI breaks the layers.

    The copy is named `mxapp` because the editable install would resolve `app` to this checkout."""
    from importlinter.cli import lint_imports
    for pkg in ("mxapp", "ingest_copy"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    for layer in ("cli", "ui", "mcp", "answer", "build", "live", "retrieval", "core"):
        (tmp_path / "mxapp" / layer).mkdir()
        (tmp_path / "mxapp" / layer / "__init__.py").write_text("")
    (tmp_path / "mxapp" / "core" / "bad.py").write_text("import mxapp.ui\n")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = config[config.index("[tool.importlinter]"):]
    config = "[[tool.importlinter.contracts]]".join(config.split("[[tool.importlinter.contracts]]")[:2])
    config = re.sub(r"\bingest\b", "ingest_copy", re.sub(r"\bapp\b", "mxapp", config))
    (tmp_path / "pyproject.toml").write_text(config)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert lint_imports(config_filename=str(tmp_path / "pyproject.toml"), no_cache=True) == 1
    out = capsys.readouterr().out
    assert "Shells on answer on retrieval on the deterministic core BROKEN" in out
    assert "mxapp.core.bad -> mxapp.ui" in out


@pytest.mark.parametrize("pkg", ["app/core", "app/build", "app/live"])
def test_core_imports_no_heavy_package_even_lazily(pkg):
    """import-linter sees function-level imports too; this double-checks by reading the source."""
    heavy = ("chromadb", "langchain", "streamlit", "bm25s", "onnxruntime", "numpy", "pandas", "jieba")
    bad = {(str(p.relative_to(ROOT)), m) for p in (ROOT / pkg).rglob("*.py")
           for m in _imports(p) if m.split(".")[0].startswith(heavy)}
    assert not bad, sorted(bad)
