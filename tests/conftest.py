"""Shared pytest setup: only the `haraka` marker (tests that start a real Haraka)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "haraka: needs node and an npm-installed Haraka (skipped locally without it, required in CI)")
