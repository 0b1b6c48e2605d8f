"""The renderer: Vega-Lite drawn to SVG (and PNG for Word) by ``vl-convert-python``.

vl-convert runs Vega-Lite in an embedded JavaScript engine; its first drawing in a process
costs over a second (the engine starts), later ones tens of milliseconds, and it holds
Python's global interpreter lock while it works. So it runs in a process of its own
(:mod:`reportc.charts.worker`), started as soon as the build knows the report has charts
and its cache holds none (a clean build), else at the first chart not in the cache: the
start-up overlaps reading the chapters on the other core, and every chart of the build
(of a watch session) is drawn by that one engine. Nothing is fetched: the specs reach
the engine with their data inlined and ``allowed_base_urls=[]`` refuses any address left
over.
"""

from __future__ import annotations

import atexit
import base64
import functools
import json
import logging
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from reportc.charts.early import VL_VERSION, start, worker_command

log = logging.getLogger("reportc")
PRINT_PPI = 300  # the Word edition's charts
CSS_PPI = 96  # a Vega-Lite pixel is a CSS pixel


class RendererError(Exception):
    """The renderer refused a spec; ``str()`` is its own message, first line."""


class ChartEngine:
    """The renderer's process, started at once; requests wait for it to be ready."""

    def __init__(self, font_folders: list[Path]):
        self._fonts = [str(folder) for folder in font_folders if folder.is_dir()]
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._ready: bool | None = None
        self._failure = ""
        self._waiter: ThreadPoolExecutor | None = None
        self._guesses: dict[str, Future[str]] = {}  # drawings asked for before pandoc read
        self._guessing: threading.Thread | None = None

    def start(self) -> None:
        """Start the renderer's process now (else at the first drawing)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._process is None:
            self._process = _adopted(self._fonts) or start(worker_command(self._fonts))

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request and its answer (the first call also reads the start-up's)."""
        with self._lock:
            self._start()
            streams = self._streams()
            if self._ready is None:
                hello = self._read(streams[1])
                self._ready = bool(hello.get("ready"))
                self._failure = str(hello.get("error", ""))
            if not self._ready:
                raise RendererError("the chart renderer (vl-convert-python) could not start: "
                                    + (self._failure or "it exited"))
            streams[0].write(json.dumps(request) + "\n")
            streams[0].flush()
            return self._read(streams[1])

    def _streams(self) -> tuple[IO[str], IO[str]]:
        assert self._process is not None  # started by _ask
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None  # both are pipes
        return stdin, stdout

    def _read(self, stdout: IO[str]) -> dict[str, Any]:
        line = stdout.readline()
        if not line:
            self._ready = False
            return {"error": self._failure or "the renderer's process exited"}
        answer = json.loads(line)
        return answer if isinstance(answer, dict) else {"error": "unreadable answer"}

    def svg(self, spec: dict[str, Any], config: dict[str, Any]) -> str:
        """The spec drawn as SVG with live text; :class:`RendererError` if refused."""
        answer = self._ask({"op": "svg", "spec": spec, "config": config,
                            "version": VL_VERSION})
        if "svg" not in answer:
            raise RendererError(renderer_message(str(answer.get("error", ""))))
        return str(answer["svg"])

    def submit(self, spec: dict[str, Any], config: dict[str, Any]) -> Future[str]:
        """:meth:`svg` in the background: one thread waits on the renderer (it releases the
        interpreter lock while it waits), the build goes on. A drawing :meth:`guess` asked
        for with the same spec and config is that drawing."""
        if self._guessing is not None:
            self._guessing.join()
            self._guessing = None
        guessed = self._guesses.pop(_request_key(spec, config), None)
        return guessed if guessed is not None else self._submit(spec, config)

    def _submit(self, spec: dict[str, Any], config: dict[str, Any]) -> Future[str]:
        if self._waiter is None:
            self._waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
        return self._waiter.submit(self.svg, spec, config)

    def guess(self, charts: Callable[[], Iterator[tuple[dict[str, Any], dict[str, Any]]]]
              ) -> None:
        """Send the drawings ``charts`` yields (spec, config) in a thread of their own, now:
        the charts a chapter's text seems to hold, drawn while pandoc reads it. A guess
        that fails is no drawing; :meth:`submit` takes those it asks for again."""
        self.forget_guesses()

        def send() -> None:
            try:
                for spec, config in charts():
                    key = _request_key(spec, config)
                    if key not in self._guesses:
                        self._guesses[key] = self._submit(spec, config)
            except Exception:  # a guess never fails the build
                log.debug("charts: a guess failed", exc_info=True)

        self._guessing = threading.Thread(target=send, name="reportc-chart-guess", daemon=True)
        self._guessing.start()

    def forget_guesses(self) -> None:
        """Drop the drawings guessed but not asked for (those not begun are not drawn)."""
        if self._guessing is not None:
            self._guessing.join()
            self._guessing = None
        for future in self._guesses.values():
            future.cancel()
        self._guesses = {}

    def png(self, svg: str) -> bytes:
        """An SVG at print resolution, for the Word edition (resvg scales by ppi/72 as
        well: 72/96 makes a CSS pixel 300/96 PNG pixels)."""
        answer = self._ask({"op": "png", "svg": svg, "scale": 72 / CSS_PPI, "ppi": PRINT_PPI})
        if "png" not in answer:
            raise RendererError(renderer_message(str(answer.get("error", ""))))
        return base64.b64decode(answer["png"])

    def close(self) -> None:
        """End the renderer's process (its input closes; it exits)."""
        if self._process is None:
            return
        stdin = self._process.stdin
        if stdin is not None and not stdin.closed:
            stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _request_key(spec: dict[str, Any], config: dict[str, Any]) -> str:
    return json.dumps([spec, config], sort_keys=True)


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
_early: tuple[subprocess.Popen[str], list[str]] | None = None


def adopted() -> bool:
    """Is a renderer started before reportc was imported waiting to be taken?"""
    return _early is not None


def adopt(early: tuple[subprocess.Popen[str], list[str]] | None) -> None:
    """A renderer's process started before reportc was imported, with its font folders
    (:mod:`reportc.charts.early`): the engine's if the fonts are the report's."""
    global _early
    _early = early


def _adopted(fonts: list[str]) -> subprocess.Popen[str] | None:
    """The early process if it draws with ``fonts`` (else it is ended: its input closes)."""
    global _early
    early, _early = _early, None
    if early is None:
        return None
    process, early_fonts = early
    if early_fonts == fonts and process.poll() is None:
        return process
    if process.stdin is not None:
        process.stdin.close()
    return None


def start_engine(font_folders: list[Path]) -> ChartEngine:
    """The process's renderer (a watch session keeps it; it ends when this process does).
    Its process starts with :meth:`ChartEngine.start` or the first drawing."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = ChartEngine(font_folders)
            atexit.register(_engine.close)
        return _engine


def current_engine() -> ChartEngine | None:
    """The renderer this process started, if a report had charts (the Word edition's PNGs)."""
    return _engine
