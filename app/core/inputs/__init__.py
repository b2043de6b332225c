"""Build a ConfigSet from paths on disk or a pasted blob. See `load_paths` and `load_paste`."""
from app.core.inputs.loader import load_paste, load_paths, load_texts

__all__ = ["load_paths", "load_paste", "load_texts"]
