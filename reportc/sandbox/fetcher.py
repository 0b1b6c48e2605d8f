"""What WeasyPrint may load: ``data:`` URLs and regular files under allowed folders.

WeasyPrint's default fetcher embeds any readable file (``file:///dev/zero``
reads until memory runs out) and fetches remote URLs, so a chapter could pull a
file of the build machine into a release. Everything a layout loads (images,
stylesheets, ``@import``, fonts, SVG ``<image>``, PDF attachments) goes through
:class:`SandboxFetcher` instead, which refuses anything else and remembers why.

A refusal is reported with the place it came from (:func:`locate`): the chapter
line that names the URL, or the chapter line that includes the SVG or
stylesheet that names it.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reportc.paths import relative
from reportc.sandbox.policy import Refusal, decode_data_url, file_refusal, shorten

MAX_RESOURCE_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
_SCANNED_SUFFIXES = (".svg", ".css")
_MAX_SCANNED_BYTES = 2 * 1024 * 1024
_DATA_URL = re.compile(r"data:[\w.+/-]*(?:;[\w=.+-]+)*,[^\s)\"'>]+")


class Refused(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SandboxFetcher(URLFetcher):
    """Serves ``data:`` URLs and regular files under the allowed folders; refuses the rest."""

    def __init__(self, allowed: list[Path], *, max_bytes: int = MAX_RESOURCE_BYTES,
                 max_total: int = MAX_TOTAL_BYTES):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
        self.allowed = [path.resolve() for path in allowed]
        self.max_bytes = max_bytes
        self.max_total = max_total
        self.served_bytes = 0
        self.refused: list[Refusal] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        try:
            path, body = self._read_allowed(url)
        except Refused as refusal:
            self.refused.append(Refusal(url, refusal.reason))
            raise ValueError(f"refused to load {shorten(url)}: {refusal.reason}") from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def check(self, url: str) -> str | None:
        """Why ``url`` would be refused, or ``None`` if it may be loaded (reads nothing)."""
        if url[:5].lower() == "data:":
            return None
        try:
            self._allowed_path(url)
        except Refused as refusal:
            return refusal.reason
        return None

    def located_refusals(self, report_root: Path) -> list[Refusal]:
        """The refusals so far, each with the chapter line (or file) it came from."""
        located = []
        for refusal in self.refused:
            where = locate(refusal.url, report_root, self.allowed)
            located.append(Refusal(refusal.url, refusal.reason, *where))
        return located

    def _allowed_path(self, url: str) -> Path:
        path, reason = file_refusal(url, self.allowed)
        if reason or path is None:
            raise Refused(reason or "refused")
        if path.stat().st_size > self.max_bytes:
            raise Refused(f"larger than the {self.max_bytes // 2**20} MB limit per file")
        return path

    def _read_allowed(self, url: str) -> tuple[Path, bytes]:
        path = self._allowed_path(url)
        # O_NONBLOCK: a file swapped for a FIFO after the check must not hang the build.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            raise Refused(f"cannot be read ({exc.strerror})") from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise Refused("not a regular file")
            body = handle.read(self.max_bytes + 1)
        if len(body) > self.max_bytes:
            raise Refused(f"larger than the {self.max_bytes // 2**20} MB limit per file")
        self.served_bytes += len(body)
        if self.served_bytes > self.max_total:
            raise Refused(f"the report's resources exceed {self.max_total // 2**20} MB in total")
        return path, body


# --- where did a URL come from? -----------------------------------------------------------

def locate(url: str, root: Path, allowed: list[Path] | None = None) -> tuple[str | None,
                                                                               int | None]:
    """The ``(path, line)`` of the reference to ``url``: a chapter line if one can be found.

    Looks for the URL (as written, decoded, or as a path relative to the report) in
    the chapters and the ``data:`` URLs they embed; then in the SVG and CSS files of
    the report and theme, following a file that names it back to the chapter line
    that uses that file (through at most three files). Best effort: ``(None, None)``
    when nothing names the URL.
    """
    root = root.resolve()
    chapters = {path: _read_text(path) for path in sorted((root / "chapters").glob("*.md"))}
    scanned = {path: _read_text(path) for folder in dict.fromkeys([root, *(allowed or [])])
               for path in _scannable_files(folder)}
    needles = _needles(url, root)
    fallback: tuple[str | None, int | None] = (None, None)
    seen: set[Path] = set()
    for _ in range(4):
        if (found := _in_chapters(needles, chapters, root)) is not None:
            return found
        holder = next((path for path, text in scanned.items()
                       if path not in seen and any(n in text for n in needles)), None)
        if holder is None:
            break
        seen.add(holder)
        if fallback == (None, None):
            text = scanned[holder]
            fallback = (_rel(holder, root),
                        next(_line_of(text, n) for n in needles if n in text))
        needles = [*_needles(holder.as_uri(), root), holder.name]
    return fallback


def _in_chapters(needles: list[str], chapters: dict[Path, str],
                 root: Path) -> tuple[str, int] | None:
    for needle in needles:
        for path, text in chapters.items():
            if (line := _line_of(text, needle)) is not None:
                return _rel(path, root), line
    for path, text in chapters.items():
        for match in _DATA_URL.finditer(text):
            decoded = decode_data_url(match.group(0))
            if any(needle in decoded for needle in needles):
                return _rel(path, root), text.count("\n", 0, match.start()) + 1
    return None


def _needles(url: str, root: Path) -> list[str]:
    needles = [url, unquote(url)]
    parsed = urlparse(url)
    if parsed.scheme.lower() == "file":
        path = Path(unquote(parsed.path))
        needles.append(str(path))
        relative = os.path.relpath(path, root)
        needles.append(relative)
        if relative.startswith("chapters/"):
            needles.append(relative.removeprefix("chapters/"))
    return [n for n in dict.fromkeys(needles) if len(n) > 2]


def _scannable_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if path.suffix.lower() not in _SCANNED_SUFFIXES or any(p.startswith(".") for p in
                                                                relative) or relative[0] == "out":
            continue
        if path.is_file() and not path.is_symlink() and \
                path.stat().st_size <= _MAX_SCANNED_BYTES:
            found.append(path)
    return found




def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def _rel(path: Path, root: Path) -> str:
    return relative(path, root)
