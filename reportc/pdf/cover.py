"""The cover picture (:mod:`reportc.editions.cover`) drawn while the PDF's parts are merged:
from the first part's own PDF, whose first page is the cover, as soon as every part is
drawn (:attr:`reportc.pdf.job.PdfJob.first_part`), instead of from the merged PDF after.
pdftoppm then works on the other core during the merge (0.15 s of CPU each on the
flagship), and reads a PDF of a few pages. The picture is the same: the merge copies the
page as it is (a test compares the two)."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from reportc.cache import BuildCache, digest
from reportc.editions.cover import can_draw_cover, cover_tool, draw_cover
from reportc.pdf.merged import PartPages

KIND = "cover"  # its cache kind


def cover_key(first_part: object) -> str:
    """The cover's cache key: the first part's exact key (page 1 is that part's) and the
    pdftoppm that draws it; empty without either."""
    tool = cover_tool()
    return digest(first_part, tool) if isinstance(first_part, str) and tool else ""


class EarlyCover:
    """The cover drawn in a thread from the first part's pages (:meth:`begin`), taken by
    :meth:`take` once the PDF is written."""

    def __init__(self, cache: BuildCache) -> None:
        self._cache = cache
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._thread: threading.Thread | None = None
        self._key = ""
        self._drawn = False

    def begin(self, part_key: str, pages: PartPages) -> None:
        """Draw the cover from ``pages`` (the first part's) unless the cache holds it."""
        key = cover_key(part_key)
        if not key or not can_draw_cover() or self._cache.get_bytes(KIND, key) is not None:
            return
        self._folder = tempfile.TemporaryDirectory(prefix="reportc-cover-")
        source = Path(self._folder.name) / "first-part.pdf"
        source.write_bytes(pages.pdf)
        self._key = key
        self._thread = threading.Thread(target=self._draw, args=(source, pages.first + 1),
                                        name="reportc-cover", daemon=True)
        self._thread.start()

    def _draw(self, source: Path, page: int) -> None:
        self._drawn = draw_cover(source, source.with_name("cover.png"), page)

    def take(self, key: str) -> bytes | None:
        """The picture drawn early for the cover ``key``, else ``None`` (then drawn from
        the PDF: the first part was not laid out by parts, or it changed since)."""
        if self._thread is None or self._folder is None:
            return None
        self._thread.join()
        drawn = Path(self._folder.name) / "cover.png"
        picture = drawn.read_bytes() if self._drawn and key == self._key else None
        self.close()
        return picture

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
