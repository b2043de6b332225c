"""Options several subcommands share, defined once."""
from __future__ import annotations

HARAKA_VERSION_HELP = ("the Haraka version this server runs (e.g. 2.8.28, or a range such as 3.1.x), over what the "
                       "logs, package.json, package-lock.json, npm ls or a Dockerfile show; rules written for other "
                       "releases are then left out")


def add_haraka_version(p) -> None:
    """`--haraka-version X` (check, simulate, ask, triage)."""
    p.add_argument("--haraka-version", metavar="X", default=None, help=HARAKA_VERSION_HELP)
