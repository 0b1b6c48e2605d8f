"""Run one command; write its wall time, CPU time and peak memory as JSON: ``measure.py OUT CMD``.

Each measured command gets its own wrapper process because ``RUSAGE_CHILDREN`` only ever
grows: read in the long-lived benchmark process it would report the largest child of the
whole session, not of this command. Here the wrapper's children are exactly the command's
process tree (every descendant its parent waited for), so ``ru_maxrss`` is the peak RSS of
the largest single process in that tree (not the sum of processes running at once).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: measure.py OUT.json COMMAND [ARG...]", file=sys.stderr)
        return 2
    result, command = Path(argv[0]), argv[1:]
    started = time.perf_counter()
    code = subprocess.call(command)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime  # every process of the tree: load-independent
    result.write_text(json.dumps({"seconds": seconds, "peak_mb": peak_kib / 1024,
                                  "cpu_seconds": cpu, "returncode": code}), encoding="utf-8")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
