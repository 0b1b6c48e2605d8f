"""The web edition's fonts made in the background, at the lowest priority, while the build
goes on: the PDF is laid out meanwhile.

Making the eight WOFF2 subsets of a clean build takes about 0.9 s of CPU (Brotli, and
fontTools' glyph transform). Made before the PDF's layout, as they were, they delayed it by
half that on two cores; made beside it at the same priority they would slow its workers as
much. At nice 19 they take only the CPU time the build's other processes leave: the gaps
while the workers wait for page numbers, the merge and the cover picture at the end.

When the build asks for the fonts (:meth:`FontsInBackground.result`), the processes still
working are brought back to normal priority and waited for; where this user may not lower
a nice value, they are stopped instead and what they had not made is made then, at normal
priority: on a loaded machine (where nice 19 gets almost nothing) that costs at most the
font each was making. The bytes are :func:`~reportc.web.fonts.subset_font`'s either way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

from reportc.web.fonts import WebFonts, subset_font

LOWEST_PRIORITY = 19  # nice value of the background processes


class FontsInBackground:
    """The fonts :class:`WebFonts` still has to make, made by ``jobs`` forked processes
    (one per core: each takes the next font not taken) into a scratch folder."""

    def __init__(self, fonts: WebFonts, jobs: int) -> None:
        self._fonts = fonts
        self._missing = fonts.missing
        self._folder: Path | None = None
        self._pids: list[int] = []
        if self._missing:
            self._folder = Path(tempfile.mkdtemp(prefix="reportc-fonts-"))
            for first in range(min(jobs, len(self._missing))):
                self._pids.append(self._fork(first))

    def _fork(self, first: int) -> int:
        """A process making the missing fonts from the ``first`` one on, then the others."""
        assert self._folder is not None
        order = self._missing[first:] + self._missing[:first]
        pid = os.fork()
        if pid == 0:  # the child: it never returns into the build
            try:
                _make(self._folder, [(n, self._fonts.fonts[n]) for n in order],
                      self._fonts.points)
            finally:
                os._exit(0)
        return pid

    def result(self, jobs: int) -> list[bytes]:
        """Every font: those made in the background (the processes brought back to normal
        priority and waited for, if this process may; else stopped), the rest made now."""
        self._stop(kill=not self._hurry())
        found = {}
        for n in self._missing:
            path = self._folder / f"{n}.woff2" if self._folder else None
            if path is not None and path.is_file():
                found[n] = path.read_bytes()
        self.close()
        return self._fonts.complete(found, jobs)

    def _hurry(self) -> bool:
        """Back to the build's own priority (a user without the right to lower a nice value
        cannot: then False)."""
        own = os.getpriority(os.PRIO_PROCESS, 0)
        for pid in self._pids:
            try:
                os.setpriority(os.PRIO_PROCESS, pid, own)
            except ProcessLookupError:
                continue  # done already
            except PermissionError:
                return False
        return True

    def _stop(self, kill: bool = True) -> None:
        """Wait for the background processes to end (``kill``: end them now)."""
        for pid in self._pids:
            if kill:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self._pids = []

    def close(self) -> None:
        """Stop the processes and remove the scratch folder (safe to call twice)."""
        self._stop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _make(folder: Path, fonts: list[tuple[int, Path]], points: list[int]) -> None:
    """In a background process: each font no other process has taken, written to
    ``folder/N.woff2`` whole (renamed into place) or not at all. A font that cannot be
    made is left to the build, which reports it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # no pipe of the build's helpers kept open
    os.nice(LOWEST_PRIORITY)
    for n, font in fonts:
        try:
            os.close(os.open(folder / f"{n}.taken", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        try:
            data = subset_font(font, points)
        except Exception:  # made again in the build, which reports it
            return
        part = folder / f"{n}.part"
        part.write_bytes(data)
        os.replace(part, folder / f"{n}.woff2")
