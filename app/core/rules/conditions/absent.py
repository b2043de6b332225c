"""A condition on a file that was not given: undecided when something in this setup reads the
file, plainly "not there" when nothing does."""
from __future__ import annotations

from app.core.rules.conditions.match import Match, undecided
from app.core.rules.context import Context


def file_display_name(name: str) -> str:
    from app.core.inputs.classify import canonical_name, kind_for_name
    return canonical_name(name, kind_for_name(name) or "list")


def file_readers(ctx: Context, name: str) -> tuple[bool, bool]:
    """(would anything in this setup read the file, does an enabled plugin read it). Haraka's
    core files are always read; a file the catalog does not know may be."""
    base = name.rsplit("/", 1)[-1]
    readers = [info.name for info in ctx.catalog.plugins.values() if base in info.config_files]
    enabled = set(ctx.cs.plugin_names()) if ctx.cs.plugins is not None else set()
    by_plugin = any(r in enabled for r in readers)
    if base in ctx.catalog.core_files or not readers:
        return True, by_plugin
    return by_plugin or ctx.cs.plugins is None, by_plugin


def missing_file(ctx: Context, name: str) -> Match | None:
    """The answer for a condition on a file that was not given: undecided when something in this
    setup reads it (and worth asking for when an enabled plugin does), None (treat it as not
    there) when nothing does."""
    in_use, by_plugin = file_readers(ctx, name)
    if not in_use:
        return None
    return undecided([file_display_name(name)], partial=by_plugin)
