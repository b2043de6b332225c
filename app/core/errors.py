"""Errors that mean "this input cannot be used": they carry the file and line for a one-line message."""
from __future__ import annotations


class InputError(Exception):
    """Unusable input. The CLI prints `str(err)` and exits 2; no traceback."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"


class RuleError(InputError):
    """A rule file that does not validate."""
