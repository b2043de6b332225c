"""Generate the plugin catalog from a real Haraka install (see build.py for why)."""
from app.build.build import build_catalog, render_catalog, write_catalog

__all__ = ["build_catalog", "render_catalog", "write_catalog"]
