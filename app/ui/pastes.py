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


IGNORE = "(ignore this block)"


def block_key(block) -> str:
    """A block's identity for a correction: where it starts and what it holds."""
    import hashlib
    return f"{block.start}:{hashlib.sha1(block.text.encode()).hexdigest()[:10]}"


def pasted_blocks(text: str) -> list:
    """The headerless blocks of a paste (none when it names its files with headers)."""
    from app.core.inputs.blocks import detect_blocks
    from app.core.inputs.split import split_paste
    from ingest.textio import to_lines
    lines, dec = to_lines(text)
    if dec.binary or any(name is not None for name, _, _ in split_paste(lines)):
        return []
    return detect_blocks(lines)


def named_blocks(text: str, overrides: dict[str, str]) -> list[tuple[str, str]]:
    """The paste as named texts: each headerless block under the name it was taken as, or the one
    the admin picked instead (IGNORE drops it); a paste with headers passes through as it is."""
    blocks = pasted_blocks(text)
    if not blocks:
        return [("", text)]
    out = []
    for b in blocks:
        name = overrides.get(block_key(b), b.name)
        if name != IGNORE:
            out.append((name, b.text))
    return out
