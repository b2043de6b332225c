"""Imported once by the budget's fork server (`app.core.budget.PRELOAD`): one diagnosis of the
built-in example fills the core's caches (rules, catalog, message index, config shapes), so every
worker forked from it starts warm: ~0.03 s of CPU for a small paste instead of ~1 s."""
from __future__ import annotations


def warm() -> None:
    from app.core.diagnose import diagnose
    from app.core.examples import example_files
    try:
        diagnose(texts=list(example_files("canonical").items()), log_text="[INFO] [-] [core] warm\n")
    except Exception:       # noqa: BLE001 - a cold worker is slower, never wrong
        pass


warm()
