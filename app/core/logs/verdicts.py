"""What Haraka's return codes and SMTP reply codes mean for a step: accepted, deferred or rejected."""
from __future__ import annotations

DENY_CODES = {"DENY": 550, "DENYDISCONNECT": 550}
DENYSOFT_CODES = {"DENYSOFT": 450, "DENYSOFTDISCONNECT": 450}


def verdict(retval: str | None) -> tuple[str, int]:
    """(outcome, SMTP code) of a logged return code; anything but a DENY* is an acceptance."""
    if retval in DENY_CODES:
        return "rejected", 550
    if retval in DENYSOFT_CODES:
        return "deferred", 450
    return "accepted", 250


def outcome_for_code(code: int) -> str:
    return "accepted" if code < 400 else ("deferred" if code < 500 else "rejected")
