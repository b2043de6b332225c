"""Uploaded files (or a zip of a Haraka config dir) → named texts for `diagnose(texts=...)`, and
logs spooled to files that `diagnose(log_paths=...)` reads as a stream.

Uploads are untrusted: a zip may be huge when unpacked, hold thousands of members, or use
`../` names. Config files are read into memory within fixed limits; a log (up to 50 MB) is
written to the session's spool dir, because reading it as one string costs several times its
size. Every skipped member is reported, so the user knows what was not looked at; a binary file
is reported as such instead of being "diagnosed" as an empty input.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_LOG_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
LOG_NAMES = (".log", "maillog", "syslog", "messages", "mail.log", "haraka.log")
SKIP_PARTS = {"node_modules", ".git", "__MACOSX", "queue", "__pycache__"}
SKIP_SUFFIXES = (".js", ".png", ".jpg", ".gif", ".gz", ".zip", ".tar", ".so", ".node", ".pyc")


@dataclass
class Unpacked:
    texts: list[tuple[str, bytes]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # "name: why"
    logs: list[str] = field(default_factory=list)      # spooled log files, read as a stream


def _is_binary(data: bytes) -> bool:
    from ingest.textio import to_lines
    return to_lines(data[:65536])[1].binary


def _looks_like_log(name: str, data: bytes) -> bool:
    from app.core.logs.formats import has_level_mark
    if name.lower().endswith(LOG_NAMES):
        return True
    head = data[:65536].decode("utf-8", "replace").splitlines()[:200]
    return bool(head) and sum(has_level_mark(l) for l in head) >= max(1, len(head) // 3)


def _member_name(raw: str) -> str | None:
    """A safe relative name, or None for directories and names we refuse."""
    name = raw.replace("\\", "/")
    if name.endswith("/"):
        return None
    norm = posixpath.normpath(name).lstrip("/")
    if norm.startswith("..") or norm in ("", "."):
        return None
    return norm


def _skip_reason(name: str) -> str | None:
    parts = name.split("/")
    if any(p in SKIP_PARTS or p.startswith(".") for p in parts):
        return "hidden or not configuration"
    if name.lower().endswith(SKIP_SUFFIXES):
        return "not a configuration or log file"
    return None


def unpack_zip(data: bytes, out: Unpacked | None = None) -> Unpacked:
    out = out or Unpacked()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        out.skipped.append(f"zip: cannot read ({exc})")
        return out
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            out.skipped.append(f"zip: {len(infos)} members; only the first {MAX_MEMBERS} were read")
        for info in infos[:MAX_MEMBERS]:
            name = _member_name(info.filename)
            if name is None:
                if not info.filename.endswith("/"):
                    out.skipped.append(f"{info.filename}: unsafe path")
                continue
            why = _skip_reason(name)
            if why:
                out.skipped.append(f"{name}: {why}")
                continue
            if info.file_size > MAX_MEMBER_BYTES or total + info.file_size > MAX_TOTAL_BYTES:
                out.skipped.append(f"{name}: too large ({info.file_size} bytes)")
                continue
            try:
                with zf.open(info) as fh:
                    body = fh.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError, EOFError) as exc:
                out.skipped.append(f"{name}: cannot unpack ({exc.__class__.__name__})")
                continue
            if len(body) > MAX_MEMBER_BYTES:
                out.skipped.append(f"{name}: too large")
                continue
            total += len(body)
            out.texts.append((name, body))
    return out


def unpack_uploads(files: list[tuple[str, bytes]], spool_dir=None) -> Unpacked:
    """Plain files pass through by name; zips are opened; logs go to `spool_dir` (when given).
    Order is kept."""
    out = Unpacked()
    for name, data in files:
        if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
            unpack_zip(data, out)
        elif _is_binary(data):
            out.skipped.append(f"{name}: binary data, not a text file - nothing was read from it")
        elif spool_dir is not None and _looks_like_log(name, data):
            if len(data) > MAX_LOG_BYTES:
                out.skipped.append(f"{name}: {len(data):,} bytes; logs are read up to {MAX_LOG_BYTES // 2**20} MB "
                                   "(cut it to the hours around the failure)")
                continue
            out.logs.append(_spool(spool_dir, name, data))
        elif len(data) > MAX_MEMBER_BYTES:
            out.skipped.append(f"{name}: too large ({len(data)} bytes)")
        else:
            out.texts.append((_member_name(name) or "upload", data))
    return out


def _spool(spool_dir, name: str, data: bytes) -> str:
    from pathlib import Path
    d = Path(spool_dir)
    d.mkdir(parents=True, exist_ok=True)
    safe = (_member_name(name) or "upload.log").replace("/", "_")
    path = d / f"{len(list(d.iterdir())):03d}-{safe}"
    path.write_bytes(data)
    return str(path)


# --------------------------------------------------------------------------- one session's uploads
# What a browser uploads is read once, written to that session's spool dir and dropped from memory
# (`app.ui.screens.diagnose.take_uploads` also drops Streamlit's own copy); a diagnosis reads the
# config files back from disk, the logs as a stream. A session may upload `MXDOCTOR_UPLOAD_MB` in
# all; spool dirs unused for SPOOL_TTL seconds are deleted by the next upload of any session.
SPOOL_TTL = 24 * 3600


def within_room(files: list, room: int, cap: int) -> tuple[list[tuple[str, bytes]], list[str], int]:
    """The uploaded files (`name`, `size`, `getvalue()`) that fit in the `room` bytes this session
    may still upload, read; a note for each of the others, which is never read; the bytes taken."""
    kept: list[tuple[str, bytes]] = []
    notes: list[str] = []
    used = 0
    for f in files:
        size = int(getattr(f, "size", 0) or 0)
        if used + size > room:
            notes.append(f"{f.name}: {size:,} bytes would go over this session's upload cap of "
                         f"{cap // 2**20} MB (MXDOCTOR_UPLOAD_MB); nothing was read from it - Clear, then "
                         "upload less (the hours around the failure)")
            continue
        kept.append((f.name, f.getvalue()))
        used += size
    return kept, notes, used


def release_uploads(files: list, ctx=None) -> None:
    """Forget the uploaded files in Streamlit's upload store, which keeps them (in memory) until the
    session ends: a closed browser's session can linger for an hour. `ctx`: the script run's."""
    if ctx is None:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
    if ctx is None:
        return
    for f in files:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, f.file_id)


def spool_texts(spool_dir, texts: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """Config files to disk: (name, path) pairs that `read_spooled` turns back into texts."""
    return [(name, _spool(spool_dir, name, data)) for name, data in texts]


def read_spooled(items: list[tuple[str, str]]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """(name, bytes) of each spooled config file; a note for one that is gone (swept, cleared)."""
    from pathlib import Path
    out: list[tuple[str, bytes]] = []
    gone: list[str] = []
    for name, path in items:
        try:
            out.append((name, Path(path).read_bytes()))
        except OSError:
            gone.append(f"{name}: the upload is no longer kept (over a day unused); upload it again")
    return out, gone


def sweep_spools(root, ttl: float = SPOOL_TTL, now: float | None = None) -> list[str]:
    """Delete the spool dirs under `root` not touched for `ttl` seconds; their names."""
    import shutil
    import time
    from pathlib import Path
    now = time.time() if now is None else now
    gone = []
    for d in Path(root).glob("*") if Path(root).is_dir() else []:
        try:
            if d.is_dir() and now - d.stat().st_mtime > ttl:
                shutil.rmtree(d, ignore_errors=True)
                gone.append(d.name)
        except OSError:
            continue
    return gone
