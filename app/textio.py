"""Robust text decoding for pasted input. The implementation lives in `ingest.textio` because the
ingestion pipeline needs it too and may not import `app` (dependencies point app → ingest)."""
from ingest.textio import (ANSI_RE, MAX_LINE, Decoded, clean_line, decode, looks_binary, split_lines,  # noqa: F401
                           strip_ansi, to_lines)
