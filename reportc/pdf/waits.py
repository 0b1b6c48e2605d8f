"""How long the PDF's layout workers waited for work (reported under -v): the idle core
time of a build's layout, at its start (the parts' HTML not ready) and its end (the last
parts' numbers not known), measured rather than guessed from a timeline."""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable

log = logging.getLogger("reportc")


class Clock:
    """When each worker had work (wall time, from a task sent to its reply), to tell how
    long the workers waited for it between the first task sent and the last reply: at the
    start for the parts' HTML, at the end for the last parts' numbers; and what each
    worker said it used when stopped (peak memory, CPU time)."""

    def __init__(self, sent: Callable[[], None] | None = None) -> None:
        self._on_sent = sent  # told of each task sent (the first lets the build go on)
        self._start: float | None = None  # the first task sent
        self._end = 0.0  # the last reply
        self._sent: dict[int, float] = {}
        self._busy: dict[int, float] = {}
        self._used: list[tuple[int, float]] = []  # (peak MB, CPU seconds) of each worker

    def sent(self, worker: int) -> None:
        self._sent[worker] = now = time.monotonic()
        self._start = now if self._start is None else self._start
        if self._on_sent is not None:
            self._on_sent()

    def replied(self, worker: int) -> None:
        self._end = time.monotonic()
        self._busy[worker] = self._busy.get(worker, 0.0) + self._end - self._sent.pop(worker)

    def stopped(self, peak: int, seconds: float) -> None:
        self._used.append((peak, seconds))

    def report(self) -> None:
        """Under -v: each worker's peak memory, CPU time and time waiting for work."""
        if not self._used:
            return
        span = self._end - (self._start or 0.0)
        log.debug("reportc: PDF workers' peak memory (MB): %s",
                  ", ".join(str(peak) for peak, _ in self._used))
        log.debug("reportc: PDF workers' CPU time (s): %s; waited for work (s): %s of %.1f",
                  ", ".join(f"{seconds:.1f}" for _, seconds in self._used),
                  ", ".join(f"{span - busy:.1f}" for _, busy in sorted(self._busy.items())),
                  span)


def used() -> tuple[int, float]:
    """This process's peak memory (MB) and CPU time (user + system, s) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime
