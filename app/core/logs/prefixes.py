"""Strip what log shippers put in front of a Haraka line, keeping the timestamp they carried.

Haraka's own line begins where a log format claims the text (app.core.logs.formats). Anything
before that was added on the way: syslog (`Nov 24 10:00:00 host haraka[123]: `), journald's
short and ISO styles, docker-compose service columns (`haraka_1  | `), `docker logs -t` and
Haraka's own `timestamps=true` ISO stamps, and the file names `grep -H` puts first. Prefixes can stack (compose + timestamps), so we
peel a few.
"""
from __future__ import annotations

import re

from app.core.logs.formats import LogFormat, detect

# `2026-11-24T21:16:12.766Z `, `2024-11-24 10:00:00,123 `, `2024-11-24T10:00:00.123456789+00:00 `
_ISO_TS = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?) +")
# `<13>Nov 24 10:00:00 host haraka[123]: ` and `2024-11-24T10:00:00+0000 host haraka[123]: `
_SYSLOG = re.compile(
    r"(?:<\d{1,3}>)?(?:([A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d) \S+ [\w.\-/@]+(?:\[\d+\])?: |"
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) \S+ [\w.\-/@]+\[\d+\]: )")
# `haraka[123]: ` with the timestamp already gone
_TAG = re.compile(r"[\w.\-/@]+\[\d+\]: ")
# docker-compose: `haraka_1  | `, `mx-1  | `
_COMPOSE = re.compile(r"[\w.\-]+ *\| ")
# `grep -H` / `grep -n` over log files: `/var/log/maillog:`, `haraka.log:123:`, `maillog-20241124.gz:`
_GREP = re.compile(r"[\w./\-]*[\w\-](?:\.log|log|\.gz|-\d{8})(?::\d+)?:(?=\S)")


def strip_prefix(line: str) -> tuple[str, str | None, LogFormat | None]:
    """(Haraka's own text, the timestamp a prefix carried or None, the format of that text or None),
    for a line no format claims as it is (see `detect`). Never raises."""
    timestamp = fmt = None
    for _ in range(4):
        m = _COMPOSE.match(line) or _SYSLOG.match(line) or _ISO_TS.match(line) or _TAG.match(line) or _GREP.match(line)
        if m is None:
            break
        if timestamp is None and m.re not in (_COMPOSE, _TAG, _GREP):
            timestamp = m.group(1) or (m.group(2) if m.re is _SYSLOG else None)
        line = line[m.end():]
        fmt = detect(line)
        if fmt is not None:
            break
    return line, timestamp, fmt


def is_journal_marker(line: str) -> bool:
    """journalctl's own lines: `-- Logs begin at ... --`, `-- Boot ... --`, `-- No entries --`."""
    return line.startswith("-- ") and (line.endswith(" --") or line.startswith(("-- Boot", "-- Reboot")))
