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


def key_line(node: yaml.Node | None, path: tuple) -> int | None:
    """The 1-based line of the innermost key (or list item) of `path` that the composed YAML
    `node` holds, so an error can point at it; None when not even the first step is there."""
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
