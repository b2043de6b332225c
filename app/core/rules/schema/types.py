"""The small types rule arguments are made of: a strict mapping, a regex that compiles, a plugin
name the catalog knows, a selector, a version range. Each checks itself, so a typo fails when the
rule loads, not silently when it runs."""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo

from app.core.rules.schema.regexsafe import check_regex
from ingest.ruletext import SLOT_RE


class Strict(BaseModel):
    """A mapping in a rule file: unknown keys are errors (the typo `plugn` must not be ignored)."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# what to do about re's complaints, by the start of its message
_REGEX_HINTS = (
    ("missing ), unterminated subpattern", "close the group with ')', or write a literal '(' as '\\('"),
    ("unbalanced parenthesis", "open the group with '(', or write a literal ')' as '\\)'"),
    ("unterminated character set", "close the set with ']', or write a literal '[' as '\\['"),
    ("missing >", "write a named group as (?P<name>...)"),
    ("nothing to repeat", "write a literal *, + or ? as \\*, \\+ or \\?"),
    ("multiple repeat", "write a literal *, + or ? as \\*, \\+ or \\?"),
    ("look-behind requires fixed-width", "use a fixed-width look-behind, or drop it"),
)

# PCRE escapes Python's re lacks, and what to write instead
_PCRE = {"\\h": "[ \\t]", "\\H": "[^ \\t]", "\\R": "\\r?\\n", "\\e": "\\x1b", "\\K": "a look-behind (?<=...)",
         "\\Q": "each character escaped", "\\E": "each character escaped"}


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        hint = next((h for start, h in _REGEX_HINTS if exc.msg.startswith(start)),
                    "write it in Python's re syntax")
        if exc.msg.startswith("bad escape"):
            esc = exc.msg.split()[-1]
            hint = (f"Python's re has no {esc}" + (f": write {_PCRE[esc]}" if esc in _PCRE else "") +
                    "; a literal backslash is written '\\\\'")
        raise ValueError(f"not a valid regular expression: {exc.msg}{where}; {hint}") from None
    check_regex(value)      # a shape that backtracks without bound on a long line is refused (UnsafeRegex)
    return value


Regex = Annotated[str, AfterValidator(_regex), Field(json_schema_extra={"format": "regex"})]


def _plugin(value: str, info: ValidationInfo) -> str:
    """A plugin name the catalog, its deprecated names or the npm universe know (`any`: every plugin)."""
    known = (info.context or {}).get("plugins")
    if known is None or value == "any" or value in known or SLOT_RE.search(value):
        return value
    from app.core.rules.schema.suggest import nearest
    close = nearest(value, known)
    raise ValueError(f"unknown plugin {value!r}" + (f": did you mean {close!r}?" if close else
                     " (not in the plugin catalog; add a team plugin to your catalog first)"))


def _role(value: str, info: ValidationInfo) -> str:
    known = (info.context or {}).get("roles")
    if known is None or value in known:
        return value
    from app.core.rules.schema.suggest import nearest
    close = nearest(value, known)
    raise ValueError(f"unknown plugin role {value!r}" + (f": did you mean {close!r}?" if close else
                     f" (known: {', '.join(sorted(known))})"))


PluginName = Annotated[str, AfterValidator(_plugin), Field(description="a plugin name as in config/plugins")]
Role = Annotated[str, AfterValidator(_role), Field(description="a plugin role from the catalog (queue, rcpt, ...)")]
OneOrMore = Union  # readability: `OneOrMore[X, list[X]]`


class SelectorMap(Strict):
    """Plugins chosen by name, role or pattern, with exceptions."""
    name: PluginName | list[PluginName] | None = None
    role: Role | list[Role] | None = None
    matches: Regex | None = None
    except_: list[PluginName] = Field(default_factory=list, alias="except")


def _shape(value: Any) -> str:
    return "map" if isinstance(value, dict) else "list" if isinstance(value, list) else "name"


Selector = Annotated[Union[Annotated[PluginName, Tag("name")], Annotated[list[PluginName], Tag("list")],
                           Annotated[SelectorMap, Tag("map")]], Discriminator(_shape)]


class NoArgs(Strict):
    """`{}`: an operation or predicate that takes nothing"""


Flag = Union[Literal[True], NoArgs, None]


class PatternOnly(Strict):
    matches: Regex


def _flag_shape(value: Any) -> str:
    return "map" if isinstance(value, dict) else "flag"


TrueOrPattern = Annotated[Union[Annotated[bool, Tag("flag")], Annotated[PatternOnly, Tag("map")]],
                          Discriminator(_flag_shape)]


def _range(value: str) -> str:
    from app.core.semver import parse_range
    if parse_range(value) is None:
        raise ValueError(f"{value!r} is not a version range (expected e.g. \">=3.1\", \"<1.2\", \"^3.0.3\", "
                         "\"2.8.x\", \">=2.8 <3\")")
    return value.strip()


PACKAGE_RE = r"^(?:@[a-z0-9][\w.-]*/)?[a-zA-Z0-9][\w.-]*$"
VersionRange = Annotated[str, AfterValidator(_range)]
Versions = Annotated[dict[Annotated[str, Field(pattern=PACKAGE_RE)], VersionRange],
                     Field(min_length=1, description="{package: range}, e.g. {haraka: \">=3.1\"}")]
