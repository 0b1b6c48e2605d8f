"""Watch mode: rebuild on every change and serve the web edition on localhost.

``python build.py --watch`` polls the modification times of what a build reads
(report.yaml, chapters, bibliography, CSL file, templates, referenced images), so
no new dependency is needed. The output folder is served by the standard
library's ``http.server`` on 127.0.0.1 only. Pages built in watch mode carry a
small script (never present in a normal build) that polls ``/__reportc/build``
and reloads the page when a new build is ready; when a build fails, the errors
are printed in the terminal and shown over the last good page, and the watcher
keeps running.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import re
import signal
import sys
import threading
import time
import traceback
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from reportc.build import BuildOptions, build
from reportc.editions.theme import find_theme
from reportc.errors import BuildFailed, Diagnostics, Problem, ReportError
from reportc.project.chapters import load_chapters
from reportc.project.config import CONFIG_NAME, MANUBOT_METADATA, load_config

log = logging.getLogger("reportc")
HOST = "127.0.0.1"
BUILD_ENDPOINT = "/__reportc/build"
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


@dataclasses.dataclass
class BuildState:
    """What the build endpoint reports: the latest build's id and outcome."""

    id: str = "0"
    ok: bool = False
    errors: list[str] = dataclasses.field(default_factory=list)
    page: str = ""  # the HTML file of the last successful build

    def as_json(self) -> bytes:
        return json.dumps(dataclasses.asdict(self)).encode("utf-8")


class Watcher:
    """Builds ``options`` now and after every change; serves ``options.out_dir``."""

    def __init__(self, options: BuildOptions, port: int = 8000, interval: float = 0.5):
        self.options = dataclasses.replace(options, root=options.root.resolve())
        self.interval = interval
        self.state = BuildState()
        self.lock = threading.Lock()
        self.builds = 0
        self.options.out_dir.mkdir(parents=True, exist_ok=True)
        handler = partial(_Handler, self, directory=str(self.options.out_dir))
        self.server = ThreadingHTTPServer((HOST, port), handler)
        self.server.daemon_threads = True
        self._serving: threading.Thread | None = None
        self.read: list[Path] | None = None  # what the build reads (read_files), found anew

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def start(self) -> None:
        """Serve in a background thread (the first build is ``run``'s job)."""
        self._serving = threading.Thread(target=self.server.serve_forever, daemon=True,
                                         name="reportc-watch-server")
        self._serving.start()

    def close(self) -> None:
        if self._serving is not None:  # shutdown() waits for serve_forever() to return
            self.server.shutdown()
            self._serving.join()
            self._serving = None
        self.server.server_close()

    def run(self, stop: threading.Event | None = None) -> None:
        """Build, then rebuild after each change until ``stop`` is set (or Ctrl-C)."""
        stop = stop or threading.Event()
        seen = self.snapshot()
        self.rebuild()
        while not stop.wait(self.interval):
            current = self.snapshot()
            if current == seen:
                continue
            time.sleep(min(self.interval, 0.2))  # let an editor finish writing
            current = self.snapshot()
            changed = sorted(p for p in current.keys() | seen.keys()
                             if current.get(p) != seen.get(p))
            seen = current
            log.info("reportc: changed: %s", ", ".join(_short(p, self.options.root)
                                                       for p in changed[:5]))
            self.rebuild()

    def rebuild(self) -> BuildState:
        """One build; never raises (errors go to the terminal and to the page)."""
        self.builds += 1
        build_id = str(self.builds)
        options = dataclasses.replace(self.options, live_reload=build_id)
        started = time.perf_counter()
        errors: list[str] = []
        page = self.state.page
        try:
            result = build(options)
            page = next((p.name for p in result.outputs if p.suffix == ".html"), page)
        except BuildFailed as failure:
            errors = [str(problem) for problem in failure.problems]
        except ReportError as exc:
            errors = [str(exc)]
        except Exception:  # a bug must not stop the watcher: show it and keep going
            errors = [traceback.format_exc().rstrip()]
        with self.lock:
            self.state = BuildState(build_id, not errors, errors, page)
        self.read = None  # an edit may list, include or cite other files
        if errors:
            for line in errors:
                print(line, file=sys.stderr)
            print(f"reportc: build {build_id} failed with {len(errors)} error(s); "
                  f"still watching, serving the last good build at {self.url}", file=sys.stderr)
        else:
            log.info("reportc: build %s ready in %.1f s at %s%s", build_id,
                     time.perf_counter() - started, self.url, page)
        return self.state

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """(mtime, size) of every file a build reads."""
        files: dict[str, tuple[int, int]] = {}
        for path in self.watched_files():
            try:
                stat = path.stat()
            except OSError:
                continue
            files[str(path)] = (stat.st_mtime_ns, stat.st_size)
        return files

    def watched_files(self) -> list[Path]:
        root = self.options.root
        paths = [p for p in root.iterdir() if p.is_file() and not p.name.startswith(".")]
        try:
            theme = find_theme(root).root
        except ReportError:  # a broken theme: the build reports it; keep watching templates/
            theme = root / "templates"
        trees = [root / "chapters", root / "templates", theme, root / "charts", root / "data",
                 root / "sources", *self.options.source_dirs]  # the evidence check's (#26)
        for tree in trees:
            if tree.is_dir():
                paths += [p for p in tree.rglob("*") if p.is_file()]
        paths += [root / name for name in _config_files(root)]
        for chapter in (root / "chapters").glob("*.md"):
            try:
                text = chapter.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            paths += _images(root, text)
        if self.read is None:  # at the start and after each build: what the build reads
            self.read = read_files(root, self.options.given_files, self.options.profile,
                                   self.options.pandoc_options)
        return sorted(set(paths + self.read))


