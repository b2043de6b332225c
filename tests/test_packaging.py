"""Honest packaging: every import is declared, the core stays light, a wheel carries all of kb/."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
CORE_ALLOWED = {"pyyaml", "pydantic", "pydantic-settings", "tomli"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _declared(*groups: str) -> set[str]:
    names = {_name(r) for r in PROJECT["dependencies"]}
    for g in groups:
        names |= {_name(r) for r in PROJECT["optional-dependencies"][g]}
    return names


def _third_party_imports(folder: Path) -> dict[str, str]:
    """Top-level module → first file importing it, for everything not in the stdlib or the project."""
    own = {"app", "ingest", "kb"}
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            for m in mods:
                top = m.split(".")[0]
                if top not in sys.stdlib_module_names and top not in own and top not in ("tomli", "tomllib"):
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_the_core_depends_on_light_packages_only():
    assert {_name(r) for r in PROJECT["dependencies"]} <= CORE_ALLOWED


@pytest.mark.parametrize("folder", ["app", "ingest"])
def test_every_import_is_declared(folder):
    dists = packages_distributions()
    declared = _declared(*PROJECT["optional-dependencies"])
    missing = {}
    for module, where in _third_party_imports(ROOT / folder).items():
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & declared:
            missing[module] = where
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_a_wheel_carries_every_kb_file(tmp_path):
    """The examples' config/plugins has no suffix: a wheel without it makes `demo` check nothing."""
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("mxdoctor-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith("kb/")}
    tracked = subprocess.run(["git", "ls-files", "kb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert tracked, "git ls-files found no kb files"
    assert set(tracked) - shipped == set()
    assert "kb/examples/canonical/config/plugins" in shipped
    # the JavaScript `mxdoctor replay` puts into the sandboxed Haraka
    assert {"app/live/standins/wildduck.js", "app/live/standins/loopback_guard.js"} <= names


def test_the_cli_knows_every_module_of_the_app_extra():
    """On a light install the CLI names the missing extra only for modules on its list."""
    from app.cli import APP_EXTRA
    dists = packages_distributions()
    app_only = {_name(r) for r in PROJECT["optional-dependencies"]["app"]}
    imported = {**_third_party_imports(ROOT / "ingest"), **_third_party_imports(ROOT / "app")}
    missing = {m: where for m, where in imported.items()
               if {d.lower().replace("_", "-") for d in dists.get(m, [m])} & app_only and m not in APP_EXTRA}
    assert not missing, f"modules of the app extra the CLI does not list: {missing}"
