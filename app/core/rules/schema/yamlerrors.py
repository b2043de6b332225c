"""A rule file that is not YAML: PyYAML's complaint as a sentence that says what to do, at the
line to look at."""
from __future__ import annotations

import yaml

# what to do about PyYAML's complaints, by a piece of its message
_YAML_HINTS = (
    ("mapping values are not allowed", "quote a value that contains ': ' (title: \"a: b\")"),
    ("'\\t'", "indent with spaces, not tabs"),
    ("expected <block end>", "line this up with the other keys or '- ' items of its block"),
    ("could not find expected ':'", "write `key: value`, or quote a text that spans lines"),
    ("found unknown escape character", "in double quotes write a backslash as \\\\, or use 'single quotes'"),
    ("found undefined alias", "quote a value that starts with '*'"),
    ("special characters are not allowed", "save the rule as plain UTF-8 text"),
)


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, int | None]:
    """The YAML error as a sentence that says what to do, and the line to look at: for an unclosed
    [ or { the line it was opened on (PyYAML notices only where the next key starts)."""
    problem = str(getattr(exc, "problem", None) or exc)
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else None
    context, opened = getattr(exc, "context", None) or "", getattr(exc, "context_mark", None)
    if "flow" in context and opened is not None and problem.startswith("expected ','"):
        opening, closing = ("{", "}") if "mapping" in context else ("[", "]")
        message = (f"invalid YAML: {problem} (in the {opening} opened here: close it with {closing}, or "
                   "separate its entries with ', ')")
        return message, opened.line + 1
    hint = next((h for piece, h in _YAML_HINTS if piece in problem), "check the indentation, quotes and brackets")
    return f"invalid YAML: {problem}; {hint}", line
