"""Watch mode: rebuild on change, serve on 127.0.0.1, report errors, keep running.

Everything here is bounded in time: waits poll with deadlines, the server listens on
127.0.0.1 on a port the system picks, and every watcher is stopped by the test.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, copy_root

from reportc.build import BuildOptions
from reportc.commands.watch import BUILD_ENDPOINT, Watcher
from reportc.editions.theme import DEFAULT_THEME

DEADLINE = 60.0
# Never through a proxy: these requests go to 127.0.0.1 only.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str) -> str:
    with OPENER.open(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _state(base: str) -> dict:
    return json.loads(_get(base.rstrip("/") + BUILD_ENDPOINT))


def _wait_for(what: str, predicate, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    later = time.time() + 2  # a different mtime even on coarse-grained file systems
    os.utime(path, (later, later))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_root("basic", tmp_path)
    shutil.copytree(DEFAULT_THEME, root / "templates")  # a report-local theme to edit
    return root


@pytest.fixture
def watcher(project: Path) -> Iterator[Watcher]:
    watcher = Watcher(BuildOptions(root=project, formats=("html",)), port=0, interval=0.1)
    watcher.start()
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        stop.set()
        thread.join(timeout=DEADLINE)
        watcher.close()
    assert not thread.is_alive(), "the watcher stops when asked"


def _next_build(watcher: Watcher, after: str) -> dict:
    return _wait_for(f"a build after #{after}",
                     lambda: (s := _state(watcher.url))["id"] != after and s)


def test_watch_rebuilds_serves_reloads_and_survives_errors(watcher, project):
    assert watcher.url.startswith("http://127.0.0.1:")
    first = _wait_for("the first build", lambda: (s := _state(watcher.url))["ok"] and s)
    assert first == {"id": "1", "ok": True, "errors": [], "page": "fixture.html"}
    page = _get(watcher.url)  # / redirects to the page
    assert "This fixture summarises" in page
    assert BUILD_ENDPOINT in page and 'var shown = "1";' in page, "live reload script"

    chapter = project / "chapters" / "01-intro.md"
    _edit(chapter, "Advanced technologies shape", "Watched technologies shape")
    second = _next_build(watcher, "1")
    assert second["ok"], second["errors"]
    page = _get(watcher.url + "fixture.html")
    assert "Watched technologies shape" in page and 'var shown = "2";' in page

    _edit(chapter, "[@lee2022, 4]", "[@nobody, 4]")
    broken = _next_build(watcher, second["id"])
    assert not broken["ok"]
    assert "chapters/01-intro.md:3: unknown citation key 'nobody'" in broken["errors"]
    assert "Watched technologies shape" in _get(watcher.url + "fixture.html"), \
        "the last good page is still served while the errors are shown"

    _edit(chapter, "[@nobody, 4]", "[@lee2022, 4]")
    fixed = _next_build(watcher, broken["id"])
    assert fixed["ok"], fixed["errors"]

    _edit(project / "report.yaml", "Cooperation under constraint", "Cooperation, watched")
    config = _next_build(watcher, fixed["id"])
    assert "<title>Cooperation, watched</title>" in _get(watcher.url + "fixture.html")

    _edit(project / "references.bib", "Deepen Technological Ties", "Deepen Watched Ties")
    bib = _next_build(watcher, config["id"])
    assert "Deepen Watched Ties" in _get(watcher.url + "fixture.html")

    _edit(project / "templates" / "css" / "screen.css", "/* reportc default theme",
          ".watched { color: red; }\n/* reportc default theme")
    theme = _next_build(watcher, bib["id"])
    assert theme["ok"]
    assert ".watched { color: red; }" in _get(watcher.url + "assets/css/screen.css")


def test_watched_files_cover_config_chapters_bibliography_templates_and_images(project):
    watcher = Watcher(BuildOptions(root=project, formats=("html",)), port=0)
    try:
        names = {p.relative_to(project).as_posix() for p in watcher.watched_files()
                 if p.is_relative_to(project)}
    finally:
        watcher.close()
    assert {"report.yaml", "references.bib", "chapters/01-intro.md", "figures/bars.svg",
            "templates/report.html.j2", "templates/css/print.css"} <= names
    assert not any(name.startswith("out/") for name in names)


def test_a_broken_first_build_shows_the_errors_at_the_root(tmp_path):
    project = copy_root("basic", tmp_path)
    _edit(project / "chapters" / "02-defence.md", "@sec-intro", "@sec-nowhere")
    watcher = Watcher(BuildOptions(root=project, formats=("html",)), port=0, interval=0.1)
    watcher.start()
    try:
        state = watcher.rebuild()
        assert not state.ok and state.page == ""
        page = _get(watcher.url)
        assert "no successful build yet" in page
        assert "unknown cross-reference &#x27;@sec-nowhere&#x27;" in page
    finally:
        watcher.close()


def test_normal_builds_carry_no_reload_script(basic):
    html = basic.html_path.read_text(encoding="utf-8")
    assert BUILD_ENDPOINT not in html


def test_cli_watch_serves_on_localhost_and_stops_on_ctrl_c(tmp_path):
    project = copy_root("basic", tmp_path)
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), str(project),
                                "--watch", "--port", "0"], stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr],
                              daemon=True)
    reader.start()
    try:
        def serving() -> str | None:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                return None
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            return match.group(1) if match else None

        url = _wait_for("the serving line", serving)
        state = _wait_for("the first build", lambda: (s := _state(url))["ok"] and s)
        assert state["page"] == "fixture.html"
        assert (project / "out" / "fixture.html").is_file()
        assert not (project / "out" / "fixture.pdf").exists(), "watch builds HTML by default"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=DEADLINE)


def test_watched_files_are_what_a_quarto_book_build_reads(tmp_path):
    """A Quarto book keeps its chapters outside chapters/ (index.qmd, appendix/), its
    settings in _quarto.yml, its bibliography in two files, an included file and frozen
    results: an edit to any of them rebuilds."""
    project = copy_root("quarto-book", tmp_path)
    watcher = Watcher(BuildOptions(root=project, formats=("html",)), port=0)
    try:
        names = {p.relative_to(project).as_posix() for p in watcher.watched_files()
                 if p.is_relative_to(project)}
        watcher.read = None
        (project / "appendix/extra.qmd").write_text("# Extra\n\nMore.\n", encoding="utf-8")
        _edit(project / "_quarto.yml", "    - appendix/methods.qmd",
              "    - appendix/methods.qmd\n    - appendix/extra.qmd")
        listed = {p.relative_to(project).as_posix() for p in watcher.watched_files()
                  if p.is_relative_to(project)}
    finally:
        watcher.close()
    assert {"_quarto.yml", "index.qmd", "chapters/survey.qmd", "chapters/gauges.qmd",
            "references.qmd", "appendix/methods.qmd", "book.bib", "packages.json",
            "_acknowledgements.qmd", "_freeze/chapters/gauges/execute-results/html.json"} <= names
    assert "appendix/extra.qmd" not in names and "appendix/extra.qmd" in listed
