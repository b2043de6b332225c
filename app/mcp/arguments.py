"""The arguments the tools share, typed so the JSON schema an assistant reads says what each one is,
and the inputs they make: the named texts and paths `diagnose()` and `Session` take, built the way
the app's Diagnose page builds them (config/plugins, files by name, a raw paste, logs)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from app.core.errors import InputError

Lang = Annotated[Literal["en", "zh"], Field(
    description="language of the findings, verdict and explanations (technical names stay as written)")]
Plugins = Annotated[str | None, Field(
    description="the text of Haraka's config/plugins: one plugin per line, in order")]
Files = Annotated[dict[str, str] | None, Field(
    description="config files by name, e.g. {\"smtp.ini\": \"...\", \"host_list\": \"...\", \"wildduck.yaml\": "
                "\"...\"}; a name may keep its folder (config/smtp.ini)")]
Paste = Annotated[str | None, Field(
    description="a raw paste of one or more files; several files may be separated by `==> name <==` headers, "
                "or are told apart by their content")]
Logs = Annotated[str | None, Field(description="Haraka / WildDuck log lines (any of Haraka's log formats)")]
ConfigDir = Annotated[str | None, Field(
    description="a path on the machine mxdoctor runs on: a Haraka install dir, its config dir, or one file")]
HarakaVersion = Annotated[str | None, Field(
    description="the Haraka version the server runs (e.g. 2.8.28, or a range such as 3.1.x), over what the inputs "
                "show; rules written for other releases are then left out")]
Rcpts = Annotated[list[str] | None, Field(description="recipient addresses to walk through the hooks")]


@dataclass
class Inputs:
    """What the admin handed over: texts and, on the server's own machine, a path."""
    plugins: str | None = None
    files: dict[str, str] | None = None
    paste: str | None = None
    logs: str | None = None
    config_dir: str | None = None

    def given(self) -> bool:
        return any(v for v in (self.plugins, self.files, self.paste, self.logs, self.config_dir))

    def texts(self) -> list[tuple[str, str]]:
        """Named texts, the plugins list first; the raw paste last, named "" (its files are found in it)."""
        items = [("config/plugins", self.plugins)] if self.plugins else []
        items += [(name, text) for name, text in (self.files or {}).items()]
        if self.paste:
            items.append(("", self.paste))
        return items

    def paths(self) -> list[str] | None:
        if not self.config_dir:
            return None
        path = Path(self.config_dir).expanduser()
        if not path.exists():
            raise InputError("no such file or directory on the server", file=str(path))
        if not _readable(path):
            raise InputError("cannot be read by the server (permissions)", file=str(path))
        return [str(path)]

    def keywords(self) -> dict[str, Any]:
        """Keyword arguments of `diagnose()` and `app.answer.Session`."""
        return {"paths": self.paths(), "texts": self.texts() or None, "log_text": self.logs or None}


def _readable(path: Path) -> bool:
    if path.is_dir():
        return os.access(path, os.R_OK | os.X_OK)
    return os.access(path, os.R_OK)
