"""Shared pytest setup: the `haraka` marker, and the light install (core only).

On an install without the app extra (`pip install mxdoctor`, no `[app]`), a test module or test
that needs a package of that extra is reported as skipped, naming the package; everything else —
the deterministic core — runs. With the app extra installed (`make test`), nothing is skipped
this way: a missing module is an error as always.
"""
import importlib.util

import pytest

from app.cli import APP_EXTRA as CLI_APP_EXTRA  # light: the CLI imports only the core

# the CLI's list, plus what those packages pull in and the browser tests' driver
APP_EXTRA = CLI_APP_EXTRA | {"openai", "ollama", "playwright"}
LIGHT_INSTALL = importlib.util.find_spec("chromadb") is None


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "haraka: needs node and an npm-installed Haraka (skipped locally without it, required in CI)")


def _missing_app_package(excinfo) -> str | None:
    if excinfo is None or not excinfo.errisinstance(ModuleNotFoundError):
        return None
    name = (excinfo.value.name or "").split(".")[0]
    return name if name in APP_EXTRA else None


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if LIGHT_INSTALL and report.failed:
        text = str(report.longrepr)
        name = next((n for n in APP_EXTRA if f"No module named '{n}" in text), None)
        if name:
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0, f"Skipped: needs the app extra ({name})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    name = _missing_app_package(call.excinfo) if LIGHT_INSTALL else None
    if name and report.failed:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: needs the app extra ({name})")
