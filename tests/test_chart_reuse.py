"""The per-chapter cache with charts (#25): a chapter whose charts are figures drawn between
reading and numbering is taken whole after an edit elsewhere, its drawings recalled from the
cache, when each chart's spec and data give the drawing's key they gave; a chart whose spec
file or data changed, or a chapter whose counts moved, makes the chapter anew and draws it.
Either way the build writes and warns what a build without the cache does."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Built, build_root, copy_root

import reportc.charts.engine
import reportc.document.reuse
import reportc.errors
from reportc.charts.figures import Drawings

FORMATS = ("html", "docx")
CHARTS = "chapters/01-harbours.md"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The charts fixture with a second chapter that refers to a chart, built once (HTML
    and Word: Word's pictures are the figures' own, not the page's) with the cache."""
    root = copy_root("charts", tmp_path_factory.mktemp("chart-reuse"))
    (root / "chapters/02-notes.md").write_text(
        "# Notes\n\nThe ports are compared in @fig-tonnage.\n", encoding="utf-8")
    build_root(root, formats=FORMATS)
    return root


def _copy(base: Path, tmp_path: Path) -> Path:
    """A private copy of the base build, its out/ and cache included."""
    return Path(shutil.copytree(base, tmp_path / "charts", symlinks=True))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The chapters taken whole, whose charts were drawn (made figures) and the specs the
    renderer was asked to draw, from now on."""
    calls: dict[str, list[str]] = {"taken": [], "drawn": [], "rendered": []}

    def spy(name: str, real: Callable[..., object], what: Callable[..., str]
            ) -> Callable[..., object]:
        def recorded(*args: object, **kwargs: object) -> object:
            calls[name].append(what(*args))
            return real(*args, **kwargs)
        return recorded

    monkeypatch.setattr(reportc.document.reuse.Reuse, "load", spy(
        "taken", reportc.document.reuse.Reuse.load, lambda self, chapter, trace: chapter.rel))
    monkeypatch.setattr(Drawings, "draw", spy(
        "drawn", Drawings.draw, lambda self, doc, diag: doc.rel))
    monkeypatch.setattr(reportc.charts.engine.ChartEngine, "svg", spy(
        "rendered", reportc.charts.engine.ChartEngine.svg,
        lambda self, spec, config: str(spec.get("mark"))))
    return calls


def _as_without_cache(built: Built, tmp_path: Path) -> None:
    """The build wrote and warned what a build without the cache does."""
    clean = build_root(built.root, out=tmp_path / "clean", use_cache=False, formats=FORMATS)
    assert built.html_path.read_bytes() == clean.html_path.read_bytes()
    docx = f"{built.slug}.docx"
    assert (built.out / docx).read_bytes() == (clean.out / docx).read_bytes()
    assert sorted(built.warnings) == sorted(clean.warnings)


def test_an_edit_takes_the_chapter_with_charts_whole(base: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(base, tmp_path)
    _replace(root / "chapters/02-notes.md", "are compared", "are set side by side")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=FORMATS)
    assert calls["taken"] == [CHARTS]
    assert calls["drawn"] == ["chapters/02-notes.md"]
    assert calls["rendered"] == []
    assert any("chart has no alt text" in warning for warning in built.warnings)  # said again
    monkeypatch.undo()
    _as_without_cache(built, tmp_path)


def test_a_changed_spec_file_draws_its_chapter_anew(base: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The chapter's text is unchanged, but a spec file it names is not: its record's
    drawing would be the old one."""
    root = _copy(base, tmp_path)
    _replace(root / "charts/depths.vl.yaml", "Depth", "Depth below datum")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=FORMATS)
    assert CHARTS in calls["drawn"]
    assert len(calls["rendered"]) == 1
    monkeypatch.undo()
    assert "Depth below datum" in built.html_path.read_text(encoding="utf-8")
    _as_without_cache(built, tmp_path)


def test_changed_data_draws_its_chapter_anew(base: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(base, tmp_path)
    _replace(root / "data/tonnage.csv", "2021,South,111", "2021,South,140")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=FORMATS)
    assert CHARTS in calls["drawn"]
    assert len(calls["rendered"]) == 1
    monkeypatch.undo()
    _as_without_cache(built, tmp_path)


def test_a_chapter_with_charts_whose_counts_moved_is_drawn_again(
        base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure added in a chapter before it: the charts' chapter starts from other counts,
    so it is made anew from its read AST, and its charts must be figures again before it
    is numbered (silently: their warnings were said when it was taken)."""
    root = _copy(base, tmp_path)
    (root / "chapters/00-before.md").write_text(
        "# Before\n\n```{.chart #fig-first fig-cap=\"First.\" fig-alt=\"Two bars.\"}\n"
        "{\"data\": {\"values\": [{\"a\": \"x\", \"b\": 1}, {\"a\": \"y\", \"b\": 2}]},\n"
        " \"mark\": \"bar\", \"encoding\": {\"x\": {\"field\": \"a\", \"type\": \"nominal\"},"
        " \"y\": {\"field\": \"b\", \"type\": \"quantitative\"}}}\n```\n", encoding="utf-8")
    calls = _calls(monkeypatch)
    built = build_root(root, formats=FORMATS)
    assert CHARTS in calls["taken"]
    assert calls["drawn"].count(CHARTS) == 1  # drawn again once made anew
    monkeypatch.undo()
    assert "Figure\u00a05" in built.html_path.read_text(encoding="utf-8")  # four before
    _as_without_cache(built, tmp_path)


def test_a_data_file_gone_is_an_error_as_without_the_cache(base: Path, tmp_path: Path
                                                           ) -> None:
    root = _copy(base, tmp_path)
    (root / "data/tonnage.csv").unlink()
    with pytest.raises(reportc.errors.ReportError) as cached:
        build_root(root, formats=FORMATS)
    with pytest.raises(reportc.errors.ReportError) as clean:
        build_root(root, out=tmp_path / "clean", use_cache=False, formats=FORMATS)
    assert str(cached.value) == str(clean.value)
    assert "tonnage.csv" in str(cached.value)
