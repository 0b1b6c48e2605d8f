"""The one-chapter edit path (#25): the work an edit skips for the chapters it did not
touch, and the bytes it writes, which are a clean build's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from conftest import Built, build_root, copy_root

import reportc.citing.pieces
import reportc.citing.render
import reportc.document.read
import reportc.editions.page
import reportc.pipeline


def _recording(monkeypatch: pytest.MonkeyPatch, module: object, name: str,
               argument: Callable[..., str]) -> list[str]:
    """Calls of ``module.name`` from now on, each recorded as ``argument(*args)``."""
    calls: list[str] = []
    real = getattr(module, name)

    def recorded(*args: object, **kwargs: object) -> object:
        calls.append(argument(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls


@pytest.fixture
def edited(shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[Built, dict[str, list[str]]]:
    """A copy of the shared basic build, one sentence of its introduction edited and built
    again; with what that build set for print and for the web, checked and measured."""
    project = shared.copy("basic", tmp_path).root
    calls = {
        "print": _recording(monkeypatch, reportc.editions.page, "_print",
                            lambda html, anchor: anchor),
        "web": _recording(monkeypatch, reportc.editions.page, "_web",
                          lambda html, anchor: anchor),
        "checked": _recording(monkeypatch, reportc.citing.render, "check_html",
                              lambda html, where, diag: where),
        "pieces": _recording(monkeypatch, reportc.citing.pieces, "html_problems",
                             lambda html: html),
        "measured": _recording(monkeypatch, reportc.document.read, "load_ast",
                               lambda chapter, text, diag: chapter.rel),
        "compiled": _recording(monkeypatch, jinja2.Environment, "compile",
                               lambda env, source, name=None, *rest: name),
    }
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("describe the ties", "describe these ties"))
    return build_root(project), calls


def test_an_edit_sets_checks_and_measures_only_the_edited_chapter(edited) -> None:
    """Each chapter's print and web HTML, the check of its HTML and of its nesting depth
    are the last build's for the chapters the edit did not touch."""
    _, calls = edited
    assert calls["print"] == ["sec-intro"]
    assert calls["web"] == ["sec-intro"]
    # the edited chapter: checked whole, or only its edited blocks (written alone and
    # spliced into its last HTML, reportc.citing.pieces)
    checked = [where for where in calls["checked"] if where.startswith("chapters/")]
    assert checked == ["chapters/01-intro.md"] or \
        (not checked and any("describe these ties" in piece for piece in calls["pieces"]))
    assert not [piece for piece in calls["pieces"] if "describe the ties" in piece]
    assert calls["measured"] == ["chapters/01-intro.md"]
    assert calls["compiled"] == []  # the theme's templates: compiled by the clean build


def test_an_edit_writes_what_a_clean_build_without_the_cache_writes(edited,
                                                                     tmp_path: Path) -> None:
    rebuilt, _ = edited
    clean = build_root(rebuilt.root, out=tmp_path / "clean", use_cache=False)
    for suffix in (".html", ".pdf"):
        made = (rebuilt.out / f"{rebuilt.slug}{suffix}").read_bytes()
        assert made == (clean.out / f"{clean.slug}{suffix}").read_bytes(), suffix
    assert b"describe these ties" in (rebuilt.out / f"{rebuilt.slug}.html").read_bytes()


def test_a_chapter_with_formulas_is_set_for_print_anew(tmp_path: Path) -> None:
    """The formulas' drawings depend on a library outside the key: such a chapter is set
    each time, and nothing of it is kept."""
    from markupsafe import Markup

    from reportc.cache import BuildCache
    from reportc.editions.page import Part, for_print
    from reportc.errors import Diagnostics

    cache = BuildCache(tmp_path / "cache", Diagnostics())
    plain = Part("a", "chapter", "1", "Chapter 1", "A", "A", [], Markup("<p>Words.</p>"))
    math = Part("b", "chapter", "2", "Chapter 2", "B", "B", [],
                Markup('<p><math display="inline"><mi>x</mi></math></p>'))
    for_print([plain, math], cache)
    assert [key.split(":")[0] for key in cache.entries] == ["print-html"]


def test_the_objects_frozen_for_the_build_are_thawed_after_it(tmp_path: Path):
    """The build freezes what is alive once the chapters are read (their trees, out of
    the collector's passes) and thaws it when it ends; a program that froze objects
    itself keeps them frozen."""
    import gc

    frozen: list[int] = []
    real = reportc.pipeline._freeze

    def freeze() -> None:
        real()
        frozen.append(gc.get_freeze_count())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reportc.pipeline, "_freeze", freeze)
        build_root(copy_root("basic", tmp_path / "a"), formats=["html"])
        assert frozen and frozen[0] > 0, "frozen during the build"
        assert gc.get_freeze_count() == 0, "thawed after it"
        gc.freeze()
        try:
            build_root(copy_root("basic", tmp_path / "b"), formats=["html"])
            assert gc.get_freeze_count() > 0, "the caller's frozen objects stay frozen"
        finally:
            gc.unfreeze()


def test_an_edit_that_moves_the_bibliography_to_a_page_of_fewer_digits_is_a_clean_build(
        shared, tmp_path: Path) -> None:
    """Deleting a heading moves the bibliography from page 12 to page 11 of the basic
    fixture. The clean build lays the contents out with an estimate of one digit, the
    edit with the last build's 12; both print 11, and the link around the contents
    entry's leader must end where the number begins in both (it kept the stand-in's
    rectangle, so the two PDFs differed)."""
    project = shared.copy("basic", tmp_path).root
    intro = project / "chapters/01-intro.md"
    intro.write_text(intro.read_text().replace("## Method\n", "", 1))
    edited = build_root(project)
    clean = build_root(project, out=tmp_path / "clean", use_cache=False)
    made = (edited.out / f"{edited.slug}.pdf").read_bytes()
    assert made == (clean.out / f"{clean.slug}.pdf").read_bytes()
