"""Fix operations and their arguments, as models (the edits themselves are in `fixops`).
A test keeps this list equal to `fixops.FIX_OPS`."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.core.rules.schema.types import Flag, PluginName, Regex, Strict


class RemovePlugin(Strict):
    """comment the plugin out of config/plugins"""
    name: PluginName
    reason: str | None = Field(None, description="written beside the commented-out line")


class RenamePlugin(Strict):
    """rewrite a plugin's line (written exactly as `from`) under another name"""
    from_: str = Field(alias="from")
    to: PluginName


class Place(Strict):
    name: PluginName
    position: Literal["start", "end"] | None = None
    before: PluginName | None = None
    after: PluginName | None = None


class AddPlugin(Place):
    """list a plugin (at `position`, or before/after another)"""


class MovePlugin(Place):
    """move a plugin's line (to `position`, or before/after another)"""


class SetKey(Strict):
    """set a key in an ini or yaml file (in place, or added under its section)"""
    file: str
    section: str | None = None
    key: str
    value: Any


class DeleteKey(Strict):
    """remove a key from an ini file"""
    file: str
    section: str | None = None
    key: str


class WriteFile(Strict):
    """write a whole file"""
    file: str
    content: str


class AppendLine(Strict):
    """add a line to a list file unless it is there"""
    file: str
    line: str


class RemoveLine(Strict):
    """comment out the lines of a file that match `regex`"""
    file: str
    regex: Regex
    reason: str | None = None


class DeleteFile(Strict):
    """delete a file"""
    file: str


FIX_ARGS: dict[str, Any] = {
    "remove_plugin": RemovePlugin, "rename_plugin": RenamePlugin, "modernise_plugin_names": Flag,
    "dedupe_plugins": Flag, "split_inline_comments": Flag, "add_plugin": AddPlugin,
    "move_plugin": MovePlugin, "set_key": SetKey, "delete_key": DeleteKey, "write_file": WriteFile,
    "append_line": AppendLine, "remove_line": RemoveLine, "delete_file": DeleteFile,
    "manual": str,
}
MANUAL_DOC = "a step for the admin to do by hand (translatable: i18n.<lang>.manual)"
