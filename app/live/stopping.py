"""SIGTERM, SIGHUP and SIGINT turned into an exception, so every `finally` runs and a live server
started by mxdoctor is stopped and its sandbox removed, as it is at the end of a normal run.

Why not the default: SIGTERM (timeout, CI cancel, systemd) kills Python at once, leaving Haraka's
process group running and its temp dir behind. A signal that arrives while a process is being
started (between fork and registering it for cleanup) waits until the process is registered:
`held()` marks that stretch.
"""
from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)

_held = 0
_pending: int | None = None


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal; `cleaned` says what was put away on the way out."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.cleaned: list[str] = []

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _handler(signum: int, _frame) -> None:
    global _pending
    if _held:
        _pending = signum
        return
    raise Stopped(signum)


def install() -> None:
    """Raise Stopped on SIGTERM, SIGHUP and SIGINT (main thread only, as Python requires)."""
    for sig in SIGNALS:
        signal.signal(sig, _handler)


@contextmanager
def held() -> Iterator[None]:
    """A stretch no signal may cut short (starting a process and registering it); a signal that
    came meanwhile raises Stopped right after it."""
    global _held, _pending
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending is not None:
            signum, _pending = _pending, None
            raise Stopped(signum)


def note_cleaned(exc: BaseException | None, what: str) -> None:
    """Record on a propagating Stopped what was cleaned up (printed by the command)."""
    if isinstance(exc, Stopped):
        exc.cleaned.append(what)
