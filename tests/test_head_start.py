"""The PDF's head start (#25): its layout processes are forked as soon as the no-change
check has found work, before the chapters are read, and never by a rebuild with nothing
to do."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest
from conftest import build_root, copy_root

import reportc.pdf.workers
from reportc.cache import CACHE_DIR
from reportc.pdf.workers import Zygote


def _record_forks_and_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """"zygote" for each zygote forked, "read" when the build reads its chapters."""
    events: list[str] = []
    real_zygote = Zygote.__init__
    build_module = sys.modules["reportc.build"]
    real_load = build_module.load_chapters

    def zygote(self, *args, **kwargs):
        events.append("zygote")
        real_zygote(self, *args, **kwargs)

    def load(*args, **kwargs):
        events.append("read")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(reportc.pdf.workers.Zygote, "__init__", zygote)
    monkeypatch.setattr(build_module, "load_chapters", load)
    return events


def test_an_edit_forks_the_pdf_zygote_before_reading_the_chapters(tmp_path, monkeypatch):
    """Its warm-up (WeasyPrint imported) then runs while the chapters are read and the
    stages' modules imported; the edit is in the PDF all the same. (Built in its own
    folder: the last build's record names the chapter files by their paths.)"""
    project = copy_root("basic", tmp_path)
    build_root(project)
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe these ties"))
    events = _record_forks_and_reads(monkeypatch)
    built = build_root(project)
    assert events == ["zygote", "read"]
    assert "these ties" in built.html_path.read_text()
    clean = build_root(project, out=tmp_path / "clean", use_cache=False)
    assert built.pdf_path.read_bytes() == clean.pdf_path.read_bytes()


def test_a_rebuild_found_up_to_date_only_after_reading_forks_nothing(tmp_path, monkeypatch):
    """Without the record of what each chapter read in, the first check cannot tell; the
    check after reading finds nothing changed: no zygote was forked for it."""
    project = copy_root("basic", tmp_path)
    build_root(project)
    index = project / "out" / CACHE_DIR / "index.json"
    data = json.loads(index.read_text())
    del data["meta"]["reads"]
    index.write_text(json.dumps(data))
    events = _record_forks_and_reads(monkeypatch)
    result = sys.modules["reportc.build"].build(
        sys.modules["reportc.build"].BuildOptions(root=project))
    assert result.up_to_date
    assert events == ["read"]


def test_a_clean_build_whose_chart_renderer_starts_first_forks_the_zygote_after_reading(
        tmp_path, monkeypatch):
    """The command line's renderer, started before the build, has the other core for its
    own start-up: the PDF's processes wait for the pipeline."""
    import reportc.charts.engine

    project = copy_root("basic", tmp_path)
    events = _record_forks_and_reads(monkeypatch)
    monkeypatch.setattr(reportc.charts.engine, "_early", ("a renderer", []))
    monkeypatch.setattr(reportc.charts.engine, "_adopted", lambda fonts: None)
    build_root(project, formats=("pdf",))
    assert events == ["read", "zygote"]

def _long_warm_up() -> None:
    time.sleep(3)  # waited for, the zygote would end of itself (exit code 0)


def test_a_zygote_never_asked_for_a_worker_is_stopped_during_its_warm_up():
    """A build that failed reading its chapters closes a zygote still warming up: it has
    forked no worker, so it is stopped then, not waited for."""
    zygote = Zygote(_long_warm_up, print, print)
    zygote.close()
    assert zygote._process.exitcode == -signal.SIGKILL


def test_a_build_that_fails_reading_its_chapters_leaves_no_pdf_process(tmp_path: Path,
                                                                     monkeypatch):
    """The zygote and the merge process begun before reading end with the failed build."""
    import multiprocessing

    from reportc.errors import ReportError

    project = copy_root("basic", tmp_path)
    build_root(project)
    (project / "chapters/01-intro.md").write_bytes(b"# Intro\n\nNot UTF-8: \xff\xfe.\n")
    events = _record_forks_and_reads(monkeypatch)
    with pytest.raises(ReportError, match="not valid UTF-8"):
        build_root(project)
    assert events == ["zygote", "read"]
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("reportc")]


def _layout_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name == "reportc-pdf-layout"]


def test_the_pdf_is_laid_out_while_the_web_edition_is_written(tmp_path, monkeypatch):
    """A clean HTML + PDF build sends the PDF's parts to the workers while the web edition
    is written (PdfEdition.begin: here the web edition waits until one is sent, which
    laid out after it, none would be), and writes the bytes of a build that lays the
    PDF out after it (jobs=1: no workers, nothing begun)."""
    import threading

    from reportc.build import BuildOptions, build
    from reportc.pdf.workers import DraftPool
    from reportc.web.html import HtmlEdition

    sent, waited = threading.Event(), []
    real_start, real_write = DraftPool._start, HtmlEdition.write
    monkeypatch.setattr(DraftPool, "_start", lambda self, worker: sent.set()
                        or real_start(self, worker))
    monkeypatch.setattr(HtmlEdition, "write", lambda self, made, folder: waited.append(
        sent.wait(timeout=60)) or real_write(self, made, folder))
    begun = copy_root("basic", tmp_path / "begun")
    build(BuildOptions(root=begun, jobs=2))
    assert waited == [True], "no part was sent while the web edition was written"
    assert not _layout_threads()
    alone = copy_root("basic", tmp_path / "alone")
    build(BuildOptions(root=alone, jobs=1))
    for name in ("fixture.pdf", "fixture.html"):
        assert (begun / "out" / name).read_bytes() == (alone / "out" / name).read_bytes()


def test_a_web_edition_that_fails_stops_the_pdf_laid_out_beside_it(tmp_path, monkeypatch):
    """The web edition failing while the PDF is laid out: the build reports its error,
    the layout stops (no thread, no process left) and no output is written."""
    import multiprocessing

    from reportc.build import BuildOptions, build
    from reportc.errors import ConfigError
    from reportc.web.html import HtmlEdition

    def failing(self, made, folder):
        raise ConfigError("templates/report.html.j2:1: template error: the web's own")

    monkeypatch.setattr(HtmlEdition, "write", failing)
    project = copy_root("basic", tmp_path)
    with pytest.raises(ConfigError, match="the web's own"):
        build(BuildOptions(root=project, jobs=2))
    assert not _layout_threads()
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("reportc")]
    assert not (project / "out" / "fixture.pdf").exists()


def test_a_failure_of_the_pdf_laid_out_in_its_thread_is_the_build_s(tmp_path, monkeypatch):
    """What the PDF's layout raises in its thread is raised by the build, as before."""
    from reportc.build import BuildOptions, build
    from reportc.errors import ToolError

    def failing(*args, **kwargs):
        raise ToolError("PDF layout failed: as this test asks")

    monkeypatch.setattr(sys.modules["reportc.pdf.edition"], "write_pdf", failing)
    project = copy_root("basic", tmp_path)
    with pytest.raises(ToolError, match="as this test asks"):
        build(BuildOptions(root=project, jobs=2))
    assert not _layout_threads()
