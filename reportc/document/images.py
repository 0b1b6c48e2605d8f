"""Figures as authors keep them: a file named without its extension, a path relative to
the chapter's own folder, and PDF figures (what R, matplotlib and LaTeX export).

pandoc and LaTeX find ``![](fig/x)`` as ``fig/x.pdf``, ``fig/x.png``, ...; a Quarto book
writes image paths relative to the chapter file. A PDF figure is drawn as vector graphics
in every edition: poppler's ``pdftocairo -svg`` turns its first page into SVG, kept in
the build cache by the PDF's bytes, and the image becomes that SVG (a ``data:`` URL, so
no file outside the report is ever read into an output).
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from pathlib import Path

from reportc.cache import BuildCache, digest
from reportc.errors import Diagnostics
from reportc.paths import inside

# the order LaTeX (graphicx with pdfLaTeX) and pandoc try extensions in
EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp")
PDF_TIMEOUT = 60  # seconds for one figure


def find_image(root: Path, chapter: Path, source: str) -> Path | None:
    """The file an image path names: from the report directory, else from the chapter's
    folder, each as written or with the first extension that exists; ``None`` if none."""
    for base in dict.fromkeys((root, chapter.parent)):
        path = (base / source).resolve()
        if not inside(path, root):
            continue
        if path.is_file():
            return path
        if not path.suffix or path.suffix.lower() not in (*EXTENSIONS, ".tif", ".tiff"):
            for suffix in EXTENSIONS:
                candidate = path.with_name(path.name + suffix)
                if candidate.is_file():
                    return candidate
    return None


def pdf_figure(path: Path, rel: str, line: int | None, diag: Diagnostics,
               cache: BuildCache | None) -> str | None:
    """The PDF figure's first page as an SVG ``data:`` URL (``None``: reported)."""
    data = path.read_bytes()
    key = digest("pdf-figure", data)
    svg = cache.get_bytes("pdf-figure", key) if cache else None
    if svg is None:
        svg = _convert(data, path.name, rel, line, diag)
        if svg is None:
            return None
        if cache:
            cache.put_bytes("pdf-figure", key, svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _convert(data: bytes, name: str, rel: str, line: int | None,
             diag: Diagnostics) -> bytes | None:
    """pdftocairo's SVG of the first page of ``data``."""
    with tempfile.TemporaryDirectory(prefix="reportc-pdf-") as folder:
        source, target = Path(folder) / "figure.pdf", Path(folder) / "figure.svg"
        source.write_bytes(data)
        try:
            subprocess.run(["pdftocairo", "-svg", "-f", "1", "-l", "1", str(source),
                            str(target)], check=True, capture_output=True,
                           timeout=PDF_TIMEOUT)
        except FileNotFoundError:
            diag.error(f"image '{name}' is a PDF figure and pdftocairo (poppler-utils) is not "
                       "installed to draw it", rel, line)
            return None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            reason = detail.decode("utf-8", "replace").strip().split("\n")[0] or str(exc)
            diag.error(f"image '{name}' is a PDF that cannot be drawn: {reason}", rel, line)
            return None
        return target.read_bytes()
