"""More of what real Jupyter Books write, as a reader meets it: tables of contents other
than jb-book (jb-article, the list before Jupyter Book 0.11, an unknown format: a located
error), MyST-NB's ``{glue}`` (a notebook's stored output printed elsewhere), and
sphinx-design's tabs, cards, grids and badges. Each book is written by its test, small,
and built to HTML only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build_root

from reportc.build import BuildOptions, build
from reportc.errors import ReportError

CONFIG = 'title: "{title}"\nexecute:\n  execute_notebooks: "off"\n'


def _book(root: Path, toc: str, pages: dict[str, str], title: str = "") -> Path:
    """A book of ``pages`` (name -> text) in ``root`` with ``toc`` as its _toc.yml."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_toc.yml").write_text(toc, encoding="utf-8")
    (root / "_config.yml").write_text(CONFIG.format(title=title), encoding="utf-8")
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _html(built) -> str:
    html = built.html_path.read_text(encoding="utf-8")
    return html[html.index("<main"):html.index("</main>")]


def _text(built) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", _html(built)).split())


def _contents(built) -> str:
    html = built.html_path.read_text(encoding="utf-8")
    nav = html[html.index("<nav"):html.index("</nav>")]
    return " ".join(re.sub(r"<[^>]+>", " ", nav).split())


PAGES = {"intro.md": "# Intro\n\nHello.\n", "one.md": "# One\n\nFirst.\n",
         "one-a.md": "# One A\n\nBelow one.\n", "two.md": "# Two\n\nSecond.\n"}


def test_a_toc_before_jupyter_book_0_11_is_read_as_it_migrates(tmp_path):
    toc = ("- file: intro\n  numbered: true\n- part: Getting started\n  chapters:\n"
           "  - file: one\n    sections:\n    - file: one-a\n- part: More\n  chapters:\n"
           "  - file: two\n")
    built = build_root(_book(tmp_path / "old", toc, PAGES, "Old book"), formats=("html",))
    assert _contents(built) == "Contents 1 Intro Getting started 2 One 2.1 One A More 3 Two"
    said = [w for w in built.warnings if w.startswith("_toc.yml:1:")]
    assert len(said) == 1 and "jupyter-book toc migrate" in said[0]


def test_an_old_toc_without_parts_lists_chapters(tmp_path):
    toc = "- file: intro\n  sections:\n  - file: one\n- file: two\n  sections:\n  - file: one-a\n"
    built = build_root(_book(tmp_path / "flat", toc, PAGES, "Flat"), formats=("html",))
    assert _contents(built) == "Contents 1 Intro 2 One 3 Two 3.1 One A"


def test_a_jb_article_is_one_document_its_files_sections(tmp_path):
    toc = "format: jb-article\nroot: intro\nsections:\n- file: one\n  sections:\n" \
          "  - file: one-a\n- file: two\n"
    built = build_root(_book(tmp_path / "art", toc, PAGES), formats=("html",))
    html = _html(built)
    assert html.count('class="chapter-heading') == 1  # the root page: the one chapter
    assert re.search(r"<h3[^>]*>One</h3>.*<h4[^>]*>One A</h4>.*<h3[^>]*>Two</h3>", html, re.S)
    assert _text(built).startswith("Intro Hello. One First. One A Below one. Two Second.")


def test_an_unknown_toc_format_is_a_located_error_that_says_what_to_write(tmp_path):
    toc = "root: intro\nformat: jb-paper\nchapters:\n- file: one\n"
    root = _book(tmp_path / "odd", toc, PAGES, "Odd")
    with pytest.raises(ReportError) as raised:
        build(BuildOptions(root=root, formats=("html",)))
    assert str(raised.value).startswith("_toc.yml:2: format 'jb-paper'")
    assert "jb-book or jb-article" in str(raised.value)
