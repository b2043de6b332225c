"""Build a ConfigSet from paths on disk or a pasted blob. See `load_paths`, `load_paste` and `load_inputs`."""
from app.core.inputs.loader import load_inputs, load_paste, load_paths, load_texts

__all__ = ["load_inputs", "load_paste", "load_paths", "load_texts"]
