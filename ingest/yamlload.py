"""`yaml.safe_load` through libyaml when PyYAML was built with it (same results, same errors).

Every ingest parses the kb's rule and catalog YAML and every page's front matter; with the
pure-Python parser that was the largest cost of an unchanged run.
"""
from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (C or Python)
