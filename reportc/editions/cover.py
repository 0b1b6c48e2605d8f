"""The cover as a picture (``<stem>-cover.png``): the web edition's ``og:image``, which
link previews show. Drawn from the PDF's first page by poppler's ``pdftoppm`` when it is
installed (reportc's CI and release install it); without it there is no picture and the
page names none."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

WIDTH = 1200  # pixels; link previews ask for at least 1200 wide
TIMEOUT = 60


def can_draw_cover() -> bool:
    return shutil.which("pdftoppm") is not None


def draw_cover(pdf: Path, target: Path, page: int = 1) -> bool:
    """Write ``page`` of ``pdf`` (page 1: the cover) as the PNG ``target``; ``False`` if
    that was not possible."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return False
    command = [tool, "-png", "-f", str(page), "-l", str(page), "-singlefile", "-scale-to-x",
               str(WIDTH), "-scale-to-y", "-1", str(pdf), str(target.with_suffix(""))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and target.is_file()


@functools.cache
def cover_tool() -> str:
    """Which pdftoppm draws the cover, and poppler's version (what it prints for ``-v``);
    empty without one. Part of a cached cover's key."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return ""
    try:
        done = subprocess.run([tool, "-v"], capture_output=True, text=True, timeout=TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return f"{tool}:{done.stdout}{done.stderr}"
