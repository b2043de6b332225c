"""Robust text decoding for pasted input. The implementation lives in `ingest.textio` because the
ingestion pipeline needs it too and may not import `app` (dependencies point app → ingest)."""
from ingest.textio import (ANSI_RE, MAX_LINE, Decoded, clean_line, decode, guess_utf16, looks_binary,  # noqa: F401
                           split_lines, strip_ansi, to_lines)
