"""Files ↔ the paste format the Diagnose page's text areas use (`==> config/name <==` headers,
as `tail -n +1 config/*` prints them), so an example or an upload can fill the text areas."""
from __future__ import annotations


def as_paste(files: dict[str, str]) -> str:
    parts = []
    for name, text in files.items():
        parts.append(f"==> {name} <==\n{text.rstrip(chr(10))}\n")
    return "\n".join(parts)


def split_for_form(files: dict[str, str]) -> tuple[str, str, str]:
    """(config/plugins text, the other config files as one paste, the logs as one text)."""
    plugins = ""
    other: dict[str, str] = {}
    logs: list[str] = []
    for name, text in files.items():
        base = name.rsplit("/", 1)[-1]
        if base == "plugins":
            plugins = text
        elif base.endswith(".log") or name.startswith("logs/"):
            logs.append(text.rstrip("\n"))
        else:
            other[name] = text
    return plugins, as_paste(other), "\n".join(logs) + ("\n" if logs else "")