def read_files(root: Path, document: tuple[str, ...] = (), profile: str | None = None,
               options: tuple[tuple[str, str], ...] = ()) -> list[Path]:
    """The files a build reads outside the folders watched whole, found as the build finds
    them: _quarto.yml, _bookdown.yml, metadata.yaml, the chapters wherever listed (.qmd and
    .Rmd too), the files they include or take frozen results from, every bibliography file,
    the style, the images they name. Nothing if the configuration cannot be read (the build
    says why; report.yaml is watched anyway)."""
    diag = _Quiet()
    try:
        config = load_config(root, diag, document, profile, options)
        chapters = load_chapters(config, diag)
    except ReportError:
        return []
    paths = [root / name for name in [*config.project_files, *MANUBOT_METADATA]]
    paths += [*config.bibliographies, root / config.csl]
    for chapter in chapters:
        paths += [chapter.path, *(root / name for name in chapter.read_in)]
        paths += _images(root, chapter.text)
    return paths


class _Quiet(Diagnostics):
    """Diagnostics that print nothing: the build itself says what is wrong, once."""

    def _add(self, problem: Problem) -> None:
        self.problems.append(problem)


def _images(root: Path, text: str) -> list[Path]:
    return [root / source for source in _IMAGE.findall(text)
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", source)]


def _config_files(root: Path) -> list[str]:
    """The bibliography and CSL files report.yaml names (they may live in subfolders)."""
    try:
        data = yaml.safe_load((root / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):  # the build reports what is wrong
        return []
    if not isinstance(data, dict):
        return []
    return [value for key in ("bibliography", "csl")
            if isinstance(value := data.get(key), str) and "\x00" not in value]


def _short(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


class _Handler(SimpleHTTPRequestHandler):
    """Serves the output folder, the build endpoint, and an error page before any success."""

    def __init__(self, watcher: Watcher, *args: Any, **kwargs: Any) -> None:
        self.watcher = watcher
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.watcher.lock:
            state = self.watcher.state
        if path == BUILD_ENDPOINT:
            self._send(HTTPStatus.OK, "application/json", state.as_json())
        elif path == "/" and state.page:
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/" + state.page)
            self.end_headers()
        elif path == "/":
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", _waiting_page(state))
        else:
            super().do_GET()

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("reportc watch: " + format, *args)


def _waiting_page(state: BuildState) -> bytes:
    """Shown at / until a build succeeds: the errors so far, reloading when fixed."""
    errors = "\n".join(state.errors) or "Building…"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>reportc watch</title></head>
<body style="font-family: sans-serif; margin: 2rem">
<h1>reportc: no successful build yet</h1>
<pre id="reportc-build-errors" role="alert">{html.escape(errors)}</pre>
<script>
(function () {{
  var shown = {json.dumps(state.id)};
  function poll() {{
    fetch("{BUILD_ENDPOINT}", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }})
      .then(function (build) {{
        if (build.id !== shown && build.ok) {{ location.reload(); return; }}
        if (build.id !== shown) {{
          shown = build.id;
          document.getElementById("reportc-build-errors").textContent = build.errors.join("\\n");
        }}
        setTimeout(poll, 700);
      }}, function () {{ setTimeout(poll, 2000); }});
  }}
  setTimeout(poll, 700);
}})();
</script>
</body></html>
""".encode()


def watch(options: BuildOptions, port: int = 8000, interval: float = 0.5) -> int:
    """The ``--watch`` command: serve, build, rebuild on change until Ctrl-C."""
    try:
        watcher = Watcher(options, port, interval)
    except OSError as exc:
        print(f"reportc: cannot serve on {HOST}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    watcher.start()
    print(f"reportc: serving {watcher.url} (watching {watcher.options.root}; Ctrl-C stops)",
          file=sys.stderr, flush=True)
    try:
        watcher.run()
    except KeyboardInterrupt:
        print("reportc: stopped watching", file=sys.stderr)
    finally:
        watcher.close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
