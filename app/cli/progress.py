"""A small terminal progress bar (stderr), so long work shows progress without extra packages."""
from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, label: str = "", width: int = 30, stream=None):
        self.label, self.width = label, width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = ""
        self._last_time = 0.0

    def __call__(self, fraction: float, message: str = "") -> None:
        fraction = max(0.0, min(1.0, fraction))
        if self.tty:
            filled = int(fraction * self.width)
            line = f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {message[:40]:<40}"
            self.stream.write(line)
            if fraction >= 1.0:
                self.stream.write("\n")
            self.stream.flush()
        elif message != self._last and (time.monotonic() - self._last_time > 1 or fraction >= 1.0):
            self.stream.write(f"{self.label} {fraction:4.0%} {message}\n")
            self._last, self._last_time = message, time.monotonic()
