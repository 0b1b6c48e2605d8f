"""The renderer: Vega-Lite drawn to SVG (and PNG for Word) by ``vl-convert-python``.

vl-convert runs Vega-Lite in an embedded JavaScript engine; its first drawing in a process
costs over a second (the engine starts), later ones tens of milliseconds. The build starts
it in a thread as soon as it knows the report has charts (:func:`start_engine`), so the
start-up overlaps reading the bibliography and the chapters, and draws every chart with
that one engine. Nothing is fetched: the specs reach the engine with their data inlined
and ``allowed_base_urls=[]`` refuses any address left over.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

VL_VERSION = "6.4"  # the Vega-Lite version specs are read as (pinned: same bytes)
PRINT_PPI = 300  # the Word edition's charts
CSS_PPI = 96  # a Vega-Lite pixel is a CSS pixel
_WARM_SPEC = {"data": {"values": [{"a": 1}]}, "mark": "point",
              "encoding": {"x": {"field": "a", "type": "quantitative"}}}


class RendererError(Exception):
    """The renderer refused a spec; ``str()`` is its own message, first line."""


class ChartEngine:
    """One renderer per build, started in a thread (fonts registered first)."""

    def __init__(self, font_folders: list[Path]):
        self._fonts = [str(folder) for folder in font_folders if folder.is_dir()]
        self._failure: str | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._start, name="reportc-charts",
                                        daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            import vl_convert as vlc

            for folder in self._fonts:
                vlc.register_font_directory(folder)
            vlc.vegalite_to_svg(_WARM_SPEC, vl_version=VL_VERSION, allowed_base_urls=[])
        except Exception as exc:  # reported when a chart is drawn
            self._failure = f"{exc.__class__.__name__}: {exc}"
        finally:
            self._ready.set()

    def _wait(self) -> Any:
        self._ready.wait()
        if self._failure:
            raise RendererError(f"the chart renderer (vl-convert-python) could not start: "
                                f"{self._failure}")
        import vl_convert as vlc

        return vlc

    def svg(self, spec: dict[str, Any], config: dict[str, Any]) -> str:
        """The spec drawn as SVG with live text; :class:`RendererError` if refused."""
        vlc = self._wait()
        with self._lock:
            try:
                return str(vlc.vegalite_to_svg(spec, vl_version=VL_VERSION, config=config,
                                               allowed_base_urls=[]))
            except Exception as exc:  # vl-convert raises ValueError with the JS message
                raise RendererError(renderer_message(str(exc))) from exc

    def png(self, svg: str) -> bytes:
        """An SVG at print resolution, for the Word edition."""
        vlc = self._wait()
        with self._lock:
            # resvg scales by ppi/72 as well: 72/96 makes a CSS pixel 300/96 PNG pixels
            return bytes(vlc.svg_to_png(svg, scale=72 / CSS_PPI, ppi=PRINT_PPI))


def renderer_message(text: str) -> str:
    """The JavaScript error's own words: "Invalid field type ..." (no stack, no prefix)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("at ")
             and not line.endswith("conversion failed:")]
    message = lines[0] if lines else text.strip()
    for prefix in ("Error: ", "TypeError: ", "SyntaxError: ", "ReferenceError: "):
        message = message.removeprefix(prefix)
    return message


@functools.cache
def renderer_version() -> str:
    """vl-convert's version and the Vega-Lite version it draws with: in every cache key."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"vl-convert-python={version('vl-convert-python')};vega-lite={VL_VERSION}"
    except PackageNotFoundError:
        return f"vl-convert-python=-;vega-lite={VL_VERSION}"


_engine: ChartEngine | None = None
_engine_lock = threading.Lock()


def start_engine(font_folders: list[Path]) -> ChartEngine:
    """The process's renderer, started on first use (a watch session keeps it)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = ChartEngine(font_folders)
        return _engine


def current_engine() -> ChartEngine | None:
    """The renderer this process started, if a report had charts (the Word edition's PNGs)."""
    return _engine
