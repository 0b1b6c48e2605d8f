"""Progress lines for long builds: one plain line per finished stage, with its time.

Plain lines (no carriage returns or colours) read well both in a terminal and in
CI logs; ``-q`` raises the log level so none of them is printed.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("reportc.progress")


class StageTimer:
    """Logs ``reportc: <what> (1.2 s)`` when each stage finishes."""

    def __init__(self) -> None:
        self._last = time.perf_counter()

    def done(self, what: str) -> None:
        now = time.perf_counter()
        log.info("reportc: %s (%.1f s)", what, now - self._last)
        self._last = now


def item_done(what: str) -> None:
    """One line per chapter converted (not for chapters taken from the cache)."""
    log.info("reportc:   %s", what)
