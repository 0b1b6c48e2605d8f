"""The EPUB is written from the chapters' HTML as the citing stage rendered it (issue #28
item 7): it runs no pandoc (nor citeproc) of its own, its notes read as the web edition's
(each chapter's first citation of a source in full, as in the PDF), and a rebuild after an
edit (citations recalled, or the reference list taken from the cache) gives the bytes of a
clean build of the edited text."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import Built, build_root, copy_root
from lxml import etree, html

from reportc.citing import render
from reportc.epub import edition

NS = {"x": "http://www.w3.org/1999/xhtml"}
FORMATS = ("html", "epub")


class Runs:
    """The pandoc command lines of the citing stage, and every process the EPUB edition
    started (none is expected)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.citing: list[list[str]] = []
        self.epub: list[list[str]] = []
        self.books = 0
        monkeypatch.setattr(render, "run_pandoc", self._recorder(render.run_pandoc))
        monkeypatch.setattr(edition.EpubEdition, "write", self._watched(edition.EpubEdition.write))

    def _recorder(self, run):
        def recorded(args, *rest, **options):
            self.citing.append(list(args))
            return run(args, *rest, **options)
        return recorded

    def _watched(self, write):
        """The edition's write, every process it starts recorded."""
        def popen(args, *rest, **options):
            self.epub.append(list(args))
            return real_popen(args, *rest, **options)
        real_popen = subprocess.Popen

        def watched(edition_self, made, folder):
            with pytest.MonkeyPatch.context() as inside:
                inside.setattr(subprocess, "Popen", popen)
                write(edition_self, made, folder)
            self.books += 1
        return watched

    def citeproc(self) -> int:
        """How many runs cited (pandoc's --citeproc or reportc's cite filter)."""
        return sum(any(a == "--citeproc" or a.endswith("cite.lua") for a in args)
                   for args in self.citing)


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def notes(out: Path) -> list[str]:
    """Every EPUB footnote's text, chapter by chapter."""
    with zipfile.ZipFile(out / "grid.epub") as book:
        pages = sorted(n for n in book.namelist() if re.search(r"text/ch\d+\.xhtml$", n))
        trees = [etree.fromstring(book.read(name)) for name in pages]
    return [words("".join(aside.itertext())) for tree in trees
            for aside in tree.iterfind(".//x:aside", NS)]


def edited_build(root: Path, old: str, new: str) -> Built:
    chapter = root / "chapters" / "02-storage.md"
    text = chapter.read_text(encoding="utf-8")
    assert old in text
    chapter.write_text(text.replace(old, new), encoding="utf-8")
    return build_root(root, formats=FORMATS)


def test_no_pandoc_of_its_own_and_the_notes_of_the_web_edition(tmp_path, monkeypatch):
    runs = Runs(monkeypatch)
    built = build_root(copy_root("editions", tmp_path), formats=FORMATS)
    assert runs.books == 1 and runs.epub == []  # no process at all
    assert runs.citeproc() >= 1  # the citing stage's, once for the whole build
    page = words(html.parse(str(built.html_path)).getroot().text_content())
    found = notes(built.out)
    assert len(found) >= 3 and all(note in page for note in found), found
    full = "Linh Nguyen and Chidi Okafor, ‘Pumped Storage and Seasonal Demand’"
    assert sum(note.startswith(full) for note in found) == 3  # in each chapter citing it


@pytest.mark.parametrize("old, new, cites, shown", [
    # text that cites nothing: the last build's citing is recalled, no citeproc at all
    ("little loss", "very little loss", 0, "very little loss"),
    # a new locator: cited again, the reference list (same sources) from the cache
    ("[@nguyen2021, 40-42]", "[@nguyen2021, 41]", 1, "(2021): 41."),
])
def test_a_rebuild_after_an_edit_gives_a_clean_builds_book(old, new, cites, shown, tmp_path,
                                                            monkeypatch, shared):
    # the edit starts from a built copy (out/ and its cache), the session's one build
    root = shared.copy("editions", tmp_path / "edited", formats=FORMATS).root
    runs = Runs(monkeypatch)
    edited = edited_build(root, old, new)
    assert runs.citeproc() == cites and runs.books == 1
    monkeypatch.undo()
    clean = edited_build(copy_root("editions", tmp_path / "clean"), old, new)
    book = (edited.out / "grid.epub").read_bytes()
    assert book == (clean.out / "grid.epub").read_bytes()
    with zipfile.ZipFile(edited.out / "grid.epub") as epub:
        text = words(" ".join("".join(etree.fromstring(epub.read(name)).itertext())
                              for name in epub.namelist() if name.endswith("ch003.xhtml")))
    assert shown in text
