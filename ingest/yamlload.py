"""`yaml.safe_load` through libyaml when PyYAML was built with it, within a budget.

Every ingest parses the kb's rule and catalog YAML and every page's front matter; with the
pure-Python parser that was the largest cost of an unchanged run.

YAML aliases let 350 bytes stand for a billion strings (an "alias bomb"): `safe_load` builds it
sharing one object, and the first `str()` or walk of it fills the memory. So a document is composed
first, its size with every alias expanded is counted on the node graph (each node once), and it is
built only within its `Budget`; otherwise `YAMLBudgetError` names the limit and the line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Budget:
    """What one text may cost: its bytes, its alias uses, its nodes and scalar characters once
    every alias is expanded (what a walk or a `str()` of the result will touch)."""
    max_bytes: int = 16 * 1024 * 1024
    max_aliases: int = 10_000
    max_nodes: int = 2_000_000
    max_chars: int = 32 * 1024 * 1024


DEFAULT = Budget()
PASTE = Budget(max_bytes=16 * 1024 * 1024, max_aliases=1_000, max_nodes=1_000_000, max_chars=16 * 1024 * 1024)
RULE = Budget(max_bytes=1024 * 1024, max_aliases=1_000, max_nodes=100_000, max_chars=1024 * 1024)


class YAMLBudgetError(yaml.MarkedYAMLError):
    """The document is over its budget; `problem` says which limit, `problem_mark` where."""


def _fail(message: str, node: yaml.Node | None = None) -> None:
    raise YAMLBudgetError(problem=message, problem_mark=getattr(node, "start_mark", None))


def _children(node: yaml.Node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _Weigher:
    """Expanded size of composed documents: nodes and scalar characters as if every alias were
    copied out, counted over the shared graph in time linear in the text."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.aliases = 0
        self.nodes = 0
        self.chars = 0

    def add(self, root: yaml.Node) -> None:
        size: dict[int, tuple[int, int]] = {}
        path: set[int] = set()
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                path.discard(key)
                size[key] = self._measure(node, size)
                continue
            if key in size:
                self.aliases += 1
                if self.aliases > self.budget.max_aliases:
                    _fail(f"more than {self.budget.max_aliases:,} alias uses (*name)", node)
                continue
            if key in path:
                _fail("an alias refers to a node that contains it (a recursive structure)", node)
            path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
        nodes, chars = size[id(root)]
        self.nodes += nodes
        self.chars += chars
        self._check(nodes, chars, root)

    def _measure(self, node: yaml.Node, size: dict[int, tuple[int, int]]) -> tuple[int, int]:
        if isinstance(node, yaml.ScalarNode):
            return 1, len(node.value)
        nodes, chars = 1, 0
        for child in _children(node):
            n, c = size[id(child)]
            nodes, chars = nodes + n, chars + c
        self._check(nodes, chars, node)
        return nodes, chars

    def _check(self, nodes: int, chars: int, node: yaml.Node) -> None:
        b = self.budget
        if self.nodes + nodes > b.max_nodes:
            _fail(f"over {b.max_nodes:,} values once its aliases are expanded (an alias bomb?)", node)
        if self.chars + chars > b.max_chars:
            _fail(f"over {b.max_chars / 2**20:.0f} MB of text once its aliases are expanded (an alias bomb?)", node)


def _documents(text: str, budget: Budget, single: bool) -> list[tuple[yaml.Node | None, Any]]:
    """(node, data) of each document, each weighed before it is built."""
    if len(text) > budget.max_bytes:
        _fail(f"the YAML text is {len(text) / 2**20:.1f} MB, over the {budget.max_bytes / 2**20:.0f} MB it may be")
    loader = _LOADER(text)
    weigher = _Weigher(budget) if "&" in text and "*" in text else None    # no anchor or alias: nothing expands
    out: list[tuple[yaml.Node | None, Any]] = []
    try:
        while single or loader.check_node():
            node = loader.get_single_node() if single else loader.get_node()
            if node is not None and weigher is not None:
                weigher.add(node)
            out.append((node, None if node is None else loader.construct_document(node)))
            if single:
                break
    except YAMLBudgetError:
        raise
    except yaml.YAMLError:
        _python_error(text, single)
        raise
    finally:
        loader.dispose()
    return out


def _python_error(text: str, single: bool) -> None:
    """Raise the pure-Python parser's error for a text libyaml refused: its words and lines are
    the ones the rule-file hints know (composing only: nothing is built, no alias expanded)."""
    if _LOADER is yaml.SafeLoader:
        return
    if single:
        yaml.compose(text, Loader=yaml.SafeLoader)
    else:
        for _ in yaml.compose_all(text, Loader=yaml.SafeLoader):
            pass


def safe_load(text: str, budget: Budget = DEFAULT) -> Any:
    """One document's data (None for an empty text); YAMLBudgetError when over `budget`."""
    return _documents(text, budget, single=True)[0][1]


def safe_load_all(text: str, budget: Budget = DEFAULT) -> list[Any]:
    """Every document's data (a paste may hold several `---` documents), within one budget."""
    return [data for _, data in _documents(text, budget, single=False)]


def compose_load(text: str, budget: Budget = DEFAULT) -> tuple[yaml.Node | None, Any]:
    """One document as nodes (which know each key's line) and as data, parsed once."""
    return _documents(text, budget, single=True)[0]


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
